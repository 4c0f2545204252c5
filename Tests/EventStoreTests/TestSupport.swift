import CSQLite
import EventStore
import Foundation
import Testing
import TestSupport

/// Opens a store in a fresh temporary folder; the folder lives as long as the returned value.
func makeStore(
    durability: SQLiteEventStore.Durability = .normal
) throws -> (store: SQLiteEventStore, directory: TemporaryDirectory) {
    let directory = try TemporaryDirectory()
    let store = try SQLiteEventStore(
        path: directory.path("events.sqlite"), configuration: .init(durability: durability))
    return (store, directory)
}

/// A store file created by this build, closed, and then given `PRAGMA user_version = userVersion` behind its back.
func makeDatabase(userVersion: Int) async throws -> (path: String, directory: TemporaryDirectory) {
    let directory = try TemporaryDirectory()
    let path = directory.path("events.sqlite")
    try await SQLiteEventStore(path: path).close()
    let raw = try RawConnection(path: path)
    if let error = raw.execute("PRAGMA user_version = \(userVersion)") { throw RawError(message: error) }
    return (path, directory)
}

/// A small chat-message event.
func makeEvent(_ text: String = "hello", id: UUID = UUID(), type: String = "user.message") -> EventData {
    EventData(
        eventID: id, type: type, data: Data(#"{"messageId":"m-1","text":"\#(text)"}"#.utf8),
        metadata: Data(#"{"actor":"bot-platform","schemaVersion":1}"#.utf8),
        occurredAt: Date(timeIntervalSince1970: 1_795_000_000.123))
}

/// A plain SQLite connection beside the store, as a person with the `sqlite3` shell would have.
final class RawConnection {
    let db: OpaquePointer

    init(path: String) throws {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil)
        guard rc == SQLITE_OK, let db else { throw RawError(message: "open failed: \(rc)") }
        sqlite3_busy_timeout(db, 5000)
        self.db = db
    }

    /// Runs SQL and returns SQLite's error message when it fails, nil when it succeeds.
    @discardableResult
    func execute(_ sql: String) -> String? {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard rc != SQLITE_OK else { return nil }
        return message.map { String(cString: $0) } ?? "error \(rc)"
    }

    /// The first column of the first row, as text.
    func scalar(_ sql: String) -> String? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { return nil }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW, let text = sqlite3_column_text(statement, 0) else { return nil }
        return String(cString: text)
    }

    deinit { sqlite3_close_v2(db) }
}

struct RawError: Error { let message: String }

/// Expects `body` to throw an ``EventStoreError`` and returns it.
func expectStoreError(
    _ code: EventStoreError.Code, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> EventStoreError? {
    do {
        try await body()
        Issue.record("expected \(code), but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as EventStoreError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected EventStoreError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Runs `append` for every stream at once, so that the appends share group commits; returns each stream's error, in
/// the order of `streams`, nil for those that committed.
func appendAtOnce(
    _ streams: [StreamID], _ append: @escaping @Sendable (Int, StreamID) async throws -> Void
) async -> [(any Error)?] {
    await withTaskGroup(of: (Int, (any Error)?).self) { group in
        for (index, stream) in streams.enumerated() {
            group.addTask {
                do {
                    try await append(index, stream)
                    return (index, nil)
                } catch {
                    return (index, error)
                }
            }
        }
        var errors = [(any Error)?](repeating: nil, count: streams.count)
        for await (index, error) in group { errors[index] = error }
        return errors
    }
}

/// A store holding one event (with the text "stored") in a stream named `name`.
func makeStoreWithStoredEvent(
    _ name: String
) async throws -> (store: SQLiteEventStore, stream: StreamID, stored: EventData, directory: TemporaryDirectory) {
    let (store, directory) = try makeStore()
    let stream = try StreamID(name)
    let stored = makeEvent("stored")
    _ = try await store.append([stored], to: stream)
    return (store, stream, stored, directory)
}
