import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Testing

/// A query string's parameters, decoded.
func queryItems(_ query: String?) -> [String: String] {
    var components = URLComponents()
    components.percentEncodedQuery = query
    var items: [String: String] = [:]
    for item in components.queryItems ?? [] { items[item.name] = item.value ?? "" }
    return items
}

@Suite("Chatwoot contract")
struct ChatwootContractTests {
    /// Every call the client has, successes and Chatwoot's refusals alike.
    func exerciseClient(_ harness: SimulatorHarness) async throws {
        let client = harness.client
        let (contact, conversation) = try await harness.contactAndConversation(identifier: "c-contract")
        _ = try await client.contact(id: contact.contact.id)
        _ = try await client.findContacts(identifier: "c-contract")
        _ = try await client.searchContacts(query: "contract")
        _ = try await client.createContactInbox(contactID: contact.contact.id, sourceID: "handoff:c-contract:2")
        _ = try await client.conversation(id: conversation.id)
        _ = try await client.conversations(ChatwootConversationQuery(sourceID: "handoff:c-contract:1"))
        _ = try await client.conversations(ChatwootConversationQuery(status: .open, inboxID: 1, teamID: 4, page: 2))
        _ = try await client.filterConversations([
            ChatwootFilterCondition(attributeKey: "status", values: ["open"], queryOperator: "AND"),
            ChatwootFilterCondition(attributeKey: "inbox_id", values: ["1"]),
        ])
        let marker = SupportMarker.messageSourceID(commandID: UUID())
        let message = try await client.createMessage(
            conversation: conversation.id,
            ChatwootNewMessage(
                content: "I want a refund", messageType: .incoming, sourceID: marker,
                contentAttributes: [SupportMarker.messageCommandAttribute: .string(marker)]))
        _ = try await client.createMessage(
            conversation: conversation.id, ChatwootNewMessage(content: "Our bot answered", messageType: .outgoing, sourceID: marker))
        _ = try await client.messages(conversation: conversation.id)
        _ = try await client.messages(conversation: conversation.id, after: message.id)
        _ = try await client.assignTeam(conversation: conversation.id, team: 4)
        _ = try await client.assignTeam(conversation: conversation.id, team: 99)
        let agents = try await client.agents()
        if let agent = agents.first {
            _ = try await client.assignAgent(conversation: conversation.id, agent: agent.id)
        }
        _ = try await client.setStatus(conversation: conversation.id, .resolved)
        _ = try await client.teams()
        // Refusals: a taken identifier (422), an unknown conversation (404), a wrong token (401).
        _ = await failure { () async throws(ChatwootError) in
            try await client.createContact(ChatwootNewContact(inboxID: 1, identifier: "c-contract"))
        }
        _ = await failure { () async throws(ChatwootError) in try await client.conversation(id: 999_999) }
        _ = await failure { () async throws(ChatwootError) in try await harness.client(token: "wrong").teams() }
    }

    @Test("every request the client sends is valid under Chatwoot's published document, and every answer has Chatwoot's shape")
    func clientAndSimulatorKeepTheContract() async throws {
        let contract = try ChatwootContract.load()
        #expect(contract.commit == "97bb8ecd326299c46eacea74863976427c96fe94")
        let harness = try await SimulatorHarness.start()
        try await exerciseClient(harness)
        let exchanges = harness.simulator.exchanges()
        await harness.stop()

        var operationsSeen: Set<String> = []
        var statusesSeen: Set<Int> = []
        for exchange in exchanges {
            let request = contract.checkRequest(
                method: exchange.method, path: exchange.path, query: queryItems(exchange.query),
                body: Data(exchange.requestBody))
            #expect(request.isEmpty, "\(exchange.method) \(exchange.path): \(request)")
            if let status = exchange.responseStatus, let body = exchange.responseBody {
                statusesSeen.insert(status)
                let response = contract.checkResponse(
                    method: exchange.method, path: exchange.path, status: status, body: Data(body))
                #expect(response.isEmpty, "\(exchange.method) \(exchange.path) \(status): \(response)")
            }
            if let operation = contract.operation(method: exchange.method, path: exchange.path) {
                operationsSeen.insert(operation.id)
            }
        }
        // The test covered every operation of the contract, and Chatwoot's three error shapes.
        #expect(operationsSeen == Set(contract.operations.map(\.id)))
        #expect(statusesSeen.isSuperset(of: [200, 401, 404, 422]))
    }

    @Test("the contract check finds what breaks it")
    func contractCheckFindsViolations() throws {
        let contract = try ChatwootContract.load()
        let conversations = "/api/v1/accounts/1/conversations"
        // A conversation without its required source_id, and a field the document does not have.
        let missing = contract.checkRequest(
            method: "POST", path: conversations, query: [:], body: Data(#"{"inbox_id": 1, "contact_id": 2, "echo": 1}"#.utf8))
        #expect(missing.contains { $0.contains("body.source_id is required") })
        #expect(missing.contains { $0.contains("body.echo is not a field") })
        // A status outside the document's enumeration, an id of the wrong type.
        let wrongTypes = contract.checkRequest(
            method: "POST", path: conversations, query: [:],
            body: Data(#"{"source_id": "s", "inbox_id": "1", "status": "closed"}"#.utf8))
        #expect(wrongTypes.contains { $0.contains("body.inbox_id is a string, not integer") })
        #expect(wrongTypes.contains { $0.contains("body.status is \"closed\"") })
        // An unassignment by null is not valid under the document (assignee_id is a number).
        #expect(!contract.checkRequest(
            method: "POST", path: "\(conversations)/3/assignments", query: [:], body: Data(#"{"assignee_id": null}"#.utf8)).isEmpty)
        // A path that is not ours, a query parameter the document lacks, a path parameter of the wrong type.
        #expect(!contract.checkRequest(method: "POST", path: "\(conversations)/3/toggle_typing_status", query: [:], body: nil).isEmpty)
        #expect(!contract.checkRequest(method: "GET", path: conversations, query: ["sort": "x"], body: nil).isEmpty)
        #expect(!contract.checkRequest(method: "GET", path: "\(conversations)/abc", query: [:], body: nil).isEmpty)
        // Answers: a message_type written as a string (as in webhooks, not the REST API), an error body of another shape.
        let message = #"{"id": 1, "content": "x", "inbox_id": 1, "conversation_id": 1, "message_type": "incoming", "content_type": "text", "content_attributes": {}, "created_at": 1, "private": false, "source_id": null, "sender": null}"#
        #expect(contract.checkResponse(method: "POST", path: "\(conversations)/1/messages", status: 200, body: Data(message.utf8))
            .contains { $0.contains("message_type is a string") })
        #expect(!contract.checkResponse(method: "GET", path: "\(conversations)/1", status: 404, body: Data(#"{"description": "x"}"#.utf8)).isEmpty)
        // And a valid message passes.
        let valid = message.replacingOccurrences(of: #""message_type": "incoming""#, with: #""message_type": 0"#)
        #expect(contract.checkResponse(method: "POST", path: "\(conversations)/1/messages", status: 200, body: Data(valid.utf8)).isEmpty)
    }
}
