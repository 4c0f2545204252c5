/// Serialises the requests for one conversation within this process: they queue, in arrival order, instead of each
/// deciding against a version another request is about to move (which wastes attempts and, with many writers at
/// once, ends in 503 contention). Writers in other processes are still met by the ingestor's decide-again loop.
actor ConversationLocks {
    private var held: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` while holding the conversation's lock.
    func withLock<T: Sendable>(_ conversationID: String, _ body: @Sendable () async throws -> T) async throws -> T {
        await acquire(conversationID)
        do {
            let result = try await body()
            release(conversationID)
            return result
        } catch {
            release(conversationID)
            throw error
        }
    }

    private func acquire(_ conversationID: String) async {
        if held.insert(conversationID).inserted { return }
        await withCheckedContinuation { waiting[conversationID, default: []].append($0) }
    }

    /// Hands the lock to the next waiter (it stays held), or frees it.
    private func release(_ conversationID: String) {
        guard var queue = waiting[conversationID], !queue.isEmpty else {
            held.remove(conversationID)
            return
        }
        let next = queue.removeFirst()
        waiting[conversationID] = queue.isEmpty ? nil : queue
        next.resume()
    }
}
