internal import CSQLite
internal import CSQLiteLogBuffer
import Foundation

/// One SQLite connection and its cached prepared statements.
///
/// Opened with `SQLITE_OPEN_NOMUTEX`: it must be used by one thread at a time.
///
/// Why `@unchecked Sendable` is sound: a connection has exactly one user at any time. The writer's connection is
/// used only by the thread that holds it, which the writer's lock hands from one commit to the next; a reader
/// connection is used only between its check-out from and check-in to the ``ReaderPool``, whose mutex orders one
/// user's last call before the next user's first.
final class Connection: @unchecked Sendable {
    /// Whether the connection may write, and how it writes the write-ahead log.
    enum Mode {
        case readWrite
        /// Writes at `synchronous=FULL`, gathering the log's writes into one per sync (the `handoff-log-buffer`
        /// VFS). The connection sets what the VFS rests on itself: every commit syncs the log (`synchronous=FULL`),
        /// and nothing is written to the log outside a commit (`cache_spill=OFF`); otherwise other connections would
        /// not find a commit's frames in the file until the sync, and a rolled-back transaction's spilled pages would
        /// stay in the buffer. Pair it with ``refuseWriteSettingChanges()`` so that no statement undoes them.
        case readWriteBufferingLog
        case readOnly
    }

    let path: String
    /// How long a statement waits for a lock another connection holds, as opened.
    let busyTimeoutMilliseconds: Int32
    private let handle: OpaquePointer
    private var statements: [String: Statement] = [:]
    /// The most prepared statements kept; beyond it, statements are prepared for one use and finalized after it,
    /// so that callers who build SQL text dynamically cannot grow the cache without bound.
    static let maxCachedStatements = 256

    /// Process-wide SQLite settings, made once before the first connection opens: no memory statistics (they take
    /// a global mutex on every allocation, and nothing here reads them).
    private static let processConfigured: Void = { _ = csqlite_disable_memory_statistics() }()

    /// Opens a connection with extended result codes, a busy timeout and double-quoted strings off.
    init(path: String, mode: Mode, busyTimeoutMilliseconds: Int32) throws(EventStoreError) {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        var vfs: String?
        switch mode {
        case .readWrite: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWriteBufferingLog:
            flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
            let registered = handoff_log_buffer_register()
            guard registered == SQLITE_OK else {
                throw EventStoreError(
                    .storage, "cannot open the database at \(path): the log-buffering VFS could not be registered",
                    sqliteCode: registered)
            }
            vfs = HANDOFF_LOG_BUFFER_VFS
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }
        _ = Self.processConfigured
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, vfs)
        guard let db else {
            throw EventStoreError(.storage, "cannot open the database at \(path): out of memory", sqliteCode: rc)
        }
        guard rc == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(db))
            sqlite3_close_v2(db)
            throw EventStoreError(.storage, "cannot open the database at \(path): \(message)", sqliteCode: rc)
        }
        self.path = path
        self.handle = db
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        let dqs = csqlite_disable_double_quoted_strings(db)
        if dqs != SQLITE_OK { throw error(code: dqs, sql: "sqlite3_db_config(DQS)") }
        if mode == .readWriteBufferingLog { try execute("PRAGMA synchronous = FULL; PRAGMA cache_spill = OFF") }
    }

    deinit {
        for statement in statements.values { statement.finalize() }
        sqlite3_close_v2(handle)
    }

    /// Sets how long a statement waits for a lock another connection holds (0: it fails at once with SQLITE_BUSY).
    func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    /// Refuses, from now on, statements that would change how this connection writes its commits: setting
    /// `PRAGMA synchronous`, `cache_spill`, `journal_mode` or `locking_mode`, and `ATTACH` (an attached file would
    /// be written at SQLite's default level). The store's durability, and the log-buffering VFS's correctness
    /// (``Mode/readWriteBufferingLog``), rest on the settings made when the store opened. Statements prepared before
    /// this call are not checked.
    func refuseWriteSettingChanges() {
        sqlite3_set_authorizer(
            handle,
            { _, action, name, argument, _, _ in
                if action == SQLITE_ATTACH { return SQLITE_DENY }
                guard action == SQLITE_PRAGMA, let name, argument != nil else { return SQLITE_OK }
                let fixed = ["synchronous", "cache_spill", "journal_mode", "locking_mode"]
                return fixed.contains { sqlite3_stricmp(name, $0) == 0 } ? SQLITE_DENY : SQLITE_OK
            }, nil)
    }

    /// The name of the VFS the connection was opened with.
    var vfsName: String? {
        var vfs: UnsafeMutablePointer<sqlite3_vfs>?
        guard sqlite3_file_control(handle, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) == SQLITE_OK,
            let name = vfs?.pointee.zName
        else { return nil }
        return String(cString: name)
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(EventStoreError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        if rc != SQLITE_OK { throw error(code: rc, sql: sql) }
    }

    /// The cached prepared statement for `sql`, reset and with its bindings cleared.
    func statement(_ sql: String) throws(EventStoreError) -> Statement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var raw: OpaquePointer?
        let cache = statements.count < Self.maxCachedStatements
        let flags = cache ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let rc = sqlite3_prepare_v3(handle, sql, -1, flags, &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw error(code: rc, sql: sql) }
        let statement = Statement(raw, sql: sql, connection: self, finalizesOnRelease: !cache)
        if cache { statements[sql] = statement }
        return statement
    }

    /// Resets every statement of the connection that is still stepping, so that none keeps a read snapshot (and
    /// the WAL) pinned after a transaction. Called before a lent connection's transaction ends.
    func resetAll() {
        var next = sqlite3_next_stmt(handle, nil)
        while let raw = next {
            if sqlite3_stmt_busy(raw) != 0 { sqlite3_reset(raw) }
            next = sqlite3_next_stmt(handle, raw)
        }
    }

    /// Rows inserted, updated or deleted by statements that completed on this connection since it opened
    /// (`sqlite3_total_changes64`): a failed statement whose changes SQLite did not undo still counts.
    var totalChanges: Int64 { sqlite3_total_changes64(handle) }

    /// Whether a transaction is open on the connection.
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` between `begin` (`BEGIN`, `BEGIN IMMEDIATE`) and `COMMIT`, or `ROLLBACK` when it throws. Every
    /// statement is reset before the transaction ends, so none left stepping by `body` keeps its snapshot open.
    /// `storageError` turns the store's own failures (to begin or commit) into the body's error type.
    func transaction<T, Failure: Error>(
        _ begin: String, _ body: (Connection) throws(Failure) -> T,
        storageError: (EventStoreError) -> Failure
    ) throws(Failure) -> T {
        do {
            try statement(begin).run()
        } catch {
            throw storageError(error)
        }
        let value: T
        do throws(Failure) {
            value = try body(self)
        } catch {
            resetAll()
            try? execute("ROLLBACK")
            throw error
        }
        resetAll()
        do {
            try statement("COMMIT").run()
        } catch {
            try? execute("ROLLBACK")
            throw storageError(error)
        }
        return value
    }

    /// ``transaction(_:_:storageError:)`` for a body that fails with the store's own errors.
    func transaction<T>(
        _ begin: String, _ body: (Connection) throws(EventStoreError) -> T
    ) throws(EventStoreError) -> T {
        try transaction(begin, body, storageError: { $0 })
    }

    /// The version of a stream's last event, or nil when the stream does not exist.
    func streamVersion(_ stream: StreamID) throws(EventStoreError) -> Int64? {
        let statement = try statement("SELECT max(version) FROM events WHERE stream_id = ?")
        defer { statement.reset() }
        try statement.bind(stream.rawValue, at: 1)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int64(0)
    }

    /// The single text value of a query such as `PRAGMA journal_mode=WAL`, or nil when it returns no row.
    func scalarText(_ sql: String) throws(EventStoreError) -> String? {
        let statement = try statement(sql)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return statement.text(0)
    }

    /// The single integer value of a query, or nil when it returns no row or NULL.
    func scalarInt(_ sql: String) throws(EventStoreError) -> Int64? {
        let statement = try statement(sql)
        defer { statement.reset() }
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int64(0)
    }

    /// Builds a storage error from the connection's last error.
    func error(code: Int32, sql: String?) -> EventStoreError {
        let message = String(cString: sqlite3_errmsg(handle))
        let primary = code & 0xFF
        let kind: EventStoreError.Code = (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) ? .busy : .storage
        return EventStoreError(kind, "SQLite: \(message)", sqliteCode: code, sql: sql)
    }
}

/// A prepared statement owned by a ``Connection``. Columns and parameters are 0- and 1-based as in SQLite.
final class Statement {
    private let raw: OpaquePointer
    let sql: String
    private unowned let connection: Connection
    /// True for a statement outside the connection's cache: it is finalized when released.
    private let finalizesOnRelease: Bool

    fileprivate init(_ raw: OpaquePointer, sql: String, connection: Connection, finalizesOnRelease: Bool) {
        self.raw = raw
        self.sql = sql
        self.connection = connection
        self.finalizesOnRelease = finalizesOnRelease
    }

    deinit { if finalizesOnRelease { sqlite3_finalize(raw) } }

    fileprivate func finalize() { sqlite3_finalize(raw) }

    /// Resets the statement so it can run again, and clears its bindings.
    func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    /// Steps once: true when a row is available, false when done.
    func step() throws(EventStoreError) -> Bool {
        let rc = sqlite3_step(raw)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(code: rc, sql: sql)
            sqlite3_reset(raw)
            throw error
        }
    }

    /// Runs a statement that returns no row.
    func run() throws(EventStoreError) {
        defer { reset() }
        _ = try step()
    }

    func bind(_ value: Int64, at index: Int32) throws(EventStoreError) {
        try check(sqlite3_bind_int64(raw, index, value))
    }

    func bind(_ value: String, at index: Int32) throws(EventStoreError) {
        var value = value
        let rc = value.withUTF8 { buffer -> Int32 in
            guard let length = Int32(exactly: buffer.count) else { return SQLITE_TOOBIG }
            return sqlite3_bind_text(raw, index, buffer.baseAddress, length, csqlite_transient())
        }
        try check(rc)
    }

    func bind(_ value: Data, at index: Int32) throws(EventStoreError) {
        try bind(bytes: value, at: index)
    }

    /// Binds UTF-8 bytes (JSON) as TEXT without a round trip through `String`.
    func bindText(_ value: Data, at index: Int32) throws(EventStoreError) {
        let rc = value.withUnsafeBytes { buffer -> Int32 in
            guard let base = buffer.baseAddress, buffer.count > 0 else {
                return sqlite3_bind_text(raw, index, "", 0, csqlite_transient())
            }
            guard let length = Int32(exactly: buffer.count) else { return SQLITE_TOOBIG }
            return sqlite3_bind_text(
                raw, index, base.assumingMemoryBound(to: CChar.self), length, csqlite_transient())
        }
        try check(rc)
    }

    func bind(_ value: SQLiteValue, at index: Int32) throws(EventStoreError) {
        switch value {
        case .null: try check(sqlite3_bind_null(raw, index))
        case .integer(let value): try bind(value, at: index)
        case .real(let value): try check(sqlite3_bind_double(raw, index, value))
        case .text(let value): try bind(value, at: index)
        case .blob(let value): try bind(value, at: index)
        }
    }

    func bind(_ value: UUID, at index: Int32) throws(EventStoreError) {
        try check(withUnsafeBytes(of: value.uuid) { bindBlob($0, at: index) })
    }

    private func bind(bytes: some ContiguousBytes, at index: Int32) throws(EventStoreError) {
        try check(bytes.withUnsafeBytes { bindBlob($0, at: index) })
    }

    private func bindBlob(_ buffer: UnsafeRawBufferPointer, at index: Int32) -> Int32 {
        // An empty buffer has no base address, which would bind NULL.
        guard let base = buffer.baseAddress, buffer.count > 0 else { return sqlite3_bind_zeroblob(raw, index, 0) }
        guard let length = Int32(exactly: buffer.count) else { return SQLITE_TOOBIG }
        return sqlite3_bind_blob(raw, index, base, length, csqlite_transient())
    }

    private func check(_ rc: Int32) throws(EventStoreError) {
        if rc != SQLITE_OK { throw connection.error(code: rc, sql: sql) }
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }

    /// How many parameters (`?`, `?NNN`) the statement has.
    var parameterCount: Int { Int(sqlite3_bind_parameter_count(raw)) }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(raw, column) }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(raw, column) else { return "" }
        let count = Int(sqlite3_column_bytes(raw, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func data(_ column: Int32) -> Data {
        guard let pointer = sqlite3_column_blob(raw, column) else { return Data() }
        return Data(bytes: pointer, count: Int(sqlite3_column_bytes(raw, column)))
    }

    func uuid(_ column: Int32) -> UUID? {
        guard let pointer = sqlite3_column_blob(raw, column), sqlite3_column_bytes(raw, column) == 16 else {
            return nil
        }
        var tuple: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &tuple) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: 16)) }
        return UUID(uuid: tuple)
    }
}

