import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Testing

/// The error a call failed with, or nil when it succeeded.
func failure<T>(_ call: () async throws(ChatwootError) -> T) async -> ChatwootError? {
    do {
        _ = try await call()
        return nil
    } catch {
        return error
    }
}

@Suite("Chatwoot client against the simulator")
struct ChatwootClientTests {
    @Test("contacts: create with identifier and contact inbox, get, exact lookup, search, contact inbox")
    func contacts() async throws {
        let harness = try await SimulatorHarness.start()
        let client = harness.client
        let created = try await client.createContact(
            ChatwootNewContact(inboxID: 1, sourceID: "handoff:c-1:1", name: "Jane Doe", identifier: "user-123"))
        #expect(created.contact.identifier == "user-123")
        #expect(created.contact.name == "Jane Doe")
        #expect(created.sourceID == "handoff:c-1:1")

        #expect(try await client.contact(id: created.contact.id).identifier == "user-123")
        // The exact lookup is case-insensitive in Chatwoot, and never a substring match.
        #expect(try await client.findContacts(identifier: "USER-123").map(\.id) == [created.contact.id])
        #expect(try await client.findContacts(identifier: "user-12").isEmpty)
        #expect(try await client.searchContacts(query: "user-12").map(\.id) == [created.contact.id])

        let inbox = try await client.createContactInbox(contactID: created.contact.id, sourceID: "handoff:c-1:2")
        #expect(inbox.sourceID == "handoff:c-1:2")
        #expect(inbox.inboxID == 1)
        await harness.stop()
    }

    @Test("a second contact with the same identifier is a 422 that says the identifier is taken")
    func duplicateIdentifier() async throws {
        let harness = try await SimulatorHarness.start()
        _ = try await harness.client.createContact(ChatwootNewContact(inboxID: 1, identifier: "user-7"))
        let error = await failure { () async throws(ChatwootError) in
            try await harness.client.createContact(ChatwootNewContact(inboxID: 1, identifier: "user-7"))
        }
        guard case .rejected(let rejection)? = error else {
            Issue.record("expected a rejection, got \(String(describing: error))")
            return
        }
        #expect(rejection.status == 422)
        #expect(rejection.body.saysAlreadyTaken)
        #expect(rejection.body.attributes == ["identifier"])
        #expect(error?.mayHaveTakenEffect == false)
        await harness.stop()
    }

    @Test("conversations: create with source id, team and marker; get; list by source id; filter")
    func conversations() async throws {
        let harness = try await SimulatorHarness.start()
        let client = harness.client
        let contact = try await client.createContact(ChatwootNewContact(inboxID: 1, sourceID: "handoff:c-2:1", identifier: "user-2"))
        let created = try await client.createConversation(
            ChatwootNewConversation(
                sourceID: "handoff:c-2:1", inboxID: 1, contactID: contact.contact.id, status: .open, teamID: 4,
                customAttributes: [SupportMarker.conversationAttribute: "c-2"]))
        #expect(created.status == .open)
        #expect(created.team?.id == 4)
        #expect(created.contactID == contact.contact.id)
        #expect(created.customAttributes[SupportMarker.conversationAttribute] == "c-2")

        let fetched = try await client.conversation(id: created.id)
        #expect(fetched.id == created.id)
        #expect(fetched.inboxID == 1)

        let page = try await client.conversations(ChatwootConversationQuery(sourceID: "handoff:c-2:1"))
        #expect(page.conversations.map(\.id) == [created.id])
        #expect(try await client.conversations(ChatwootConversationQuery(sourceID: "handoff:c-9:1")).conversations.isEmpty)

        let filtered = try await client.filterConversations([
            ChatwootFilterCondition(attributeKey: "team_id", values: ["4"])
        ])
        #expect(filtered.conversations.map(\.id) == [created.id])
        await harness.stop()
    }

    @Test("creating a conversation twice creates two: Chatwoot has no idempotency there")
    func conversationCreateIsNotIdempotent() async throws {
        let harness = try await SimulatorHarness.start()
        let first = try await harness.contactAndConversation(identifier: "c-3")
        let again = try await harness.client.createConversation(
            ChatwootNewConversation(
                sourceID: SupportMarker.sessionSourceID(conversationID: "c-3", session: 1), inboxID: 1,
                contactID: first.contact.contact.id))
        #expect(again.id != first.conversation.id)
        let page = try await harness.client.conversations(
            ChatwootConversationQuery(sourceID: SupportMarker.sessionSourceID(conversationID: "c-3", session: 1)))
        #expect(Set(page.conversations.map(\.id)) == [first.conversation.id, again.id])
        await harness.stop()
    }

    @Test("messages: incoming and outgoing with source id and content attributes, listed oldest first")
    func messages() async throws {
        let harness = try await SimulatorHarness.start()
        let client = harness.client
        let (_, conversation) = try await harness.contactAndConversation()
        let marker = SupportMarker.messageSourceID(commandID: UUID())
        let incoming = try await client.createMessage(
            conversation: conversation.id,
            ChatwootNewMessage(
                content: "I want a refund", messageType: .incoming, sourceID: marker,
                contentAttributes: [SupportMarker.messageCommandAttribute: "x"]))
        #expect(incoming.messageType == .incoming)
        #expect(incoming.sourceID == marker)
        #expect(incoming.sender?.type == .contact)
        let outgoing = try await client.createMessage(
            conversation: conversation.id, ChatwootNewMessage(content: "Let me find someone", messageType: .outgoing))
        #expect(outgoing.messageType == .outgoing)
        #expect(!outgoing.isPrivate)

        let all = try await client.messages(conversation: conversation.id)
        #expect(all.map(\.id) == [incoming.id, outgoing.id])
        #expect(all.first?.content == "I want a refund")
        #expect(try await client.messages(conversation: conversation.id, after: incoming.id).map(\.id) == [outgoing.id])
        #expect(try await client.messages(conversation: conversation.id, before: outgoing.id).map(\.id) == [incoming.id])
        await harness.stop()
    }

    @Test("team assignment: a known team is returned; an unknown one answers null and Chatwoot drops the team")
    func assignTeam() async throws {
        let harness = try await SimulatorHarness.start()
        let client = harness.client
        let (_, conversation) = try await harness.contactAndConversation()
        #expect(try await client.assignTeam(conversation: conversation.id, team: 7)?.id == 7)
        #expect(try await client.conversation(id: conversation.id).team?.id == 7)
        #expect(try await client.assignTeam(conversation: conversation.id, team: 99) == nil)
        #expect(try await client.conversation(id: conversation.id).team == nil)
        await harness.stop()
    }

    @Test("agent assignment, status set explicitly (a repeat converges), teams and agents listed")
    func assignmentStatusAndLists() async throws {
        let harness = try await SimulatorHarness.start()
        let client = harness.client
        let (_, conversation) = try await harness.contactAndConversation()
        let agents = try await client.agents()
        let agent = try #require(agents.first)
        #expect(try await client.assignAgent(conversation: conversation.id, agent: agent.id)?.id == agent.id)
        #expect(try await client.conversation(id: conversation.id).assignee?.id == agent.id)

        #expect(try await client.setStatus(conversation: conversation.id, .resolved).currentStatus == .resolved)
        #expect(try await client.setStatus(conversation: conversation.id, .resolved).currentStatus == .resolved)
        #expect(try await client.conversation(id: conversation.id).status == .resolved)
        #expect(try await client.setStatus(conversation: conversation.id, .pending).currentStatus == .pending)

        #expect(try await client.teams().map(\.id) == [1, 4, 7, 9])
        await harness.stop()
    }

    @Test("Chatwoot's error shapes: wrong token 401, unknown conversation 404, both with Chatwoot's message")
    func errors() async throws {
        let harness = try await SimulatorHarness.start()
        let wrongToken = harness.client(token: "wrong")
        let unauthorized = await failure { () async throws(ChatwootError) in try await wrongToken.teams() }
        #expect(unauthorized?.status == 401)
        if case .rejected(let rejection)? = unauthorized {
            #expect(rejection.body.message == "Invalid Access Token")
        } else {
            Issue.record("expected a rejection, got \(String(describing: unauthorized))")
        }
        let missing = await failure { () async throws(ChatwootError) in try await harness.client.conversation(id: 4242) }
        #expect(missing?.status == 404)
        if case .rejected(let rejection)? = missing {
            #expect(rejection.body.message == "Resource could not be found")
            #expect(rejection.endpoint == "GET /api/v1/accounts/1/conversations/4242")
        }
        await harness.stop()
    }

    @Test("the token never appears in the configuration's description")
    func tokenIsNotPrinted() {
        let configuration = ChatwootConfiguration(baseURL: "http://127.0.0.1:1/", accountID: 1, inboxID: 1, apiToken: "s3cr3t")
        #expect(!configuration.description.contains("s3cr3t"))
        #expect(configuration.baseURL == "http://127.0.0.1:1")
    }
}
