import NIOCore
import NIOHTTP1
import Testing

@testable import ChatwootSimulator

@Suite("Assignments API")
struct AssignmentTests {
    private func setUp(_ client: SimulatorClient) async throws -> Int {
        let contact = try await client.createContact(identifier: "u")
        return try await client.createConversation(contactID: contact, sourceID: "s")
    }

    @Test("team_id alone assigns the team and answers the raw team record")
    func team() async throws {
        try await withSimulator { _, client in
            let cid = try await self.setUp(client)
            let answer = try await client.api(.POST, "conversations/\(cid)/assignments", json: #"{"team_id": 4}"#)
            #expect(answer.status == 200)
            #expect(answer.json.keys == ["id", "name", "description", "allow_auto_assign", "account_id", "created_at", "updated_at"])
            #expect(answer.json["id"]?.int == 4)
            let shown = try await client.api(.GET, "conversations/\(cid)")
            #expect(shown.json["meta"]?["team"]?["id"]?.int == 4)
        }
    }

    @Test("an unknown or null team un-teams the conversation and answers 200 null")
    func unknownTeam() async throws {
        try await withSimulator { _, client in
            let cid = try await self.setUp(client)
            _ = try await client.api(.POST, "conversations/\(cid)/assignments", json: #"{"team_id": 4}"#)
            let unknown = try await client.api(.POST, "conversations/\(cid)/assignments", json: #"{"team_id": 3}"#)
            #expect(unknown.status == 200)
            #expect(unknown.text == "null")
            let shown = try await client.api(.GET, "conversations/\(cid)")
            #expect(shown.json["meta"]?["team"] == nil)

            _ = try await client.api(.POST, "conversations/\(cid)/assignments", json: #"{"team_id": 7}"#)
            let null = try await client.api(.POST, "conversations/\(cid)/assignments", json: #"{"team_id": null}"#)
            #expect(null.text == "null")
            #expect(try await client.api(.GET, "conversations/\(cid)").json["meta"]?["team"] == nil)
        }
    }

    @Test("with an assignee_id key, team_id is ignored; an unknown or null assignee unassigns and answers null")
    func assigneeWins() async throws {
        try await withSimulator { _, client in
            let cid = try await self.setUp(client)
            let both = try await client.api(.POST, "conversations/\(cid)/assignments", json: #"{"assignee_id": 2, "team_id": 4}"#)
            #expect(both.status == 200)
            #expect(both.json["id"]?.int == 2)
            #expect(both.json["name"]?.string == "Bob Agent")
            let shown = try await client.api(.GET, "conversations/\(cid)")
            #expect(shown.json["meta"]?["assignee"]?["id"]?.int == 2)
            #expect(shown.json["meta"]?["assignee_type"]?.string == "User")
            #expect(shown.json["meta"]?["team"] == nil)

            let unknown = try await client.api(.POST, "conversations/\(cid)/assignments", json: #"{"assignee_id": 4242, "team_id": 4}"#)
            #expect(unknown.text == "null")
            let after = try await client.api(.GET, "conversations/\(cid)")
            #expect(after.json["meta"]?["assignee"] == nil)
            #expect(after.json["meta"]?["team"] == nil)

            let neither = try await client.api(.POST, "conversations/\(cid)/assignments", json: "{}")
            #expect(neither.status == 200)
            #expect(neither.text == "null")
        }
    }

    @Test("a team change unassigns an agent who is not a member of the new team")
    func teamChangeUnassigns() async throws {
        try await withSimulator { _, client in
            let cid = try await self.setUp(client)
            _ = try await client.api(.POST, "conversations/\(cid)/assignments", json: #"{"assignee_id": 2}"#)
            // Bob is in teams 4 and 7: moving to 4 keeps him.
            _ = try await client.api(.POST, "conversations/\(cid)/assignments", json: #"{"team_id": 4}"#)
            #expect(try await client.api(.GET, "conversations/\(cid)").json["meta"]?["assignee"]?["id"]?.int == 2)
            // Team 9 has only Carol: Bob is unassigned.
            _ = try await client.api(.POST, "conversations/\(cid)/assignments", json: #"{"team_id": 9}"#)
            let shown = try await client.api(.GET, "conversations/\(cid)")
            #expect(shown.json["meta"]?["assignee"] == nil)
            #expect(shown.json["meta"]?["team"]?["id"]?.int == 9)
        }
    }

    @Test("assignments, team changes and status changes leave activity messages (type 2, no sender)")
    func activityMessages() async throws {
        try await withSimulator { _, client in
            let cid = try await self.setUp(client)
            _ = try await client.api(.POST, "conversations/\(cid)/assignments", json: #"{"team_id": 4}"#)
            _ = try await client.api(.POST, "conversations/\(cid)/toggle_status", json: #"{"status": "resolved"}"#)
            let messages = try await client.api(.GET, "conversations/\(cid)/messages")
            let payload = messages.json["payload"]?.arrayValue ?? []
            #expect(payload.count == 2)
            #expect(payload.allSatisfy { $0["message_type"]?.int == 2 && $0["sender"] == nil })
            #expect(payload.first?["content"]?.string == "Assigned to Team 4 by Handoff Service")
        }
    }
}
