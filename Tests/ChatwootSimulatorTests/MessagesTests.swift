import NIOCore
import NIOHTTP1
import Testing

@testable import ChatwootSimulator

@Suite("Messages API")
struct MessagesTests {
    @Test("POST messages answers the message with an integer type, echo_id only there, status sent")
    func create() async throws {
        try await withSimulator { _, client in
            let contact = try await client.createContact(identifier: "u")
            let cid = try await client.createConversation(contactID: contact, sourceID: "s")
            let incoming = try await client.postMessage(
                cid,
                #"{"content": "I want a refund", "message_type": "incoming", "source_id": "m-1", "echo_id": "e-1"}"#
            )
            #expect(incoming.status == 200)
            #expect(
                incoming.json.keys == [
                    "id", "content", "inbox_id", "echo_id", "conversation_id", "message_type", "content_type", "status",
                    "content_attributes", "created_at", "private", "source_id", "sender",
                ])
            #expect(incoming.json["message_type"]?.int == 0)
            #expect(incoming.json["conversation_id"]?.int == cid)
            #expect(incoming.json["echo_id"]?.string == "e-1")
            #expect(incoming.json["source_id"]?.string == "m-1")
            #expect(incoming.json["status"]?.string == "sent")
            #expect(incoming.json["sender"]?["type"]?.string == "contact")
            #expect(incoming.json["sender"]?["id"]?.int == contact)

            let outgoing = try await client.postMessage(
                cid,
                #"{"content": "Bot here", "content_attributes": "{\"marker\": \"cmd-1\"}"}"#
            )
            #expect(outgoing.json["message_type"]?.int == 1)
            #expect(outgoing.json["content_attributes"] == ["marker": "cmd-1"])
            #expect(outgoing.json["sender"]?["type"]?.string == "user")
            #expect(outgoing.json["echo_id"] == nil)

            let asBot = try await client.postMessage(cid, #"{"content": "Bot turn", "sender_type": "AgentBot", "sender_id": 1}"#)
            #expect(asBot.json["sender"]?["type"]?.string == "agent_bot")

            let listed = try await client.api(.GET, "conversations/\(cid)/messages")
            #expect(listed.json["payload"]?[0]?["echo_id"] == nil)
            #expect(listed.json["payload"]?[0]?["source_id"]?.string == "m-1")

            let invalid = try await client.postMessage(cid, #"{"content": "x", "message_type": "shout"}"#)
            #expect(invalid.status == 422)
            #expect(invalid.json == ["error": "'shout' is not a valid message_type"])
            let missing = try await client.postMessage(999, #"{"content": "x"}"#)
            #expect(missing.status == 404)
        }
    }

    @Test("source_id is not unique: a second post creates a second message, reported in stats")
    func duplicateSourceID() async throws {
        try await withSimulator { simulator, client in
            let contact = try await client.createContact(identifier: "u")
            let cid = try await client.createConversation(contactID: contact, sourceID: "s")
            let first = try await client.postMessage(cid, #"{"content": "same", "source_id": "cmd-7"}"#)
            let second = try await client.postMessage(cid, #"{"content": "same", "source_id": "cmd-7"}"#)
            #expect(first.status == 200)
            #expect(second.status == 200)
            #expect(first.json["id"] != second.json["id"])

            let stats = simulator.stats()
            #expect(stats.creates.messages == 2)
            #expect(stats.duplicateMessageSourceIDs == [.init(conversation: cid, sourceID: "cmd-7", count: 2)])

            let served = try await client.send(.GET, "/__sim/stats")
            #expect(served.json["duplicateMessageSourceIDs"] == [["conversation": .int(cid), "sourceID": "cmd-7", "count": 2]])
            #expect(served.json["creates"]?["messages"]?.int == 2)
        }
    }

    @Test("messages list: last 20, before (20 older), after (up to 100 newer), both; in id order")
    func cursors() async throws {
        try await withSimulator { _, client in
            let contact = try await client.createContact(identifier: "u")
            let cid = try await client.createConversation(contactID: contact, sourceID: "s")
            var ids: [Int] = []
            for index in 1...30 {
                let answer = try await client.postMessage(cid, #"{"content": "m\#(index)", "message_type": "incoming"}"#)
                ids.append(try #require(answer.json["id"]?.int))
            }
            func listed(_ query: String) async throws -> [Int] {
                let answer = try await client.api(.GET, "conversations/\(cid)/messages\(query)")
                return (answer.json["payload"]?.arrayValue ?? []).compactMap { $0["id"]?.int }
            }
            #expect(try await listed("") == Array(ids.suffix(20)))
            #expect(try await listed("?before=\(ids[25])") == Array(ids[5..<25]))
            #expect(try await listed("?after=\(ids[25])") == Array(ids[26...]))
            #expect(try await listed("?after=\(ids[2])&before=\(ids[6])") == Array(ids[3..<6]))
            let meta = try await client.api(.GET, "conversations/\(cid)/messages")
            #expect(meta.json["meta"]?["contact"]?["id"]?.int == contact)
        }
    }

    @Test("the flood guard refuses the 201st message within a minute with 422 Too many messages")
    func floodGuard() async throws {
        try await withSimulator { _, client in
            let contact = try await client.createContact(identifier: "u")
            let cid = try await client.createConversation(contactID: contact, sourceID: "s")
            for index in 1...200 {
                let answer = try await client.postMessage(cid, #"{"content": "m\#(index)"}"#)
                #expect(answer.status == 200)
                if answer.status != 200 { return }
            }
            let refused = try await client.postMessage(cid, #"{"content": "one too many"}"#)
            #expect(refused.status == 422)
            #expect(refused.json == ["error": "Validation failed: Too many messages"])
        }
    }

    @Test("an incoming message re-opens a resolved conversation")
    func reopen() async throws {
        try await withSimulator { _, client in
            let contact = try await client.createContact(identifier: "u")
            let cid = try await client.createConversation(contactID: contact, sourceID: "s")
            _ = try await client.api(.POST, "conversations/\(cid)/toggle_status", json: #"{"status": "resolved"}"#)
            _ = try await client.postMessage(cid, #"{"content": "our reply", "message_type": "outgoing"}"#)
            #expect(try await client.api(.GET, "conversations/\(cid)").json["status"]?.string == "resolved")
            _ = try await client.postMessage(cid, #"{"content": "anyone?", "message_type": "incoming"}"#)
            #expect(try await client.api(.GET, "conversations/\(cid)").json["status"]?.string == "open")
        }
    }
}
