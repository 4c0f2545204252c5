import Foundation

/// The event store on SQLite: an append-only, hash-chained log of events in streams.
///
/// ```swift
/// let store = try SQLiteEventStore(path: "handoff.sqlite")
/// let stream = try StreamID.conversation("c-1001")
/// let result = try await store.append([event], to: stream, expected: .noStream)
/// for try await record in store.subscribe(from: 1) { ... }
/// await store.close()
/// ```
///
/// One writer connection commits appends in groups; readers use their own connections, so reads never wait for a
/// commit. Open one store per database file per process.
public final class SQLiteEventStore: Sendable {
    /// How hard a commit presses data to disk.
    public enum Durability: String, Sendable, CaseIterable {
        /// `synchronous=FULL`: an acknowledged event survives power loss (the default).
        case full
        /// `synchronous=NORMAL`: an acknowledged event survives a process crash, perhaps not power loss.
        case normal
    }

    /// How the store opens its database.
    public struct Configuration: Sendable {
        /// The durability of commits.
        public var durability: Durability
        /// How long a connection waits for a lock held by another process before failing with `busy`.
        public var busyTimeout: Duration
        /// The most idle reader connections kept open.
        public var maxIdleReaders: Int
        /// Opens the database for reading only (for tools beside a running service): the file must exist and have
        /// this build's schema; nothing is created, migrated or written, and ``SQLiteEventStore/append(_:to:expected:)``
        /// and ``SQLiteEventStore/write(_:)`` throw `readOnly`. `durability` does not apply.
        public var readOnly: Bool

        /// Creates a configuration; the defaults suit production.
        public init(
            durability: Durability = .full, busyTimeout: Duration = .seconds(5), maxIdleReaders: Int = 8,
            readOnly: Bool = false
        ) {
            self.durability = durability
            self.busyTimeout = busyTimeout
            self.maxIdleReaders = maxIdleReaders
            self.readOnly = readOnly
        }
    }

    /// The database file.
    public let path: String
    /// The configuration it was opened with.
    public let configuration: Configuration

    /// Nil when the store was opened read-only.
    private let writer: Writer?
    private let readers: ReaderPool
    private let notifier: HeadNotifier

    /// The most records one page of a read returns.
    public static let maxPageSize = 10_000

    /// Opens (creating if needed) the store at `path` and brings its schema up to date; with
    /// ``Configuration/readOnly``, opens an existing store without writing anything.
    /// - Throws: ``EventStoreError`` with code `storage` when the file cannot be opened or is not in WAL mode (or,
    ///   read-only, does not exist or is not an event store of this schema version), `schemaTooNew` when a newer
    ///   build wrote it.
    public init(path: String, configuration: Configuration = Configuration()) throws(EventStoreError) {
        self.path = path
        self.configuration = configuration
        let timeout = Self.milliseconds(configuration.busyTimeout)
        self.readers = ReaderPool(path: path, busyTimeoutMilliseconds: timeout, maxIdle: configuration.maxIdleReaders)
        if configuration.readOnly {
            guard FileManager.default.fileExists(atPath: path) else {
                throw EventStoreError(.storage, "there is no database at \(path)")
            }
            let head = try readers.read { connection throws(EventStoreError) in
                try Schema.checkReadable(connection)
                return try connection.scalarInt("SELECT max(position) FROM events") ?? 0
            }
            self.writer = nil
            self.notifier = HeadNotifier(head: head)
            return
        }
        // At synchronous=FULL every commit syncs the log, so its writes may be gathered until then; the buffering
        // connection sets FULL itself, and keeps a long transaction's pages (a `write` body, a migration) in memory
        // until its commit.
        let connection: Connection
        switch configuration.durability {
        case .full:
            connection = try Connection(path: path, mode: .readWriteBufferingLog, busyTimeoutMilliseconds: timeout)
        case .normal:
            connection = try Connection(path: path, mode: .readWrite, busyTimeoutMilliseconds: timeout)
            try connection.execute("PRAGMA synchronous = NORMAL")
        }
        let mode = try connection.scalarText("PRAGMA journal_mode = WAL")
        guard mode?.lowercased() == "wal" else {
            throw EventStoreError(
                .storage, "the database at \(path) cannot use write-ahead logging (journal mode is \(mode ?? "unknown"))")
        }
        for pragma in Schema.writerPragmas { try connection.execute(pragma) }
        try Schema.migrate(connection)
        connection.refuseWriteSettingChanges()
        let writer = try Writer(connection: connection)
        self.notifier = writer.notifier
        self.writer = writer
        writer.start()
    }

    deinit { writer?.requestClose() }

    /// Commits what is queued, stops the writer and refuses further appends. Reads still work until the store is
    /// released.
    public func close() async {
        await writer?.close()
        notifier.close()
    }

    /// The writer, or the `readOnly` error for a store opened read-only.
    private func requireWriter(_ stream: StreamID? = nil) throws(EventStoreError) -> Writer {
        guard let writer else {
            throw EventStoreError(.readOnly, "the event store at \(path) was opened read-only", stream: stream)
        }
        return writer
    }

    // MARK: - Appending

    /// Appends events to a stream atomically, if the stream is at the expected version.
    ///
    /// Appending events whose ids are already stored, in this stream and in this order, writes nothing and returns
    /// the original positions (``AppendResult/alreadyStored`` is true): a retry is always safe. Event ids are unique
    /// within a stream; a retry must go to the stream it was first sent to.
    /// - Throws: ``EventStoreError`` with code `wrongExpectedVersion` (with the actual version),
    ///   `duplicateEventID` (an id stored with other content), `idempotencyConflict` (some ids stored, some not, or
    ///   not consecutive), `invalidAppend` (an id twice in one append, a negative exact version, an empty or
    ///   overlong type, a time outside the years 1-9999, a payload over ``maxEventBytes``), `storage`, `busy`,
    ///   `closed` or `readOnly`.
    public func append(
        _ events: [EventData], to stream: StreamID, expected: ExpectedVersion = .any
    ) async throws(EventStoreError) -> AppendResult {
        var seen = Set<UUID>()
        for event in events {
            if !seen.insert(event.eventID).inserted {
                throw EventStoreError(
                    .invalidAppend, "the same event id appears twice in one append", stream: stream,
                    eventID: event.eventID)
            }
            if let problem = Self.problem(with: event) {
                throw EventStoreError(.invalidAppend, problem, stream: stream, eventID: event.eventID)
            }
        }
        if case .exact(let version) = expected, version < 0 {
            throw EventStoreError(
                .invalidAppend, "an exact expected version must be 0 or more (use noStream for an empty stream)",
                stream: stream, expected: expected)
        }
        let writer = try requireWriter(stream)
        do {
            return try await writer.append(AppendRequest(stream: stream, expected: expected, events: events))
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw EventStoreError(.storage, "unexpected failure: \(error)", stream: stream)
        }
    }

    // MARK: - Tables beside the events

    /// Runs `body` in its own write transaction (`BEGIN IMMEDIATE` ... `COMMIT`) on the writer connection, between
    /// two group commits, and returns its result once committed. A thrown error rolls the transaction back.
    ///
    /// For read models, checkpoints and an outbox that must change atomically; not for the events table. How the
    /// connection commits is fixed when the store opens: statements that set `PRAGMA synchronous`, `cache_spill`,
    /// `journal_mode` or `locking_mode`, and `ATTACH`, are refused (`storage`, "not authorized"). At `.full`, a
    /// transaction's changed pages stay in memory until it commits.
    /// - Throws: the error `body` threw, or ``EventStoreError`` (`storage`, `busy`, `closed`, `readOnly`).
    public func write<T: Sendable>(
        _ body: @escaping @Sendable (borrowing SQLiteDatabase) throws -> T
    ) async throws -> T {
        let writer = try requireWriter()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = writer.perform { connection in
                continuation.resume(
                    with: Result {
                        try connection.transaction(
                            "BEGIN IMMEDIATE", { connection in try body(SQLiteDatabase(connection)) },
                            storageError: { $0 })
                    })
            }
            if !accepted { continuation.resume(throwing: EventStoreError(.closed, "the event store is closed")) }
        }
    }

    /// Runs `body` on a reader connection inside one read transaction: one consistent snapshot, never waiting for
    /// the writer. Return values, not statements: a statement is only valid inside the closure.
    /// - Throws: the error `body` threw, or ``EventStoreError``.
    public func read<T: Sendable>(_ body: (borrowing SQLiteDatabase) throws -> T) async throws -> T {
        var result: Result<T, any Error>?
        try readers.read { connection throws(EventStoreError) in
            do {
                result = .success(try body(SQLiteDatabase(connection)))
            } catch {
                result = .failure(error)
            }
        }
        guard let result else { throw EventStoreError(.storage, "the read transaction did not run its body") }
        return try result.get()
    }

    // MARK: - Reading

    /// The position of the last committed event, 0 for an empty log.
    public func headPosition() async throws(EventStoreError) -> Int64 {
        try readers.read { connection throws(EventStoreError) in
            try connection.scalarInt("SELECT max(position) FROM events") ?? 0
        }
    }

    /// The version of a stream's last event, or nil when the stream does not exist.
    public func streamVersion(_ stream: StreamID) async throws(EventStoreError) -> Int64? {
        try readers.read { connection throws(EventStoreError) in try connection.streamVersion(stream) }
    }

    /// Reads up to `limit` events of one stream, starting at version `from` (inclusive) in either direction.
    ///
    /// Backward from `Int64.max` reads the newest events first.
    public func readStream(
        _ stream: StreamID, from version: Int64 = 0, direction: ReadDirection = .forward, limit: Int = 1000
    ) async throws(EventStoreError) -> [RecordedEvent] {
        let sql =
            switch direction {
            case .forward: "\(Self.selectColumns) WHERE stream_id = ? AND version >= ? ORDER BY version ASC LIMIT ?"
            case .backward: "\(Self.selectColumns) WHERE stream_id = ? AND version <= ? ORDER BY version DESC LIMIT ?"
            }
        return try readers.read { connection throws(EventStoreError) in
            let statement = try connection.statement(sql)
            try statement.bind(stream.rawValue, at: 1)
            try statement.bind(version, at: 2)
            try statement.bind(Int64(Self.clamp(limit)), at: 3)
            return try Self.records(statement)
        }
    }

    /// Reads up to `limit` events of the whole log in global order, starting at `position` (inclusive).
    ///
    /// Page through the log by passing the last position read plus one.
    public func readAll(from position: Int64 = 1, limit: Int = 1000) async throws(EventStoreError) -> [RecordedEvent] {
        try readers.read { connection throws(EventStoreError) in
            let statement = try connection.statement(
                "\(Self.selectColumns) WHERE position >= ? ORDER BY position ASC LIMIT ?")
            try statement.bind(position, at: 1)
            try statement.bind(Int64(Self.clamp(limit)), at: 2)
            return try Self.records(statement)
        }
    }

    /// Every event from `position` (inclusive) in global order: first those already stored, then each new one as it
    /// is committed, without gap or duplicate. The sequence ends when the task is cancelled or the store closes.
    ///
    /// Appends made by another process on the same file are picked up within `pollInterval`.
    public func subscribe(from position: Int64 = 1, pollInterval: Duration = .seconds(1)) -> EventSubscription {
        EventSubscription(pages: pages(from: position, pollInterval: pollInterval))
    }

    /// The same as ``subscribe(from:pollInterval:)``, a page at a time (at most `limit` events, never empty): for
    /// consumers such as projection runners that apply and checkpoint a page in one transaction.
    public func pages(from position: Int64 = 1, limit: Int = 1000, pollInterval: Duration = .seconds(1)) -> EventPages {
        EventPages(store: self, from: max(position, 1), limit: Self.clamp(max(limit, 1)), pollInterval: pollInterval)
    }

    /// Recomputes the hash chain over the whole log, page by page, and checks the immutability triggers (present,
    /// and with the SQL this build created them with).
    ///
    /// The chain cannot tell that the newest records were cut off the end of the file by someone who also removed
    /// them everywhere else; the report gives the last position and hash checked, so an operator can compare them
    /// with a copy kept elsewhere, and a log shorter than this process has seen committed is reported as broken.
    public func verify() async throws(EventStoreError) -> VerificationReport {
        let missing = try readers.read { connection throws(EventStoreError) -> [String] in
            var missing: [String] = []
            let statement = try connection.statement(
                "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'events' AND name = ?")
            for (name, sql) in Schema.immutabilityTriggers {
                statement.reset()
                try statement.bind(name, at: 1)
                if try !statement.step() || Schema.normalized(statement.text(0)) != Schema.normalized(sql) {
                    missing.append(name)
                }
            }
            statement.reset()
            return missing
        }
        let committedHead = notifier.head
        var previous = IntegrityChain.genesis
        var expectedPosition: Int64 = 1
        var checked: Int64 = 0
        func report(broken: Int64?, _ problem: String?) -> VerificationReport {
            VerificationReport(
                eventsChecked: checked, lastPosition: expectedPosition - 1, lastHash: previous,
                firstBrokenPosition: broken, problem: problem, missingTriggers: missing)
        }
        while true {
            let page = try readers.read { connection throws(EventStoreError) -> [ChainRow] in
                let statement = try connection.statement(
                    "SELECT \(Self.columns), hash FROM events WHERE position >= ? ORDER BY position ASC LIMIT 5000")
                try statement.bind(expectedPosition, at: 1)
                var rows: [ChainRow] = []
                while try statement.step() {
                    rows.append(
                        ChainRow(
                            record: Self.record(statement), occurredAt: statement.int64(7),
                            recordedAt: statement.int64(8), hash: statement.data(9)))
                }
                statement.reset()
                return rows
            }
            if page.isEmpty { break }
            for row in page {
                let record = row.record
                if record.position != expectedPosition {
                    return report(broken: expectedPosition, "position \(expectedPosition) is missing")
                }
                // The stored integers, not the Dates made from them: the hash covers exactly what is stored.
                let hash = IntegrityChain.hash(
                    previous: previous, position: record.position, streamID: record.streamID.rawValue,
                    version: record.version, eventID: record.eventID, type: record.type, data: record.data,
                    metadata: record.metadata, occurredAtMilliseconds: row.occurredAt,
                    recordedAtMilliseconds: row.recordedAt)
                if hash != row.hash {
                    return report(
                        broken: record.position,
                        "the stored hash does not match the record's content and its predecessor")
                }
                previous = row.hash
                expectedPosition += 1
                checked += 1
            }
        }
        if expectedPosition - 1 < committedHead {
            return report(
                broken: expectedPosition,
                "the log ends at position \(expectedPosition - 1), but this store committed up to \(committedHead)")
        }
        return report(broken: nil, nil)
    }

    private struct ChainRow {
        let record: RecordedEvent
        let occurredAt: Int64
        let recordedAt: Int64
        let hash: Data
    }

    /// The largest `data` plus `metadata` of one event, in bytes (SQLite's own limit on a value is 1e9 bytes).
    public static let maxEventBytes = 100 * 1024 * 1024

    /// Why `event` cannot be stored, or nil when it can.
    private static func problem(with event: EventData) -> String? {
        let typeLength = event.type.utf8.count
        if typeLength == 0 || typeLength > 200 {
            return "an event type must be 1 to 200 bytes long (this one is \(typeLength))"
        }
        let seconds = event.occurredAt.timeIntervalSince1970
        // 0001-01-01T00:00:00Z ..< 10000-01-01T00:00:00Z: the range the wire form's ISO-8601 dates can express.
        guard seconds.isFinite, seconds >= -62_135_596_800, seconds < 253_402_300_800 else {
            return "occurredAt must be a time between the years 1 and 9999"
        }
        if event.data.count + event.metadata.count > maxEventBytes {
            return "data and metadata together exceed \(maxEventBytes) bytes"
        }
        return nil
    }

    /// A duration in whole milliseconds, clamped to what SQLite's busy timeout takes.
    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        guard seconds < Int64(Int32.max) / 1000 else { return Int32.max }
        return Int32(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    // MARK: - Internals

    var isClosed: Bool { notifier.isClosed }

    func waitForHead(_ position: Int64) async { await notifier.wait(untilHeadReaches: position) }

    private static let columns = "position, stream_id, version, event_id, type, data, metadata, occurred_at, recorded_at"
    private static let selectColumns = "SELECT \(columns) FROM events"

    private static func clamp(_ limit: Int) -> Int { min(max(limit, 0), maxPageSize) }

    private static func records(_ statement: Statement) throws(EventStoreError) -> [RecordedEvent] {
        defer { statement.reset() }
        var records: [RecordedEvent] = []
        while try statement.step() { records.append(record(statement)) }
        return records
    }

    private static func record(_ statement: Statement) -> RecordedEvent {
        RecordedEvent(
            position: statement.int64(0),
            streamID: StreamID(unchecked: statement.text(1)),
            version: statement.int64(2),
            // The schema's CHECK constraint keeps every event_id exactly 16 bytes long.
            eventID: statement.uuid(3) ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
            type: statement.text(4),
            data: statement.data(5),
            metadata: statement.data(6),
            occurredAt: Date(millisecondsSince1970: statement.int64(7)),
            recordedAt: Date(millisecondsSince1970: statement.int64(8)))
    }
}
