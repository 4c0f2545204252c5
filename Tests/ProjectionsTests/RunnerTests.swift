import EventStore
import Foundation
import Projections
import Testing
import TestSupport

/// Everything the read models hold, for comparing two runs.
struct ReadModelSnapshot: Equatable {
    var conversations: [ConversationSummary]
    var segments: [AuditSegment]
    var handoffs: [HandoffTrace]

    init(_ store: SQLiteEventStore) async throws {
        let models = ReadModels(store: store)
        conversations = try await models.conversations()
        segments = try await models.segments()
        handoffs = try await models.handoffs()
    }
}

/// A store in a temporary folder.
func makeProjectionStore() throws -> (SQLiteEventStore, TemporaryDirectory) {
    let directory = try TemporaryDirectory()
    let store = try SQLiteEventStore(path: directory.path("events.sqlite"), configuration: .init(durability: .normal))
    return (store, directory)
}

@Suite("Projection runner and read models")
struct RunnerTests {
    @Test("the read models of the fixture conversations hold the states, owners and decisions written by hand")
    func fixtures() async throws {
        let (store, _dir) = try makeProjectionStore()
        for expected in expectations { _ = try await importFixture(expected.name, into: store) }
        let runner = ProjectionRunner(store: store)
        try await runner.prepare()
        let progress = try await runner.run(until: try await store.headPosition())
        #expect(progress.applied == expectations.map(\.stored).reduce(0, +))
        #expect(progress.skipped == 0)
        let models = ReadModels(store: store)
        let head = try await store.headPosition()
        #expect(try await models.checkpoint() == head)
        for expected in expectations {
            let state = try #require(try await models.conversation(expected.name), "\(expected.name)")
            #expect(state.session == expected.session, "\(expected.name)")
            #expect(state.mode == expected.mode, "\(expected.name)")
            #expect(state.team == expected.team, "\(expected.name)")
            #expect(state.agent?.id == expected.agent, "\(expected.name)")
            #expect(state.version == Int64(expected.stored - 1), "\(expected.name)")
            #expect(owners(try await models.segments(conversationID: expected.name)) == expected.owners)
            let handoffs = try await models.handoffs(conversationID: expected.name)
            #expect(
                handoffs.map { "\($0.session) \($0.recordedTeam.map(String.init) ?? "-") \($0.recordedRule ?? "-")" }
                    == expected.handoffs, "\(expected.name)")
        }
        // Queries by agent and team read the same rows: agent 14 (Dee) had c-07 and c-12.
        #expect(Set(try await models.segments(agentID: 14).map(\.conversationID)) == ["c-07", "c-12"])
        #expect(Set(try await models.segments(team: 7).map(\.conversationID)) == ["c-05"])
        // c-12: 4, then 3, then back to 4, as written in the fixture.
        let c12 = try #require(try await models.handoffs(conversationID: "c-12").first)
        #expect(c12.teams.map(\.team) == [4, 3, 4])
        #expect(c12.closedAt == fixtureDate("2026-11-24T10:09:00Z"))
        await store.close()
        _ = _dir
    }

    @Test("stopping and resuming gives the read models of one uninterrupted run, and of a rebuild")
    func resume() async throws {
        let (store, _dir) = try makeProjectionStore()
        for expected in expectations { _ = try await importFixture(expected.name, into: store) }
        let head = try await store.headPosition()
        let runner = ProjectionRunner(store: store, eventsPerFlush: 3, pageSize: 5, maxCachedConversations: 2)
        try await runner.prepare()
        for stop in [7, 8, 30, 31, 55, head] {
            let progress = try await runner.run(until: stop)
            #expect(progress.to == stop)
            #expect(try await runner.checkpoint() == stop)
        }
        let resumed = try await ReadModelSnapshot(store)
        try await ProjectionRunner(store: store).rebuild()
        let rebuilt = try await ReadModelSnapshot(store)
        #expect(resumed == rebuilt)
        #expect(resumed.conversations.count == expectations.count)
        await store.close()
        _ = _dir
    }

    @Test("a following runner applies new events as they are appended, and stores its checkpoint when stopped")
    func follows() async throws {
        let (store, _dir) = try makeProjectionStore()
        let runner = ProjectionRunner(store: store)
        try await runner.prepare()
        let task = Task { try await runner.run() }
        var script = Script()
        script.add(.conversationStarted(ConversationStarted(channel: "web", userId: "u-live")))
        script.add(.skillStarted(SkillChange(skill: "acme.shop.Refund")))
        script.add(.handoffRequested(HandoffRequested(reason: "bot_failed")))
        script.add(.handoffRouted(HandoffRouted(team: 3, rule: "skill:acme.shop.Refund", routingVersion: 1)))
        let codec = EventCodec()
        let stream = try StreamID.conversation("c-live")
        let models = ReadModels(store: store)
        // Two events, and once they are applied two more: the last two always reach the runner while it follows.
        for (index, record) in script.records.enumerated() {
            _ = try await store.append(
                [try codec.encode(record.event, eventID: record.eventID, occurredAt: record.at)], to: stream)
            if index == 1 { try await waitForCheckpoint(2, models) }
        }
        try await waitForCheckpoint(4, models)
        let state = try #require(try await models.conversation("c-live"))
        #expect(state.mode == .queued)
        #expect(state.team == 3)
        #expect(state.unfinishedSkills == ["acme.shop.Refund"])
        task.cancel()
        let progress = try await task.value
        #expect(progress.to == 4)
        #expect(try await runner.checkpoint() == 4)
        await store.close()
        _ = _dir
    }

    @Test("a runner whose checkpoint another runner moved is refused, not silently merged")
    func checkpointMoved() async throws {
        let (store, _dir) = try makeProjectionStore()
        _ = try await importFixture("c-01", into: store)
        let runner = ProjectionRunner(store: store)
        try await runner.prepare()
        let task = Task { try await runner.run() }
        let models = ReadModels(store: store)
        try await waitForCheckpoint(8, models)
        // Another runner, as it were, moves the checkpoint; the following runner's next flush must be refused.
        try await store.write { db in try db.statement("UPDATE projection_checkpoints SET position = 99").run() }
        _ = try await store.append(
            [EventData(eventID: UUID(), type: "user.message", data: Data(#"{"messageId":"m-9","text":"again"}"#.utf8), occurredAt: Date())],
            to: try StreamID.conversation("c-01"))
        await #expect(throws: ReadModelError.checkpointMoved(expected: 8, found: 99)) { _ = try await task.value }
        await store.close()
        _ = _dir
    }

    @Test("a store closed under the runner: it returns the checkpoint actually committed")
    func closedStore() async throws {
        let (store, _dir) = try makeProjectionStore()
        _ = try await importFixture("c-02", into: store)
        let runner = ProjectionRunner(store: store)
        try await runner.prepare()
        await store.close()
        let progress = try await runner.run(until: 8)
        #expect(progress.applied == 8)
        #expect(progress.to == 0, "nothing could be written")
        #expect(try await runner.checkpoint() == 0)
        _ = _dir
    }

    @Test("an undecodable message applied by its type gives the same read models run in one go or stop by stop")
    func typeOnlyEventsAreAppliedAlike() async throws {
        let (store, _dir) = try makeProjectionStore()
        let at = Date(timeIntervalSince1970: 1_795_000_000)
        func event(_ type: String, _ data: String) -> EventData {
            EventData(eventID: UUID(), type: type, data: Data(data.utf8), occurredAt: at)
        }
        let a = try StreamID.conversation("c-a")
        _ = try await store.append([event("user.message", #"{"messageId":"m-1","text":"hi"}"#)], to: a)
        _ = try await store.append([event("session.closed", #"{"by":"user"}"#)], to: a)
        _ = try await store.append([event("user.message", #"{"text":17}"#)], to: a)  // no messageId, text a number
        _ = try await store.append([event("user.message", #"{"messageId":"m-1","text":"hi"}"#)], to: try StreamID.conversation("c-b"))
        _ = try await store.append([event("handoff.requested", #"{"reason":"user_asked"}"#)], to: a)
        let stepwise = ProjectionRunner(store: store, eventsPerFlush: 1, pageSize: 1, maxCachedConversations: 1)
        try await stepwise.prepare()
        for stop in Int64(1)...5 { try await stepwise.run(until: stop) }
        let stopByStop = try await ReadModelSnapshot(store)
        try await ProjectionRunner(store: store).rebuild()
        #expect(try await ReadModelSnapshot(store) == stopByStop)
        let state = try #require(try await ReadModels(store: store).conversation("c-a"))
        #expect(state.session == 2, "the message after the close opened session 2")
        #expect(state.mode == .routing)
        #expect(try await ReadModels(store: store).skippedEvents().isEmpty)
        await store.close()
        _ = _dir
    }

    @Test("an event whose payload does not decode is listed and passed over; the rest is applied")
    func undecodable() async throws {
        let (store, _dir) = try makeProjectionStore()
        let stream = try StreamID.conversation("c-bad")
        let at = Date(timeIntervalSince1970: 1_795_000_000)
        _ = try await store.append(
            [
                EventData(eventID: UUID(), type: "user.message", data: Data(#"{"messageId":"m-1","text":"hi"}"#.utf8), occurredAt: at),
                EventData(eventID: UUID(), type: "handoff.routed", data: Data(#"{"team":"three"}"#.utf8), occurredAt: at),
                EventData(eventID: UUID(), type: "handoff.requested", data: Data(#"{"reason":"user_asked"}"#.utf8), occurredAt: at),
            ], to: stream)
        _ = try await store.append(
            [EventData(eventID: UUID(), type: "routing.table_set", data: Data(#"{"defaultTeam":1,"teams":[]}"#.utf8), occurredAt: at)],
            to: .routing)
        let runner = ProjectionRunner(store: store)
        try await runner.prepare()
        let progress = try await runner.run(until: 4)
        #expect(progress.applied == 2)
        #expect(progress.skipped == 2)
        let models = ReadModels(store: store)
        let skipped = try await models.skippedEvents()
        #expect(skipped.map(\.position) == [2])
        #expect(skipped.first?.problem.contains("data.team") == true, "\(skipped)")
        #expect(try await models.conversation("c-bad")?.mode == .routing)
        await store.close()
        _ = _dir
    }

    @Test("read models made by another layout are dropped and rebuilt; queries before prepare say so")
    func layout() async throws {
        let (store, _dir) = try makeProjectionStore()
        await #expect(throws: ReadModelError.notPrepared) { _ = try await ReadModels(store: store).checkpoint() }
        _ = try await importFixture("c-02", into: store)
        let runner = ProjectionRunner(store: store)
        try await runner.prepare()
        try await runner.run(until: try await store.headPosition())
        try await store.write { db in try db.statement("UPDATE projection_checkpoints SET layout = 0").run() }
        try await runner.prepare()
        #expect(try await runner.checkpoint() == 0)
        #expect(try await ReadModels(store: store).conversations().isEmpty)
        await store.close()
        _ = _dir
    }
}

/// Waits (up to 10 s) until the read models include position `position`.
func waitForCheckpoint(_ position: Int64, _ models: ReadModels) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while try await models.checkpoint() < position {
        guard ContinuousClock.now < deadline else {
            Issue.record("the runner did not reach position \(position) within 10 s")
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// A fixture's ISO-8601 time.
func fixtureDate(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text) }
