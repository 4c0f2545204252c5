import CSQLite
import EventStore
import Foundation
import Synchronization
import Testing
import TestSupport

@Suite("Appending and reading")
struct AppendTests {
    @Test("positions are 1-based and gap-free, versions are 0-based per stream")
    func positionsAndVersions() async throws {
        let (store, _dir) = try makeStore()
        let a = try StreamID("conversation-a")
        let b = try StreamID("conversation-b")
        let first = try await store.append([makeEvent("1"), makeEvent("2")], to: a, expected: .noStream)
        let second = try await store.append([makeEvent("3")], to: b, expected: .noStream)
        let third = try await store.append([makeEvent("4")], to: a, expected: .exact(1))
        #expect(first == AppendResult(positions: [1, 2], version: 1, alreadyStored: false))
        #expect(second == AppendResult(positions: [3], version: 0, alreadyStored: false))
        #expect(third == AppendResult(positions: [4], version: 2, alreadyStored: false))
        #expect(try await store.headPosition() == 4)
        #expect(try await store.streamVersion(a) == 2)
        #expect(try await store.streamVersion(try StreamID("conversation-none")) == nil)

        let all = try await store.readAll()
        #expect(all.map(\.position) == [1, 2, 3, 4])
        #expect(all.map(\.streamID) == [a, a, b, a])
        #expect(all.map(\.version) == [0, 1, 0, 2])
        #expect(all[0].data == makeEvent("1").data)
        #expect(all[0].metadata == makeEvent("1").metadata)
        #expect(all[0].occurredAt == Date(timeIntervalSince1970: 1_795_000_000.123))
        _ = _dir
    }

    @Test("stream reads go forward or backward from a version with a limit; log reads page by position")
    func reads() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-r")
        let other = try StreamID("conversation-o")
        for i in 0..<10 {
            _ = try await store.append([makeEvent("s\(i)")], to: stream)
            _ = try await store.append([makeEvent("o\(i)")], to: other)
        }
        let forward = try await store.readStream(stream, from: 3, limit: 4)
        #expect(forward.map(\.version) == [3, 4, 5, 6])
        let backward = try await store.readStream(stream, from: Int64.max, direction: .backward, limit: 3)
        #expect(backward.map(\.version) == [9, 8, 7])
        let backwardFrom = try await store.readStream(stream, from: 2, direction: .backward, limit: 10)
        #expect(backwardFrom.map(\.version) == [2, 1, 0])

        var positions: [Int64] = []
        var next: Int64 = 1
        while true {
            let page = try await store.readAll(from: next, limit: 7)
            guard let last = page.last else { break }
            #expect(page.count <= 7)
            positions += page.map(\.position)
            next = last.position + 1
        }
        #expect(positions == Array(1...20))
        _ = _dir
    }

    @Test("expected versions are enforced, and the refusal carries the actual version")
    func expectedVersions() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-x")
        let missing = await expectStoreError(.wrongExpectedVersion) {
            _ = try await store.append([makeEvent()], to: stream, expected: .streamExists)
        }
        #expect(missing?.actualVersion == -1)
        #expect(missing?.stream == stream)
        #expect(missing?.expected == .streamExists)
        let wrongExact = await expectStoreError(.wrongExpectedVersion) {
            _ = try await store.append([makeEvent()], to: stream, expected: .exact(0))
        }
        #expect(wrongExact?.actualVersion == -1)

        _ = try await store.append([makeEvent(), makeEvent()], to: stream, expected: .noStream)
        let exists = await expectStoreError(.wrongExpectedVersion) {
            _ = try await store.append([makeEvent()], to: stream, expected: .noStream)
        }
        #expect(exists?.actualVersion == 1)
        let stale = await expectStoreError(.wrongExpectedVersion) {
            _ = try await store.append([makeEvent()], to: stream, expected: .exact(0))
        }
        #expect(stale?.actualVersion == 1)
        #expect(stale?.expected == .exact(0))
        _ = try await store.append([makeEvent()], to: stream, expected: .streamExists)
        _ = try await store.append([makeEvent()], to: stream, expected: .exact(2))
        _ = try await store.append([makeEvent()], to: stream, expected: .any)
        #expect(try await store.streamVersion(stream) == 4)
        #expect(try await store.headPosition() == 5, "refused appends write nothing")
        _ = _dir
    }

    @Test("8 tasks x 500 appends to one stream, retrying on conflicts, give versions 0...3999 once each")
    func concurrentOptimisticAppends() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-hot")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for i in 0..<500 {
                        let event = makeEvent("t\(task)-\(i)")
                        while true {
                            let version = try await store.streamVersion(stream)
                            do {
                                _ = try await store.append(
                                    [event], to: stream, expected: version.map { .exact($0) } ?? .noStream)
                                break
                            } catch EventStoreError.Code.wrongExpectedVersion {
                                continue
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        var records: [RecordedEvent] = []
        var next: Int64 = 0
        while true {
            let page = try await store.readStream(stream, from: next, limit: 1000)
            guard let last = page.last else { break }
            records += page
            next = last.version + 1
        }
        #expect(records.map(\.version) == Array(0..<4000))
        #expect(Set(records.map(\.eventID)).count == 4000)
        #expect(Set(records.map(\.data)).count == 4000, "every task's every event is stored once")
        #expect(try await store.verify().isIntact)
        _ = _dir
    }

    @Test("appends of many sizes are stored whole and in order, a retry returns them, an overlap inside fails whole")
    func appendsOfManySizes() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-sizes")
        var appended: [EventData] = []
        var last: AppendResult?
        // Sizes around the statements' row counts (64, 16, 4, 1), so that appends end inside and at their borders.
        for (round, size) in [1, 3, 4, 5, 16, 17, 63, 64, 65, 100, 150].enumerated() {
            let events = (0..<size).map { makeEvent("round \(round) event \($0)") }
            let expected: ExpectedVersion = appended.isEmpty ? .noStream : .exact(Int64(appended.count) - 1)
            let result = try await store.append(events, to: stream, expected: expected)
            #expect(result.positions == Array(Int64(appended.count + 1)...Int64(appended.count + size)))
            #expect(result.version == Int64(appended.count + size - 1))
            appended += events
            last = result
        }
        let stored = try await store.readStream(stream, limit: 10_000)
        #expect(stored.map(\.eventID) == appended.map(\.eventID))
        #expect(stored.map(\.data) == appended.map(\.data))
        #expect(stored.map(\.version) == Array(0..<Int64(appended.count)))
        #expect(try await store.verify().isIntact, "the hash chain runs through every statement's rows")

        // A retry of the last append (150 events) returns where they are stored and writes nothing.
        let retry = try await store.append(Array(appended.suffix(150)), to: stream, expected: .any)
        #expect(retry.alreadyStored)
        #expect(retry.positions == last?.positions)
        // 70 new events whose 67th is already stored: refused whole, in the second statement of the append.
        var overlapping = (0..<70).map { makeEvent("overlap \($0)") }
        overlapping[66] = appended[10]
        let error = await expectStoreError(.idempotencyConflict) {
            _ = try await store.append(overlapping, to: stream, expected: .any)
        }
        #expect(error?.stream == stream)
        #expect(try await store.headPosition() == Int64(appended.count), "nothing of the refused append is stored")
        #expect(try await store.verify().isIntact)
        _ = _dir
    }

    @Test(
        "appends one at a time and in bursts, the store closed midway: each acknowledged one is stored once",
        arguments: SQLiteEventStore.Durability.allCases)
    func closeDuringLoneAndGroupedAppends(durability: SQLiteEventStore.Durability) async throws {
        let (store, directory) = try makeStore(durability: durability)
        let streams = try (0..<8).map { try StreamID("conversation-mix\($0)") }
        let acknowledged = Mutex<[UUID]>([])
        // One task appends one event at a time (committed by itself) and, every fifth round, eight at once (committed
        // together); the store closes under it.
        let appender = Task {
            for round in 1... {
                let burst = round.isMultiple(of: 5) ? streams : [streams[0]]
                let events = burst.map { _ in makeEvent("round \(round)") }
                let errors = await appendAtOnce(burst) { index, stream in
                    _ = try await store.append([events[index]], to: stream)
                }
                var closed = false
                for (event, error) in zip(events, errors) {
                    switch error {
                    case nil: acknowledged.withLock { $0.append(event.eventID) }
                    case let error as EventStoreError where error.code == .closed: closed = true
                    case let error?: Issue.record("an append failed otherwise than closed: \(error)")
                    }
                }
                if closed { return }
            }
        }
        while acknowledged.withLock({ $0.count }) < 300 { try await Task.sleep(for: .milliseconds(1)) }
        await store.close()
        await appender.value

        let reopened = try SQLiteEventStore(path: directory.path("events.sqlite"))
        var stored: [UUID] = []
        var next: Int64 = 1
        while true {
            let page = try await reopened.readAll(from: next, limit: 1000)
            guard let last = page.last else { break }
            stored += page.map(\.eventID)
            next = last.position + 1
        }
        let expected = acknowledged.withLock { $0 }
        #expect(stored.count == Set(stored).count, "no event is stored twice")
        #expect(Set(stored) == Set(expected), "stored exactly when acknowledged")
        #expect(try await reopened.verify().isIntact)
        await reopened.close()
    }

    @Test("in one group commit, a refused append fails alone and the others commit")
    func groupCommitIsolatesFailures() async throws {
        let (store, streams, dir) = try await makeStreams("conversation-g")
        let errors = await appendAtOnce(streams) { index, stream in
            // Odd streams are asked for a wrong version; even ones the right one.
            let expected: ExpectedVersion = index.isMultiple(of: 2) ? .exact(0) : .exact(5)
            _ = try await store.append([makeEvent(), makeEvent()], to: stream, expected: expected)
        }
        for (index, error) in errors.enumerated() { #expect((error == nil) == index.isMultiple(of: 2), "stream \(index)") }
        try await expectEvenStreamsAdvanced(store, streams, by: 2)
        _ = dir
    }

    @Test("in one group commit, a single-event append whose INSERT fails is undone alone")
    func groupCommitUndoesFailedInsert() async throws {
        // An ABORT undoes the failed statement: the append fails alone.
        let (store, streams, errors, dir) = try await appendToOddStreamsFailing(
            "conversation-i", trigger: "BEFORE INSERT", raise: "RAISE(ABORT, 'refused by the test trigger')")
        for (index, error) in errors.enumerated() {
            if index.isMultiple(of: 2) {
                #expect(error == nil, "stream \(index): \(String(describing: error))")
            } else {
                let storeError = error as? EventStoreError
                #expect(storeError.map { ($0.sqliteCode ?? 0) & 0xFF } == SQLITE_CONSTRAINT, "stream \(index)")
                #expect(storeError?.stream == streams[index])
            }
        }
        try await expectEvenStreamsAdvanced(store, streams, by: 1)
        _ = dir
    }

    @Test("an INSERT that fails but keeps its row (RAISE(FAIL)) fails its whole group; what is acknowledged is stored")
    func groupCommitAbandonsKeptRow() async throws {
        // Unlike ABORT, FAIL leaves the failed statement's row in place: the append cannot be undone alone.
        let (store, streams, errors, dir) = try await appendToOddStreamsFailing(
            "conversation-f", trigger: "AFTER INSERT", raise: "RAISE(FAIL, 'failed by the test trigger')")
        var acknowledged: Int64 = 0
        for (index, stream) in streams.enumerated() {
            let error = errors[index]
            if !index.isMultiple(of: 2) { #expect(error != nil, "stream \(index) must fail") }
            if error == nil { acknowledged += 1 }
            #expect(
                try await store.streamVersion(stream) == (error == nil ? 1 : 0),
                "stream \(index): stored exactly when acknowledged")
        }
        #expect(try await store.headPosition() == 40 + acknowledged)
        let report = try await store.verify()
        #expect(report.isIntact, "\(report)")
        // The writer goes on: the appends that failed with their group succeed when sent again alone.
        for (index, stream) in streams.enumerated() where index.isMultiple(of: 2) && errors[index] != nil {
            _ = try await store.append([makeEvent("again")], to: stream, expected: .exact(0))
        }
        #expect(try await store.verify().isIntact)
        _ = dir
    }

    /// Appends one more event to each of 40 streams at once while a trigger added beside the store (`trigger`, such
    /// as `BEFORE INSERT`, running `raise`) fails the INSERTs of the odd ones after every check of the writer has
    /// passed; the trigger is dropped before returning. Returns each stream's error, in order.
    private func appendToOddStreamsFailing(
        _ prefix: String, trigger: String, raise: String
    ) async throws -> (
        store: SQLiteEventStore, streams: [StreamID], errors: [(any Error)?], directory: TemporaryDirectory
    ) {
        let (store, streams, directory) = try await makeStreams(prefix)
        let raw = try RawConnection(path: directory.path("events.sqlite"))
        let create = """
            CREATE TRIGGER fail_for_test \(trigger) ON events WHEN NEW.data LIKE '%odd stream%'
            BEGIN SELECT \(raise); END
            """
        #expect(raw.execute(create) == nil)
        let errors = await appendAtOnce(streams) { index, stream in
            let text = index.isMultiple(of: 2) ? "even stream" : "odd stream"
            _ = try await store.append([makeEvent(text)], to: stream, expected: .exact(0))
        }
        #expect(raw.execute("DROP TRIGGER fail_for_test") == nil)
        return (store, streams, errors, directory)
    }

    /// A store at full durability with 40 streams named `prefix` and a number, each holding one event.
    private func makeStreams(
        _ prefix: String
    ) async throws -> (store: SQLiteEventStore, streams: [StreamID], directory: TemporaryDirectory) {
        let (store, directory) = try makeStore(durability: .full)
        let streams = try (0..<40).map { try StreamID("\(prefix)\($0)") }
        for stream in streams { _ = try await store.append([makeEvent()], to: stream, expected: .noStream) }
        return (store, streams, directory)
    }

    /// Expects that of `streams`, each created with one event, the even ones took `added` more events and the odd
    /// ones none, and that the hash chain holds over exactly those events.
    private func expectEvenStreamsAdvanced(
        _ store: SQLiteEventStore, _ streams: [StreamID], by added: Int64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let total = Int64(streams.count) + Int64((streams.count + 1) / 2) * added
        #expect(try await store.headPosition() == total, sourceLocation: sourceLocation)
        for (index, stream) in streams.enumerated() {
            #expect(
                try await store.streamVersion(stream) == (index.isMultiple(of: 2) ? added : 0), "stream \(index)",
                sourceLocation: sourceLocation)
        }
        let report = try await store.verify()
        #expect(report.isIntact, "\(report)", sourceLocation: sourceLocation)
        #expect(report.eventsChecked == total, sourceLocation: sourceLocation)
    }

    @Test("an empty append checks the expected version and writes nothing")
    func emptyAppend() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-e")
        let result = try await store.append([], to: stream, expected: .noStream)
        #expect(result == AppendResult(positions: [], version: -1, alreadyStored: false))
        _ = try await store.append([makeEvent()], to: stream)
        _ = await expectStoreError(.wrongExpectedVersion) {
            _ = try await store.append([], to: stream, expected: .noStream)
        }
        #expect(try await store.headPosition() == 1)
        _ = _dir
    }
}
