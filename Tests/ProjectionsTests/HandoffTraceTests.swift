import EventStore
import Foundation
import Projections
import Testing

/// The handoff traces of a scripted conversation.
func traces(_ build: (inout Script) -> Void) -> [HandoffTrace] {
    var script = Script()
    build(&script)
    var tracer = HandoffTracer(conversationID: "c-9")
    for record in script.records { tracer.apply(record) }
    return tracer.traces
}

@Suite("Handoff traces")
struct HandoffTraceTests {
    func trace(_ build: (inout Script) -> Void) -> [HandoffTrace] { traces(build) }

    @Test("a trace holds the request, the recorded decision and every team after it")
    func transfers() {
        let traces = trace { script in
            script.add(.skillStarted(SkillChange(skill: "acme.billing.Invoice")))  // 0
            script.add(.handoffRequested(HandoffRequested(reason: "bot_failed")))  // 1
            script.add(.handoffRouted(HandoffRouted(team: 3, rule: "skill:acme.billing.*", routingVersion: 2)))  // 2
            script.add(.agentAssigned(AgentAssigned(agentId: 7)))  // 3: same team, no new entry
            script.add(.agentTeamChanged(AgentTeamChanged(team: 4)))  // 4
            script.add(.agentTeamChanged(AgentTeamChanged(team: 3)))  // 5
            script.add(.sessionClosed(SessionClosed(by: .agent)))  // 6
        }
        #expect(traces.count == 1)
        let trace = traces[0]
        #expect(trace.session == 1)
        #expect(trace.request.unfinishedSkills == ["acme.billing.Invoice"])
        #expect(trace.recordedTeam == 3)
        #expect(trace.recordedRule == "skill:acme.billing.*")
        #expect(trace.request.routingVersion == 2)
        #expect(trace.routedAt == minute(2))
        #expect(trace.teams.map(\.team) == [3, 4, 3])
        #expect(trace.teams.map(\.at) == [minute(2), minute(4), minute(5)])
        #expect(trace.closedAt == minute(6))
    }

    @Test("each session's handoff is its own trace; a handoff never routed has no team")
    func sessions() {
        let traces = trace { script in
            script.add(.handoffRequested(HandoffRequested(reason: "user_asked", team: 2, teamChosenBy: .user)))
            script.add(.handoffRouted(HandoffRouted(team: 2, rule: "user_choice", routingVersion: 1)))
            script.add(.sessionClosed(SessionClosed(by: .agent)))
            script.add(.userMessage(UserMessage(messageId: "m-2", text: "again")))
            script.add(.handoffRequested(HandoffRequested(reason: "user_asked")))
        }
        #expect(traces.map(\.session) == [1, 2])
        #expect(traces[0].request.teamChosenBy == .user)
        #expect(traces[0].teams.map(\.team) == [2])
        #expect(traces[1].routedAt == nil)
        #expect(traces[1].teams.isEmpty)
        #expect(traces[1].closedAt == nil)
    }

    @Test("a team change in Chatwoot before the routing decision is a transfer, not the decision")
    func teamChangeBeforeDecision() {
        let traces = trace { script in
            script.add(.handoffRequested(HandoffRequested(reason: "user_asked")))  // 0
            script.add(.agentTeamChanged(AgentTeamChanged(team: 8)))  // 1
            script.add(.handoffRouted(HandoffRouted(team: 1, rule: "default", routingVersion: 1)))  // 2: too late
        }
        #expect(traces[0].routedAt == nil, "the fold only accepts a decision while routing")
        #expect(traces[0].teams.map(\.team) == [8])
    }
}
