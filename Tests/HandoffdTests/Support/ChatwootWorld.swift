import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import NIOHTTP1
import Projections
import Testing
import TestSupport

@testable import handoffd

/// handoffd with a simulated Chatwoot whose signed webhooks point back at it, both on loopback: the teams and agents
/// the fixture conversations name (Ada on team 1, Ben on 3, Dee on 4, Cy on 7), and `routing/default.json` in force.
///
/// ```swift
/// let world = try await ChatwootWorld.start()
/// let answers = try await world.play("c-01")
/// await world.stop()
/// ```
struct ChatwootWorld {
    let server: TestServer
    let simulator: ChatwootSimulator
    let chatwoot: ChatwootClient
    var outbox: Outbox { Outbox(store: server.store) }

    static let apiToken = "sim-api-token"

    /// The routing tables by routing version: `PUT /v1/routing` gives the n-th table put version n.
    static let routingTables = ["routing/default.json", "routing/changed.json"]

    /// Starts both, each on an ephemeral port: the simulator first (handoffd's configuration names it), then
    /// handoffd, whose address then becomes the simulator's webhook target.
    static func start() async throws -> ChatwootWorld {
        let simulator = ChatwootSimulator(
            configuration: SimulatorConfiguration(
                apiToken: apiToken, teams: [1, 3, 4, 7],
                agents: [
                    SimulatedAgent(id: 11, name: "Ada", role: .agent, teams: [1]),
                    SimulatedAgent(id: 12, name: "Ben", role: .agent, teams: [3]),
                    SimulatedAgent(id: 13, name: "Cy", role: .agent, teams: [7]),
                    SimulatedAgent(id: 14, name: "Dee", role: .agent, teams: [4]),
                ],
                webhookSecret: TestServer.webhookSecret))
        let simulatorPort = try await simulator.start()
        let chatwootConfiguration = ChatwootConfiguration(
            baseURL: "http://127.0.0.1:\(simulatorPort)", accountID: 1, inboxID: 1, apiToken: apiToken,
            timeout: .seconds(5))
        let directory = try TemporaryDirectory()
        var configuration = TestServer.configuration(in: directory)
        configuration.chatwoot = chatwootConfiguration
        let world: ChatwootWorld
        do {
            let server = try await TestServer.start(configuration: configuration, directory: directory)
            simulator.setWebhookURL("\(server.baseURL)/v1/webhooks/chatwoot")
            world = ChatwootWorld(
                server: server, simulator: simulator, chatwoot: ChatwootClient(configuration: chatwootConfiguration))
        } catch {
            await simulator.stop()
            throw error
        }
        do {
            try await world.putRoutingTable(version: 1)
        } catch {
            await world.stop()
            throw error
        }
        return world
    }

    func stop() async {
        try? await server.stop()
        await simulator.stop()
    }

    // MARK: Playing a fixture

    /// Plays fixture `name` as it happened:
    /// - the bot platform's events go through `POST /v1/conversations/{id}/events`, one request each, in order;
    /// - a recorded `handoff.routed` is not sent: the player waits for the saga's own decision and checks it is the
    ///   recorded one (team, rule, routing version), after putting the next routing table first when the fixture's
    ///   handoff was routed by a newer version than the one in force;
    /// - an agent's action (`agent.assigned`, `agent.message`, `agent.team_changed`, `session.closed` by the agent) is
    ///   done by a simulated agent in Chatwoot, and the player waits until its webhook has put the same fact in the log.
    ///
    /// After each step the player waits until the saga and its outbox, and the simulator's webhooks, are idle, so the
    /// next step starts from a settled world.
    /// - Returns: the API's answers, by fixture line (0-based), for the lines the bot platform sent.
    @discardableResult
    func play(_ name: String) async throws -> [Int: Answer] {
        let events = try FixtureTraffic.events(name)
        var answers: [Int: Answer] = [:]
        for (line, wire) in events.enumerated() {
            let conversationID = wire.conversationID ?? name
            guard let type = EventType(rawValue: wire.type) else {
                throw FixtureError("line \(line): the player does not know event type \(wire.type)")
            }
            switch type {
            case .sessionClosed where wire.data["by"] == "agent":
                let status = wire.data["reason"] == "handed_back" ? "pending" : "resolved"
                try await agentActs(conversationID, as: wire, type, line: line) { conversation in
                    try await simulator.setStatus(conversation: conversation, status: status)
                }
            case _ where Decide.botPlatformTypes.contains(type):
                if type == .handoffRequested { try await putRoutingTable(for: events, handoffAt: line) }
                var event = wire
                event.conversationID = nil
                let answer = try await server.append(conversationID, [event.json])
                try #require([200, 201, 409].contains(answer.status), "line \(line) \(wire.type): \(answer.text)")
                answers[line] = answer
                try await settle(conversationID)
            case .handoffRouted:
                let routed = try await routingDecision(conversationID)
                for key in ["team", "rule", "routingVersion"] {
                    #expect(routed[key] == wire.data[key], "line \(line): the saga's \(key) differs from the fixture's")
                }
                try await settle(conversationID)
            case .agentAssigned:
                let agent = integer(wire.data["agentId"]).map { Int($0) }
                try await agentActs(conversationID, as: wire, type, line: line) { conversation in
                    try await simulator.assign(conversation: conversation, agent: agent)
                }
            case .agentTeamChanged:
                let team = integer(wire.data["team"]).map { Int($0) }
                try await agentActs(conversationID, as: wire, type, line: line) { conversation in
                    try await simulator.transfer(conversation: conversation, team: team)
                }
            case .agentMessage:
                let agent = try #require(integer(wire.data["agentId"]), "line \(line): agent.message without agentId")
                let text = try #require(string(wire.data["text"]), "line \(line): agent.message without text")
                try await agentActs(conversationID, as: wire, type, line: line) { conversation in
                    _ = try await simulator.agentReply(conversation: conversation, agent: Int(agent), content: text)
                }
            default:
                throw FixtureError("line \(line): the player does not know how to play \(wire.type)")
            }
        }
        return answers
    }

    /// The members of an agent's event that must come back by webhook as the fixture recorded them (Chatwoot gives
    /// its own message ids, and adds the team to an assignment).
    static let comparedMembers: [EventType: [String]] = [
        .agentAssigned: ["agentId", "agentName"],
        .agentMessage: ["agentId", "agentName", "text"],
        .agentTeamChanged: ["team"],
        .sessionClosed: ["by", "reason"],
    ]

    /// A simulated agent acts in the support conversation the agent sees for `conversationID` (the newest one
    /// handoffd created for it); then waits until the log holds, after what it held before, an event of the fixture
    /// line's type with the same compared members.
    private func agentActs(
        _ conversationID: String, as wire: WireEvent, _ type: EventType, line: Int, _ action: (Int) async throws -> Void
    ) async throws {
        let conversation = try await newestSupportConversation(conversationID)
        let before = try await events(conversationID).last?.version ?? -1
        try await action(conversation)
        let members = Self.comparedMembers[type] ?? []
        let expected = members.map { wire.data[$0].flatMap(nonNull) }
        _ = try await eventually("line \(line): \(wire.type) back from Chatwoot in \(conversationID)") {
            () async throws -> Bool? in
            let recorded = try await events(conversationID).filter { ($0.version ?? -1) > before && $0.type == wire.type }
            return recorded.contains { event in members.map { event.data[$0].flatMap(nonNull) } == expected } ? true : nil
        }
        try await settle(conversationID)
    }

    /// Puts the routing tables up to the version the fixture's next `handoff.routed` (after line `handoffAt`)
    /// records, when that version is newer than the one in force.
    private func putRoutingTable(for events: [WireEvent], handoffAt line: Int) async throws {
        guard let routed = events[(line + 1)...].first(where: { $0.type == EventType.handoffRouted.rawValue }),
            let wanted = integer(routed.data["routingVersion"])
        else { return }
        let current = try #require(integer(try await server.get("/v1/routing")["version"]))
        guard wanted > current else { return }
        for version in (current + 1)...wanted { try await putRoutingTable(version: version) }
    }

    private func putRoutingTable(version: Int64) async throws {
        let file = try #require(Self.routingTables.dropFirst(Int(version) - 1).first, "no routing table \(version)")
        let table = try Data(contentsOf: fixturesFolder().appendingPathComponent(file))
        let put = try await server.request(.PUT, "/v1/routing", body: table)
        try #require(put.status == 201 || put.status == 200, "\(put.text)")
        try #require(integer(put["version"]) == version, "PUT \(file) did not set routing version \(version)")
    }

    /// The data of the saga's `handoff.routed` for the latest `handoff.requested`, once it is in the log.
    private func routingDecision(_ conversationID: String) async throws -> [String: JSONValue] {
        try await eventually("the saga's routing decision in \(conversationID)") {
            let log = try await events(conversationID)
            guard let request = log.lastIndex(where: { $0.type == EventType.handoffRequested.rawValue }) else {
                return nil
            }
            return log[(request + 1)...].first { $0.type == EventType.handoffRouted.rawValue }?.data
        }
    }

    // MARK: What Chatwoot and handoffd hold

    /// Every conversation in the simulated Chatwoot, oldest first.
    func chatwootConversations() async throws -> [ChatwootConversation] {
        var all: [ChatwootConversation] = []
        var page = 1
        while true {
            let found = try await chatwoot.conversations(ChatwootConversationQuery(page: page))
            all += found.conversations
            guard found.mayHaveMore else { break }
            page += 1
        }
        return all.sorted { $0.id < $1.id }
    }

    /// The newest Chatwoot conversation created for `conversationID` (found in Chatwoot by the conversation
    /// attribute handoffd sets, as an agent would see it), once the saga recorded it.
    private func newestSupportConversation(_ conversationID: String) async throws -> Int {
        let found = try await chatwootConversations().last {
            $0.customAttributes[SupportMarker.conversationAttribute] == .string(conversationID)
        }
        return try #require(found?.id, "no Chatwoot conversation for \(conversationID)")
    }

    /// The Chatwoot conversation of the current session, once the saga recorded it (and not `other`).
    func supportConversation(_ conversationID: String, other: Int? = nil) async throws -> Int {
        try await eventually("the Chatwoot conversation of \(conversationID)") {
            let state = try await server.get("/v1/conversations/\(conversationID)").json
            guard let id = integer(state?["support"]?["conversationId"]), Int(id) != other else { return nil }
            try await waitForOutbox(conversationID)
            return Int(id)
        }
    }

    /// The conversation's events, oldest first.
    func events(_ conversationID: String) async throws -> [WireEvent] {
        let answer = try await server.get("/v1/conversations/\(conversationID)/events?limit=1000")
        guard answer.status == 200 else { return [] }
        guard case .array(let items)? = answer["events"] else { return [] }
        return try items.map { try WireEvent(json: $0) }
    }

    // MARK: Waiting

    /// Waits until the saga has planned everything up to the log's head, the outbox holds nothing pending for the
    /// conversation, and every webhook the simulator sent so far has been answered.
    func settle(_ conversationID: String) async throws {
        try await waitForOutbox(conversationID)
        _ = try await eventually("the simulator's webhooks to be delivered") { () -> Bool? in
            simulator.webhookDeliveries().allSatisfy { $0.dropped || $0.isFinished } ? true : nil
        }
        // A webhook's events may call for commands (a close the saga follows up on): drain those too.
        try await waitForOutbox(conversationID)
    }

    /// Waits until the saga has planned everything up to the log's head and the outbox holds nothing pending for
    /// the conversation.
    func waitForOutbox(_ conversationID: String) async throws {
        _ = try await eventually("the outbox of \(conversationID) to drain") { () async throws -> Bool? in
            let head = try await server.store.headPosition()
            let checkpoint = try await outbox.checkpoint(SagaProcessor.checkpointName)
            guard checkpoint >= head else { return nil }
            let waiting = try await outbox.rows(conversation: conversationID).filter {
                $0.state == .pending || $0.state == .inFlight
            }
            return waiting.isEmpty ? true : nil
        }
    }

    /// Polls `body` until it answers a value, for at most `timeout`.
    private func eventually<T: Sendable>(
        _ what: String, timeout: Duration = .seconds(20), _ body: () async throws -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let value = try await body() { return value }
            guard ContinuousClock.now < deadline else { throw FixtureError("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// A fixture the player cannot play, or a world that never settled.
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The value, or nil for JSON null (an absent member and a null one mean the same here).
private func nonNull(_ value: JSONValue) -> JSONValue? {
    if case .null = value { return nil }
    return value
}
