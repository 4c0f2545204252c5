public import EventStore

/// Keeps the read models (conversation state, audit segments, handoffs with their routing decisions) in tables
/// beside the events, applying the log in global order.
///
/// Each flush writes the changed rows and the runner's checkpoint in one transaction, so after a crash the read
/// models are exactly those of the checkpoint and the runner resumes after it. Stop it by cancelling its task: it
/// flushes what it applied and returns.
///
/// ```swift
/// let runner = ProjectionRunner(store: store)
/// try await runner.prepare()
/// let task = Task { try await runner.run() }      // follows the log until cancelled
/// ...
/// let readModels = ReadModels(store: store)
/// let state = try await readModels.conversation("c-1001")
/// ```
public struct ProjectionRunner: Sendable {
    /// The store whose log is applied and whose database holds the read models.
    public let store: SQLiteEventStore
    /// The most events applied between two flushes while catching up; a short page (the runner caught up with the
    /// log) flushes at once.
    public let eventsPerFlush: Int
    /// The most events read per page.
    public let pageSize: Int
    /// The most conversations whose folds stay in memory between flushes; beyond it, folds are dropped after a flush
    /// and reloaded from their stream when the conversation moves again.
    public let maxCachedConversations: Int

    /// Creates a runner; call ``prepare()`` once before ``run(until:)``.
    public init(
        store: SQLiteEventStore, eventsPerFlush: Int = 200_000, pageSize: Int = 2_000,
        maxCachedConversations: Int = 100_000
    ) {
        self.store = store
        self.eventsPerFlush = max(eventsPerFlush, 1)
        self.pageSize = max(min(pageSize, SQLiteEventStore.maxPageSize), 1)
        self.maxCachedConversations = max(maxCachedConversations, 1)
    }

    /// What a run did.
    public struct Progress: Sendable, Hashable {
        /// The checkpoint when the run started.
        public var from: Int64
        /// The checkpoint when it returned.
        public var to: Int64
        /// Events applied to a conversation's read models.
        public var applied: Int
        /// Events passed over: other streams, and stored events that do not decode (listed in `rm_skipped_events`).
        /// Types whose payload no read model reads (messages, support outcomes without ids) are applied by their type
        /// and schema version alone, so only a bad version makes one of those undecodable.
        public var skipped: Int
    }

    /// Creates the read-model tables when missing, and drops and recreates them (checkpoint 0) when they were made
    /// by a build with another layout.
    public func prepare() async throws {
        try await store.write { db in
            try db.execute(ReadModelSchema.checkpoints)
            let layout = try db.statement(
                "SELECT layout FROM projection_checkpoints WHERE name = ?1", .text(ReadModelSchema.checkpointName)
            ).rows { $0.int64(0) }.first
            if layout != ReadModelSchema.version { try Self.recreate(db) }
            try db.execute(ReadModelSchema.indexes)
        }
    }

    /// Empties the read models and sets the checkpoint to 0, in one transaction. Their indexes come back with the
    /// next ``prepare()`` or at the end of ``rebuild()``.
    public func reset() async throws {
        try await store.write { db in
            try db.execute(ReadModelSchema.checkpoints)
            try Self.recreate(db)
        }
    }

    /// Rebuilds every read model from position 0 up to the head of the log as it is now. The tables are filled
    /// first and indexed after.
    @discardableResult
    public func rebuild() async throws -> Progress {
        try await reset()
        let progress = try await run(until: try await store.headPosition())
        try await store.write { db in try db.execute(ReadModelSchema.indexes) }
        return progress
    }

    /// The position of the last event the read models include.
    public func checkpoint() async throws -> Int64 {
        try await ReadModels(store: store).checkpoint()
    }

    /// Applies the log from the checkpoint on: up to position `target` and returns, or, with no target, follows the
    /// log until the task is cancelled (then flushes and returns).
    /// - Throws: ``ReadModelError/notPrepared`` before ``prepare()``, ``ReadModelError/checkpointMoved(expected:found:)``
    ///   when another runner moved the checkpoint, or the store's errors.
    @discardableResult
    public func run(until target: Int64? = nil) async throws -> Progress {
        let start = try await checkpoint()
        var progress = Progress(from: start, to: start, applied: 0, skipped: 0)
        if let target, target <= start { return progress }
        var batch = Batch(runner: self, checkpoint: start)
        do {
            try await apply(&batch, from: start, until: target, progress: &progress)
            try await batch.flush(wait: true)
        } catch let error as EventStoreError where error.code == .closed {
            // The store closed under a following runner: what was committed stays, the rest is applied next time.
            try? await batch.settle()
        } catch {
            // Let a write still in flight finish before reporting, so that no write commits after `run` returned.
            try? await batch.settle()
            throw error
        }
        progress.to = batch.committed
        return progress
    }

    /// Catches up page by page, then follows the log (up to `target` when given, or until cancelled).
    private func apply(
        _ batch: inout Batch, from start: Int64, until target: Int64?, progress: inout Progress
    ) async throws {
        // Catching up: the next page is read and decoded while this one is folded and flushed.
        var next = prefetch(from: start + 1, until: target)
        defer { next.cancel() }
        while !Task.isCancelled {
            let page = try await next.value
            if page.count < pageSize {  // the head, or the target
                try await batch.apply(page, progress: &progress)
                break
            }
            next = prefetch(from: (page.last?.position ?? start) + 1, until: target)
            try await batch.apply(page, progress: &progress)
            if batch.pending >= eventsPerFlush { try await batch.flush() }
        }
        try await batch.flush(wait: true)
        // Caught up: follow the log as it grows, flushing every page.
        guard target.map({ batch.position < $0 }) ?? true, !Task.isCancelled else { return }
        for try await records in store.pages(from: batch.position + 1, limit: pageSize, pollInterval: .milliseconds(250)) {
            let wanted = target.map { target in records.prefix { $0.position <= target } } ?? records[...]
            try await batch.apply(decode(wanted), progress: &progress)
            try await batch.flush(wait: true)
            if target.map({ batch.position >= $0 }) ?? false { break }
            if Task.isCancelled { break }
        }
    }

    /// Reads and decodes the page from `position` in a task of its own, decoding its halves in parallel.
    private func prefetch(from position: Int64, until target: Int64?) -> Task<[DecodedEvent], any Error> {
        Task {
            let records = try await store.readAll(from: position, limit: pageSize)
            let wanted = target.map { target in records.prefix { $0.position <= target } } ?? records[...]
            guard wanted.count >= 256 else { return decode(wanted) }
            let middle = wanted.startIndex + wanted.count / 2
            async let first = decode(wanted[..<middle])
            let second = decode(wanted[middle...])
            return await first + second
        }
    }

    /// Decodes a page: conversation events to records, and what cannot be applied as such.
    private func decode(_ records: ArraySlice<RecordedEvent>) -> [DecodedEvent] {
        let codec = EventCodec()
        return records.map { record in
            guard let conversationID = record.streamID.conversationID else {
                return DecodedEvent(position: record.position, content: .otherStream)
            }
            do {
                return DecodedEvent(
                    position: record.position,
                    content: .conversation(conversationID, try Self.foldRecord(record, codec: codec)))
            } catch {
                return DecodedEvent(
                    position: record.position,
                    content: .undecodable(
                        SkippedEvent(
                            position: record.position, conversationID: conversationID, type: record.type,
                            problem: "\(error)")))
            }
        }
    }

    /// A stored event as the folds take it: the types whose payload no read model reads by their type alone (their
    /// metadata is read for the schema version, their data not at all), the others decoded in full. The one decoding
    /// rule for applying and for reloading, so both treat every stored event alike.
    static func foldRecord(_ record: RecordedEvent, codec: EventCodec) throws -> ConversationRecord {
        let event: ConversationEvent
        if let type = EventType(rawValue: record.type), let typeOnly = ConversationFold.payloadIgnored[type],
            try codec.knownType(type: record.type, metadata: record.metadata) != nil
        {
            event = typeOnly
        } else {
            event = try codec.decode(record)
        }
        return ConversationRecord(
            position: record.position, version: record.version, eventID: record.eventID, at: record.occurredAt,
            event: event)
    }

    private static func recreate(_ db: borrowing SQLiteDatabase) throws {
        try db.execute(ReadModelSchema.dropTables)
        try db.execute(ReadModelSchema.tables)
        try db.statement(
            "INSERT OR REPLACE INTO projection_checkpoints (name, position, layout) VALUES (?1, 0, ?2)",
            .text(ReadModelSchema.checkpointName), .integer(ReadModelSchema.version)
        ).run()
    }

    /// The folds and rows between two flushes.
    private struct Batch {
        let runner: ProjectionRunner
        /// The position up to which rows have been handed to a write (committed once that write completes).
        private(set) var checkpoint: Int64
        /// The position up to which the read models are committed.
        private(set) var committed: Int64
        /// The position of the last event applied.
        private(set) var position: Int64
        /// Events applied since the last flush.
        private(set) var pending = 0
        private var folds: [String: ConversationFold] = [:]
        private var dirty: Set<String> = []
        private var skipped: [SkippedEvent] = []
        /// The write of the last flush, still running while the next pages are folded, and its checkpoint.
        private var writing: (task: Task<Void, any Error>, checkpoint: Int64)?

        init(runner: ProjectionRunner, checkpoint: Int64) {
            self.runner = runner
            self.checkpoint = checkpoint
            self.committed = checkpoint
            self.position = checkpoint
        }

        mutating func apply(_ events: [DecodedEvent], progress: inout Progress) async throws {
            for event in events {
                position = event.position
                pending += 1
                switch event.content {
                case .otherStream:
                    progress.skipped += 1
                case .undecodable(let problem):
                    skipped.append(problem)
                    progress.skipped += 1
                case .conversation(let conversationID, let record):
                    if folds[conversationID] == nil {
                        // The first event of a stream starts a new fold; any other needs the events before it.
                        folds[conversationID] =
                            record.version == 0
                            ? ConversationFold(conversationID: conversationID)
                            : try await runner.reload(conversationID, before: record.position)
                    }
                    folds[conversationID]?.apply(record)
                    dirty.insert(conversationID)
                    progress.applied += 1
                }
            }
        }

        /// Starts writing the changed rows and the new checkpoint in one transaction, after the previous write.
        /// With `wait`, returns once it is committed.
        mutating func flush(wait: Bool = false) async throws {
            if position > checkpoint {
                var collected: [ReadModelChanges] = []
                collected.reserveCapacity(dirty.count)
                for id in dirty {
                    guard let change = folds[id]?.takeChanges() else { continue }
                    collected.append(change)
                }
                let changes = collected
                let skipped = self.skipped
                let (from, to) = (checkpoint, position)
                let store = runner.store
                let previous = writing?.task
                writing = (
                    Task {
                        try await previous?.value
                        try await Self.write(changes, skipped: skipped, from: from, to: to, in: store)
                    }, to
                )
                checkpoint = position
                pending = 0
                dirty.removeAll(keepingCapacity: true)
                self.skipped.removeAll()
                if folds.count > runner.maxCachedConversations { folds.removeAll(keepingCapacity: true) }
            }
            if wait { try await settle() }
        }

        /// Waits for the write in flight, if any; ``committed`` moves only once it succeeded.
        mutating func settle() async throws {
            guard let writing else { return }
            self.writing = nil
            try await writing.task.value
            committed = writing.checkpoint
        }

        private static func write(
            _ changes: [ReadModelChanges], skipped: [SkippedEvent], from: Int64, to: Int64,
            in store: SQLiteEventStore
        ) async throws {
            try await store.write { db in
                let moved = try db.statement(
                    "UPDATE projection_checkpoints SET position = ?1 WHERE name = ?2 AND position = ?3 RETURNING layout",
                    .integer(to), .text(ReadModelSchema.checkpointName), .integer(from)
                ).rows { $0.int64(0) }
                guard !moved.isEmpty else {
                    let current = try db.statement(
                        "SELECT position FROM projection_checkpoints WHERE name = ?1",
                        .text(ReadModelSchema.checkpointName))
                    guard try current.step() else { throw ReadModelError.notPrepared }
                    throw ReadModelError.checkpointMoved(expected: from, found: current.int64(0))
                }
                let statements = try ReadModelRows.Statements(db)
                for change in changes { try ReadModelRows.write(change, with: statements) }
                for event in skipped {
                    try db.statement(
                        ReadModelSchema.insertSkipped, .integer(event.position), .text(event.conversationID),
                        .text(event.type), .text(event.problem)
                    ).run()
                }
            }
        }
    }

    /// The fold of a conversation not in memory: its stream's events before `position`, applied again. Its rows are
    /// already in the read models (folds are only dropped after a flush), so nothing of it is pending.
    private func reload(_ conversationID: String, before position: Int64) async throws -> ConversationFold {
        var fold = ConversationFold(conversationID: conversationID)
        let stream = try StreamID.conversation(conversationID)
        let codec = EventCodec()
        var version: Int64 = 0
        reading: while true {
            let page = try await store.readStream(stream, from: version, limit: 1000)
            for record in page {
                guard record.position < position else { break reading }
                // Events that do not decode were listed and passed over when first applied: pass over them again.
                if let decoded = try? Self.foldRecord(record, codec: codec) { fold.apply(decoded) }
                version = record.version + 1
            }
            if page.count < 1000 { break }
        }
        _ = fold.takeChanges()
        return fold
    }
}

/// A page's event, decoded ahead of folding.
private struct DecodedEvent: Sendable {
    enum Content: Sendable {
        case conversation(String, ConversationRecord)
        case otherStream
        case undecodable(SkippedEvent)
    }
    let position: Int64
    let content: Content
}

/// An event the runner could not apply.
private struct SkippedEvent: Sendable {
    let position: Int64
    let conversationID: String
    let type: String
    let problem: String
}
