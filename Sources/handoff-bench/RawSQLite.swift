import CSQLite
import EventStore
import Foundation

/// The baseline: the same rows inserted through the plain SQLite C API, with the store's schema and writer
/// pragmas, and nothing else (no version check, no idempotency lookup, no hash computed, no thread hand-off).
final class RawSQLite {
    private let db: OpaquePointer
    private let insert: OpaquePointer
    private let begin: OpaquePointer
    private let commit: OpaquePointer
    private var position: Int64 = 0
    private let hash = [UInt8](repeating: 0xAB, count: 32)

    init(path: String, mode: SQLiteEventStore.Durability) throws {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
            == SQLITE_OK, let db = handle
        else { throw BenchmarkError("cannot open \(path)") }
        self.db = db
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
                throw BenchmarkError("\(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
        }
        func prepare(_ sql: String) throws -> OpaquePointer {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
                let statement
            else { throw BenchmarkError("prepare \(sql): \(String(cString: sqlite3_errmsg(db)))") }
            return statement
        }
        try exec("PRAGMA journal_mode = WAL")
        try exec(mode == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        for pragma in Schema.writerPragmas { try exec(pragma) }
        sqlite3_busy_timeout(db, 5000)
        for migration in Schema.migrations { try exec(migration) }
        insert = try prepare(Schema.insertEvent)
        begin = try prepare("BEGIN IMMEDIATE")
        commit = try prepare("COMMIT")
    }

    deinit {
        sqlite3_finalize(insert)
        sqlite3_finalize(begin)
        sqlite3_finalize(commit)
        sqlite3_close_v2(db)
    }

    /// Inserts `rows` (stream index, version) of the workload, `perTransaction` to a transaction, and returns the
    /// seconds it took.
    func insert(_ rows: [(stream: Int, version: Int)], of workload: Workload, perTransaction: Int) throws -> Double {
        let recordedAt = Int64(Date().timeIntervalSince1970 * 1000)
        let transient = csqlite_transient()
        let clock = ContinuousClock()
        let start = clock.now
        var index = 0
        while index < rows.count {
            try step(begin)
            for (s, v) in rows[index..<min(index + perTransaction, rows.count)] {
                let event = workload.events[s][v]
                position += 1
                sqlite3_bind_int64(insert, 1, position)
                sqlite3_bind_text(insert, 2, workload.streams[s].rawValue, -1, transient)
                sqlite3_bind_int64(insert, 3, Int64(v))
                withUnsafeBytes(of: event.eventID.uuid) { _ = sqlite3_bind_blob(insert, 4, $0.baseAddress, 16, transient) }
                sqlite3_bind_text(insert, 5, event.type, -1, transient)
                event.data.withUnsafeBytes {
                    _ = sqlite3_bind_text(insert, 6, $0.baseAddress, Int32($0.count), transient)
                }
                event.metadata.withUnsafeBytes {
                    _ = sqlite3_bind_text(insert, 7, $0.baseAddress, Int32($0.count), transient)
                }
                sqlite3_bind_int64(insert, 8, Int64(event.occurredAt.timeIntervalSince1970 * 1000))
                sqlite3_bind_int64(insert, 9, recordedAt)
                hash.withUnsafeBytes { _ = sqlite3_bind_blob(insert, 10, $0.baseAddress, 32, transient) }
                try step(insert)
            }
            try step(commit)
            index += perTransaction
        }
        let elapsed = start.duration(to: clock.now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func step(_ statement: OpaquePointer) throws {
        let rc = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard rc == SQLITE_DONE else { throw BenchmarkError("step: \(String(cString: sqlite3_errmsg(db)))") }
    }
}
