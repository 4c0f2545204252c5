import CSQLite
import EventStore
import Foundation

/// The baseline: the same rows inserted through the plain SQLite C API, with the store's schema and pragmas,
/// and nothing else (no version check, no idempotency lookup, no hash computed).
enum RawSQLite {
    /// Inserts the workload and returns events per second.
    static func insert(
        _ workload: Workload, path: String, perTransaction: Int, mode: SQLiteEventStore.Durability,
        streamMajor: Bool = false
    ) throws -> Double {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
            == SQLITE_OK, let db = handle
        else { throw BenchmarkError("cannot open \(path)") }
        defer { sqlite3_close_v2(db) }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
                throw BenchmarkError("\(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
        }
        try exec("PRAGMA journal_mode = WAL")
        try exec(mode == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        for pragma in Schema.writerPragmas { try exec(pragma) }
        sqlite3_busy_timeout(db, 5000)
        for migration in Schema.migrations { try exec(migration) }
        var insert: OpaquePointer?
        guard sqlite3_prepare_v3(db, Schema.insertEvent, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &insert, nil)
            == SQLITE_OK, let insert
        else { throw BenchmarkError("prepare: \(String(cString: sqlite3_errmsg(db)))") }
        defer { sqlite3_finalize(insert) }
        var begin: OpaquePointer?
        var commit: OpaquePointer?
        sqlite3_prepare_v3(db, "BEGIN IMMEDIATE", -1, UInt32(SQLITE_PREPARE_PERSISTENT), &begin, nil)
        sqlite3_prepare_v3(db, "COMMIT", -1, UInt32(SQLITE_PREPARE_PERSISTENT), &commit, nil)
        defer {
            sqlite3_finalize(begin)
            sqlite3_finalize(commit)
        }
        // The rows in the order the matching store phase appends them.
        var order: [(stream: Int, version: Int)] = []
        order.reserveCapacity(workload.total)
        if streamMajor {
            for s in 0..<workload.streams.count { for v in 0..<workload.perStream { order.append((s, v)) } }
        } else {
            for v in 0..<workload.perStream { for s in 0..<workload.streams.count { order.append((s, v)) } }
        }
        let hash = [UInt8](repeating: 0xAB, count: 32)
        let recordedAt = Int64(Date().timeIntervalSince1970 * 1000)
        let transient = csqlite_transient()
        var position: Int64 = 0
        func step(_ statement: OpaquePointer?) throws {
            let rc = sqlite3_step(statement)
            sqlite3_reset(statement)
            guard rc == SQLITE_DONE else { throw BenchmarkError("step: \(String(cString: sqlite3_errmsg(db)))") }
        }
        return try 1 / measureSync {
            var index = 0
            while index < order.count {
                try step(begin)
                for (s, v) in order[index..<min(index + perTransaction, order.count)] {
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
        } * Double(workload.total)
    }

    private static func measureSync(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        let elapsed = start.duration(to: clock.now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
