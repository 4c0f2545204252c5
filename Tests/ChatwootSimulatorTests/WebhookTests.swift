import Crypto
import NIOCore
import NIOHTTP1
import Testing

@testable import ChatwootSimulator

@Suite("Webhooks the simulator sends")
struct WebhookTests {
    // Key lists as in the webhook samples (01..05).
    static let conversationEventKeys = [
        "additional_attributes", "can_reply", "channel", "contact_inbox", "id", "inbox_id", "messages", "labels", "meta",
        "status", "custom_attributes", "snoozed_until", "unread_count", "first_reply_created_at", "priority",
        "waiting_since", "agent_last_seen_at", "contact_last_seen_at", "last_activity_at", "timestamp", "created_at",
        "updated_at", "account", "event",
    ]
    static let contactInboxKeys = [
        "id", "contact_id", "inbox_id", "source_id", "created_at", "updated_at", "hmac_verified", "pubsub_token",
    ]
    static let pushMessageKeys = [
        "id", "content", "account_id", "inbox_id", "conversation_id", "message_type", "created_at", "updated_at",
        "private", "status", "source_id", "content_type", "content_attributes", "sender_type", "sender_id",
        "external_source_ids", "additional_attributes", "processed_message_content", "sentiment", "conversation", "sender",
    ]
    static let metaKeys = ["sender", "assignee", "assignee_type", "team", "hmac_verified"]
    static let contactPushKeys = [
        "additional_attributes", "custom_attributes", "email", "id", "identifier", "name", "phone_number", "thumbnail",
        "blocked", "type",
    ]
    static let messageEventKeys = [
        "account", "additional_attributes", "content_attributes", "content_type", "content", "conversation", "created_at",
        "id", "inbox", "message_type", "private", "sender", "source_id", "event",
    ]
    static let contactSenderKeys = [
        "account", "additional_attributes", "avatar", "custom_attributes", "email", "id", "identifier", "name",
        "phone_number", "thumbnail", "blocked",
    ]

    /// Recomputes the signature independently: sha256= + hex HMAC-SHA256(secret, "{timestamp}.{body}").
    private func expectedSignature(_ delivery: WebhookReceiver.Delivery, secret: String) -> String? {
        guard let timestamp = delivery.headers["x-chatwoot-timestamp"] else { return nil }
        var message = Array(timestamp.utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: delivery.body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + mac.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    private func conversation(_ client: SimulatorClient) async throws -> Int {
        let contact = try await client.createContact(identifier: "user-123")
        return try await client.createConversation(contactID: contact, sourceID: "sess-1")
    }

    @Test("deliveries are JSON, carry a delivery id and timestamp, and are signed over timestamp.body")
    func signed() async throws {
        try await withWebhooks(secret: "s3cret") { simulator, client, receiver in
            _ = try await self.conversation(client)
            let deliveries = try await receiver.waitFor(count: 1)
            let delivery = try #require(deliveries.first)
            #expect(delivery.headers["content-type"] == "application/json")
            #expect(delivery.headers["x-chatwoot-delivery"]?.count == 36)
            let timestamp = try #require(delivery.headers["x-chatwoot-timestamp"].flatMap { Int($0) })
            #expect(timestamp > 1_700_000_000)
            let signature = try #require(delivery.headers["x-chatwoot-signature"])
            #expect(signature == self.expectedSignature(delivery, secret: "s3cret"))
            #expect(signature != self.expectedSignature(delivery, secret: "other"))

            let recorded = try #require(simulator.webhookDeliveries().first)
            #expect(recorded.deliveryID == delivery.headers["x-chatwoot-delivery"])
            #expect(recorded.body == delivery.body)
            #expect(recorded.signature == signature)
        }
    }

    @Test("without a secret, deliveries are sent unsigned")
    func unsigned() async throws {
        try await withWebhooks(secret: nil) { _, client, receiver in
            _ = try await self.conversation(client)
            let delivery = try #require(try await receiver.waitFor(count: 1).first)
            #expect(delivery.headers["x-chatwoot-signature"] == nil)
            #expect(delivery.headers["x-chatwoot-timestamp"] == nil)
            #expect(delivery.headers["x-chatwoot-delivery"] != nil)
        }
    }

    @Test("conversation_created and an API-posted incoming message (the echo) have the samples' shapes")
    func createdAndEcho() async throws {
        try await withWebhooks { _, client, receiver in
            let cid = try await self.conversation(client)
            _ = try await client.postMessage(cid, #"{"content": "Can a human help me?", "message_type": "incoming", "source_id": "bot-msg-0003"}"#)
            let deliveries = try await receiver.waitFor(count: 2)
            let created = try #require(deliveries.first { $0.event == "conversation_created" }).json
            #expect(created.keys == Self.conversationEventKeys)
            #expect(created["id"]?.int == cid)
            #expect(created["channel"]?.string == "Channel::Api")
            #expect(created["contact_inbox"]?.keys == Self.contactInboxKeys)
            #expect(created["contact_inbox"]?["source_id"]?.string == "sess-1")
            #expect(created["meta"]?.keys == Self.metaKeys)
            #expect(created["meta"]?["sender"]?.keys == Self.contactPushKeys)
            #expect(created["meta"]?["team"] == .null)
            #expect(created["account"]?.keys == ["id", "name"])

            let echo = try #require(deliveries.first { $0.event == "message_created" }).json
            #expect(echo.keys == Self.messageEventKeys)
            #expect(echo["message_type"]?.string == "incoming")
            #expect(echo["source_id"]?.string == "bot-msg-0003")
            #expect(echo["private"] == false)
            #expect(echo["sender"]?.keys == Self.contactSenderKeys)
            #expect(echo["sender"]?["identifier"]?.string == "user-123")
            #expect(echo["inbox"]?.keys == ["id", "name"])
            let nested = try #require(echo["conversation"])
            #expect(nested.keys == Array(Self.conversationEventKeys.dropLast()))
            #expect(nested["messages"]?[0]?.keys == Self.pushMessageKeys)
            #expect(nested["messages"]?[0]?["message_type"]?.int == 0)
            #expect(nested["messages"]?[0]?["conversation"]?.keys == ["assignee_id", "unread_count", "last_activity_at", "contact_inbox"])
            #expect(echo["created_at"]?.string?.hasSuffix("Z") == true)
        }
    }

    @Test("an agent's reply is message_created, outgoing, with a user sender {id, name, email, type}")
    func agentReply() async throws {
        try await withWebhooks { simulator, client, receiver in
            let cid = try await self.conversation(client)
            _ = try await client.postMessage(cid, #"{"content": "Can a human help me?", "message_type": "incoming"}"#)
            #expect(try await client.api(.GET, "conversations/\(cid)").json["unread_count"]?.int == 1)
            try await simulator.assign(conversation: cid, agent: 1)
            let messageID = try await simulator.agentReply(conversation: cid, agent: 1, content: "Hi Jane, I can update that for you.")
            let deliveries = try await receiver.waitFor(count: 4)
            let reply = try #require(deliveries.last { $0.event == "message_created" }).json
            // The agent had the conversation open: the contact's message is read.
            #expect(reply["conversation"]?["unread_count"]?.int == 0)
            #expect(reply["id"]?.int == messageID)
            #expect(reply["message_type"]?.string == "outgoing")
            #expect(reply["source_id"] == .null)
            #expect(reply["sender"] == ["id": 1, "name": "Alice Agent", "email": "alice@example.com", "type": "user"])
            let pushed = try #require(reply["conversation"]?["messages"]?[0])
            #expect(pushed["message_type"]?.int == 1)
            #expect(pushed["sender"]?.keys == ["id", "name", "available_name", "avatar_url", "type", "availability_status", "thumbnail"])
            #expect(reply["conversation"]?["meta"]?["assignee"]?["id"]?.int == 1)
            #expect(reply["conversation"]?["meta"]?["assignee_type"]?.string == "User")
        }
    }

    @Test("a private note is sent too, flagged private")
    func privateNote() async throws {
        try await withWebhooks { simulator, client, receiver in
            let cid = try await self.conversation(client)
            try await simulator.agentReply(conversation: cid, agent: 2, content: "internal", isPrivate: true)
            let note = try #require(try await receiver.waitFor(count: 2).first { $0.event == "message_created" }).json
            #expect(note["private"] == true)
        }
    }

    @Test("a team change through the API is conversation_updated with changed_attributes team_id")
    func teamChange() async throws {
        try await withWebhooks { _, client, receiver in
            let cid = try await self.conversation(client)
            _ = try await client.api(.POST, "conversations/\(cid)/assignments", json: #"{"team_id": 4}"#)
            let updated = try #require(try await receiver.waitFor(count: 2).first { $0.event == "conversation_updated" }).json
            #expect(updated.keys == Self.conversationEventKeys + ["changed_attributes"])
            #expect(updated["changed_attributes"]?[0] == ["team_id": ["previous_value": nil, "current_value": 4]])
            #expect(updated["changed_attributes"]?[1]?.keys == ["updated_at"])
            #expect(updated["meta"]?["team"] == ["id": 4, "name": "Team 4"])
        }
    }

    @Test("a simulated transfer and assignment are conversation_updated too")
    func simulatedTransfer() async throws {
        try await withWebhooks { simulator, client, receiver in
            let cid = try await self.conversation(client)
            try await simulator.assign(conversation: cid, agent: 2)
            try await simulator.transfer(conversation: cid, team: 9)
            let updates = try await receiver.waitFor(count: 3).filter { $0.event == "conversation_updated" }.map(\.json)
            #expect(updates.count == 2)
            #expect(updates.first?["changed_attributes"]?[0] == ["assignee_id": ["previous_value": nil, "current_value": 2]])
            // Bob is not in team 9: the transfer unassigns him in the same update.
            #expect(updates.last?["changed_attributes"]?[0] == ["team_id": ["previous_value": nil, "current_value": 9]])
            #expect(updates.last?["changed_attributes"]?[1] == ["assignee_id": ["previous_value": 2, "current_value": nil]])
            #expect(updates.last?["meta"]?["assignee"] == .null)
        }
    }

    @Test("resolving is conversation_status_changed (status resolved, changed_attributes null), then conversation_updated")
    func resolved() async throws {
        try await withWebhooks { simulator, client, receiver in
            let cid = try await self.conversation(client)
            try await simulator.setStatus(conversation: cid, status: "resolved")
            let deliveries = try await receiver.waitFor(count: 3)
            #expect(deliveries.map(\.event) == ["conversation_created", "conversation_status_changed", "conversation_updated"])
            let changed = deliveries[1].json
            #expect(changed["status"]?.string == "resolved")
            #expect(changed["changed_attributes"] == .null)
            #expect(changed.keys == Self.conversationEventKeys + ["changed_attributes"])
            #expect(deliveries[2].json["changed_attributes"]?[0] == ["status": ["previous_value": "open", "current_value": "resolved"]])

            try await simulator.setStatus(conversation: cid, status: "pending")
            let handBack = try await receiver.waitFor(count: 5)[3].json
            #expect(handBack["status"]?.string == "pending")
        }
    }

    @Test("dropWebhooks and POST /__sim/webhooks/drop drop the next deliveries on purpose")
    func drop() async throws {
        try await withWebhooks { simulator, client, receiver in
            simulator.dropWebhooks(next: 1)
            let cid = try await self.conversation(client)
            _ = try await client.postMessage(cid, #"{"content": "kept", "message_type": "incoming"}"#)
            let kept = try await receiver.waitFor(count: 1)
            #expect(kept.map(\.event) == ["message_created"])

            let dropRoute = try await client.send(.POST, "/__sim/webhooks/drop", json: #"{"count": 1}"#)
            #expect(dropRoute.status == 200)
            _ = try await client.postMessage(cid, #"{"content": "dropped", "message_type": "incoming"}"#)
            _ = try await client.postMessage(cid, #"{"content": "kept too", "message_type": "incoming"}"#)
            let all = try await receiver.waitFor(count: 2)
            #expect(all.last?.json["content"]?.string == "kept too")

            let recorded = simulator.webhookDeliveries()
            #expect(recorded.map(\.dropped) == [true, false, true, false])
            #expect(recorded.first?.event == "conversation_created")
            let stats = simulator.stats()
            #expect(stats.webhooksDropped == 2)
            #expect(stats.webhooksSent == 2)
            #expect(receiver.deliveries.count == 2)
        }
    }

    @Test("a webhook URL set while the simulator runs receives what happens from then on, and nothing before")
    func webhookURLSetWhileRunning() async throws {
        let receiver = WebhookReceiver()
        let url = try await receiver.start()
        try await withSimulator { simulator, client in
            let contact = try await client.createContact(identifier: "user-123")
            let before = try await client.createConversation(contactID: contact, sourceID: "sess-1")
            #expect(simulator.webhookDeliveries().isEmpty)
            simulator.setWebhookURL(url)
            let after = try await client.createConversation(contactID: contact, sourceID: "sess-2")
            let first = try #require(try await receiver.waitFor(count: 1).first)
            #expect(first.event == "conversation_created")
            #expect(first.json["id"]?.int == after)
            #expect(receiver.deliveries.allSatisfy { $0.json["id"]?.int != before })
        }
        await receiver.stop()
    }

    @Test("a receiver's status and a failed connection are recorded, without retry")
    func outcomes() async throws {
        let receiver = WebhookReceiver(status: 500)
        let url = try await receiver.start()
        try await withSimulator(configure: {
            $0.webhookURL = url
            $0.webhookSecret = "x"
        }) { simulator, client in
            _ = try await self.conversation(client)
            try await receiver.waitFor(count: 1)
            for _ in 0..<250 where !(simulator.webhookDeliveries().first?.isFinished ?? false) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(simulator.webhookDeliveries().first?.statusCode == 500)
            try await Task.sleep(for: .milliseconds(100))
            #expect(receiver.deliveries.count == 1)
        }
        await receiver.stop()
    }
}
