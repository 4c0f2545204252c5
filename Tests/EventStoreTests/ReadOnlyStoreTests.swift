import EventStore
import Foundation
import Testing
import TestSupport

@Suite("Opening a store read-only")
struct ReadOnlyStoreTests {
    @Test("reads what a writer committed, refuses to write, and leaves the file as it was")
    func readsWithoutWriting() async throws {
        let (writer, directory) = try makeStore()
        let path = directory.path("events.sqlite")
        let stream = try StreamID("conversation-ro")
        _ = try await writer.append([makeEvent("one"), makeEvent("two")], to: stream)
        func files() throws -> [Data] {
            try [path, path + "-wal"].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        }
        let before = try files()

        let reader = try SQLiteEventStore(path: path, configuration: .init(readOnly: true))
        #expect(try await reader.headPosition() == 2)
        #expect(try await reader.readStream(stream).count == 2)
        #expect(try await reader.verify().isIntact)
        let append = await #expect(throws: EventStoreError.self) {
            _ = try await reader.append([makeEvent()], to: stream)
        }
        #expect(append?.code == .readOnly)
        await #expect(throws: EventStoreError.self) { try await reader.write { db in try db.execute("SELECT 1") } }
        #expect(try files() == before)

        // A reader sees the writer's later commits (WAL), and never waits for them.
        _ = try await writer.append([makeEvent("three")], to: stream)
        #expect(try await reader.headPosition() == 3)
        await reader.close()
        await writer.close()
    }

    @Test("a missing file is not created; a file that is not a store is refused")
    func refusals() async throws {
        let directory = try TemporaryDirectory()
        let missing = directory.path("missing.sqlite")
        let error = #expect(throws: EventStoreError.self) {
            _ = try SQLiteEventStore(path: missing, configuration: .init(readOnly: true))
        }
        #expect(error?.message == "there is no database at \(missing)")
        #expect(!FileManager.default.fileExists(atPath: missing))

        let empty = directory.path("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let notStore = #expect(throws: EventStoreError.self) {
            _ = try SQLiteEventStore(path: empty, configuration: .init(readOnly: true))
        }
        #expect(notStore?.message.contains("is not an event store (schema version 0)") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: empty)).isEmpty)
    }

    @Test("a database with a newer schema is refused read-only too")
    func newerSchema() async throws {
        let (path, directory) = try await makeDatabase(userVersion: 99)
        let error = #expect(throws: EventStoreError.self) {
            _ = try SQLiteEventStore(path: path, configuration: .init(readOnly: true))
        }
        #expect(error?.code == .schemaTooNew)
        _ = directory
    }
}

@Suite("Wire timestamps")
struct WireTimestampTests {
    @Test("parse and format are the wire form's: strict ISO-8601 in, UTC to the millisecond out")
    func roundTrip() throws {
        let date = try #require(WireTimestamp.parse("2026-11-24T11:00:00.123+01:00"))
        #expect(WireTimestamp.format(date) == "2026-11-24T10:00:00.123Z")
        #expect(WireTimestamp.format(try #require(WireTimestamp.parse("2026-11-24T10:00:00Z"))) == "2026-11-24T10:00:00Z")
        #expect(WireTimestamp.parse("2026-11-24") == nil)
        #expect(WireTimestamp.parse("2026-11-24T10:00:00") == nil)
        #expect(WireTimestamp.parse("2026-02-30T10:00:00Z") == nil)
    }
}
