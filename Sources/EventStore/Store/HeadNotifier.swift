import Synchronization

/// Tells waiting subscribers when the log's head moves past a position.
final class HeadNotifier: Sendable {
    private struct Waiter {
        let position: Int64
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var head: Int64
        var closed = false
        var nextWaiterID = 0
        var waiters: [Int: Waiter] = [:]
    }

    private let state: Mutex<State>

    init(head: Int64) { state = Mutex(State(head: head)) }

    var head: Int64 { state.withLock { $0.head } }

    /// Records a new head (after a commit) and wakes everyone waiting for it.
    func publish(head: Int64) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard head > state.head else { return [] }
            state.head = head
            var ready: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in state.waiters where waiter.position <= head {
                ready.append(waiter.continuation)
                state.waiters[id] = nil
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Wakes every waiter, now and from now on (the store is closing).
    func close() {
        let all = state.withLock { state in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters.values.map(\.continuation)
        }
        for continuation in all { continuation.resume() }
    }

    /// Returns once the head reaches `position`, or the task is cancelled, or ``close()`` is called.
    func wait(untilHeadReaches position: Int64) async {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.head >= position || state.closed || Task.isCancelled { return true }
                    state.waiters[id] = Waiter(position: position, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume()
        }
    }
}
