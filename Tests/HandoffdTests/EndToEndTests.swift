import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import NIOHTTP1
import Projections
import Testing
import TestSupport

@testable import handoffd

/// Fixture conversations completed over real HTTP on loopback: the bot platform's events go to handoffd's API, the
/// saga carries the handoff to a simulated Chatwoot, and a simulated agent answers, assigns and resolves there; its
/// signed webhooks come back to handoffd.
@Suite("End to end: handoffd, the saga and a simulated Chatwoot", .serialized)
struct EndToEndTests {
    /// What Chatwoot must hold at the end of a fixture, written by hand from the fixture and the routing table.
    struct Expected {
        var team: Int
        var status: String
        var messages: [String]
        var mode: String
    }

    static let expectations: [(fixture: String, expected: Expected)] = [
        (
            "c-01",
            Expected(
                team: 1, status: "resolved",
                messages: [
                    "incoming: Can I talk to a person?", "outgoing: Hi, I am Ada. How can I help?",
                    "incoming: Thanks, all sorted.",
                ],
                mode: "closed")
        ),
        (
            "c-02",
            Expected(
                team: 3, status: "open",
                messages: [
                    "incoming: I want a refund for order 1234", "outgoing: Which item?",
                    "incoming: the blue one, no wait, all of them",
                ],
                mode: "withAgent")
        ),
        (
            "c-05",
            Expected(
                team: 7, status: "resolved", messages: ["incoming: My test skill is broken"], mode: "closed")
        ),
    ]

    @Test("a fixture conversation reaches its team with its transcript, the agent's actions come back, once each",
          arguments: expectations.map(\.fixture))
    func fixture(_ name: String) async throws {
        let expected = try #require(Self.expectations.first { $0.fixture == name }?.expected)
        let world = try await World.start()
        do {
            try await world.play(name)
            let conversationID = name
            let supportID = try await world.supportConversation(conversationID)
            let conversation = try await world.chatwoot.conversation(id: supportID)
            #expect(conversation.team?.id == expected.team)
            #expect(conversation.status.rawValue == expected.status)
            let messages = try await world.chatwoot.messages(conversation: supportID)
                .filter { $0.messageType != .activity }
                .map { "\($0.messageType.name): \($0.content ?? "")" }
            #expect(messages == expected.messages)

            let state = try #require(try await world.server.get("/v1/conversations/\(conversationID)").json)
            #expect(state["mode"]?.stringValue == expected.mode)
            #expect(state["support"]?["conversationId"]?.integerValue == Int64(supportID))

            let stats = world.simulator.stats()
            #expect(stats.duplicateMessageSourceIDs.isEmpty)
            #expect(stats.duplicateConversationSourceIDs.isEmpty)
            #expect(try await world.outbox.depth()[.dead] == 0)
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }

    @Test("after an agent resolves, the next user message opens a new session for the bot, and a second handoff gets a second Chatwoot conversation")
    func nextSession() async throws {
        let world = try await World.start()
        do {
            try await world.play("c-01")
            let first = try await world.supportConversation("c-01")
            _ = try await world.server.append(
                "c-01", [Self.event("user.message", ["messageId": "m-9", "text": "One more thing"])])
            var state = try #require(try await world.server.get("/v1/conversations/c-01").json)
            #expect(state["mode"]?.stringValue == "bot")
            #expect(state["session"]?.integerValue == 2)
            _ = try await world.server.append(
                "c-01", [Self.event("handoff.requested", ["reason": "user_asked"])])
            let second = try await world.supportConversation("c-01", other: first)
            #expect(second != first)
            let messages = try await world.chatwoot.messages(conversation: second)
                .filter { $0.messageType != .activity }.map { $0.content ?? "" }
            #expect(messages == ["One more thing"])
            state = try #require(try await world.server.get("/v1/conversations/c-01").json)
            #expect(state["mode"]?.stringValue == "queued")
            #expect(world.simulator.stats().duplicateMessageSourceIDs.isEmpty)
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }

    static func event(_ type: String, _ data: [String: JSONValue]) -> JSONValue {
        .object([
            "eventId": .string(UUID().uuidString.lowercased()), "type": .string(type),
            "at": .string(WireTimestamp.format(Date())), "data": .object(data),
            "metadata": .object(["actor": .string("bot-platform")]),
        ])
    }
}

/// handoffd with a simulated Chatwoot whose webhooks point back at it.
private struct World {
    let server: TestServer
    let simulator: ChatwootSimulator
    let chatwoot: ChatwootClient
    var outbox: Outbox { Outbox(store: server.store) }

    static let apiToken = "sim-api-token"

    static func start() async throws -> World {
        let port = try FreePort.next()
        let simulator = ChatwootSimulator(
            configuration: SimulatorConfiguration(
                apiToken: apiToken, teams: [1, 3, 4, 7],
                agents: [
                    SimulatedAgent(id: 11, name: "Ada", role: .agent, teams: [1]),
                    SimulatedAgent(id: 12, name: "Ben", role: .agent, teams: [3]),
                    SimulatedAgent(id: 13, name: "Cy", role: .agent, teams: [7]),
                    SimulatedAgent(id: 14, name: "Dee", role: .agent, teams: [4]),
                ],
                webhookURL: "http://127.0.0.1:\(port)/v1/webhooks/chatwoot", webhookSecret: TestServer.webhookSecret))
        let simulatorPort = try await simulator.start()
        let chatwootConfiguration = ChatwootConfiguration(
            baseURL: "http://127.0.0.1:\(simulatorPort)", accountID: 1, inboxID: 1, apiToken: apiToken,
            timeout: .seconds(5))
        let directory = try TemporaryDirectory()
        var configuration = TestServer.configuration(in: directory)
        configuration.listen = ListenAddress(host: "127.0.0.1", port: port)
        configuration.chatwoot = chatwootConfiguration
        let server: TestServer
        do {
            server = try await TestServer.start(configuration: configuration, directory: directory)
            let table = try Data(contentsOf: fixturesFolder().appendingPathComponent("routing/default.json"))
            let put = try await server.request(.PUT, "/v1/routing", body: table)
            try #require(put.status == 201 || put.status == 200, "\(put.text)")
        } catch {
            await simulator.stop()
            throw error
        }
        return World(server: server, simulator: simulator, chatwoot: ChatwootClient(configuration: chatwootConfiguration))
    }

    func stop() async {
        try? await server.stop()
        await simulator.stop()
    }

    /// Plays a fixture: the bot platform's events through the API; where the fixture records the saga's routing,
    /// waits for the saga to reach Chatwoot; where it records an agent's action, the simulated agent does it in
    /// Chatwoot and the test waits for its webhook to land in the log.
    func play(_ name: String) async throws {
        for wire in try FixtureTraffic.events(name) {
            let conversationID = wire.conversationID ?? name
            guard let type = EventType(rawValue: wire.type) else { continue }
            switch wire.data {
            // An agent resolving in Chatwoot (the bot platform may close too, through the API).
            case let data where type == .sessionClosed && data["by"]?.stringValue == "agent":
                try await simulator.setStatus(conversation: try await supportConversation(conversationID), status: "resolved")
                try await waitForEvent(conversationID, type: "session.closed")
                try await waitForOutbox(conversationID)
            case _ where Decide.botPlatformTypes.contains(type):
                var event = wire
                event.conversationID = nil
                let answer = try await server.append(conversationID, [event.json])
                try #require(answer.status == 201, "\(wire.type): \(answer.text)")
                if type == .userMessage, try await isWithHuman(conversationID) {
                    try await waitForOutbox(conversationID)
                }
            case _ where type == .handoffRouted:
                try await waitForOutbox(conversationID)
            case let data where type == .agentAssigned:
                let agent = try #require(data["agentId"]?.integerValue)
                try await simulator.assign(conversation: try await supportConversation(conversationID), agent: Int(agent))
                try await waitForEvent(conversationID, type: "agent.assigned")
            case let data where type == .agentMessage:
                let agent = try #require(data["agentId"]?.integerValue)
                let text = try #require(data["text"]?.stringValue)
                _ = try await simulator.agentReply(
                    conversation: try await supportConversation(conversationID), agent: Int(agent), content: text)
                try await waitForEvent(conversationID, type: "agent.message")
            default:
                continue
            }
        }
    }

    private func isWithHuman(_ conversationID: String) async throws -> Bool {
        let mode = try await server.get("/v1/conversations/\(conversationID)").json?["mode"]?.stringValue
        return mode == "queued" || mode == "withAgent"
    }

    /// The Chatwoot conversation of the current session, once the saga recorded it (and not `other`).
    func supportConversation(_ conversationID: String, other: Int? = nil) async throws -> Int {
        try await eventually("the Chatwoot conversation of \(conversationID)") {
            let state = try await server.get("/v1/conversations/\(conversationID)").json
            guard let id = state?["support"]?["conversationId"]?.integerValue, Int(id) != other else { return nil }
            try await waitForOutbox(conversationID)
            return Int(id)
        }
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

    func waitForEvent(_ conversationID: String, type: String) async throws {
        _ = try await eventually("\(type) in \(conversationID)") { () async throws -> Bool? in
            let events = try await server.get("/v1/conversations/\(conversationID)/events?limit=1000").json
            let types = events?["events"]?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? []
            return types.contains(type) ? true : nil
        }
    }

    private func eventually<T: Sendable>(
        _ what: String, timeout: Duration = .seconds(20), _ body: () async throws -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try await body() { return value }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TimeoutError(what: what)
    }

    struct TimeoutError: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }
}

extension JSONValue {
    fileprivate var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    fileprivate var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    fileprivate var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
