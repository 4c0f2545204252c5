import EventStore
import Foundation
import Projections
import TestSupport
import Testing

/// A routing-stream event made by hand.
private func recorded(
    position: Int64, version: Int64, type: String = RoutingHistory.eventType, data: Data,
    stream: StreamID = .routing
) -> RecordedEvent {
    RecordedEvent(
        position: position, streamID: stream, version: version, eventID: UUID(), type: type, data: data,
        metadata: Data("{}".utf8), occurredAt: minute(Int(position)), recordedAt: minute(Int(position)))
}

/// The decision each fixture handoff gets from the table of the routing version it recorded, written by hand from
/// the fixture files: "session team rule v<version>".
private let decisionsByRecordedVersion: [String: [String]] = [
    "c-01": ["1 1 default v1"],
    "c-02": ["1 3 skill:acme.shop.Refund v1"],
    "c-03": ["1 3 skill:acme.billing.* v1"],
    "c-04": ["1 1 default v1"],
    "c-05": ["1 7 explicit v1"],
    "c-06": ["1 4 user_choice v1"],
    "c-07": ["1 3 skill:acme.shop.Refund v1"],
    "c-08": ["1 1 default v1", "2 3 skill:acme.shop.Refund v1"],
    "c-09": ["1 1 default v1"],
    "c-10": [],
    "c-11": ["1 3 skill:acme.billing.* v1", "2 4 skill:acme.billing.* v2"],
    "c-12": ["1 4 skill:acme.shop.Delivery v1"],
]

@Suite("Routing history")
struct RoutingHistoryTests {
    /// Appends default.json, a conversation event, then changed.json to a real store, each table with the expected
    /// version the history asks for, and reads the routing stream back.
    func storedHistory() async throws -> (history: RoutingHistory, tablePositions: [Int64]) {
        let directory = try TemporaryDirectory()
        let store = try SQLiteEventStore(
            path: directory.path("routing.sqlite"), configuration: .init(durability: .normal))
        var history = RoutingHistory()
        var positions: [Int64] = []
        let first = try routingTable("default.json").eventData(eventID: UUID(), occurredAt: minute(0))
        positions += try await store.append([first], to: .routing, expected: history.expectedVersion).positions
        history = try RoutingHistory(events: try await store.readStream(.routing))
        _ = try await store.append(
            [
                EventData(
                    eventID: UUID(), type: "user.message", data: Data(#"{"messageId":"m-1","text":"hi"}"#.utf8),
                    occurredAt: minute(1))
            ],
            to: try StreamID.conversation("c-1"))
        let second = try routingTable("changed.json").eventData(eventID: UUID(), occurredAt: minute(2))
        positions += try await store.append([second], to: .routing, expected: history.expectedVersion).positions
        let events = try await store.readStream(.routing)
        await store.close()
        return (try RoutingHistory(events: events), positions)
    }

    @Test("tables appended to the routing stream are versions 1, 2, ... with their positions")
    func versions() async throws {
        let (history, positions) = try await storedHistory()
        #expect(positions == [1, 3])
        #expect(history.versions.map(\.version) == [1, 2])
        #expect(history.versions.map(\.position) == [1, 3])
        let defaultTable = try routingTable("default.json")
        let changedTable = try routingTable("changed.json")
        #expect(history.table(version: 1)?.table == defaultTable)
        #expect(history.table(version: 2)?.table == changedTable)
        #expect(history.table(version: 0) == nil)
        #expect(history.table(version: 3) == nil)
        #expect(history.current?.version == 2)
        #expect(history.current?.occurredAt == minute(2))
        #expect(history.skipped.isEmpty)
        #expect(history.expectedVersion == .exact(1))
        #expect(RoutingHistory().expectedVersion == .noStream)
        #expect(RoutingHistory().current == nil)
    }

    @Test("the table in force at a position is the last one set at or before it")
    func inForce() async throws {
        let (history, _) = try await storedHistory()
        #expect(history.inForce(atPosition: 0) == nil)
        #expect(history.inForce(atPosition: 1)?.version == 1)
        #expect(history.inForce(atPosition: 2)?.version == 1)
        #expect(history.inForce(atPosition: 3)?.version == 2)
        #expect(history.inForce(atPosition: 1_000)?.version == 2)
        #expect(RoutingHistory().inForce(atPosition: 5) == nil)
    }

    @Test("a table's event is routing.table_set with the canonical JSON as data")
    func eventData() throws {
        let table = try routingTable("default.json")
        let id = UUID()
        let data = table.eventData(eventID: id, occurredAt: minute(3), metadata: Data(#"{"actor":"ops"}"#.utf8))
        #expect(data.type == "routing.table_set")
        #expect(data.eventID == id)
        #expect(data.occurredAt == minute(3))
        #expect(data.data == table.canonicalData())
        #expect(data.metadata == Data(#"{"actor":"ops"}"#.utf8))
    }

    @Test("events of other types are passed over and reported, and keep their place in the numbering")
    func skipsOtherTypes() throws {
        let first = try routingTable("default.json").canonicalData()
        let second = try routingTable("changed.json").canonicalData()
        let history = try RoutingHistory(events: [
            recorded(position: 2, version: 0, data: first),
            recorded(position: 5, version: 1, type: "routing.note", data: Data("{}".utf8)),
            recorded(position: 9, version: 2, data: second),
        ])
        #expect(history.versions.map(\.version) == [1, 3])
        #expect(history.skipped == [SkippedRoutingEvent(position: 5, streamVersion: 1, type: "routing.note")])
        #expect(history.table(version: 2) == nil)
        #expect(history.inForce(atPosition: 8)?.version == 1)
        #expect(history.inForce(atPosition: 9)?.version == 3)
    }

    @Test("an event of another stream, a gap, a repeat or an invalid table is refused, naming the event")
    func errors() throws {
        let table = try routingTable("default.json").canonicalData()
        var history = RoutingHistory()
        let conversation = try StreamID.conversation("c-1")
        let wrong = #expect(throws: RoutingHistoryError.self) {
            try history.apply(recorded(position: 1, version: 0, data: table, stream: conversation))
        }
        #expect(wrong?.code == .wrongStream)
        #expect(wrong?.stream == conversation)

        let late = #expect(throws: RoutingHistoryError.self) {
            try history.apply(recorded(position: 4, version: 1, data: table))
        }
        #expect(late?.code == .outOfOrder, "the stream starts at version 0")
        #expect(late?.streamVersion == 1)

        try history.apply(recorded(position: 4, version: 0, data: table))
        for (position, version) in [(5, 0), (6, 2), (3, 1)] as [(Int64, Int64)] {
            let error = #expect(throws: RoutingHistoryError.self) {
                try history.apply(recorded(position: position, version: version, data: table))
            }
            #expect(error?.code == .outOfOrder, "version \(version) at position \(position) after version 0 at 4")
        }

        let invalid = try routingFixture("invalid/duplicate-team.json")
        let bad = #expect(throws: RoutingHistoryError.self) {
            try history.apply(recorded(position: 7, version: 1, data: Data(invalid)))
        }
        #expect(bad?.code == .invalidTable)
        #expect(bad?.position == 7)
        #expect(bad?.cause?.code == .duplicateTeam)
        #expect(bad?.cause?.path == "teams[2].team")
        #expect(bad?.description.contains("routing version 2") == true)
        #expect(history.versions.map(\.version) == [1], "a refused event changes nothing")
        #expect(history.streamVersion == 0)
        #expect(history.position == 4)
    }

    @Test("each fixture handoff gets its recorded team and rule from the table of its recorded version")
    func fixtureDecisions() async throws {
        let (history, _) = try await storedHistory()
        for (name, expected) in decisionsByRecordedVersion.sorted(by: { $0.key < $1.key }) {
            let traces = try await importFixture(name).traces
            var decisions: [String] = []
            for trace in traces {
                let version = try #require(trace.request.routingVersion, "\(name) session \(trace.session)")
                let table = try #require(history.table(version: version), "\(name): version \(version)").table
                let decision = table.route(RoutingRequest(trace.request))
                decisions.append("\(trace.session) \(decision.team) \(decision.rule.name) v\(version)")
                #expect(decision.team == trace.recordedTeam, "\(name) session \(trace.session)")
                #expect(decision.rule.name == trace.recordedRule, "\(name) session \(trace.session)")
                #expect(RoutingRule(name: trace.recordedRule ?? "") == decision.rule)
            }
            #expect(decisions == expected, "\(name)")
        }
    }

    @Test("changed.json sends c-11's first handoff to team 4, not the team 3 recorded")
    func changedDisagreesOnC11() async throws {
        let traces = try await importFixture("c-11").traces
        let first = try #require(traces.first)
        #expect(first.recordedTeam == 3)
        #expect(first.request.routingVersion == 1)
        let decision = try routingTable("changed.json").route(RoutingRequest(first.request))
        #expect(decision == RoutingDecision(team: 4, rule: .skill("acme.billing.*")))
    }
}
