import EventStore
import Foundation
import Testing
import TestSupport

@Suite("Idempotency and errors")
struct IdempotencyTests {
    @Test("re-appending stored events returns the original positions and writes nothing")
    func retryReturnsOriginalPositions() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-i")
        let events = [makeEvent("a"), makeEvent("b")]
        let first = try await store.append(events, to: stream, expected: .noStream)
        _ = try await store.append([makeEvent("c")], to: stream)
        for expected in [ExpectedVersion.noStream, .any, .streamExists] {
            let retry = try await store.append(events, to: stream, expected: expected)
            #expect(retry.positions == first.positions)
            #expect(retry.alreadyStored)
            #expect(retry.version == 2)
        }
        let d = makeEvent("d")
        let later = try await store.append([d], to: stream, expected: .exact(2))
        let laterRetry = try await store.append([d], to: stream, expected: .exact(2))
        #expect(laterRetry == AppendResult(positions: later.positions, version: 3, alreadyStored: true))
        #expect(try await store.headPosition() == 4)
        _ = _dir
    }

    @Test("the same event id appended by 8 tasks at once is stored once")
    func sameIDConcurrently() async throws {
        let (store, _dir) = try makeStore(durability: .full)
        let stream = try StreamID("conversation-same")
        let event = makeEvent("only once")
        let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
            for _ in 0..<8 { group.addTask { try await store.append([event], to: stream) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(Set(results.map(\.positions)) == [[1]])
        #expect(results.filter { !$0.alreadyStored }.count == 1)
        #expect(try await store.headPosition() == 1)
        _ = _dir
    }

    @Test("idempotency is durable: a retry after closing and reopening the store writes nothing")
    func idempotentAcrossRestart() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("events.sqlite")
        let stream = try StreamID("conversation-restart")
        let events = (0..<5).map { makeEvent("e\($0)") }
        do {
            let store = try SQLiteEventStore(path: path)
            #expect(try await store.append(events, to: stream, expected: .noStream).positions == [1, 2, 3, 4, 5])
            await store.close()
        }
        let reopened = try SQLiteEventStore(path: path)
        let retry = try await reopened.append(events, to: stream, expected: .noStream)
        #expect(retry == AppendResult(positions: [1, 2, 3, 4, 5], version: 4, alreadyStored: true))
        #expect(try await reopened.headPosition() == 5)
        let next = try await reopened.append([makeEvent("after")], to: stream, expected: .exact(4))
        #expect(next.positions == [6], "the writer resumes the chain at the stored head")
        #expect(try await reopened.verify().isIntact)
        await reopened.close()
    }

    @Test("a partial overlap with stored events is refused and writes nothing")
    func partialOverlap() async throws {
        let (store, stream, stored, _dir) = try await makeStoreWithStoredEvent("conversation-p")
        let fresh = makeEvent("fresh")
        let error = await expectStoreError(.idempotencyConflict) {
            _ = try await store.append([stored, fresh], to: stream)
        }
        #expect(error?.stream == stream)
        #expect(error?.eventID == fresh.eventID)
        #expect(try await store.headPosition() == 1)
        _ = _dir
    }

    @Test("a stored id after a new one is refused as an overlap, alone in its group, and writes nothing")
    func laterStoredID() async throws {
        let (store, stream, stored, _dir) = try await makeStoreWithStoredEvent("conversation-l")
        let fresh = makeEvent("fresh")
        let overlap = await expectStoreError(.idempotencyConflict) {
            _ = try await store.append([fresh, stored], to: stream, expected: .exact(0))
        }
        #expect(overlap?.eventID == fresh.eventID)
        let changed = makeEvent("changed", id: stored.eventID)
        let different = await expectStoreError(.duplicateEventID) {
            _ = try await store.append([fresh, changed], to: stream, expected: .exact(0))
        }
        #expect(different?.eventID == stored.eventID)
        #expect(try await store.headPosition() == 1)

        // Among concurrent appends, most likely committed together: only the overlapping one fails.
        let others = try (0..<8).map { try StreamID("conversation-g\($0)") }
        let errors = await appendAtOnce([stream] + others) { index, target in
            let events = index == 0 ? [makeEvent("new"), stored] : [makeEvent()]
            _ = try await store.append(events, to: target)
        }
        #expect(errors[0] != nil)
        #expect(errors.dropFirst().allSatisfy { $0 == nil })
        #expect(try await store.headPosition() == 1 + Int64(others.count))
        #expect(try await store.readStream(stream).map(\.eventID) == [stored.eventID])
        #expect(try await store.verify().isIntact)
        _ = _dir
    }

    @Test("a stored id with different content is refused, naming the event")
    func duplicateIDWithOtherContent() async throws {
        let (store, stream, original, _dir) = try await makeStoreWithStoredEvent("conversation-d")
        let changed = makeEvent("changed", id: original.eventID)
        let error = await expectStoreError(.duplicateEventID) {
            _ = try await store.append([changed], to: stream)
        }
        #expect(error?.eventID == original.eventID)
        #expect(error?.message.contains("position 1") == true)
        _ = _dir
    }

    @Test("a retry must match the stored place: consecutive, in order, at the expected version")
    func storedElsewhere() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-1")
        let (a, b, c) = (makeEvent("a"), makeEvent("b"), makeEvent("c"))
        _ = try await store.append([makeEvent(), a, b, c], to: stream)
        let gap = await expectStoreError(.idempotencyConflict) {
            _ = try await store.append([a, c], to: stream)
        }
        #expect(gap?.eventID == c.eventID)
        let misplaced = await expectStoreError(.wrongExpectedVersion) {
            _ = try await store.append([a], to: stream, expected: .noStream)
        }
        #expect(misplaced?.actualVersion == 3)
        // The stream is at version 3, so this expectation holds; only the stored id shows it is a misplaced retry.
        let misplacedAtHead = await expectStoreError(.wrongExpectedVersion) {
            _ = try await store.append([a], to: stream, expected: .exact(3))
        }
        #expect(misplacedAtHead?.actualVersion == 3)
        #expect(misplacedAtHead?.message.contains("already stored, at versions 1...1") == true)
        #expect(try await store.append([b, c], to: stream, expected: .exact(1)).positions == [3, 4])
        #expect(try await store.headPosition() == 4)
        _ = _dir
    }

    @Test("event ids are scoped to their stream: the same id in another stream is another event")
    func idsAreScopedToStreams() async throws {
        let (store, _dir) = try makeStore()
        let event = makeEvent()
        _ = try await store.append([event], to: try StreamID("conversation-1"))
        let other = try await store.append([event], to: try StreamID("conversation-2"))
        #expect(other == AppendResult(positions: [2], version: 0, alreadyStored: false))
        _ = _dir
    }

    @Test("the same id twice in one append is refused before anything is written")
    func duplicateInBatch() async throws {
        let (store, _dir) = try makeStore()
        let event = makeEvent()
        let error = await expectStoreError(.invalidAppend) {
            _ = try await store.append([event, event], to: try StreamID("conversation-b"))
        }
        #expect(error?.eventID == event.eventID)
        #expect(try await store.headPosition() == 0)
        _ = _dir
    }

    @Test(
        "invalid stream ids are refused with the reason",
        arguments: ["", String(repeating: "a", count: 201), "conversation/1", "conversation 1", "café", "a\u{0}b"])
    func invalidStreamIDs(_ name: String) async throws {
        let error = await expectStoreError(.invalidStreamID) { _ = try StreamID(name) }
        #expect(error?.detail == name)
    }

    @Test("valid stream ids at the limits are accepted")
    func validStreamIDs() throws {
        #expect(try StreamID(String(repeating: "a", count: 200)).rawValue.count == 200)
        #expect(try StreamID("conversation-A.b_c:9-").conversationID == "A.b_c:9-")
        #expect(StreamID.routing.conversationID == nil)
    }

    @Test("storage failures carry SQLite's code and message")
    func storageErrors() async throws {
        let error = await expectStoreError(.storage) {
            _ = try SQLiteEventStore(path: "/nonexistent-folder-\(UUID().uuidString)/events.sqlite")
        }
        #expect(error?.sqliteCode == 14, "SQLITE_CANTOPEN")
        #expect(error?.message.contains("cannot open") == true)
    }

    @Test("a database from a newer schema is refused rather than misread")
    func schemaTooNew() async throws {
        let (path, _dir) = try await makeDatabase(userVersion: 99)
        let error = await expectStoreError(.schemaTooNew) { _ = try SQLiteEventStore(path: path) }
        #expect(error?.message.contains("99") == true)
        _ = _dir
    }

    @Test("appends after close are refused; reads still work")
    func closed() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-c")
        _ = try await store.append([makeEvent()], to: stream)
        await store.close()
        _ = await expectStoreError(.closed) { _ = try await store.append([makeEvent()], to: stream) }
        #expect(try await store.headPosition() == 1)
        _ = _dir
    }

    @Test("a write lock held by another process beyond the busy timeout is reported as busy")
    func busy() async throws {
        let (store, raw, directory) = try storeBehindHeldWriteLock(busyTimeout: .milliseconds(100))
        let error = await expectStoreError(.busy) {
            _ = try await store.append([makeEvent()], to: try StreamID("conversation-busy"))
        }
        #expect(error?.sqliteCode.map { $0 & 0xFF } == 5, "SQLITE_BUSY")
        #expect(raw.execute("ROLLBACK") == nil)
        let ok = try await store.append([makeEvent()], to: try StreamID("conversation-busy"))
        #expect(ok.positions == [1], "the store recovers once the lock is released")
        await store.close()
        _ = directory
    }

    @Test("a lone append behind another process's write lock waits for it, within the busy timeout, and commits")
    func loneAppendWaitsForLock() async throws {
        let (store, raw, directory) = try storeBehindHeldWriteLock(busyTimeout: .seconds(10))
        let stream = try StreamID("conversation-wait")
        let append = Task { try await store.append([makeEvent()], to: stream) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(raw.execute("ROLLBACK") == nil)
        let result = try await append.value
        #expect(result.positions == [1], "the append waited for the lock rather than failing")
        // Appends go on being committed once the lock is free.
        _ = try await store.append([makeEvent()], to: stream, expected: .exact(0))
        #expect(try await store.headPosition() == 2)
        await store.close()
        _ = directory
    }

    @Test("appends queued behind a write lock that outlasts the busy timeout fail together, not one timeout each")
    func busyFailsQueuedAppendsTogether() async throws {
        let (store, raw, directory) = try storeBehindHeldWriteLock(busyTimeout: .milliseconds(500))
        let clock = ContinuousClock()
        let started = clock.now
        let streams = try (0..<16).map { try StreamID("conversation-busy\($0)") }
        let errors = await appendAtOnce(streams) { _, stream in _ = try await store.append([makeEvent()], to: stream) }
        let elapsed = started.duration(to: clock.now)
        #expect(errors.allSatisfy { ($0 as? EventStoreError)?.code == .busy })
        // One busy timeout after another would take 16 x 0.5 s; a few groups take a few timeouts.
        #expect(elapsed < .seconds(4), "\(elapsed)")
        #expect(raw.execute("ROLLBACK") == nil)
        #expect(try await store.headPosition() == 0)
        await store.close()
        _ = directory
    }

    /// A new store with `busyTimeout`, and a plain connection beside it holding the file's write lock.
    private func storeBehindHeldWriteLock(
        busyTimeout: Duration
    ) throws -> (store: SQLiteEventStore, raw: RawConnection, directory: TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        let path = directory.path("events.sqlite")
        let store = try SQLiteEventStore(path: path, configuration: .init(busyTimeout: busyTimeout))
        let raw = try RawConnection(path: path)
        #expect(raw.execute("BEGIN IMMEDIATE") == nil)
        return (store, raw, directory)
    }
}
