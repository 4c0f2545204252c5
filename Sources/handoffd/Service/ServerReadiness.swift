import Synchronization

/// Tells whoever waits where the HTTP server listens once it does, or that it failed before listening.
final class ServerReadiness: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case listening(Int)
        case failed(any Error)
    }

    private let state = Mutex(State.waiting([]))

    /// Creates a readiness not yet resolved.
    init() {}

    /// Records the bound port and wakes the waiters; later calls change nothing.
    func listening(port: Int) { resolve(.listening(port)) }

    /// Records a failure before listening and wakes the waiters; later calls change nothing.
    func failed(_ error: any Error) { resolve(.failed(error)) }

    /// The bound port, once the server listens.
    /// - Throws: the error the service group failed with before the server listened.
    func port() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let resolved: Result<Int, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .listening(let port): return .success(port)
                case .failed(let error): return .failure(error)
                }
            }
            if let resolved { continuation.resume(with: resolved) }
        }
    }

    private func resolve(_ outcome: State) {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = outcome
            return waiters
        }
        for waiter in waiters {
            switch outcome {
            case .listening(let port): waiter.resume(returning: port)
            case .failed(let error): waiter.resume(throwing: error)
            case .waiting: break
            }
        }
    }
}
