/// The log from a position on, page by page: catch-up from storage, then live. See
/// ``SQLiteEventStore/pages(from:limit:pollInterval:)``.
///
/// Every read goes by position, so the switch from catch-up to live can neither skip nor repeat an event. A page
/// holds what was committed and unread, at most `limit` events, never an empty page.
public struct EventPages: AsyncSequence, Sendable {
    public typealias Element = [RecordedEvent]
    public typealias Failure = EventStoreError

    let store: SQLiteEventStore
    let from: Int64
    let limit: Int
    let pollInterval: Duration

    public func makeAsyncIterator() -> Iterator {
        Iterator(store: store, next: from, limit: limit, pollInterval: pollInterval)
    }

    /// Reads the log in pages and waits for commits when it has caught up.
    public struct Iterator: AsyncIteratorProtocol {
        let store: SQLiteEventStore
        /// The position of the next event to deliver.
        var next: Int64
        let limit: Int
        let pollInterval: Duration

        /// The next page, or nil once the task is cancelled or the store is closed.
        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(EventStoreError)
            -> [RecordedEvent]?
        {
            while true {
                if Task.isCancelled { return nil }
                let page = try await store.readAll(from: next, limit: limit)
                if let last = page.last {
                    next = last.position + 1
                    return page
                }
                if store.isClosed { return nil }
                await Self.waitForCommit(store: store, position: next, pollInterval: pollInterval)
            }
        }

        public mutating func next() async throws(EventStoreError) -> [RecordedEvent]? {
            try await next(isolation: nil)
        }

        /// Waits until this process commits `position`, or `pollInterval` passes (for other processes' commits).
        private static func waitForCommit(store: SQLiteEventStore, position: Int64, pollInterval: Duration) async {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await store.waitForHead(position) }
                group.addTask { try? await Task.sleep(for: pollInterval) }
                await group.next()
                group.cancelAll()
            }
        }
    }
}

/// The log from a position on, event by event: ``EventPages`` flattened. See
/// ``SQLiteEventStore/subscribe(from:pollInterval:)``.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent
    public typealias Failure = EventStoreError

    let pages: EventPages

    public func makeAsyncIterator() -> Iterator { Iterator(pages: pages.makeAsyncIterator()) }

    /// Hands out the events of one page, then fetches the next.
    public struct Iterator: AsyncIteratorProtocol {
        var pages: EventPages.Iterator
        var buffer: [RecordedEvent] = []
        var index = 0

        /// The next event, or nil once the task is cancelled or the store is closed.
        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(EventStoreError)
            -> RecordedEvent?
        {
            if index == buffer.count {
                guard let page = try await pages.next(isolation: actor) else { return nil }
                buffer = page
                index = 0
            }
            defer { index += 1 }
            return buffer[index]
        }

        public mutating func next() async throws(EventStoreError) -> RecordedEvent? {
            try await next(isolation: nil)
        }
    }
}
