import EventStore
import Foundation
import HandoffSaga
import NIOHTTP1

/// Chatwoot webhook bodies shaped as Chatwoot sends them (the members the translator reads), and their signatures.
enum ChatwootDeliveries {
    /// `message_created` of an agent's public reply.
    static func agentMessage(
        id: Int, conversation: Int, ourID: String?, text: String = "Hi, I can help with that.",
        sourceID: String? = nil, createdAt: Int64 = 1_781_950_530
    ) -> Data {
        body([
            "event": "message_created", "id": .integer(Int64(id)), "content": .string(text),
            "message_type": "outgoing", "private": false, "source_id": sourceID.map(JSONValue.string) ?? .null,
            "created_at": .integer(createdAt), "sender": ["id": 5, "name": "Alice Agent", "type": "user"],
            "conversation": ["id": .integer(Int64(conversation)), "status": "open", "custom_attributes": attributes(ourID)],
            "account": ["id": .integer(Int64(TestServer.accountID))],
        ])
    }

    /// `conversation_updated` moving the conversation to `team`.
    static func teamChanged(conversation: Int, ourID: String?, team: Int, updatedAt: Double) -> Data {
        body([
            "event": "conversation_updated", "id": .integer(Int64(conversation)), "status": "open",
            "custom_attributes": attributes(ourID), "meta": ["team": ["id": .integer(Int64(team)), "name": "Team"]],
            "changed_attributes": [["team_id": ["previous_value": .null, "current_value": .integer(Int64(team))]]],
            "updated_at": .double(updatedAt), "timestamp": .integer(Int64(updatedAt)),
        ])
    }

    /// `conversation_updated` assigning agent `agent` of `team`.
    static func assigned(conversation: Int, ourID: String?, agent: Int, name: String, team: Int, updatedAt: Double) -> Data {
        body([
            "event": "conversation_updated", "id": .integer(Int64(conversation)), "status": "open",
            "custom_attributes": attributes(ourID),
            "meta": [
                "assignee": ["id": .integer(Int64(agent)), "name": .string(name)],
                "team": ["id": .integer(Int64(team)), "name": "Team"],
            ],
            "changed_attributes": [["assignee_id": ["previous_value": .null, "current_value": .integer(Int64(agent))]]],
            "updated_at": .double(updatedAt), "timestamp": .integer(Int64(updatedAt)),
        ])
    }

    /// `conversation_status_changed` to resolved.
    static func resolved(conversation: Int, ourID: String?, updatedAt: Double) -> Data {
        body([
            "event": "conversation_status_changed", "id": .integer(Int64(conversation)), "status": "resolved",
            "custom_attributes": attributes(ourID), "updated_at": .double(updatedAt),
        ])
    }

    /// An event this service does not use.
    static func contactCreated() -> Data {
        body(["event": "contact_created", "id": 42, "name": "Jane"])
    }

    /// The signing headers for `body`, signed now with `secret`.
    static func headers(
        for body: Data, secret: String = TestServer.webhookSecret, delivery: String = UUID().uuidString,
        timestamp: Int64 = Int64(Date().timeIntervalSince1970)
    ) -> [(String, String)] {
        [
            ("X-Chatwoot-Signature", WebhookVerifier.signature(secret: secret, timestamp: timestamp, body: body)),
            ("X-Chatwoot-Timestamp", String(timestamp)), ("X-Chatwoot-Delivery", delivery),
        ]
    }

    private static func attributes(_ ourID: String?) -> JSONValue {
        guard let ourID else { return [:] }
        return .object([SupportMarker.conversationAttribute: .string(ourID)])
    }

    private static func body(_ value: JSONValue) -> Data {
        // Every value here is finite.
        (try? value.canonicalData()) ?? Data()
    }
}

extension TestServer {
    /// Posts a webhook delivery, signed unless `headers` are given.
    func deliver(_ body: Data, headers: [(String, String)]? = nil) async throws -> Answer {
        try await request(
            .POST, "/v1/webhooks/chatwoot", body: body, token: nil,
            headers: headers ?? ChatwootDeliveries.headers(for: body))
    }
}
