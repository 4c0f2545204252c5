import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Testing

/// Fixture conversations completed over real HTTP on loopback: the bot platform's events go to handoffd's API, the
/// saga carries the handoff to a simulated Chatwoot, and a simulated agent answers, assigns and resolves there; its
/// signed webhooks come back to handoffd.
@Suite("End to end: handoffd, the saga and a simulated Chatwoot", .serialized)
struct EndToEndTests {
    /// What Chatwoot and handoffd must hold at the end of a fixture, written by hand from the fixture and the routing
    /// tables (`routing/default.json`, and `routing/changed.json` where a handoff records routing version 2).
    struct Expected {
        /// The Chatwoot contact of every conversation, as "name (identifier)"; nil when nothing reached Chatwoot.
        var contact: String?
        /// The Chatwoot conversations, one per handoff, oldest first.
        var chatwoot: [InChatwoot]
        /// handoffd's `mode` at the end.
        var mode: String
        /// Fixture lines (0-based) the API refuses with 409, with the rule it names.
        var refused: [Int: String] = [:]
        /// Fixture lines the API answers 200 (a redelivery, nothing written).
        var redelivered: Set<Int> = []
    }

    /// One Chatwoot conversation: its team, status, assigned agent and messages in order (activity notes left out).
    struct InChatwoot {
        var team: Int
        var status: String
        var assignee: Int?
        var messages: [String]
    }

    static let expectations: [(fixture: String, expected: Expected)] = [
        (
            "c-01",
            Expected(
                contact: "User c-01 (u-c-01)",
                chatwoot: [
                    InChatwoot(
                        team: 1, status: "resolved", assignee: 11,
                        messages: [
                            "incoming: Can I talk to a person?", "outgoing: Hi, I am Ada. How can I help?",
                            "incoming: Thanks, all sorted.",
                        ])
                ],
                mode: "closed")
        ),
        (
            "c-02",
            Expected(
                contact: "User c-02 (u-c-02)",
                chatwoot: [
                    InChatwoot(
                        team: 3, status: "open", assignee: 12,
                        messages: [
                            "incoming: I want a refund for order 1234", "outgoing: Which item?",
                            "incoming: the blue one, no wait, all of them",
                        ])
                ],
                mode: "withAgent")
        ),
        (
            "c-03",
            Expected(
                contact: "User c-03 (u-c-03)",
                chatwoot: [
                    InChatwoot(
                        team: 3, status: "open", assignee: nil,
                        messages: ["incoming: where is my parcel, and my invoice is wrong"])
                ],
                mode: "queued")
        ),
        (
            "c-04",
            Expected(
                contact: "User c-04 (u-c-04)",
                chatwoot: [
                    InChatwoot(team: 1, status: "open", assignee: nil, messages: ["incoming: I need leave next week"])
                ],
                mode: "queued")
        ),
        (
            "c-05",
            Expected(
                contact: "User c-05 (u-c-05)",
                chatwoot: [
                    InChatwoot(team: 7, status: "resolved", assignee: 13, messages: ["incoming: My test skill is broken"])
                ],
                mode: "closed")
        ),
        (
            "c-06",
            Expected(
                contact: "User c-06 (u-c-06)",
                chatwoot: [
                    InChatwoot(
                        team: 4, status: "open", assignee: nil,
                        messages: [
                            "incoming: human please", "outgoing: Which team? 3 billing, 4 delivery", "incoming: delivery",
                        ])
                ],
                mode: "queued")
        ),
        (
            "c-07",
            Expected(
                contact: "User c-07 (u-c-07)",
                chatwoot: [
                    InChatwoot(
                        team: 4, status: "resolved", assignee: 14,
                        messages: ["incoming: refund for a late delivery", "outgoing: This is for delivery, moving you."])
                ],
                mode: "closed")
        ),
        (
            "c-08",
            Expected(
                contact: "User c-08 (u-c-08)",
                chatwoot: [
                    InChatwoot(team: 1, status: "resolved", assignee: 11, messages: ["incoming: agent please"]),
                    InChatwoot(team: 3, status: "open", assignee: 12, messages: ["incoming: hello again, refund please"]),
                ],
                mode: "withAgent")
        ),
        (
            "c-09",
            Expected(
                contact: "User c-09 (u-c-09)",
                chatwoot: [
                    InChatwoot(team: 1, status: "resolved", assignee: 11, messages: ["incoming: person please", "outgoing: Hi"])
                ],
                mode: "closed", refused: [4: "humanOwnsSession"])
        ),
        (
            "c-10",
            Expected(contact: nil, chatwoot: [], mode: "bot", redelivered: [2])
        ),
        (
            "c-11",
            Expected(
                contact: "User c-11 (u-c-11)",
                chatwoot: [
                    InChatwoot(team: 3, status: "resolved", assignee: nil, messages: ["incoming: my invoice is wrong"]),
                    InChatwoot(team: 4, status: "open", assignee: nil, messages: ["incoming: another invoice is wrong"]),
                ],
                mode: "queued")
        ),
        (
            "c-12",
            Expected(
                contact: "User c-12 (u-c-12)",
                chatwoot: [InChatwoot(team: 4, status: "resolved", assignee: nil, messages: ["incoming: delivery question"])],
                mode: "closed")
        ),
    ]

    @Test("a fixture conversation reaches its team with its transcript, the agent's actions come back, once each",
          arguments: expectations.map(\.fixture))
    func fixture(_ name: String) async throws {
        let expected = try #require(Self.expectations.first { $0.fixture == name }?.expected)
        let world = try await ChatwootWorld.start()
        do {
            let answers = try await world.play(name)
            for (line, answer) in answers.sorted(by: { $0.key < $1.key }) {
                if let rule = expected.refused[line] {
                    #expect(answer.status == 409, "line \(line): \(answer.text)")
                    #expect(string(answer["rule"]) == rule, "line \(line): \(answer.text)")
                } else if expected.redelivered.contains(line) {
                    #expect(answer.status == 200, "line \(line): \(answer.text)")
                } else {
                    #expect(answer.status == 201, "line \(line): \(answer.text)")
                }
            }

            let conversations = try await world.chatwootConversations()
            #expect(conversations.count == expected.chatwoot.count)
            for (index, (conversation, wanted)) in zip(conversations, expected.chatwoot).enumerated() {
                #expect(conversation.team?.id == wanted.team, "conversation \(index + 1)")
                #expect(conversation.status.rawValue == wanted.status, "conversation \(index + 1)")
                #expect(conversation.assignee?.id == wanted.assignee, "conversation \(index + 1)")
                let messages = try await world.chatwoot.messages(conversation: conversation.id)
                    .filter { $0.messageType != .activity }
                    .map { "\($0.messageType.name): \($0.content ?? "")" }
                #expect(messages == wanted.messages, "conversation \(index + 1)")
                let contact = try await world.chatwoot.contact(id: try #require(conversation.contactID))
                #expect("\(contact.name ?? "") (\(contact.identifier ?? ""))" == expected.contact)
            }

            let state = try #require(try await world.server.get("/v1/conversations/\(name)").json)
            #expect(state["mode"] == .string(expected.mode))
            #expect(integer(state["support"]?["conversationId"]) == conversations.last.map { Int64($0.id) })

            let stats = world.simulator.stats()
            #expect(stats.duplicateMessageSourceIDs.isEmpty)
            #expect(stats.duplicateConversationSourceIDs.isEmpty)
            #expect(stats.creates.conversations == expected.chatwoot.count)
            #expect(stats.creates.contacts == (expected.contact == nil ? 0 : 1))
            #expect(world.simulator.webhookDeliveries().allSatisfy { $0.statusCode == 200 })
            #expect(try await world.outbox.depth()[.dead] == 0)
        } catch {
            await world.stop()
            throw error
        }
        await world.stop()
    }

    @Test("after an agent resolves, the next user message opens a new session for the bot, and a second handoff gets a second Chatwoot conversation")
    func nextSession() async throws {
        let world = try await ChatwootWorld.start()
        do {
            try await world.play("c-01")
            let first = try await world.supportConversation("c-01")
            _ = try await world.server.append(
                "c-01", [Self.event("user.message", ["messageId": "m-9", "text": "One more thing"])])
            var state = try #require(try await world.server.get("/v1/conversations/c-01").json)
            #expect(state["mode"] == "bot")
            #expect(integer(state["session"]) == 2)
            _ = try await world.server.append(
                "c-01", [Self.event("handoff.requested", ["reason": "user_asked"])])
            let second = try await world.supportConversation("c-01", other: first)
            #expect(second != first)
            let messages = try await world.chatwoot.messages(conversation: second)
                .filter { $0.messageType != .activity }.map { $0.content ?? "" }
            #expect(messages == ["One more thing"])
            state = try #require(try await world.server.get("/v1/conversations/c-01").json)
            #expect(state["mode"] == "queued")
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
