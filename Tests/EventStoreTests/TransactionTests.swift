import EventStore
import Foundation
import Testing

@Suite("Tables beside the events")
struct TransactionTests {
    struct Planned: Error {}

    @Test("a write commits atomically and readers see it; a throwing body rolls back")
    func writeAndRead() async throws {
        let (store, _dir) = try makeStore()
        try await store.write { db in
            try db.execute("CREATE TABLE checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL) STRICT")
            try db.statement("INSERT INTO checkpoints VALUES (?, ?)", .text("sessions"), .integer(41)).run()
        }
        await #expect(throws: Planned.self) {
            try await store.write { db in
                try db.statement("UPDATE checkpoints SET position = ? WHERE name = ?", .integer(99), .text("sessions"))
                    .run()
                throw Planned()
            }
        }
        let positions = try await store.read { db in
            try db.statement("SELECT name, position FROM checkpoints").rows { ($0.text(0), $0.int64(1)) }
        }
        #expect(positions.map(\.0) == ["sessions"])
        #expect(positions.map(\.1) == [41], "the failed write was rolled back")
        _ = _dir
    }

    @Test("rows bound from one array run once each, and values that are not whole rows run none")
    func rows() async throws {
        let (store, _dir) = try makeStore()
        try await store.write { db in
            try db.execute("CREATE TABLE pairs (name TEXT NOT NULL, n INTEGER NOT NULL) STRICT")
            try db.statement("INSERT INTO pairs VALUES (?1, ?2)").run(rows: [.text("a"), .integer(1), .text("b"), .integer(2)])
        }
        let refused = await #expect(throws: EventStoreError.self) {
            try await store.write { db in
                try db.statement("INSERT INTO pairs VALUES (?1, ?2)").run(rows: [.text("c"), .integer(3), .text("d")])
            }
        }
        #expect(refused?.code == .storage)
        #expect(refused?.message.contains("not whole rows of 2") == true)
        let pairs = try await store.read { db in
            try db.statement("SELECT name, n FROM pairs ORDER BY name").rows { "\($0.text(0))\($0.int64(1))" }
        }
        #expect(pairs == ["a1", "b2"])
        _ = _dir
    }

    @Test("writes interleave with concurrent appends without losing either")
    func interleaved() async throws {
        let (store, _dir) = try makeStore()
        try await store.write { db in try db.execute("CREATE TABLE counter (n INTEGER NOT NULL) STRICT") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for i in 0..<200 { _ = try await store.append([makeEvent("\(i)")], to: try StreamID("conversation-w")) }
            }
            group.addTask {
                for i in 0..<200 {
                    try await store.write { db in try db.statement("INSERT INTO counter VALUES (?)", .integer(Int64(i))).run() }
                }
            }
            try await group.waitForAll()
        }
        let count = try await store.read { db in try db.statement("SELECT count(*) FROM counter").rows { $0.int64(0) } }
        #expect(count == [200])
        #expect(try await store.headPosition() == 200)
        #expect(try await store.verify().isIntact)
        _ = _dir
    }

    @Test("the events table stays append-only through a write, and errors carry SQLite's context")
    func eventsProtected() async throws {
        let (store, _dir) = try makeStore()
        _ = try await store.append([makeEvent()], to: try StreamID("conversation-p"))
        let error = await expectStoreError(.storage) {
            try await store.write { db in try db.execute("DELETE FROM events") }
        }
        #expect(error?.message.contains("immutable") == true)
        #expect(error?.sql == "DELETE FROM events")
        #expect(try await store.headPosition() == 1)
        _ = _dir
    }

    @Test("a write after close is refused")
    func closedWrite() async throws {
        let (store, _dir) = try makeStore()
        await store.close()
        _ = await expectStoreError(.closed) { try await store.write { db in try db.execute("SELECT 1") } }
        _ = _dir
    }
}
