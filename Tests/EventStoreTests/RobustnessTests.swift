import EventStore
import Foundation
import Testing
import TestSupport

@Suite("Bad input, edge values and lent connections")
struct RobustnessTests {
    @Test("a statement left mid-step in a read does not pin the next read to an old snapshot")
    func abandonedStatementInRead() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-s")
        for i in 0..<3 { _ = try await store.append([makeEvent("\(i)")], to: stream) }
        // Steps once and walks away from a statement that still has rows.
        let first = try await store.read { db in
            let statement = try db.statement("SELECT position FROM events ORDER BY position")
            _ = try statement.step()
            return statement.int64(0)
        }
        #expect(first == 1)
        _ = try await store.append([makeEvent("after")], to: stream)
        let head = try await store.read { db in
            let statement = try db.statement("SELECT max(position) FROM events")
            _ = try statement.step()
            return statement.int64(0)
        }
        #expect(head == 4, "the second read sees the append made after the first")
        #expect(try await store.headPosition() == 4)
        _ = _dir
    }

    @Test("a statement left mid-step in a write neither blocks its commit nor appends after another process wrote")
    func abandonedStatementInWrite() async throws {
        let (store, directory) = try makeStore()
        try await store.write { db in
            try db.execute("CREATE TABLE notes (n INTEGER NOT NULL) STRICT; INSERT INTO notes VALUES (1), (2), (3);")
        }
        try await store.write { db in
            let statement = try db.statement("SELECT n FROM notes ORDER BY n")
            _ = try statement.step()
            try db.statement("INSERT INTO notes VALUES (?)", .integer(4)).run()
        }
        // Another process appends: a statement still open on our writer would pin it to the snapshot before this
        // append, and our next BEGIN IMMEDIATE would fail with SQLITE_BUSY_SNAPSHOT.
        let other = try SQLiteEventStore(path: directory.path("events.sqlite"))
        _ = try await other.append([makeEvent()], to: try StreamID("conversation-o"))
        await other.close()
        _ = try await store.append([makeEvent()], to: try StreamID("conversation-w"))
        let count = try await store.read { db in
            let statement = try db.statement("SELECT count(*) FROM notes")
            _ = try statement.step()
            return statement.int64(0)
        }
        #expect(count == 4)
        #expect(try await store.headPosition() == 2)
        _ = directory
    }

    @Test("two stores on one file take turns on one stream: each checks the version the other left")
    func twoWritersOnOneStream() async throws {
        let (store, directory) = try makeStore()
        let other = try SQLiteEventStore(path: directory.path("events.sqlite"))
        let stream = try StreamID("conversation-shared")
        for version in stride(from: Int64(0), to: 6, by: 2) {
            let expected: ExpectedVersion = version == 0 ? .noStream : .exact(version - 1)
            _ = try await store.append([makeEvent()], to: stream, expected: expected)
            _ = try await other.append([makeEvent()], to: stream, expected: .exact(version))
            // A version remembered from its own last append would let this append through.
            let refused = await expectStoreError(.wrongExpectedVersion) {
                _ = try await store.append([makeEvent()], to: stream, expected: .exact(version))
            }
            #expect(refused?.actualVersion == version + 1)
        }
        #expect(try await store.readStream(stream).map(\.version) == Array(0...5))
        #expect(try await store.verify().isIntact)
        await other.close()
        _ = directory
    }

    @Test("statements beyond the bounded statement cache still run")
    func manyDistinctStatements() async throws {
        let (store, _dir) = try makeStore()
        let sum = try await store.write { db in
            var sum: Int64 = 0
            for i in 0..<600 {
                let statement = try db.statement("SELECT \(i)")
                _ = try statement.step()
                sum += statement.int64(0)
            }
            return sum
        }
        #expect(sum == (0..<600).reduce(0, +))
        _ = _dir
    }

    @Test("re-appending an already stored batch with exact(Int64.max) is a wrong version, not a crash")
    func expectedVersionAtTheLimit() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-x")
        let events = [makeEvent("a"), makeEvent("b")]
        _ = try await store.append(events, to: stream, expected: .noStream)
        let error = await expectStoreError(.wrongExpectedVersion) {
            _ = try await store.append(events, to: stream, expected: .exact(Int64.max))
        }
        #expect(error?.actualVersion == 1)
        _ = _dir
    }

    @Test("times that are not whole milliseconds in binary read back and re-append as the same event")
    func millisecondRoundTrip() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-ms")
        let seconds: [TimeInterval] = [
            1_095_443_129.4455, 1_095_443_129.445, 1_795_000_000.001, 1_795_000_000.999, 0.001, 1_234_567_890.123,
            -1.001, 253_402_300_799.999,
        ]
        let events = seconds.enumerated().map { index, seconds in
            EventData(
                eventID: UUID(), type: "user.message", data: Data(#"{"i":\#(index)}"#.utf8),
                occurredAt: Date(timeIntervalSince1970: seconds))
        }
        _ = try await store.append(events, to: stream)
        let stored = try await store.readStream(stream)
        #expect(stored.count == seconds.count)
        // What an export and an import do: rebuild the events from what was read, and append them again.
        let again = stored.map {
            EventData(eventID: $0.eventID, type: $0.type, data: $0.data, metadata: $0.metadata, occurredAt: $0.occurredAt)
        }
        let result = try await store.append(again, to: stream)
        #expect(result.alreadyStored)
        #expect(result.positions == stored.map(\.position))
        #expect(stored[1].occurredAt == Date(timeIntervalSince1970: 1_095_443_129.445))
        #expect(try await store.verify().isIntact)
        _ = _dir
    }

    @Test("events a store cannot keep are refused as invalid appends, and nothing is written")
    func invalidEvents() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-bad")
        func event(type: String = "user.message", at date: Date = Date(), bytes: Int = 2) -> EventData {
            EventData(
                eventID: UUID(), type: type, data: bytes == 2 ? Data("{}".utf8) : Data(count: bytes),
                occurredAt: date)
        }
        let bad: [(String, EventData)] = [
            ("NaN time", event(at: Date(timeIntervalSince1970: .nan))),
            ("infinite time", event(at: Date(timeIntervalSince1970: .infinity))),
            ("year 10000", event(at: Date(timeIntervalSince1970: 253_402_300_800))),
            ("year 0", event(at: Date(timeIntervalSince1970: -62_135_596_801))),
            ("empty type", event(type: "")),
            ("overlong type", event(type: String(repeating: "t", count: 201))),
            ("oversize payload", event(bytes: SQLiteEventStore.maxEventBytes + 1)),
        ]
        for (name, bad) in bad {
            let error = await expectStoreError(.invalidAppend) {
                _ = try await store.append([makeEvent(), bad], to: stream)
            }
            #expect(error?.eventID == bad.eventID, "\(name)")
        }
        #expect(try await store.headPosition() == 0)
        _ = _dir
    }

    @Test("a busy timeout too large for SQLite is clamped, not a crash")
    func hugeBusyTimeout() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteEventStore(
            path: directory.path("events.sqlite"), configuration: .init(busyTimeout: .seconds(Int64.max)))
        _ = try await store.append([makeEvent()], to: try StreamID("conversation-t"))
        #expect(try await store.headPosition() == 1)
    }

    @Test("a database with a negative schema version is refused with a clear error")
    func negativeSchemaVersion() async throws {
        let (path, _dir) = try await makeDatabase(userVersion: -1)
        let error = await expectStoreError(.storage) { _ = try SQLiteEventStore(path: path) }
        #expect(error?.message.contains("schema version -1") == true, "\(String(describing: error))")
        _ = _dir
    }
}
