import EventStore
import Foundation
import HandoffSaga
import Testing
import TestSupport

/// A webhook sample from `fixtures/chatwoot`, as bytes.
func chatwootSample(_ name: String) throws -> Data {
    try Data(contentsOf: fixturesFolder().appendingPathComponent("chatwoot/\(name)"))
}

/// A sample with some top-level fields replaced, as Chatwoot would send a variant of it.
func chatwootSample(_ name: String, replacing fields: [String: JSONValue]) throws -> Data {
    guard case .object(var object) = try JSONValue(jsonData: chatwootSample(name)) else {
        throw ContractError("\(name) is not an object")
    }
    for (key, value) in fields { object[key] = value }
    return try JSONValue.object(object).canonicalData()
}

@Suite("Webhook translation")
struct WebhookTranslatorTests {
    let translator = WebhookTranslator(accountID: 1)

    @Test("an agent's public reply becomes agent.message with the agent and an id derived from the message id")
    func agentReply() throws {
        let translation = try translator.translate(chatwootSample("04_message_created_outgoing_agent.json"))
        #expect(translation.chatwootEvent == "message_created")
        #expect(translation.chatwootConversationID == 1024)
        let event = try #require(translation.events.first)
        #expect(translation.events.count == 1)
        #expect(
            event.event
                == .agentMessage(
                    AgentMessage(messageId: 90007, agentId: 5, agentName: "Alice Agent", text: "Hi Jane, I can update that for you.")))
        #expect(event.eventID == DeterministicID.uuid("chatwoot/1/message/90007"))
        #expect(event.occurredAt == Date(timeIntervalSince1970: 1_781_950_530.402))
        // The sample's conversation carries another system's attribute, not ours.
        #expect(translation.conversationID == nil)
    }

    @Test("our conversation id is read from the conversation's custom attribute")
    func ourConversationID() throws {
        guard case .object(var conversation)? = try JSONValue(jsonData: chatwootSample("04_message_created_outgoing_agent.json"))["conversation"]
        else { throw ContractError("no conversation") }
        conversation["custom_attributes"] = [SupportMarker.conversationAttribute: "c-1001"]
        let body = try chatwootSample("04_message_created_outgoing_agent.json", replacing: ["conversation": .object(conversation)])
        #expect(try translator.translate(body).conversationID == "c-1001")
        let status = try chatwootSample(
            "05_conversation_status_changed_resolved.json",
            replacing: ["custom_attributes": [SupportMarker.conversationAttribute: "c-1001"]])
        #expect(try translator.translate(status).conversationID == "c-1001")
    }

    @Test("the same delivery translated twice gives the same event ids")
    func redeliveryGivesTheSameIDs() throws {
        for name in ["03_conversation_updated_team_assigned.json", "04_message_created_outgoing_agent.json",
                     "05_conversation_status_changed_resolved.json"] {
            let first = try translator.translate(chatwootSample(name), receivedAt: Date(timeIntervalSince1970: 1))
            let second = try translator.translate(chatwootSample(name), receivedAt: Date(timeIntervalSince1970: 2))
            #expect(first.events.map(\.eventID) == second.events.map(\.eventID), "\(name)")
            #expect(!first.events.isEmpty, "\(name)")
        }
        // Another account's message 90007 is another fact.
        let other = try WebhookTranslator(accountID: 2).translate(chatwootSample("04_message_created_outgoing_agent.json"))
        #expect(other.events.map(\.eventID) != (try translator.translate(chatwootSample("04_message_created_outgoing_agent.json"))).events.map(\.eventID))
    }

    @Test("our own messages echoed back, private notes, incoming and bot messages are not relayed")
    func echoesAreIgnored() throws {
        let echo = try chatwootSample(
            "04_message_created_outgoing_agent.json",
            replacing: ["source_id": .string(SupportMarker.messageSourceID(commandID: UUID()))])
        let translation = try translator.translate(echo)
        #expect(translation.events.isEmpty)
        #expect(translation.ignoredBecause?.contains("posted by this service") == true)

        let note = try chatwootSample("04_message_created_outgoing_agent.json", replacing: ["private": true])
        #expect(try translator.translate(note).events.isEmpty)

        #expect(try translator.translate(chatwootSample("02_message_created_incoming_echo.json")).events.isEmpty)

        let bot = try chatwootSample(
            "04_message_created_outgoing_agent.json",
            replacing: ["sender": ["id": 2, "name": "Support bot", "type": "agent_bot"]])
        #expect(try translator.translate(bot).events.isEmpty)
    }

    @Test("a team set by an agent becomes agent.team_changed with the new team")
    func teamChange() throws {
        let translation = try translator.translate(chatwootSample("03_conversation_updated_team_assigned.json"))
        #expect(translation.events.map(\.event) == [.agentTeamChanged(AgentTeamChanged(team: 3))])
        #expect(translation.chatwootConversationID == 1024)
    }

    @Test("an assignment becomes agent.assigned with the agent's id and name and the team")
    func assignment() throws {
        let body = try chatwootSample(
            "03_conversation_updated_team_assigned.json",
            replacing: [
                "changed_attributes": [["assignee_id": ["previous_value": nil, "current_value": 5]]],
                "meta": ["assignee": ["id": 5, "name": "Alice Agent", "type": "user"], "team": ["id": 3, "name": "support"]],
            ])
        let translation = try translator.translate(body)
        #expect(translation.events.map(\.event) == [.agentAssigned(AgentAssigned(agentId: 5, agentName: "Alice Agent", team: 3))])
        let unassigned = try chatwootSample(
            "03_conversation_updated_team_assigned.json",
            replacing: [
                "changed_attributes": [["assignee_id": ["previous_value": 5, "current_value": nil]]],
                "meta": ["assignee": nil, "team": ["id": 3, "name": "support"]],
            ])
        #expect(try translator.translate(unassigned).events.map(\.event) == [.agentAssigned(AgentAssigned(agentId: nil, team: 3))])
    }

    @Test("resolved closes the session by the agent; pending hands it back; open and snoozed close nothing")
    func statusChanges() throws {
        let resolved = try translator.translate(chatwootSample("05_conversation_status_changed_resolved.json"))
        #expect(resolved.events.map(\.event) == [.sessionClosed(SessionClosed(by: .agent, reason: "resolved"))])
        #expect(resolved.events.first?.occurredAt == Date(timeIntervalSince1970: 1_781_950_601.55))

        let pending = try translator.translate(
            chatwootSample("05_conversation_status_changed_resolved.json", replacing: ["status": "pending"]))
        #expect(pending.events.map(\.event) == [.sessionClosed(SessionClosed(by: .agent, reason: "handed_back"))])

        for status in ["open", "snoozed"] {
            let other = try translator.translate(
                chatwootSample("05_conversation_status_changed_resolved.json", replacing: ["status": .string(status)]))
            #expect(other.events.isEmpty, "\(status)")
        }
    }

    @Test("a status change seen in conversation_updated gives the same event as conversation_status_changed")
    func statusInUpdateIsTheSameEvent() throws {
        let statusChanged = try translator.translate(chatwootSample("05_conversation_status_changed_resolved.json"))
        let updated = try translator.translate(
            chatwootSample(
                "05_conversation_status_changed_resolved.json",
                replacing: [
                    "event": "conversation_updated",
                    "changed_attributes": [["status": ["previous_value": "open", "current_value": "resolved"]]],
                ]))
        #expect(updated.events.map(\.eventID) == statusChanged.events.map(\.eventID))
    }

    @Test("unknown events are ignored with a reason, never an error; a body that is not Chatwoot's is an error")
    func unknownAndInvalid() throws {
        let created = try translator.translate(chatwootSample("01_conversation_created.json"))
        #expect(created.events.isEmpty)
        #expect(created.ignoredBecause != nil)
        let typing = try translator.translate(Data(#"{"event":"conversation_typing_on","user":{}}"#.utf8))
        #expect(typing.events.isEmpty)
        #expect(throws: WebhookPayloadError.self) { try translator.translate(Data("not json".utf8)) }
        #expect(throws: WebhookPayloadError.self) { try translator.translate(Data(#"{"id": 1}"#.utf8)) }
        #expect(throws: WebhookPayloadError.self) { try translator.translate(Data(#"{"event":"message_created"}"#.utf8)) }
    }

    @Test("one delivery replayed five times appends one event")
    func replayedDeliveryAppendsOnce() async throws {
        let folder = try TemporaryDirectory()
        let store = try SQLiteEventStore(path: folder.path("events.sqlite"))
        let stream = try StreamID.conversation("c-1001")
        let codec = EventCodec()
        let vector = try SigningVector.load()
        let verifier = WebhookVerifier(secrets: [vector.secret])
        for _ in 1...5 {
            _ = try verifier.verify(body: vector.body, headers: vector.headers, now: vector.signedAt)
            let translation = try translator.translate(vector.body)
            let events = try translation.events.map {
                try codec.encode($0.event, eventID: $0.eventID, occurredAt: $0.occurredAt)
            }
            _ = try await store.append(events, to: stream, expected: .any)
        }
        let stored = try await store.readStream(stream, from: 0, limit: 100)
        #expect(stored.count == 1)
        #expect(stored.first?.type == "agent.message")
        await store.close()
    }
}
