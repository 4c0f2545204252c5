import EventStore
import Foundation
import Projections
import Testing
import TestSupport

/// What importing a fixture conversation into a store did.
struct Imported {
    var state: SessionState
    var audit: ConversationAudit
    var traces: [HandoffTrace]
    var stored: Int
    var refused: [DecisionRefusal]
    var redeliveries: Int
}

/// Imports a fixture as ingestion does: bot-platform events through the decision rules against the folded state,
/// the service's own events (routing, support outcomes, agent actions) as they are; then folds the stored log.
/// Into `sharedStore` when given (left open), else into a store of its own.
func importFixture(_ name: String, into sharedStore: SQLiteEventStore? = nil) async throws -> Imported {
    let lines = try String(contentsOf: fixturesFolder().appendingPathComponent("conversations/\(name).jsonl"), encoding: .utf8)
        .split(separator: "\n")
    let directory = try TemporaryDirectory()
    let store = try sharedStore
        ?? SQLiteEventStore(path: directory.path("fixture.sqlite"), configuration: .init(durability: .normal))
    let codec = EventCodec()
    var refused: [DecisionRefusal] = []
    var redeliveries = 0
    var stream: StreamID?
    for line in lines {
        let wire = try WireEvent.decode(Data(line.utf8))
        let data = try wire.eventData()
        let conversation = try StreamID.conversation(try #require(wire.conversationID))
        stream = conversation
        let event = try codec.decode(type: data.type, data: data.data, metadata: data.metadata)
        if let type = event.eventType, Decide.botPlatformTypes.contains(type) {
            let state = try await fold(store, conversation, codec).state
            do {
                let accepted = try Decide.decide(event, state: state)
                guard !accepted.isEmpty else { continue }
            } catch {
                refused.append(error)
                continue
            }
        }
        if try await store.append([data], to: conversation).alreadyStored { redeliveries += 1 }
    }
    let folded = try await fold(store, try #require(stream), codec)
    let stored = try await store.streamVersion(try #require(stream)).map { $0 + 1 } ?? 0
    if sharedStore == nil { await store.close() }
    return Imported(
        state: folded.state, audit: folded.audit, traces: folded.traces, stored: Int(stored), refused: refused,
        redeliveries: redeliveries)
}

private func fold(
    _ store: SQLiteEventStore, _ stream: StreamID, _ codec: EventCodec
) async throws -> (state: SessionState, audit: ConversationAudit, traces: [HandoffTrace]) {
    let id = stream.conversationID ?? stream.rawValue
    var audit = ConversationAudit(conversationID: id)
    var tracer = HandoffTracer(conversationID: id)
    for record in try await store.readStream(stream, limit: 10_000) {
        let decoded = try ConversationRecord(record, codec: codec)
        audit.apply(decoded)
        tracer.apply(decoded)
    }
    return (audit.state, audit, tracer.traces)
}

/// Owners as short words: bot, routing, team:N, agent:ID.
func owners(_ audit: ConversationAudit) -> [String] { owners(audit.segments) }

/// Owners of segments as short words: bot, routing, team:N, agent:ID.
func owners(_ segments: [AuditSegment]) -> [String] {
    segments.map { segment in
        switch segment.owner {
        case .bot: "bot"
        case .routing: "routing"
        case .team(let team): "team:\(team.map(String.init) ?? "none")"
        case .agent(let agent, _): "agent:\(agent.id)"
        }
    }
}

/// The expected outcome of one fixture, written by hand from the script in the file.
struct Expected: Sendable, CustomTestStringConvertible {
    let name: String
    let session: Int
    let mode: SessionMode
    let team: Int?
    let agent: Int?
    let stored: Int
    let owners: [String]
    /// (session, recorded team, recorded rule) per handoff.
    let handoffs: [String]
    var refused = 0
    var redeliveries = 0
    var testDescription: String { name }
}

let expectations: [Expected] = [
    Expected(
        name: "c-01", session: 1, mode: .closed, team: 1, agent: 11, stored: 8,
        owners: ["bot", "routing", "team:1", "agent:11"], handoffs: ["1 1 default"]),
    Expected(
        name: "c-02", session: 1, mode: .withAgent, team: 3, agent: 12, stored: 8,
        owners: ["bot", "routing", "team:3", "agent:12"], handoffs: ["1 3 skill:acme.shop.Refund"]),
    Expected(
        name: "c-03", session: 1, mode: .queued, team: 3, agent: nil, stored: 6,
        owners: ["bot", "routing", "team:3"], handoffs: ["1 3 skill:acme.billing.*"]),
    Expected(
        name: "c-04", session: 1, mode: .queued, team: 1, agent: nil, stored: 5,
        owners: ["bot", "routing", "team:1"], handoffs: ["1 1 default"]),
    Expected(
        name: "c-05", session: 1, mode: .closed, team: 7, agent: 13, stored: 6,
        owners: ["bot", "routing", "team:7", "agent:13"], handoffs: ["1 7 explicit"]),
    Expected(
        name: "c-06", session: 1, mode: .queued, team: 4, agent: nil, stored: 6,
        owners: ["bot", "routing", "team:4"], handoffs: ["1 4 user_choice"]),
    Expected(
        name: "c-07", session: 1, mode: .closed, team: 4, agent: 14, stored: 10,
        owners: ["bot", "routing", "team:3", "agent:12", "team:4", "agent:14"],
        handoffs: ["1 3 skill:acme.shop.Refund"]),
    Expected(
        name: "c-08", session: 2, mode: .withAgent, team: 3, agent: 12, stored: 11,
        owners: ["bot", "routing", "team:1", "agent:11", "bot", "routing", "team:3", "agent:12"],
        handoffs: ["1 1 default", "2 3 skill:acme.shop.Refund"]),
    Expected(
        name: "c-09", session: 1, mode: .closed, team: 1, agent: 11, stored: 7,
        owners: ["bot", "routing", "team:1", "agent:11"], handoffs: ["1 1 default"], refused: 1),
    Expected(
        name: "c-10", session: 1, mode: .bot, team: nil, agent: nil, stored: 3, owners: ["bot"], handoffs: [],
        redeliveries: 1),
    Expected(
        name: "c-11", session: 2, mode: .queued, team: 4, agent: nil, stored: 10,
        owners: ["bot", "routing", "team:3", "bot", "routing", "team:4"],
        handoffs: ["1 3 skill:acme.billing.*", "2 4 skill:acme.billing.*"]),
    Expected(
        name: "c-12", session: 1, mode: .closed, team: 4, agent: nil, stored: 10,
        owners: ["bot", "routing", "team:4", "agent:14", "team:4", "team:3", "team:4"],
        handoffs: ["1 4 skill:acme.shop.Delivery"]),
]

@Suite("Fixture conversations")
struct FixtureConversationTests {
    @Test("every fixture file has an expectation")
    func allCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(
            atPath: fixturesFolder().appendingPathComponent("conversations").path)
        #expect(Set(files.map { String($0.dropLast(".jsonl".count)) }) == Set(expectations.map(\.name)))
    }

    @Test("final state, audit owners and recorded routing decisions", arguments: expectations)
    func conversation(_ expected: Expected) async throws {
        let result = try await importFixture(expected.name)
        #expect(result.state.session == expected.session)
        #expect(result.state.mode == expected.mode)
        #expect(result.state.team == expected.team)
        #expect(result.state.agent?.id == expected.agent)
        #expect(result.stored == expected.stored)
        #expect(owners(result.audit) == expected.owners)
        #expect(result.traces.map { "\($0.session) \($0.recordedTeam.map(String.init) ?? "-") \($0.recordedRule ?? "-")" } == expected.handoffs)
        #expect(result.refused.count == expected.refused)
        #expect(result.redeliveries == expected.redeliveries)
    }

    @Test("the refused bot reply is refused because a human owns the session")
    func refusedReply() async throws {
        let result = try await importFixture("c-09")
        #expect(result.refused.map(\.code) == [.humanOwnsSession])
        #expect(result.refused.first?.type == "bot.message")
    }
}
