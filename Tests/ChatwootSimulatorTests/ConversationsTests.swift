import NIOCore
import NIOHTTP1
import Testing

@testable import ChatwootSimulator

@Suite("Conversations API")
struct ConversationsTests {
    static let conversationKeys = [
        "meta", "id", "messages", "account_id", "uuid", "additional_attributes", "agent_last_seen_at",
        "assignee_last_seen_at", "can_reply", "contact_last_seen_at", "custom_attributes", "inbox_id", "labels", "muted",
        "snoozed_until", "status", "created_at", "updated_at", "timestamp", "first_reply_created_at", "unread_count",
        "last_non_activity_message", "last_activity_at", "priority", "waiting_since", "sla_policy_id",
    ]

    @Test("POST conversations always creates a new one with display ids 1, 2, 3 and answers the full JSON")
    func create() async throws {
        try await withSimulator { simulator, client in
            let contact = try await client.createContact(identifier: "u-1")
            let first = try await client.api(
                .POST,
                "conversations",
                json: #"{"inbox_id": 1, "contact_id": \#(contact), "source_id": "sess-1", "custom_attributes": {"bot_session_id": "sess-1"}}"#
            )
            #expect(first.status == 200)
            #expect(first.json.keys == Self.conversationKeys)
            #expect(first.json["id"]?.int == 1)
            #expect(first.json["status"]?.string == "open")
            #expect(first.json["inbox_id"]?.int == 1)
            #expect(first.json["messages"] == [])
            #expect(first.json["custom_attributes"] == ["bot_session_id": "sess-1"])
            #expect(first.json["meta"]?.keys == ["sender", "channel", "hmac_verified"])
            #expect(first.json["meta"]?["sender"]?["id"]?.int == contact)

            let second = try await client.api(.POST, "conversations", json: #"{"inbox_id": 1, "contact_id": \#(contact), "source_id": "sess-1"}"#)
            #expect(second.json["id"]?.int == 2)
            let stats = simulator.stats()
            #expect(stats.creates.conversations == 2)
            #expect(stats.duplicateConversationSourceIDs == [.init(sourceID: "sess-1", count: 2, conversations: [1, 2])])
        }
    }

    @Test("status, team and a first message are honoured on create")
    func createWithOptions() async throws {
        try await withSimulator { _, client in
            let contact = try await client.createContact(identifier: "u-1")
            let answer = try await client.api(
                .POST,
                "conversations",
                json:
                    #"{"inbox_id": 1, "contact_id": \#(contact), "source_id": "s", "status": "pending", "team_id": 4, "message": {"content": "hello", "message_type": "incoming"}}"#
            )
            #expect(answer.json["status"]?.string == "pending")
            #expect(answer.json["meta"]?["team"]?["id"]?.int == 4)
            #expect(answer.json["meta"]?["team"]?["name"]?.string == "Team 4")
            #expect(answer.json["messages"]?[0]?["content"]?.string == "hello")
            #expect(answer.json["messages"]?[0]?["message_type"]?.int == 0)
            #expect(answer.json["unread_count"]?.int == 1)
        }
    }

    @Test("unknown inbox or contact is 404; a source id of another contact is 422 source_id should be unique")
    func createErrors() async throws {
        try await withSimulator { _, client in
            let contact = try await client.createContact(identifier: "u-1")
            let other = try await client.createContact(identifier: "u-2")
            let badInbox = try await client.api(.POST, "conversations", json: #"{"inbox_id": 9, "contact_id": \#(contact)}"#)
            #expect(badInbox.status == 404)
            #expect(badInbox.json == ["error": "Resource could not be found"])
            let badContact = try await client.api(.POST, "conversations", json: #"{"inbox_id": 1, "contact_id": 999999}"#)
            #expect(badContact.status == 404)
            let noSource = try await client.api(.POST, "conversations", json: #"{"source_id": "never-seen"}"#)
            #expect(noSource.status == 404)

            _ = try await client.createConversation(contactID: contact, sourceID: "shared")
            let conflict = try await client.api(.POST, "conversations", json: #"{"inbox_id": 1, "contact_id": \#(other), "source_id": "shared"}"#)
            #expect(conflict.status == 422)
            #expect(conflict.json == ["error": "source_id should be unique"])

            // The legacy path: source id alone finds the contact inbox.
            let bySource = try await client.api(.POST, "conversations", json: #"{"source_id": "shared"}"#)
            #expect(bySource.status == 200)
            #expect(bySource.json["meta"]?["sender"]?["id"]?.int == contact)
        }
    }

    @Test("GET conversations filters by status (default open, all) and source_id, 25 a page, with counts")
    func list() async throws {
        try await withSimulator { _, client in
            let contact = try await client.createContact(identifier: "u-1")
            for index in 1...27 {
                _ = try await client.createConversation(contactID: contact, sourceID: "s-\(index)")
            }
            _ = try await client.api(.POST, "conversations/3/toggle_status", json: #"{"status": "resolved"}"#)
            _ = try await client.api(.POST, "conversations/4/assignments", json: #"{"assignee_id": 1}"#)

            let open = try await client.api(.GET, "conversations")
            #expect(
                open.json["data"]?["meta"] == [
                    "mine_count": 0, "assigned_count": 1, "unassigned_count": 25, "all_count": 26,
                ])
            #expect(open.json["data"]?["payload"]?.count == 25)
            let page2 = try await client.api(.GET, "conversations?page=2")
            #expect(page2.json["data"]?["payload"]?.count == 1)

            let resolved = try await client.api(.GET, "conversations?status=resolved")
            #expect(resolved.json["data"]?["payload"]?.count == 1)
            #expect(resolved.json["data"]?["payload"]?[0]?["id"]?.int == 3)

            let bySource = try await client.api(.GET, "conversations?source_id=s-3&status=all")
            #expect(bySource.json["data"]?["payload"]?.count == 1)
            #expect(bySource.json["data"]?["payload"]?[0]?["id"]?.int == 3)
            let bySourceOpen = try await client.api(.GET, "conversations?source_id=s-3")
            #expect(bySourceOpen.json["data"]?["payload"]?.count == 0)

            let assigned = try await client.api(.GET, "conversations?assignee_type=assigned")
            #expect(assigned.json["data"]?["payload"]?.count == 1)
        }
    }

    @Test("POST conversations/filter matches status, team, display id and custom attributes")
    func filter() async throws {
        try await withSimulator { _, client in
            let contact = try await client.createContact(identifier: "u-1")
            _ = try await client.createConversation(contactID: contact, sourceID: "a", extra: #", "custom_attributes": {"bot_session_id": "A-1"}"#)
            _ = try await client.createConversation(contactID: contact, sourceID: "b", extra: #", "team_id": 7"#)
            func filter(_ conditions: String) async throws -> HTTPAnswer {
                try await client.api(.POST, "conversations/filter", json: #"{"payload": [\#(conditions)]}"#)
            }
            let byAttribute = try await filter(#"{"attribute_key": "bot_session_id", "filter_operator": "equal_to", "values": ["a-1"]}"#)
            #expect(byAttribute.status == 200)
            #expect(byAttribute.json["payload"]?.count == 1)
            #expect(byAttribute.json["payload"]?[0]?["id"]?.int == 1)
            #expect(byAttribute.json["meta"]?["all_count"]?.int == 1)

            let byTeam = try await filter(#"{"attribute_key": "team_id", "filter_operator": "equal_to", "values": [7]}"#)
            #expect(byTeam.json["payload"]?[0]?["id"]?.int == 2)

            let either = try await filter(
                #"{"attribute_key": "display_id", "filter_operator": "equal_to", "values": ["1"], "query_operator": "or"}, {"attribute_key": "status", "filter_operator": "equal_to", "values": ["open"]}"#
            )
            #expect(either.json["payload"]?.count == 2)

            let badOperator = try await filter(#"{"attribute_key": "status", "filter_operator": "starts_with", "values": ["o"]}"#)
            #expect(badOperator.status == 422)
        }
    }

    @Test("toggle_status sets an explicit status idempotently, and toggles without one")
    func toggleStatus() async throws {
        try await withSimulator { _, client in
            let contact = try await client.createContact(identifier: "u-1")
            let cid = try await client.createConversation(contactID: contact, sourceID: "s")
            func toggle(_ body: String) async throws -> HTTPAnswer {
                try await client.api(.POST, "conversations/\(cid)/toggle_status", json: body)
            }
            let pending = try await toggle(#"{"status": "pending"}"#)
            #expect(
                pending.json == [
                    "meta": [:],
                    "payload": ["success": true, "conversation_id": .int(cid), "current_status": "pending", "snoozed_until": nil],
                ])
            let again = try await toggle(#"{"status": "pending"}"#)
            #expect(again.json["payload"]?["success"] == true)
            #expect(again.json["payload"]?["current_status"]?.string == "pending")

            let fromPending = try await toggle("{}")
            #expect(fromPending.json["payload"]?["current_status"]?.string == "open")
            let fromOpen = try await toggle("{}")
            #expect(fromOpen.json["payload"]?["current_status"]?.string == "resolved")
            let fromResolved = try await toggle("{}")
            #expect(fromResolved.json["payload"]?["current_status"]?.string == "open")

            let shown = try await client.api(.GET, "conversations/\(cid)")
            #expect(shown.json["status"]?.string == "open")
        }
    }
}
