import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Projections
import Testing

@Suite("Reconciler and rebuild", .serialized)
struct ReconcileAndRebuildTests {
    /// A settled handoff of conversation `c-r` and its Chatwoot conversation.
    func settledHandoff(_ harness: SagaHarness) async throws -> ChatwootConversation {
        try await conversationUpToHandoff(harness, "c-r")
        try await harness.settle()
        return try #require(try await harness.chatwoot.client.conversations(ChatwootConversationQuery()).conversations.first)
    }

    @Test("what the webhooks missed (an agent's reply, assignment, transfer, resolve) is appended once")
    func reconcilerAppendsWhatWebhooksMissed() async throws {
        let harness = try await SagaHarness.start()
        let conversation = try await settledHandoff(harness)
        let runner = ProjectionRunner(store: harness.store)
        try await runner.prepare()
        // No webhook URL is configured: every agent action below is a webhook that never arrived.
        let agent = try #require(try await harness.chatwoot.client.agents().first { $0.id == 1 })
        try await harness.chatwoot.simulator.assign(conversation: conversation.id, agent: agent.id)
        let reply = try await harness.chatwoot.simulator.agentReply(conversation: conversation.id, agent: agent.id, content: "Hi, I'm on it")
        _ = try await harness.chatwoot.simulator.agentReply(conversation: conversation.id, agent: agent.id, content: "internal", isPrivate: true)
        try await runner.run(until: try await harness.store.headPosition())

        let reconciler = Reconciler(store: harness.store, client: harness.chatwoot.client)
        let first = try await reconciler.reconcileOnce()
        #expect(first.checked == 1)
        let events = try await harness.events("c-r")
        #expect(events.contains(.agentMessage(AgentMessage(messageId: reply, agentId: agent.id, agentName: agent.name, text: "Hi, I'm on it"))))
        #expect(events.contains(.agentAssigned(AgentAssigned(agentId: agent.id, agentName: agent.name, team: 4))))
        #expect(!events.contains { if case .agentMessage(let message) = $0 { message.text == "internal" } else { false } })

        // A second pass finds nothing new; nor does the late webhook's id for the same message.
        try await runner.run(until: try await harness.store.headPosition())
        #expect(try await reconciler.reconcileOnce().appended == 0)
        #expect(
            try await harness.store.readStream(try StreamID.conversation("c-r"), from: 0, limit: 1000).filter {
                $0.eventID == WebhookTranslator.messageEventID(accountID: 1, messageID: reply)
            }.count == 1)

        try await harness.chatwoot.simulator.setStatus(conversation: conversation.id, status: "resolved")
        #expect(try await reconciler.reconcileOnce().appended == 1)
        #expect(try await harness.events("c-r").last == .sessionClosed(SessionClosed(by: .agent, reason: "resolved")))
        try await runner.run(until: try await harness.store.headPosition())
        #expect(try await reconciler.reconcileOnce().checked == 0)
        await harness.stop()
    }

    @Test("a rebuild re-creates a lost Chatwoot from the log, records the new ids, and duplicates nothing when repeated")
    func rebuildAfterDataLoss() async throws {
        let harness = try await SagaHarness.start()
        let original = try await settledHandoff(harness)
        // The agent answered and resolved (delivered by webhook: appended here as handoffd would).
        try await harness.append("c-r", [
            .agentAssigned(AgentAssigned(agentId: 2, agentName: "Bob Agent", team: 4)),
            .agentMessage(AgentMessage(messageId: 9001, agentId: 2, agentName: "Bob Agent", text: "Fixed your invoice")),
            .sessionClosed(SessionClosed(by: .agent, reason: "resolved")),
        ])
        try await harness.settle()

        // Chatwoot lost its data: a new, empty installation, with its own ids.
        let fresh = try await SimulatorHarness.start()
        _ = try await fresh.contactAndConversation(identifier: "someone-else")
        let dispatcher = Dispatcher(
            store: harness.store, outbox: harness.outbox, support: ChatwootSupportSystem(client: fresh.client), bot: nil,
            configuration: Dispatcher.Configuration(retry: SagaHarness.fastRetries, idleInterval: .milliseconds(5)))
        let rebuild = SupportRebuild(store: harness.store, outbox: harness.outbox)
        let plan = try await rebuild.plan(RebuildSelection(), generation: "rebuild-1")
        #expect(plan.items.map(\.conversationID) == ["c-r"])
        #expect(plan.items.first?.messages == 4)
        #expect(plan.items.first?.resolved == true)
        #expect(plan.items.first?.team == 4)
        #expect(try await rebuild.enqueue(plan) == plan.commands.count)
        #expect(try await rebuild.enqueue(plan) == 0)
        while try await dispatcher.runOnce() > 0 {}
        #expect(try await rebuild.progress(plan)[.done] == plan.commands.count)

        let rebuilt = try #require(
            try await fresh.client.conversations(
                ChatwootConversationQuery(sourceID: SupportMarker.sessionSourceID(conversationID: "c-r", session: 1))
            ).conversations.first)
        #expect(rebuilt.id != original.id)
        #expect(rebuilt.status == .resolved)
        #expect(rebuilt.team?.id == 4)
        // Chatwoot adds its own activity message when the conversation is resolved; the transcript is the rest.
        let rebuiltMessages = try await fresh.client.messages(conversation: rebuilt.id)
            .filter { $0.messageType != .activity }.map { $0.content ?? "" }
        #expect(rebuiltMessages == [
            "My invoice is wrong", "Which invoice?", "I want a human", "Fixed your invoice",
        ])
        let opened = try await harness.events("c-r").compactMap { if case .conversationOpened(let opened) = $0 { opened.conversationId } else { nil } }
        #expect(opened == [original.id, rebuilt.id])

        // Run again (another generation) against the rebuilt installation: everything is found, nothing is created.
        let again = try await rebuild.plan(RebuildSelection(), generation: "rebuild-2")
        try await rebuild.enqueue(again)
        while try await dispatcher.runOnce() > 0 {}
        let messagesAgain = try await fresh.client.messages(conversation: rebuilt.id).filter { $0.messageType != .activity }
        #expect(messagesAgain.count == 4)
        #expect(try await fresh.client.conversations(ChatwootConversationQuery()).conversations.count == 2)
        #expect(fresh.simulator.stats().duplicateMessageSourceIDs.isEmpty)

        // The selection: open-only finds nothing (the handoff was resolved); a window before it finds nothing.
        #expect(try await rebuild.plan(RebuildSelection(openOnly: true), generation: "x").items.isEmpty)
        #expect(try await rebuild.plan(RebuildSelection(until: Date(timeIntervalSince1970: 0)), generation: "x").items.isEmpty)
        await fresh.stop()
        await harness.stop()
    }

    @Test("a bot's message after the session closed is not rebuilt: a rebuild in place creates nothing")
    func botMessageAfterCloseIsNotRebuilt() async throws {
        let harness = try await SagaHarness.start()
        _ = try await settledHandoff(harness)
        try await harness.append("c-r", [
            .sessionClosed(SessionClosed(by: .user, reason: "done")),
            .botMessage(BotMessage(messageId: "m-after", text: "Anything else?")),
        ])
        try await harness.settle()
        let created = harness.chatwoot.simulator.stats().creates

        let rebuild = SupportRebuild(store: harness.store, outbox: harness.outbox)
        let plan = try await rebuild.plan(RebuildSelection(), generation: "in-place")
        #expect(plan.items.map(\.messages) == [3])
        #expect(plan.items.first?.resolved == true)
        try await rebuild.enqueue(plan)
        try await harness.settle()
        #expect(try await rebuild.progress(plan)[.done] == plan.commands.count)
        #expect(harness.chatwoot.simulator.stats().creates == created)
        await harness.stop()
    }
}
