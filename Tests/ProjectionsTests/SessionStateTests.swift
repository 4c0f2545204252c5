import EventStore
import Foundation
import Projections
import Testing

/// Builds a conversation's records one event a minute, positions and versions counting from 1 and 0.
struct Script {
    private(set) var records: [ConversationRecord] = []
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    @discardableResult
    mutating func add(_ event: ConversationEvent) -> ConversationRecord {
        let record = ConversationRecord(
            position: Int64(records.count + 1), version: Int64(records.count), eventID: UUID(),
            at: start.addingTimeInterval(Double(records.count) * 60), event: event)
        records.append(record)
        return record
    }

    var state: SessionState { SessionState.initial.applying(records) }
}

func minute(_ n: Int) -> Date { Date(timeIntervalSince1970: 1_795_000_000 + Double(n) * 60) }

@Suite("Session state")
struct SessionStateTests {
    @Test("the initial state: no session, the bot, nothing applied")
    func initial() {
        let state = SessionState.initial
        #expect(state.session == 0)
        #expect(!state.isStarted)
        #expect(state.mode == .bot)
        #expect(state.position == 0)
        #expect(state.version == -1)
    }

    @Test("a handoff goes bot, routing, queued, with agent, and a close ends the session")
    func happyPath() {
        var script = Script()
        script.add(.conversationStarted(ConversationStarted(channel: "web", userId: "u-1")))
        script.add(.userMessage(UserMessage(messageId: "m-1", text: "hi")))
        #expect(script.state.mode == .bot)
        #expect(script.state.session == 1)
        #expect(script.state.userID == "u-1")
        script.add(.skillStarted(SkillChange(skill: "acme.shop.Refund")))
        script.add(.handoffRequested(HandoffRequested(reason: "bot_failed")))
        #expect(script.state.mode == .routing)
        #expect(script.state.humanOwnsSession)
        #expect(script.state.handoff?.unfinishedSkills == ["acme.shop.Refund"])
        #expect(script.state.handoff?.requestedAt == minute(3))
        script.add(.handoffRouted(HandoffRouted(team: 3, rule: "skill:acme.shop.Refund", routingVersion: 1)))
        #expect(script.state.mode == .queued)
        #expect(script.state.team == 3)
        #expect(script.state.handoff?.rule == "skill:acme.shop.Refund")
        script.add(.contactReady(ContactReady(contactId: 41, causationEventId: UUID())))
        script.add(.conversationOpened(ConversationOpened(conversationId: 512, causationEventId: UUID())))
        script.add(.agentAssigned(AgentAssigned(agentId: 7, agentName: "Ada")))
        #expect(script.state.mode == .withAgent)
        #expect(script.state.agent == AgentRef(id: 7, name: "Ada"))
        #expect(script.state.team == 3, "an assignment without a team keeps the team")
        script.add(.agentMessage(AgentMessage(messageId: 900, agentId: 7, agentName: "Ada", text: "hello")))
        script.add(.sessionClosed(SessionClosed(by: .agent, reason: "resolved")))
        let state = script.state
        #expect(state.mode == .closed)
        #expect(!state.humanOwnsSession)
        #expect(state.session == 1)
        #expect(state.support == SupportIDs(contactID: 41, conversationID: 512))
        #expect(state.position == 10)
        #expect(state.version == 9)
        #expect(state.lastEventAt == minute(9))
    }

    @Test("the first user message after a close opens the next session with the bot")
    func nextSession() {
        var script = Script()
        script.add(.userMessage(UserMessage(messageId: "m-1", text: "hi")))
        script.add(.skillStarted(SkillChange(skill: "acme.shop.Refund")))
        script.add(.handoffRequested(HandoffRequested(reason: "user_asked")))
        script.add(.handoffRouted(HandoffRouted(team: 3, rule: "default", routingVersion: 1)))
        script.add(.sessionClosed(SessionClosed(by: .agent)))
        script.add(.botMessage(BotMessage(messageId: "b-1", text: "anything else?")))
        #expect(script.state.mode == .closed, "a bot message does not reopen")
        #expect(script.state.session == 1)
        script.add(.userMessage(UserMessage(messageId: "m-2", text: "me again")))
        let state = script.state
        #expect(state.session == 2)
        #expect(state.mode == .bot)
        #expect(state.team == nil)
        #expect(state.handoff == nil)
        #expect(state.unfinishedSkills.isEmpty, "skills belong to their session")
        #expect(state.sessionStartedAt == minute(6), "the seventh event, at minute 6")
        #expect(state.support.conversationID == nil)
    }

    @Test("unfinished skills: started and neither completed nor abandoned, compared case-insensitively")
    func unfinishedSkills() {
        var script = Script()
        script.add(.skillStarted(SkillChange(skill: "acme.shop.Refund")))
        script.add(.skillStarted(SkillChange(skill: "acme.billing.Invoice")))
        script.add(.skillStarted(SkillChange(skill: "acme.shop.Delivery")))
        script.add(.skillStarted(SkillChange(skill: "ACME.shop.refund")))
        script.add(.skillCompleted(SkillChange(skill: "acme.billing.invoice")))
        script.add(.skillAbandoned(SkillChange(skill: "acme.shop.Delivery")))
        #expect(script.state.unfinishedSkills == ["acme.shop.Refund"])
        script.add(.handoffRequested(HandoffRequested(reason: "bot_failed", unfinishedSkills: ["x.y.Listed"])))
        #expect(script.state.handoff?.unfinishedSkills == ["x.y.Listed"], "a request that lists skills wins")
    }

    @Test("a second handoff request while one is in progress changes nothing")
    func oneHandoffAtATime() {
        var script = Script()
        let first = script.add(.handoffRequested(HandoffRequested(reason: "user_asked")))
        script.add(.handoffRouted(HandoffRouted(team: 4, rule: "default", routingVersion: 2)))
        script.add(.handoffRequested(HandoffRequested(reason: "bot_failed", team: 9, teamChosenBy: .bot)))
        let state = script.state
        #expect(state.mode == .queued)
        #expect(state.team == 4)
        #expect(state.handoff?.requestEventID == first.eventID)
        #expect(state.handoff?.reason == "user_asked")
        #expect(state.position == 3)
    }

    @Test("team transfers go back to queued; an unassignment goes back to queued with the team")
    func transfers() {
        var script = Script()
        script.add(.handoffRequested(HandoffRequested(reason: "user_asked", team: 3, teamChosenBy: .user)))
        #expect(script.state.handoff?.teamChosenBy == .user)
        script.add(.handoffRouted(HandoffRouted(team: 3, rule: "user_choice", routingVersion: 1)))
        script.add(.agentAssigned(AgentAssigned(agentId: 7, agentName: "Ada")))
        script.add(.agentTeamChanged(AgentTeamChanged(team: 5)))
        #expect(script.state.mode == .queued)
        #expect(script.state.team == 5)
        #expect(script.state.agent == nil)
        script.add(.agentAssigned(AgentAssigned(agentId: 8, agentName: "Bo", team: 5)))
        #expect(script.state.mode == .withAgent)
        script.add(.agentAssigned(AgentAssigned(agentId: nil)))
        #expect(script.state.mode == .queued)
        #expect(script.state.team == 5)
        #expect(script.state.agent == nil)
    }

    @Test("late agent webhooks after a close change nothing; unknown types only move the position")
    func lateAndUnknown() {
        var script = Script()
        script.add(.handoffRequested(HandoffRequested(reason: "user_asked")))
        script.add(.handoffRouted(HandoffRouted(team: 3, rule: "default", routingVersion: 1)))
        script.add(.sessionClosed(SessionClosed(by: .agent)))
        script.add(.agentAssigned(AgentAssigned(agentId: 7)))
        script.add(.agentTeamChanged(AgentTeamChanged(team: 9)))
        script.add(.unknown(UnknownEvent(type: "future.thing", schemaVersion: 1, data: .object([:]))))
        let state = script.state
        #expect(state.mode == .closed)
        #expect(state.team == 3)
        #expect(state.agent == nil)
        #expect(state.position == 6)
    }

    @Test("an agent or a team in Chatwoot can take a conversation from the bot")
    func takeover() {
        var byAgent = Script()
        byAgent.add(.userMessage(UserMessage(messageId: "m-1", text: "hi")))
        byAgent.add(.agentAssigned(AgentAssigned(agentId: 3, agentName: "Cy", team: 2)))
        #expect(byAgent.state.mode == .withAgent)
        #expect(byAgent.state.team == 2)
        var byTeam = Script()
        byTeam.add(.userMessage(UserMessage(messageId: "m-1", text: "hi")))
        byTeam.add(.agentTeamChanged(AgentTeamChanged(team: 6)))
        #expect(byTeam.state.mode == .queued)
        #expect(byTeam.state.team == 6)
    }

    @Test("a handoff request after a close opens the next session and routes it")
    func handoffAfterClose() {
        var script = Script()
        script.add(.userMessage(UserMessage(messageId: "m-1", text: "hi")))
        script.add(.sessionClosed(SessionClosed(by: .bot)))
        script.add(.handoffRequested(HandoffRequested(reason: "user_asked")))
        #expect(script.state.session == 2)
        #expect(script.state.mode == .routing)
    }
}

@Suite("Decisions")
struct DecideTests {
    func state(_ events: [ConversationEvent]) -> SessionState {
        var script = Script()
        for event in events { script.add(event) }
        return script.state
    }

    @Test("a bot reply while people own the session is refused, saying why")
    func botSilent() throws {
        let owned = state([
            .userMessage(UserMessage(messageId: "m-1", text: "human please")),
            .handoffRequested(HandoffRequested(reason: "user_asked")),
        ])
        let reply = ConversationEvent.botMessage(BotMessage(messageId: "b-1", text: "I can help"))
        let refusal = #expect(throws: DecisionRefusal.self) { try Decide.decide(reply, state: owned) }
        #expect(refusal?.code == .humanOwnsSession)
        #expect(refusal?.message.contains("routing") == true)
        let free = state([.userMessage(UserMessage(messageId: "m-1", text: "hi"))])
        #expect(try Decide.decide(reply, state: free) == [reply])
    }

    @Test("no-ops: a second handoff, a close of a closed session, a second start")
    func noOps() throws {
        let queued = state([
            .handoffRequested(HandoffRequested(reason: "user_asked")),
            .handoffRouted(HandoffRouted(team: 1, rule: "default", routingVersion: 1)),
        ])
        #expect(try Decide.decide(.handoffRequested(HandoffRequested(reason: "bot_failed")), state: queued) == [])
        let closed = state([.userMessage(UserMessage(messageId: "m", text: "x")), .sessionClosed(SessionClosed(by: .user))])
        #expect(try Decide.decide(.sessionClosed(SessionClosed(by: .bot)), state: closed) == [])
        #expect(try Decide.decide(.sessionClosed(SessionClosed(by: .bot)), state: .initial) == [])
        #expect(try Decide.decide(.conversationStarted(ConversationStarted()), state: closed) == [])
        let close = ConversationEvent.sessionClosed(SessionClosed(by: .timeout))
        #expect(try Decide.decide(close, state: queued) == [close])
    }

    @Test("a message for an unknown conversation is accepted and starts it")
    func unknownConversation() throws {
        let message = ConversationEvent.userMessage(UserMessage(messageId: "m-1", text: "hi"))
        #expect(try Decide.decide(message, state: .initial) == [message])
    }

    @Test(
        "types only this service writes are refused",
        arguments: [
            ConversationEvent.handoffRouted(HandoffRouted(team: 1, rule: "default", routingVersion: 1)),
            .agentMessage(AgentMessage(messageId: 1, text: "x")),
            .contactReady(ContactReady(contactId: 1, causationEventId: UUID())),
        ])
    func reserved(_ event: ConversationEvent) {
        let refusal = #expect(throws: DecisionRefusal.self) { try Decide.decide(event, state: .initial) }
        #expect(refusal?.code == .reservedType)
        #expect(refusal?.type == event.type)
    }

    @Test("unknown types are refused")
    func unknownType() {
        let event = ConversationEvent.unknown(UnknownEvent(type: "future.thing", schemaVersion: 1, data: .object([:])))
        let refusal = #expect(throws: DecisionRefusal.self) { try Decide.decide(event, state: .initial) }
        #expect(refusal?.code == .unknownType)
    }
}
