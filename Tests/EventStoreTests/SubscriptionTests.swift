import EventStore
import Foundation
import Testing
import TestSupport

@Suite("Subscriptions", .timeLimit(.minutes(1)))
struct SubscriptionTests {
    @Test("a subscription started during concurrent appends sees every position once, in order")
    func catchUpThenLive() async throws {
        let (store, _dir) = try makeStore()
        let total = 3000
        // Some history before the subscription starts, so it must catch up first.
        for i in 0..<200 { _ = try await store.append([makeEvent("before \(i)")], to: try StreamID("conversation-h\(i % 7)")) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for i in 0..<(total - 200) / 4 {
                        let stream = try StreamID("conversation-w\(writer)-\(i % 5)")
                        _ = try await store.append([makeEvent("w\(writer) \(i)")], to: stream)
                    }
                }
            }
            group.addTask {
                var seen: [Int64] = []
                for try await record in store.subscribe(from: 1) {
                    seen.append(record.position)
                    if seen.count == total { break }
                }
                #expect(seen == Array(1...Int64(total)))
            }
            try await group.waitForAll()
        }
        _ = _dir
    }

    @Test("a subscription from a checkpoint starts after it and waits for new events")
    func fromCheckpoint() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-s")
        for i in 0..<5 { _ = try await store.append([makeEvent("\(i)")], to: stream) }
        async let received: [Int64] = {
            var positions: [Int64] = []
            for try await record in store.subscribe(from: 4) {
                positions.append(record.position)
                if positions.count == 4 { break }
            }
            return positions
        }()
        try await Task.sleep(for: .milliseconds(50))
        _ = try await store.append([makeEvent("5"), makeEvent("6")], to: stream)
        #expect(try await received == [4, 5, 6, 7])
        _ = _dir
    }

    @Test("a subscription sees appends made by another process on the same file")
    func otherProcess() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("events.sqlite")
        let reader = try SQLiteEventStore(path: path)
        let writer = try SQLiteEventStore(path: path)  // stands in for a second process
        async let first: Int64? = {
            for try await record in reader.subscribe(from: 1, pollInterval: .milliseconds(20)) { return record.position }
            return nil
        }()
        try await Task.sleep(for: .milliseconds(50))
        _ = try await writer.append([makeEvent()], to: try StreamID("conversation-x"))
        #expect(try await first == 1)
        // Each store continues the chain the other wrote: positions stay gap-free and the hashes verify.
        _ = try await reader.append([makeEvent()], to: try StreamID("conversation-y"))
        _ = try await writer.append([makeEvent()], to: try StreamID("conversation-x"))
        #expect(try await reader.readAll().map(\.position) == [1, 2, 3])
        #expect(try await reader.verify().isIntact)
        await writer.close()
        await reader.close()
    }

    @Test("a subscription ends when the store closes or its task is cancelled")
    func ends() async throws {
        let (store, _dir) = try makeStore()
        let waiting = Task {
            var count = 0
            for try await _ in store.subscribe(from: 1) { count += 1 }
            return count
        }
        let cancelled = Task {
            var count = 0
            for try await _ in store.subscribe(from: 1) { count += 1 }
            return count
        }
        _ = try await store.append([makeEvent()], to: try StreamID("conversation-z"))
        try await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        #expect(try await cancelled.value == 1)
        await store.close()
        #expect(try await waiting.value == 1)
        _ = _dir
    }

    @Test("pages are never empty, hold at most the limit, and together are the log in order")
    func pages() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-p")
        for i in 0..<25 { _ = try await store.append([makeEvent("\(i)")], to: stream) }
        var positions: [Int64] = []
        var sizes: [Int] = []
        for try await page in store.pages(from: 3, limit: 10) {
            sizes.append(page.count)
            positions += page.map(\.position)
            if positions.last == 25 { break }
        }
        #expect(sizes == [10, 10, 3])
        #expect(positions == Array(3...25))
        _ = _dir
    }
}
