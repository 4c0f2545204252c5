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
        let head = try await store.headPosition()
        // The log is read and folded while the old rows are dropped; the first flush waits for the reset.
        let resetting = Task { try await reset() }
        let progress = try await run(from: 0, until: head, after: resetting)
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
        try await run(from: try await checkpoint(), until: target, after: nil)
    }

    /// Applies the log after `start`, the checkpoint once `preceding` (a write, such as a reset) has completed: the
    /// first flush waits for it.
    private func run(from start: Int64, until target: Int64?, after preceding: Task<Void, any Error>?) async throws
        -> Progress
    {
        var progress = Progress(from: start, to: start, applied: 0, skipped: 0)
        var batch = Batch(runner: self, checkpoint: start, after: preceding)
        if let target, target <= start {
            try await batch.settle()
            return progress
        }
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
        // Catching up: the next pages are read and decoded, each in a task of its own, while the oldest is folded
        // and flushed. Page n is read from `start + 1 + n × pageSize`: positions are gap-free, so that is where the
        // page before it ends (and were there a gap, pages would overlap, and the overlap is passed over).
        var ahead: [Task<[DecodedEvent], any Error>] = []
        var nextPage = start + 1
        defer { for page in ahead { page.cancel() } }
        while !Task.isCancelled {
            while ahead.count < Self.pagesAhead, target.map({ nextPage <= $0 }) ?? true {
                ahead.append(prefetch(from: nextPage, until: target))
                nextPage += Int64(pageSize)
            }
            guard !ahead.isEmpty else { break }
            let page = try await ahead.removeFirst().value
            let unseen = page.drop { $0.position <= batch.position }
            try await batch.apply(unseen, progress: &progress)
            if page.count < pageSize { break }  // the head, or the target
            if batch.pending >= eventsPerFlush { try await batch.flush() }
        }
        try await batch.flush(wait: true)
        // Caught up: follow the log as it grows, flushing every page.
        guard target.map({ batch.position < $0 }) ?? true, !Task.isCancelled else { return }
        for try await records in store.pages(from: batch.position + 1, limit: pageSize, pollInterval: .milliseconds(250)) {
            let wanted = target.map { target in records.prefix { $0.position <= target } } ?? records[...]
            try await batch.apply(decode(wanted)[...], progress: &progress)
            try await batch.flush(wait: true)
            if target.map({ batch.position >= $0 }) ?? false { break }
            if Task.isCancelled { break }
        }
    }

    /// How many pages are read and decoded ahead of the one being folded while catching up.
    private static let pagesAhead = 3

    /// Reads and decodes the page from `position` in a task of its own.
    private func prefetch(from position: Int64, until target: Int64?) -> Task<[DecodedEvent], any Error> {
        Task {
            let records = try await store.readAll(from: position, limit: pageSize)
            let wanted = target.map { target in records.prefix { $0.position <= target } } ?? records[...]
            return decode(wanted)
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
        /// The folds in memory, found by conversation through `foldIndex`: kept in an array so that applying an event
        /// changes a fold in place.
        private var folds: [CachedFold] = []
        private var foldIndex: [String: Int] = [:]
        /// The indexes in `folds` of the folds changed since the last flush.
        private var dirty: [Int] = []
        private var skipped: [SkippedEvent] = []
        /// The write of the last flush, still running while the next pages are folded, and its checkpoint.
        private var writing: (task: Task<Void, any Error>, checkpoint: Int64)?

        /// A batch from `checkpoint`, whose first write waits for `preceding` (committed once it succeeded).
        init(runner: ProjectionRunner, checkpoint: Int64, after preceding: Task<Void, any Error>?) {
            self.runner = runner
            self.checkpoint = checkpoint
            self.committed = checkpoint
            self.position = checkpoint
            self.writing = preceding.map { ($0, checkpoint) }
        }

        mutating func apply(_ events: ArraySlice<DecodedEvent>, progress: inout Progress) async throws {
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
                    let index: Int
                    if let cached = foldIndex[conversationID] {
                        index = cached
                    } else {
                        // The first event of a stream starts a new fold; any other needs the events before it.
                        let fold =
                            record.version == 0
                            ? ConversationFold(conversationID: conversationID)
                            : try await runner.reload(conversationID, before: record.position)
                        index = folds.count
                        folds.append(CachedFold(fold: fold))
                        foldIndex[conversationID] = index
                    }
                    if !folds[index].isDirty {
                        folds[index].isDirty = true
                        dirty.append(index)
                    }
                    folds[index].fold.apply(record)
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
                // In key order, so the write moves through each table's B-tree once instead of seeking at random.
                dirty.sort { folds[$0].fold.conversationID < folds[$1].fold.conversationID }
                for index in dirty {
                    folds[index].isDirty = false
                    collected.append(folds[index].fold.takeChanges())
                }
                let changes = collected
                let skipped = self.skipped
                let (from, to) = (checkpoint, position)
                let store = runner.store
                let previous = writing?.task
                writing = (
                    Task {
                        let rows = ReadModelRows.Prepared(changes)  // while the previous write runs
                        try await previous?.value
                        try await Self.write(rows, skipped: skipped, from: from, to: to, in: store)
                    }, to
                )
                checkpoint = position
                pending = 0
                dirty.removeAll(keepingCapacity: true)
                self.skipped.removeAll()
                if folds.count > runner.maxCachedConversations {
                    folds.removeAll(keepingCapacity: true)
                    foldIndex.removeAll(keepingCapacity: true)
                }
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
            _ rows: ReadModelRows.Prepared, skipped: [SkippedEvent], from: Int64, to: Int64,
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
                try rows.write(in: db)
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

/// A conversation's fold in the runner's memory, and whether it changed since the last flush.
private struct CachedFold {
    var fold: ConversationFold
    var isDirty = false
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
