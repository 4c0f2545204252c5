import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Projections
import Testing

/// A conversation up to its handoff request: started, two turns, an unfinished billing skill.
func conversationUpToHandoff(_ harness: SagaHarness, _ conversation: String, userID: String = "user-42") async throws {
    try await harness.append(
        conversation,
        [
            .conversationStarted(ConversationStarted(channel: "web", userId: userID, user: UserProfile(name: "Jane Doe"))),
            .userMessage(UserMessage(messageId: "m-1", text: "My invoice is wrong")),
            .skillStarted(SkillChange(skill: "acme.billing.Invoice")),
            .botMessage(BotMessage(messageId: "m-2", text: "Which invoice?", skill: "acme.billing.Invoice")),
            .userMessage(UserMessage(messageId: "m-3", text: "I want a human")),
            .handoffRequested(HandoffRequested(reason: "user_asked")),
        ])
}

/// Chatwoot's messages in a conversation, as (type, text) pairs, oldest first.
func transcript(_ harness: SagaHarness, conversation: Int) async throws -> [String] {
    try await harness.chatwoot.client.messages(conversation: conversation).map {
        "\($0.messageType.name): \($0.content ?? "")"
    }
}

@Suite("Handoff saga", .serialized)
struct SagaTests {
    @Test("a handoff reaches the routed team with its transcript, once, and every outcome is in the log")
    func handoffReachesTheTeam() async throws {
        let harness = try await SagaHarness.start()
        try await conversationUpToHandoff(harness, "c-1")
        try await harness.settle()

        let events = try await harness.events("c-1")
        let routed = events.compactMap { if case .handoffRouted(let routed) = $0 { routed } else { nil } }
        #expect(routed == [HandoffRouted(team: 4, rule: "skill:acme.billing.*", routingVersion: 1)])

        let conversations = try await harness.chatwoot.client.conversations(ChatwootConversationQuery())
        let conversation = try #require(conversations.conversations.first)
        #expect(conversations.conversations.count == 1)
        #expect(conversation.team?.id == 4)
        #expect(conversation.customAttributes[SupportMarker.conversationAttribute] == "c-1")
        #expect(try await transcript(harness, conversation: conversation.id) == [
            "incoming: My invoice is wrong", "outgoing: Which invoice?", "incoming: I want a human",
        ])
        let contact = try #require(try await harness.chatwoot.client.findContacts(identifier: "user-42").first)
        #expect(contact.name == "Jane Doe")

        let types = try await harness.types("c-1")
        #expect(types.filter { $0 == "support.contact_ready" }.count == 1)
        #expect(types.filter { $0 == "support.conversation_opened" }.count == 1)
        #expect(types.filter { $0 == "support.message_posted" }.count == 3)
        #expect(types.filter { $0 == "support.team_assigned" }.count == 1)
        let depth = try await harness.outbox.depth()
        #expect(depth == [.done: 6, .pending: 0, .inFlight: 0, .dead: 0])
        await harness.stop()
    }

    @Test("while agents own the session each user message is posted in order; a close by the user resolves it")
    func liveMessagesAndClose() async throws {
        let harness = try await SagaHarness.start()
        try await conversationUpToHandoff(harness, "c-2")
        try await harness.settle()
        try await harness.append("c-2", [
            .userMessage(UserMessage(messageId: "m-4", text: "Hello?")),
            .userMessage(UserMessage(messageId: "m-5", text: "Anyone there?")),
        ])
        try await harness.settle()
        let conversation = try #require(try await harness.chatwoot.client.conversations(ChatwootConversationQuery()).conversations.first)
        #expect(try await transcript(harness, conversation: conversation.id).suffix(2) == ["incoming: Hello?", "incoming: Anyone there?"])

        try await harness.append("c-2", [.sessionClosed(SessionClosed(by: .user, reason: "left"))])
        try await harness.settle()
        #expect(try await harness.chatwoot.client.conversation(id: conversation.id).status == .resolved)
        #expect(try await harness.types("c-2").last == "support.conversation_resolved")

        // The next session's handoff opens a new support conversation for the same contact.
        try await harness.append("c-2", [
            .userMessage(UserMessage(messageId: "m-6", text: "Back again")),
            .handoffRequested(HandoffRequested(reason: "user_asked", team: 9, teamChosenBy: .user)),
        ])
        try await harness.settle()
        let all = try await harness.chatwoot.client.conversations(ChatwootConversationQuery()).conversations
        #expect(all.count == 2)
        let second = try #require(all.first { $0.id != conversation.id })
        #expect(second.team?.id == 9)
        #expect(second.contactID == conversation.contactID)
        #expect(try await transcript(harness, conversation: second.id) == ["incoming: Back again"])
        await harness.stop()
    }

    @Test("reading the log again from an old checkpoint (a crash) adds no command and no second routing decision")
    func rereadingAddsNothing() async throws {
        let harness = try await SagaHarness.start()
        try await conversationUpToHandoff(harness, "c-3")
        try await harness.settle()
        let rows = try await harness.outbox.rows().count
        let head = try await harness.store.headPosition()
        // Forget the checkpoint, as if the saga crashed before storing it.
        try await harness.store.write { db in
            try db.statement("UPDATE saga_checkpoints SET position = 0").run()
        }
        let replayed = SagaProcessor(store: harness.store, outbox: harness.outbox, relaysToBot: false)
        try await replayed.run(until: head)
        try await harness.settle()
        #expect(try await harness.outbox.rows().count == rows)
        #expect(try await harness.types("c-3").filter { $0 == "handoff.routed" }.count == 1)
        #expect(harness.chatwoot.simulator.stats().duplicateMessageSourceIDs.isEmpty)
        await harness.stop()
    }

    @Test("lost responses (the write committed, the answer lost) never duplicate a conversation or a message")
    func lostResponsesDoNotDuplicate() async throws {
        let harness = try await SagaHarness.start()
        harness.chatwoot.simulator.install(
            try faultPlan(
                #"""
                {"rules": [
                  {"method": "POST", "path": "/api/v1/accounts/1/contacts", "fault": "commitThenReset"},
                  {"method": "POST", "path": "/api/v1/accounts/1/conversations", "fault": "commitThenReset"},
                  {"method": "POST", "path": "/api/v1/accounts/1/conversations/*/messages", "fault": "commitThenReset", "count": 2},
                  {"method": "POST", "path": "/api/v1/accounts/1/conversations/*/messages", "fault": "status", "status": 502, "skip": 1}
                ]}
                """#))
        try await conversationUpToHandoff(harness, "c-4")
        try await harness.settle()

        let stats = harness.chatwoot.simulator.stats()
        #expect(stats.duplicateMessageSourceIDs.isEmpty)
        #expect(stats.duplicateConversationSourceIDs.isEmpty)
        let conversations = try await harness.chatwoot.client.conversations(ChatwootConversationQuery()).conversations
        #expect(conversations.count == 1)
        let conversation = try #require(conversations.first)
        #expect(try await transcript(harness, conversation: conversation.id) == [
            "incoming: My invoice is wrong", "outgoing: Which invoice?", "incoming: I want a human",
        ])
        #expect(try await harness.chatwoot.client.findContacts(identifier: "user-42").count == 1)
        #expect(try await harness.outbox.depth()[.dead] == 0)
        await harness.stop()
    }

    @Test("during an outage the circuit opens and probes once per interval; afterwards everything arrives once")
    func outageOpensTheCircuit() async throws {
        let harness = try await SagaHarness.start(breakerThreshold: 2, breakerInterval: .milliseconds(300))
        harness.chatwoot.simulator.install(try faultPlan(#"{"rules": [{"fault": "outage", "seconds": 1.2}]}"#))
        try await conversationUpToHandoff(harness, "c-5")
        try await harness.processor.run(until: try await harness.store.headPosition())
        try await harness.processor.run(until: try await harness.store.headPosition())
        let before = harness.chatwoot.simulator.exchanges().count
        let deadline = ContinuousClock.now + .milliseconds(900)
        while ContinuousClock.now < deadline {
            try await harness.dispatcher.runOnce()
            try await Task.sleep(for: .milliseconds(10))
        }
        let during = harness.chatwoot.simulator.exchanges().count - before
        #expect(await harness.dispatcher.circuitOpen)
        // Two failures open the circuit, then at most one probe per 300 ms: far fewer calls than 90 rounds.
        #expect(during <= 2 + 4)
        try await Task.sleep(for: .milliseconds(500))
        try await harness.settle()
        #expect(!(await harness.dispatcher.circuitOpen))
        let conversation = try #require(try await harness.chatwoot.client.conversations(ChatwootConversationQuery()).conversations.first)
        #expect(try await transcript(harness, conversation: conversation.id).count == 3)
        #expect(harness.chatwoot.simulator.stats().duplicateMessageSourceIDs.isEmpty)
        await harness.stop()
    }

    @Test("after the last attempt a command is parked as dead and support.command_failed is recorded")
    func deadAfterAttempts() async throws {
        let harness = try await SagaHarness.start(
            retry: RetryPolicy(
                maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(10), unknownOutcomeWait: .milliseconds(10)))
        harness.chatwoot.simulator.install(
            try faultPlan(#"{"rules": [{"method": "POST", "path": "/api/v1/accounts/1/conversations/*/assignments", "fault": "status", "status": 500, "always": true}]}"#))
        try await conversationUpToHandoff(harness, "c-6")
        try await harness.settle()
        let dead = try await harness.outbox.rows(state: .dead)
        #expect(dead.map(\.command.action.kind) == [.assignTeam])
        #expect(dead.first?.attempts == 3)
        let failures = try await harness.events("c-6").compactMap { if case .commandFailed(let failed) = $0 { failed } else { nil } }
        #expect(failures.map(\.command) == ["assignTeam"])
        #expect(failures.first?.attempts == 3)
        #expect(failures.first?.lastError.contains("HTTP 500") == true)

        // An operator requeues it once Chatwoot is healthy again, and it goes through.
        harness.chatwoot.simulator.install(try faultPlan(#"{"rules": []}"#))
        #expect(try await harness.outbox.requeueDead(conversation: "c-6") == 1)
        try await harness.settle()
        #expect(try await harness.outbox.rows(state: .dead).isEmpty)
        #expect(try await harness.types("c-6").contains("support.team_assigned"))
        await harness.stop()
    }

    @Test("a team Chatwoot does not have is parked at once, with the reason")
    func unknownTeamIsParked() async throws {
        let harness = try await SagaHarness.start()
        try await harness.append("c-7", [
            .userMessage(UserMessage(messageId: "m-1", text: "help")),
            .handoffRequested(HandoffRequested(reason: "bot_failed", team: 55)),
        ])
        try await harness.settle()
        let dead = try await harness.outbox.rows(state: .dead)
        #expect(dead.map(\.command.action.kind) == [.assignTeam])
        #expect(dead.first?.attempts == 1)
        #expect(dead.first?.lastError?.contains("no team 55") == true)
        await harness.stop()
    }

    @Test("without a routing table a handoff that names no team waits; one that names a team goes")
    func noRoutingTable() async throws {
        let harness = try await SagaHarness.start(routing: nil)
        try await conversationUpToHandoff(harness, "c-8")
        try await harness.append("c-9", [.handoffRequested(HandoffRequested(reason: "user_asked", team: 7))])
        try await harness.settle()
        #expect(!(try await harness.types("c-8")).contains("handoff.routed"))
        #expect(try await harness.events("c-9").contains(.handoffRouted(HandoffRouted(team: 7, rule: "explicit", routingVersion: 0))))
        await harness.stop()
    }

    @Test("a handoff that waited for a routing table is routed by the first one set, also after a restart")
    func waitingHandoffRoutedByTheNextTable() async throws {
        let harness = try await SagaHarness.start(routing: nil)
        try await conversationUpToHandoff(harness, "c-w1")
        try await conversationUpToHandoff(harness, "c-w2", userID: "user-43")
        try await harness.settle()
        // c-w2's session ends before any table comes: it is not routed later.
        try await harness.append("c-w2", [.sessionClosed(SessionClosed(by: .user, reason: "gave up"))])
        try await harness.settle()
        #expect(!(try await harness.types("c-w1")).contains("handoff.routed"))

        // A new processor stands for a restart: the waiting handoff is known from the database, not from memory.
        let restarted = SagaProcessor(store: harness.store, outbox: harness.outbox, relaysToBot: false)
        let table = try RoutingTable(jsonData: Data(#"{"defaultTeam": 1, "teams": [{"team": 4, "skills": ["acme.billing.*"]}]}"#.utf8))
        _ = try await harness.store.append([table.eventData(eventID: UUID(), occurredAt: Date())], to: .routing, expected: .any)
        #expect(try await harness.dispatcher.runUntilIdle(processor: restarted, within: .seconds(30)))

        let routed = try await harness.events("c-w1").compactMap { if case .handoffRouted(let routed) = $0 { routed } else { nil } }
        #expect(routed == [HandoffRouted(team: 4, rule: "skill:acme.billing.*", routingVersion: 1)])
        #expect(!(try await harness.types("c-w2")).contains("handoff.routed"))
        let conversations = try await harness.chatwoot.client.conversations(ChatwootConversationQuery()).conversations
        #expect(conversations.count == 1)
        #expect(conversations.first?.team?.id == 4)
        #expect(try await transcript(harness, conversation: try #require(conversations.first).id) == [
            "incoming: My invoice is wrong", "outgoing: Which invoice?", "incoming: I want a human",
        ])
        // A second table routes nothing again.
        _ = try await harness.store.append([table.eventData(eventID: UUID(), occurredAt: Date())], to: .routing, expected: .any)
        try await restarted.run(until: try await harness.store.headPosition())
        #expect(try await harness.types("c-w1").filter { $0 == "handoff.routed" }.count == 1)
        await harness.stop()
    }
}
