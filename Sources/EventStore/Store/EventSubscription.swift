/// The events of the log from a position on: catch-up from storage, then live. See
/// ``SQLiteEventStore/subscribe(from:pollInterval:)``.
///
/// Every read goes by position, so the switch from catch-up to live can neither skip nor repeat an event.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent
    public typealias Failure = EventStoreError

    let store: SQLiteEventStore
    let from: Int64
    let pollInterval: Duration

    public func makeAsyncIterator() -> Iterator {
        Iterator(store: store, next: from, pollInterval: pollInterval)
    }

    /// Reads the log in pages and waits for commits when it has caught up.
    public struct Iterator: AsyncIteratorProtocol {
        let store: SQLiteEventStore
        var next: Int64
        let pollInterval: Duration
        var buffer: [RecordedEvent] = []
        var index = 0

        /// The next event, or nil once the task is cancelled or the store is closed.
        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(EventStoreError)
            -> RecordedEvent?
        {
            while index == buffer.count {
                if Task.isCancelled { return nil }
                buffer = try await store.readAll(from: next, limit: 1000)
                index = 0
                if buffer.isEmpty {
                    if store.isClosed { return nil }
                    await Self.waitForCommit(store: store, position: next, pollInterval: pollInterval)
                }
            }
            let record = buffer[index]
            index += 1
            next = record.position + 1
            return record
        }

        public mutating func next() async throws(EventStoreError) -> RecordedEvent? {
            try await next(isolation: nil)
        }

        /// Waits until this process commits past `next`, or `pollInterval` passes (for other processes' commits).
        private static func waitForCommit(store: SQLiteEventStore, position: Int64, pollInterval interval: Duration)
            async
        {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await store.waitForHead(position) }
                group.addTask { try? await Task.sleep(for: interval) }
                await group.next()
                group.cancelAll()
            }
        }
    }
}
