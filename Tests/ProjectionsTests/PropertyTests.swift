import EventStore
import Foundation
import Projections
import Testing
import TestSupport

/// Random conversation events: every type of the catalogue (and one from the future) in any order, with the
/// choices that matter to the folds (skills in any letter case, teams, choosers, agents, closes) drawn at random.
func randomEvent(_ random: inout SeededRandom) -> ConversationEvent {
    let skills = ["acme.shop.Refund", "ACME.shop.refund", "acme.billing.Invoice", "acme.shop.Delivery", "x.y.Z"]
    let teams = [1, 3, 4, 7]
    func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
    func maybe(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
    switch random.next() % 16 {
    case 0: return .conversationStarted(ConversationStarted(channel: "web", userId: maybe(50) ? "u-\(random.next() % 9)" : nil))
    case 1, 2: return .userMessage(UserMessage(messageId: "m-\(random.next() % 1000)", text: "hello"))
    case 3: return .botMessage(BotMessage(messageId: "b-\(random.next() % 1000)", text: "hi", skill: maybe(30) ? pick(skills) : nil))
    case 4: return .skillStarted(SkillChange(skill: pick(skills)))
    case 5: return maybe(50) ? .skillCompleted(SkillChange(skill: pick(skills))) : .skillAbandoned(SkillChange(skill: pick(skills)))
    case 6:
        let team: Int? = maybe(30) ? pick(teams) : nil
        return .handoffRequested(
            HandoffRequested(
                reason: pick(["user_asked", "bot_failed"]), team: team,
                teamChosenBy: team == nil ? nil : pick([TeamChooser.bot, .user]),
                unfinishedSkills: maybe(20) ? [pick(skills)] : nil))
    case 7: return .handoffRouted(HandoffRouted(team: pick(teams), rule: pick(["default", "explicit", "skill:acme.shop.Refund"]), routingVersion: Int64(1 + random.next() % 2)))
    case 8: return .agentAssigned(maybe(80) ? AgentAssigned(agentId: 10 + Int(random.next() % 4), agentName: maybe(50) ? "Ada" : nil, team: maybe(20) ? pick(teams) : nil) : AgentAssigned())
    case 9: return .agentTeamChanged(AgentTeamChanged(team: maybe(90) ? pick(teams) : nil))
    case 10: return .agentMessage(AgentMessage(messageId: Int(random.next() % 1000), agentId: 11, text: "on it"))
    case 11: return .sessionClosed(SessionClosed(by: pick([ClosedBy.agent, .user, .bot, .timeout]), reason: maybe(50) ? "resolved" : nil))
    case 12: return .contactReady(ContactReady(contactId: Int(random.next() % 100) + 1, causationEventId: UUID()))
    case 13: return .conversationOpened(ConversationOpened(conversationId: Int(random.next() % 100) + 1, causationEventId: UUID()))
    case 14: return .messagePosted(MessagePosted(messageId: Int(random.next() % 1000), causationEventId: UUID()))
    default: return .unknown(UnknownEvent(type: "future.thing", schemaVersion: 1, data: ["n": .integer(Int64(random.next() % 9))]))
    }
}

/// A random conversation of 1 to 40 events, a minute apart.
func randomConversation(_ random: inout SeededRandom) -> [ConversationRecord] {
    let count = 1 + Int(random.next() % 40)
    return (0..<count).map { index in
        ConversationRecord(
            position: Int64(index + 1), version: Int64(index), eventID: UUID(),
            at: Date(timeIntervalSince1970: 1_795_000_000 + Double(index) * 60), event: randomEvent(&random))
    }
}

@Suite("Properties of the folds and the runner")
struct PropertyTests {
    // Folding event by event against folding from scratch is the runner test below: a pure fold compared with itself
    // (`applying` is `reduce(evolve)`) could not fail.
    @Test("audit and trace folds that forget flushed segments and traces mid-way lose nothing (1,000 cases)")
    func incrementalFold() {
        for seed in UInt64(1)...1_000 {
            var random = SeededRandom(seed: seed)
            let records = randomConversation(&random)
            var audit = ConversationAudit(conversationID: "c")
            var tracer = HandoffTracer(conversationID: "c")
            var fullAudit = ConversationAudit(conversationID: "c")
            var fullTracer = HandoffTracer(conversationID: "c")
            for record in records {
                audit.apply(record)
                tracer.apply(record)
                fullAudit.apply(record)
                fullTracer.apply(record)
                if random.next() % 4 == 0 {
                    audit.forgetSegments()
                    tracer.forgetTraces()
                }
            }
            #expect(Array(fullAudit.segments.dropFirst(audit.droppedSegments)) == audit.segments, "seed \(seed)")
            #expect(Array(fullTracer.traces.dropFirst(tracer.droppedTraces)) == tracer.traces, "seed \(seed)")
        }
    }

    @Test(
        "read models after live application with stops at random checkpoints equal the folds and a rebuild (1,000 conversations)",
        arguments: 0..<10)
    func runner(batch: Int) async throws {
        var random = SeededRandom(seed: 10_000 + UInt64(batch))
        let (store, _dir) = try makeProjectionStore()
        let codec = EventCodec()
        // 100 random conversations per store, 10 stores.
        var pending: [(id: String, records: [ConversationRecord])] = (0..<100).map { index in
            ("p\(batch)-\(index < 10 ? "0" : "")\(index)", randomConversation(&random))
        }
        var appended: [String: Int] = [:]
        try await ProjectionRunner(store: store).prepare()
        while !pending.isEmpty {
            let pick = Int(random.next() % UInt64(pending.count))
            let (id, records) = pending[pick]
            let start = appended[id, default: 0]
            let end = min(start + 1 + Int(random.next() % 4), records.count)
            let events = try records[start..<end].map {
                try codec.encode($0.event, eventID: $0.eventID, occurredAt: $0.at)
            }
            _ = try await store.append(events, to: try StreamID.conversation(id), expected: start == 0 ? .noStream : .exact(Int64(start - 1)))
            appended[id] = end
            if end == records.count { pending.remove(at: pick) }
            if random.next() % 10 == 0 {
                // A runner that starts from the stored checkpoint, runs to a random position, and stops.
                let runner = ProjectionRunner(
                    store: store, eventsPerFlush: 1 + Int(random.next() % 50), pageSize: 1 + Int(random.next() % 64),
                    maxCachedConversations: 1 + Int(random.next() % 20))
                let from = try await runner.checkpoint()
                let head = try await store.headPosition()
                let target = from + Int64(random.next() % UInt64(head - from + 1))
                let progress = try await runner.run(until: target)
                #expect(progress.to == max(from, target))
            }
        }
        try await ProjectionRunner(store: store, pageSize: 7, maxCachedConversations: 3).run(until: try await store.headPosition())
        let live = try await ReadModelSnapshot(store)

        // What the pure folds say, from the stored (fully decoded) events.
        var conversations: [ConversationSummary] = []
        var segments: [AuditSegment] = []
        var handoffs: [HandoffTrace] = []
        for id in appended.keys.sorted() {
            var audit = ConversationAudit(conversationID: id)
            var tracer = HandoffTracer(conversationID: id)
            for stored in try await store.readStream(try StreamID.conversation(id), limit: 1000) {
                let record = try ConversationRecord(stored, codec: codec)
                audit.apply(record)
                tracer.apply(record)
            }
            conversations.append(ConversationSummary(conversationID: id, state: audit.state))
            segments += audit.segments
            handoffs += tracer.traces
        }
        #expect(live.conversations == conversations, "batch \(batch)")
        #expect(live.segments == segments, "batch \(batch)")
        #expect(live.handoffs == handoffs, "batch \(batch)")

        try await ProjectionRunner(store: store).rebuild()
        let rebuilt = try await ReadModelSnapshot(store)
        #expect(rebuilt == live, "batch \(batch)")
        await store.close()
        _ = _dir
    }
}
