import EventStore
import Foundation
import Testing

/// At `synchronous=FULL` the writer gathers its writes to the `-wal` file until each commit's sync: what others read
/// from the file, and what a crash leaves, must be exactly what plain SQLite would have written.
@Suite("The writer's log, as other connections find it")
struct LogBufferTests {
    @Test(
        "every commit is in the file for another connection once its append returns, alone or in a group",
        arguments: SQLiteEventStore.Durability.allCases)
    func visibleAfterAppend(durability: SQLiteEventStore.Durability) async throws {
        let (store, _dir) = try makeStore(durability: durability)
        let outside = try RawConnection(path: store.path)
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
        _ = _dir
    }

    @Test("a commit many times the buffer's size, spilling SQLite's page cache midway, is stored whole")
    func largeCommit() async throws {
        let (store, _dir) = try makeStore(durability: .full)
        let stream = try StreamID("conversation-large")
        // 2,000 events of 3 KB: about 6 MB in one transaction, three times the writer's page cache, so that SQLite
        // writes pages to the log before the commit and rewrites some of them in place.
        let filler = String(repeating: "x", count: 3000)
        let events = (0..<2000).map { makeEvent("\($0) \(filler)") }
        let result = try await store.append(events, to: stream, expected: .noStream)
        #expect(result.positions == Array(1...2000))
        _ = try await store.append([makeEvent("after")], to: stream, expected: .exact(1999))

        let outside = try RawConnection(path: store.path)
        #expect(outside.scalar("SELECT count(*) FROM events") == "2001")
        #expect(outside.scalar("PRAGMA integrity_check") == "ok")
        #expect(try await store.verify().isIntact)
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

    @Test("a write that sets PRAGMA synchronous is refused; the store's durability stays as it was opened")
    func synchronousIsFixed() async throws {
        let (store, _dir) = try makeStore(durability: .full)
        let refused = await #expect(throws: EventStoreError.self) {
            try await store.write { db in try db.execute("PRAGMA synchronous = OFF") }
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
