import EventStore
import Foundation
import HandoffSaga
import Projections
import Testing

@testable import handoffd

@Suite("Chatwoot webhooks: POST /v1/webhooks/chatwoot")
struct WebhookTests {
    /// A conversation handed off and routed to team 3, with Chatwoot conversation 1024 opened for it.
    static func handedOff(_ id: String, on server: TestServer, team: Int = 3) async throws {
        #expect(try await server.append(id, [Wire.userMessage(), Wire.handoff()]).status == 201)
        let codec = EventCodec()
        let at = Date()
        let events = try [
            codec.encode(.handoffRouted(HandoffRouted(team: team, rule: "default", routingVersion: 1)), eventID: UUID(), occurredAt: at),
            codec.encode(.conversationOpened(ConversationOpened(conversationId: 1024, causationEventId: UUID())), eventID: UUID(), occurredAt: at),
        ]
        _ = try await server.store.append(events, to: try StreamID.conversation(id))
    }

    static func types(_ id: String, on server: TestServer) async throws -> [String] {
        try await server.store.readStream(try StreamID.conversation(id)).map(\.type)
    }

    @Test("a signed agent message is appended as agent.message, with the text")
    func agentMessage() async throws {
        let server = try await TestServer.start()
        try await Self.handedOff("c-w1", on: server)
        let answer = try await server.deliver(ChatwootDeliveries.agentMessage(id: 90007, conversation: 1024, ourID: "c-w1"))
        #expect(answer.status == 200, "\(answer.text)")
        #expect(string(answer["status"]) == "appended")
        #expect(integer(answer["appended"]) == 1)
        let stored = try #require(try await server.store.readStream(try StreamID.conversation("c-w1")).last)
        #expect(stored.type == "agent.message")
        guard case .agentMessage(let message) = try EventCodec().decode(stored) else {
            Issue.record("not an agent message")
            return
        }
        #expect(message.messageId == 90007)
        #expect(message.text == "Hi, I can help with that.")
        #expect(message.agentId == 5)
        #expect(try EventMetadata(jsonData: stored.metadata).actor == "chatwoot")
        try await server.stop()
    }

    @Test("a delivery failing verification is 401, writes nothing and is counted")
    func refused() async throws {
        let server = try await TestServer.start()
        try await Self.handedOff("c-w2", on: server)
        let head = try await server.store.headPosition()
        let body = ChatwootDeliveries.agentMessage(id: 1, conversation: 1024, ourID: "c-w2")
        let now = Int64(Date().timeIntervalSince1970)
        let cases: [(String, [(String, String)])] = [
            ("signatureMismatch", ChatwootDeliveries.headers(for: body, secret: "another secret")),
            ("signatureMismatch", ChatwootDeliveries.headers(for: body + Data(" ".utf8))),
            ("missingHeader", []),
            ("malformedSignature", [("X-Chatwoot-Signature", "sha256=zz"), ("X-Chatwoot-Timestamp", String(now))]),
            ("outsideWindow", ChatwootDeliveries.headers(for: body, timestamp: now - 3600)),
        ]
        for (reason, headers) in cases {
            let answer = try await server.deliver(body, headers: headers)
            #expect(answer.status == 401, "\(reason)")
            #expect(answer.contentType == "application/problem+json")
            #expect(string(answer["type"]) == "urn:handoff:problem:webhook-unverified")
        }
        #expect(try await server.store.headPosition() == head)
        let failed = { (reason: String) in
            server.metrics.registry.value(of: "handoff_webhook_verifications_failed_total", labels: ["reason": reason])
        }
        #expect(failed("signatureMismatch") == 2)
        #expect(failed("missingHeader") == 1)
        #expect(failed("malformedSignature") == 1)
        #expect(failed("outsideWindow") == 1)
        try await server.stop()
    }

    @Test("with no webhook secret configured every delivery is 401")
    func notConfigured() async throws {
        let server = try await TestServer.start { $0.webhookSecrets = [] }
        try await Self.handedOff("c-w3", on: server)
        let body = ChatwootDeliveries.agentMessage(id: 1, conversation: 1024, ourID: "c-w3")
        #expect(try await server.deliver(body).status == 401)
        #expect(try await Self.types("c-w3", on: server).contains("agent.message") == false)
        #expect(server.metrics.registry.value(
            of: "handoff_webhook_verifications_failed_total", labels: ["reason": "notConfigured"]) == 1)
        try await server.stop()
    }

    @Test("one delivery replayed five times, and the same message in five deliveries, give one event")
    func replays() async throws {
        let server = try await TestServer.start()
        try await Self.handedOff("c-w4", on: server)
        let body = ChatwootDeliveries.agentMessage(id: 77, conversation: 1024, ourID: "c-w4")
        let headers = ChatwootDeliveries.headers(for: body)
        var statuses: [String?] = []
        for _ in 0..<5 { statuses.append(string(try await server.deliver(body, headers: headers)["status"])) }
        #expect(statuses == ["appended", "duplicate", "duplicate", "duplicate", "duplicate"])
        for _ in 0..<5 { #expect(try await server.deliver(body).status == 200) }
        #expect(try await Self.types("c-w4", on: server).filter { $0 == "agent.message" }.count == 1)
        try await server.stop()
    }

    @Test("changes that are already the state (our own writes echoed back) answer 200 and write nothing")
    func echoes() async throws {
        let server = try await TestServer.start()
        try await Self.handedOff("c-w5", on: server, team: 3)
        let before = try await server.store.headPosition()
        // The saga assigned team 3; Chatwoot reports that change back.
        let echo = try await server.deliver(ChatwootDeliveries.teamChanged(conversation: 1024, ourID: "c-w5", team: 3, updatedAt: 1_781_950_515.9))
        #expect(echo.status == 200)
        #expect(string(echo["status"]) == "unchanged")
        #expect(try await server.store.headPosition() == before)
        // Our own message posted through the API comes back marked with our source id.
        let ours = try await server.deliver(
            ChatwootDeliveries.agentMessage(id: 5, conversation: 1024, ourID: "c-w5", sourceID: SupportMarker.prefix + "x"))
        #expect(string(ours["status"]) == "ignored")
        #expect(try await server.store.headPosition() == before)

        // A real transfer and an assignment are recorded; the same assignment again is not.
        #expect(string(try await server.deliver(
            ChatwootDeliveries.teamChanged(conversation: 1024, ourID: "c-w5", team: 4, updatedAt: 1_781_950_600))["status"]) == "appended")
        #expect(string(try await server.deliver(
            ChatwootDeliveries.assigned(conversation: 1024, ourID: "c-w5", agent: 12, name: "Ben", team: 4, updatedAt: 1_781_950_700))["status"]) == "appended")
        #expect(string(try await server.deliver(
            ChatwootDeliveries.assigned(conversation: 1024, ourID: "c-w5", agent: 12, name: "Ben", team: 4, updatedAt: 1_781_950_800))["status"]) == "unchanged")
        let state = try await server.get("/v1/conversations/c-w5")
        #expect(string(state["mode"]) == "withAgent")
        #expect(integer(state["team"]) == 4)

        // The bot platform closes the session; Chatwoot's resolve after it changes nothing.
        #expect(try await server.append("c-w5", [Wire.closed()]).status == 201)
        let closedAt = try await server.store.headPosition()
        let resolve = try await server.deliver(ChatwootDeliveries.resolved(conversation: 1024, ourID: "c-w5", updatedAt: 1_781_950_900))
        #expect(string(resolve["status"]) == "unchanged")
        #expect(try await server.store.headPosition() == closedAt)
        try await server.stop()
    }

    @Test("a resolve in Chatwoot closes the session")
    func resolve() async throws {
        let server = try await TestServer.start()
        try await Self.handedOff("c-w6", on: server)
        let answer = try await server.deliver(ChatwootDeliveries.resolved(conversation: 1024, ourID: "c-w6", updatedAt: 1_781_950_900))
        #expect(string(answer["status"]) == "appended")
        #expect(string(try await server.get("/v1/conversations/c-w6")["mode"]) == "closed")
        try await server.stop()
    }

    @Test("unknown events, conversations that are not ours and stale Chatwoot conversations answer 200 and write nothing")
    func ignored() async throws {
        let server = try await TestServer.start()
        try await Self.handedOff("c-w7", on: server)
        let head = try await server.store.headPosition()
        let unknown = try await server.deliver(ChatwootDeliveries.contactCreated())
        #expect(unknown.status == 200)
        #expect(string(unknown["status"]) == "ignored")
        let foreign = try await server.deliver(ChatwootDeliveries.agentMessage(id: 3, conversation: 555, ourID: nil))
        #expect(foreign.status == 200)
        #expect(string(foreign["status"]) == "ignored")
        let notInLog = try await server.deliver(ChatwootDeliveries.agentMessage(id: 4, conversation: 556, ourID: "c-nobody"))
        #expect(string(notInLog["status"]) == "ignored")
        // A resolve of an earlier session's Chatwoot conversation does not close the current session.
        let stale = try await server.deliver(ChatwootDeliveries.resolved(conversation: 999, ourID: "c-w7", updatedAt: 1_781_950_900))
        #expect(string(stale["status"]) == "unchanged")
        #expect(try await server.store.headPosition() == head)
        let garbage = try await server.deliver(Data("not json".utf8))
        #expect(garbage.status == 400)
        try await server.stop()
    }

    @Test("a delivery without our conversation id is matched through the read models")
    func readModelLookup() async throws {
        let server = try await TestServer.start()
        try await Self.handedOff("c-w8", on: server)
        let head = try await server.store.headPosition()
        let models = ReadModels(store: server.store)
        // Wait until the projection runner applied the opened conversation (bounded, not timed).
        for _ in 0..<1000 where try await models.checkpoint() < head { try await Task.sleep(for: .milliseconds(10)) }
        #expect(try await models.checkpoint() >= head)
        let answer = try await server.deliver(ChatwootDeliveries.agentMessage(id: 8, conversation: 1024, ourID: nil))
        #expect(string(answer["status"]) == "appended")
        #expect(try await Self.types("c-w8", on: server).last == "agent.message")
        try await server.stop()
    }
}
