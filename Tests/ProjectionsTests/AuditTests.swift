import EventStore
import Foundation
import Projections
import Testing

@Suite("Audit")
struct AuditTests {
    /// Two sessions: a handoff to team 3, an agent, a transfer to team 5, a second agent, a close by the agent;
    /// then the user comes back to the bot and closes it.
    func twoSessions() -> ConversationAudit {
        var script = Script()
        script.add(.userMessage(UserMessage(messageId: "m-1", text: "refund please")))  // 0
        script.add(.skillStarted(SkillChange(skill: "acme.shop.Refund")))  // 1
        script.add(.handoffRequested(HandoffRequested(reason: "bot_failed")))  // 2
        script.add(.handoffRouted(HandoffRouted(team: 3, rule: "skill:acme.shop.Refund", routingVersion: 1)))  // 3
        script.add(.agentAssigned(AgentAssigned(agentId: 7, agentName: "Ada")))  // 4
        script.add(.agentMessage(AgentMessage(messageId: 1, agentId: 7, text: "let me check")))  // 5
        script.add(.agentTeamChanged(AgentTeamChanged(team: 5)))  // 6
        script.add(.agentAssigned(AgentAssigned(agentId: 9, agentName: "Bo", team: 5)))  // 7
        script.add(.sessionClosed(SessionClosed(by: .agent, reason: "resolved")))  // 8
        script.add(.userMessage(UserMessage(messageId: "m-2", text: "thanks!")))  // 9
        script.add(.sessionClosed(SessionClosed(by: .bot)))  // 10
        var audit = ConversationAudit(conversationID: "c-1")
        for record in script.records { audit.apply(record) }
        return audit
    }

    @Test("segments say who had each stretch, from when to when, and how it ended")
    func segments() {
        let segments = twoSessions().segments
        let expected: [AuditSegment] = [
            AuditSegment(
                conversationID: "c-1", session: 1, owner: .bot, from: minute(0), to: minute(2), fromPosition: 1,
                toPosition: 3, end: .handoff),
            AuditSegment(
                conversationID: "c-1", session: 1, owner: .routing, from: minute(2), to: minute(3), fromPosition: 3,
                toPosition: 4, end: .routed),
            AuditSegment(
                conversationID: "c-1", session: 1, owner: .team(3), from: minute(3), to: minute(4), fromPosition: 4,
                toPosition: 5, end: .assigned),
            AuditSegment(
                conversationID: "c-1", session: 1, owner: .agent(AgentRef(id: 7, name: "Ada"), team: 3),
                from: minute(4), to: minute(6), fromPosition: 5, toPosition: 7, end: .transferred),
            AuditSegment(
                conversationID: "c-1", session: 1, owner: .team(5), from: minute(6), to: minute(7), fromPosition: 7,
                toPosition: 8, end: .assigned),
            AuditSegment(
                conversationID: "c-1", session: 1, owner: .agent(AgentRef(id: 9, name: "Bo"), team: 5),
                from: minute(7), to: minute(8), fromPosition: 8, toPosition: 9,
                end: .closed(by: "agent", reason: "resolved")),
            AuditSegment(
                conversationID: "c-1", session: 2, owner: .bot, from: minute(9), to: minute(10), fromPosition: 10,
                toPosition: 11, end: .closed(by: "bot", reason: nil)),
        ]
        #expect(segments.count == expected.count)
        for (actual, wanted) in zip(segments, expected) { #expect(actual == wanted) }
    }

    @Test("queries by agent, by team and by period")
    func queries() {
        let segments = twoSessions().segments
        #expect(segments.handled(byAgent: 7).map(\.from) == [minute(4)])
        #expect(segments.handled(byAgent: 9).map { $0.duration(now: minute(99)) } == [60])
        #expect(segments.handled(byTeam: 5).map(\.fromPosition) == [7, 8])
        #expect(segments.handled(byTeam: 3).map(\.owner) == [.team(3), .agent(AgentRef(id: 7, name: "Ada"), team: 3)])
        #expect(segments.during(from: minute(5), to: minute(7)).map(\.fromPosition) == [5, 7])
        #expect(segments.during(from: minute(11), to: minute(20)).isEmpty)
    }

    @Test("the last segment stays open while the session lasts")
    func openSegment() {
        var script = Script()
        script.add(.userMessage(UserMessage(messageId: "m-1", text: "hi")))
        script.add(.handoffRequested(HandoffRequested(reason: "user_asked", team: 4, teamChosenBy: .bot)))
        script.add(.handoffRouted(HandoffRouted(team: 4, rule: "explicit", routingVersion: 2)))
        var audit = ConversationAudit(conversationID: "c-2")
        for record in script.records { audit.apply(record) }
        let last = audit.segments.last
        #expect(last?.owner == .team(4))
        #expect(last?.to == nil)
        #expect(last?.end == nil)
        #expect(last?.duration(now: minute(12)) == 600)
        #expect(audit.state.mode == .queued)
    }

    @Test("an agent named by a later event keeps one stretch, with the name")
    func agentNamedLater() {
        var script = Script()
        script.add(.handoffRequested(HandoffRequested(reason: "user_asked", team: 4, teamChosenBy: .bot)))
        script.add(.handoffRouted(HandoffRouted(team: 4, rule: "explicit", routingVersion: 1)))
        script.add(.agentAssigned(AgentAssigned(agentId: 7)))
        script.add(.agentAssigned(AgentAssigned(agentId: 7, agentName: "Ada")))
        script.add(.agentAssigned(AgentAssigned(agentId: 8, agentName: "Bo")))
        var audit = ConversationAudit(conversationID: "c-3")
        for record in script.records { audit.apply(record) }
        #expect(audit.segments.map(\.owner) == [
            .routing, .team(4), .agent(AgentRef(id: 7, name: "Ada"), team: 4), .agent(AgentRef(id: 8, name: "Bo"), team: 4),
        ])
        #expect(audit.segments[2].from == minute(2), "the stretch began when agent 7 took it, not when named")
        #expect(audit.segments[2].end == .assigned)
    }
}
