import EventStore
import Foundation
import Testing
import TestSupport

/// At `synchronous=FULL` the writer gathers its writes to the `-wal` file until each commit's sync: what others read
/// from the file, and what a crash leaves, must be exactly what plain SQLite would have written.
@Suite("The writer's log, as other connections find it")
struct LogBufferTests {
    @Test(
        "every commit is in the file for another connection once its append returns, alone or in a group",
        arguments: SQLiteEventStore.Durability.allCases)
    func visibleAfterAppend(durability: SQLiteEventStore.Durability) async throws {
        let (store, _dir) = try makeStore(durability: durability)
        try await expectEveryCommitVisible(store, outside: try RawConnection(path: store.path))
        _ = _dir
    }

    @Test("a log that is not power-safe to overwrite (psow=0) is written straight through, every commit visible")
    func notPowerSafe() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("events.sqlite")
        // Without power-safe overwrite SQLite pads each commit to a sector and writes the padding after the sync.
        let store = try SQLiteEventStore(path: "file:\(path)?psow=0", configuration: .init(durability: .full))
        try await expectEveryCommitVisible(store, outside: try RawConnection(path: path))
    }

    /// Appends alone and in groups of 16, checking after each that `outside` finds it in the file; closes `store`.
    private func expectEveryCommitVisible(_ store: SQLiteEventStore, outside: RawConnection) async throws {
        let stream = try StreamID("conversation-visible")
        var stored = 0
        for round in 0..<40 {
            let event = makeEvent("lone \(round)")
            _ = try await store.append([event], to: stream)
            stored += 1
            #expect(outside.scalar("SELECT count(*) FROM events") == "\(stored)")
            #expect(outside.scalar("SELECT hex(event_id) FROM events ORDER BY position DESC LIMIT 1") == event.hexID)
            // Sixteen at once share commits; all of them are in the file once the last returns.
            let streams = try (0..<16).map { try StreamID("conversation-group-\($0)") }
            let errors = await appendAtOnce(streams) { _, stream in
                _ = try await store.append([makeEvent("group \(round)")], to: stream)
            }
            #expect(errors.allSatisfy { $0 == nil })
            stored += streams.count
            #expect(outside.scalar("SELECT count(*) FROM events") == "\(stored)")
        }
        #expect(outside.scalar("PRAGMA integrity_check") == "ok")
        await store.close()
    }

    @Test(
        "the writer writes through the log buffer at synchronous=FULL only",
        arguments: SQLiteEventStore.Durability.allCases)
    func bufferedAtFullOnly(durability: SQLiteEventStore.Durability) async throws {
        let (store, _dir) = try makeStore(durability: durability)
        let vfs = try await store.write { db in db.vfsName }
        #expect((vfs == "handoff-log-buffer") == (durability == .full), "\(String(describing: vfs))")
        await store.close()
        _ = _dir
    }

    @Test("a commit many times the buffer's size is stored whole, and a copy of the files taken then recovers it")
    func largeCommit() async throws {
        let (store, _dir) = try makeStore(durability: .full)
        let stream = try StreamID("conversation-large")
        // 2,000 events of 3 KB: about 6 MB in one transaction, three times the writer's page cache.
        let filler = String(repeating: "x", count: 3000)
        let events = (0..<2000).map { makeEvent("\($0) \(filler)") }
        let result = try await store.append(events, to: stream, expected: .noStream)
        #expect(result.positions == Array(1...2000))
        _ = try await store.append([makeEvent("after")], to: stream, expected: .exact(1999))

        let outside = try RawConnection(path: store.path)
        #expect(outside.scalar("SELECT count(*) FROM events") == "2001")
        #expect(outside.scalar("PRAGMA integrity_check") == "ok")
        #expect(try await store.verify().isIntact)

        // What a crash would leave: the database and its log as they are in the files now, without the shared
        // memory, so that SQLite rebuilds its index from the log's frames and checksums.
        let image = try TemporaryDirectory()
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(atPath: store.path + suffix, toPath: image.path("events.sqlite" + suffix))
        }
        let recovered = try RawConnection(path: image.path("events.sqlite"))
        #expect(recovered.scalar("SELECT count(*) FROM events") == "2001")
        #expect(recovered.scalar("PRAGMA integrity_check") == "ok")
        await store.close()

        let reopened = try SQLiteEventStore(path: store.path)
        let read = try await reopened.readStream(stream, from: 0, limit: 10_000)
        #expect(read.map(\.eventID) == events.map(\.eventID) + [read.last?.eventID].compactMap { $0 })
        #expect(read.count == 2001)
        #expect(zip(read, events).allSatisfy { $0.data == $1.data })
        #expect(try await reopened.verify().isIntact)
        await reopened.close()
        _ = _dir
    }

    @Test("a large write rolled back, then another connection's commit, then ours: nothing is written over")
    func rollbackThenOtherWriter() async throws {
        let (store, _dir) = try makeStore(durability: .full)
        try await store.write { db in try db.execute("CREATE TABLE scratch (body TEXT NOT NULL) STRICT") }
        _ = try await store.append([makeEvent("before")], to: try StreamID("conversation-r"))
        // About 12 MB in one transaction, six times the writer's page cache, then thrown away.
        struct Abandoned: Error {}
        await #expect(throws: Abandoned.self) {
            try await store.write { db in
                let insert = try db.statement("INSERT INTO scratch VALUES (?)")
                for row in 0..<4000 { try insert.run(.text("\(row) " + String(repeating: "y", count: 3000))) }
                throw Abandoned()
            }
        }
        // Another writer commits more than that, over the log's frames where the abandoned pages went.
        let other = try RawConnection(path: store.path)
        // Its commit stays in the log (no checkpoint), where a stale write would land on it.
        #expect(other.execute("PRAGMA wal_autocheckpoint = 0") == nil)
        #expect(other.execute("CREATE TABLE other (n INTEGER NOT NULL, body TEXT NOT NULL)") == nil)
        let rows = "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 5000) "
        #expect(other.execute(rows + "INSERT INTO other SELECT v, hex(randomblob(1500)) FROM n") == nil)
        _ = try await store.append([makeEvent("after")], to: try StreamID("conversation-r"))

        let fresh = try RawConnection(path: store.path)
        #expect(fresh.scalar("SELECT count(*) FROM other") == "5000")
        #expect(fresh.scalar("SELECT sum(length(body)) FROM other") == "15000000")
        #expect(fresh.scalar("SELECT count(*) FROM scratch") == "0")
        #expect(fresh.scalar("SELECT count(*) FROM events") == "2")
        #expect(fresh.scalar("PRAGMA integrity_check") == "ok")
        #expect(try await store.verify().isIntact)
        await store.close()
        _ = _dir
    }

    @Test(
        "a write that sets how the writer commits, or attaches a file, is refused",
        arguments: [
            "PRAGMA synchronous = OFF", "PRAGMA main.synchronous = 0", "PRAGMA main.cache_spill = ON",
            "PRAGMA cache_spill(1)", "PRAGMA journal_mode = DELETE", "PRAGMA locking_mode = EXCLUSIVE",
            "ATTACH ':memory:' AS extra",
        ])
    func writeSettingsAreFixed(sql: String) async throws {
        let (store, _dir) = try makeStore(durability: .full)
        let refused = await #expect(throws: EventStoreError.self) {
            try await store.write { db in try db.execute(sql) }
        }
        #expect(refused?.code == .storage)
        #expect(refused?.message.contains("not authorized") == true, "\(String(describing: refused))")
        let level = try await store.write { db in
            try db.statement("PRAGMA synchronous").rows { $0.int64(0) }
        }
        #expect(level == [2], "FULL")
        await store.close()
        _ = _dir
    }
}

extension EventData {
    /// The event id as SQLite's `hex()` prints a 16-byte blob.
    fileprivate var hexID: String {
        withUnsafeBytes(of: eventID.uuid) { $0.map { String(format: "%02X", $0) }.joined() }
    }
}
