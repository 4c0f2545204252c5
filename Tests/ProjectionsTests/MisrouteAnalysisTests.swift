import EventStore
import Foundation
import Projections
import Testing

/// The handoff traces of every fixture conversation, imported as ingestion does, in file order.
private func fixtureTraces() async throws -> [HandoffTrace] {
    var traces: [HandoffTrace] = []
    for name in expectations.map(\.name).sorted() { traces += try await importFixture(name).traces }
    return traces
}

/// A time of the fixtures' day, `2026-11-24T<hh:mm>:00Z`.
private func fixtureTime(_ hoursAndMinutes: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: "2026-11-24T\(hoursAndMinutes):00Z"))
}

/// A comparison as "conversation session recordedTeam recordedRule -> team rule".
private func line(_ comparison: RouteComparison) -> String {
    "\(comparison.conversationID) \(comparison.session) \(comparison.recordedTeam.map(String.init) ?? "-") "
        + "\(comparison.recordedRule ?? "-") -> \(comparison.team) \(comparison.rule.name)"
}

/// A team line as "team recorded decided gained lost movedAway movedIn loopsBack".
private func line(_ summary: TeamSummary) -> String {
    "\(summary.team): \(summary.recorded) \(summary.decided) \(summary.gained) \(summary.lost) \(summary.movedAway) "
        + "\(summary.movedIn) \(summary.loopsBack)"
}

/// A skill line as "skill entry team handoffs defaultFallbacks disagreements moves".
private func line(_ summary: SkillSummary) -> String {
    "\(summary.skill): \(summary.entry ?? "-") \(summary.team.map(String.init) ?? "-") \(summary.handoffs) "
        + "\(summary.defaultFallbacks) \(summary.disagreements) \(summary.moves)"
}

@Suite("Misroute analysis")
struct MisrouteAnalysisTests {
    // MARK: The fixture conversations

    @Test("under default.json: every handoff compared, and only c-11's second (recorded with version 2) disagrees")
    func defaultComparisons() async throws {
        let report = MisrouteReport(traces: try await fixtureTraces(), table: try routingTable("default.json"))
        #expect(
            report.comparisons.map(line) == [
                "c-01 1 1 default -> 1 default",
                "c-02 1 3 skill:acme.shop.Refund -> 3 skill:acme.shop.Refund",
                "c-03 1 3 skill:acme.billing.* -> 3 skill:acme.billing.*",
                "c-04 1 1 default -> 1 default",
                "c-05 1 7 explicit -> 7 explicit",
                "c-06 1 4 user_choice -> 4 user_choice",
                "c-07 1 3 skill:acme.shop.Refund -> 3 skill:acme.shop.Refund",
                "c-08 1 1 default -> 1 default",
                "c-08 2 3 skill:acme.shop.Refund -> 3 skill:acme.shop.Refund",
                "c-09 1 1 default -> 1 default",
                "c-11 1 3 skill:acme.billing.* -> 3 skill:acme.billing.*",
                "c-11 2 4 skill:acme.billing.* -> 3 skill:acme.billing.*",
                "c-12 1 4 skill:acme.shop.Delivery -> 4 skill:acme.shop.Delivery",
            ])
        #expect(report.disagreements.map(line) == ["c-11 2 4 skill:acme.billing.* -> 3 skill:acme.billing.*"])
    }

    @Test("under changed.json: c-03 and c-11's first handoff go to team 4 instead of team 3")
    func changedDisagreements() async throws {
        let report = MisrouteReport(traces: try await fixtureTraces(), table: try routingTable("changed.json"))
        #expect(
            report.disagreements.map(line) == [
                "c-03 1 3 skill:acme.billing.* -> 4 skill:acme.shop.Delivery",
                "c-11 1 3 skill:acme.billing.* -> 4 skill:acme.billing.*",
            ])
        #expect(report.comparisons.count == 13)
        #expect(
            report.teams.map(line) == [
                "1: 4 4 0 0 0 0 0",
                "3: 5 3 0 2 1 1 0",
                "4: 3 5 2 0 1 1 1",
                "7: 1 1 0 0 0 0 0",
            ])
        #expect(
            report.skills.map(line) == [
                "acme.billing.Invoice: acme.billing.* 4 3 0 2 0",
                "acme.hr.Leave: - - 1 1 0 0",
                "acme.shop.Delivery: acme.shop.Delivery 4 2 0 1 1",
                "acme.shop.Refund: acme.shop.Refund 3 3 0 0 1",
            ])
    }

    @Test("c-07 and c-12 were moved by agents, each after three minutes with the first team")
    func moves() async throws {
        let report = MisrouteReport(traces: try await fixtureTraces(), table: try routingTable("default.json"))
        #expect(
            report.moves == [
                TeamMove(
                    conversationID: "c-07", session: 1, unfinishedSkills: ["acme.shop.Refund"], firstTeam: 3,
                    movedTo: 4, routedAt: try fixtureTime("10:04"), movedAt: try fixtureTime("10:07")),
                TeamMove(
                    conversationID: "c-12", session: 1, unfinishedSkills: ["acme.shop.Delivery"], firstTeam: 4,
                    movedTo: 3, routedAt: try fixtureTime("10:04"), movedAt: try fixtureTime("10:07")),
            ])
        #expect(report.moves.map(\.timeWithFirstTeam) == [180, 180])
    }

    @Test("c-12 loops 4 -> 3 -> 4")
    func loops() async throws {
        let report = MisrouteReport(traces: try await fixtureTraces(), table: try routingTable("default.json"))
        let loop = try #require(report.loops.first)
        #expect(report.loops.count == 1)
        #expect(loop.conversationID == "c-12")
        #expect(loop.session == 1)
        #expect(loop.team == 4)
        #expect(loop.teams == [4, 3, 4])
        #expect(loop.stops.map(\.at) == [try fixtureTime("10:04"), try fixtureTime("10:07"), try fixtureTime("10:08")])
        #expect(loop.leftAt == (try fixtureTime("10:07")))
        #expect(loop.returnedAt == (try fixtureTime("10:08")))
    }

    @Test("only c-04 falls back to the default team with an unfinished skill: acme.hr.Leave")
    func defaultFallbacks() async throws {
        let report = MisrouteReport(traces: try await fixtureTraces(), table: try routingTable("default.json"))
        #expect(
            report.defaultFallbacks == [
                DefaultFallback(conversationID: "c-04", session: 1, team: 1, skills: ["acme.hr.Leave"])
            ])
        #expect(report.defaultFallbacksBySkill == ["acme.hr.Leave": 1])
    }

    @Test("the summary by team and by skill under default.json")
    func summaries() async throws {
        let report = MisrouteReport(traces: try await fixtureTraces(), table: try routingTable("default.json"))
        #expect(
            report.teams.map(line) == [
                "1: 4 4 0 0 0 0 0",
                "3: 5 6 1 0 1 1 0",
                "4: 3 2 0 1 1 1 1",
                "7: 1 1 0 0 0 0 0",
            ])
        #expect(
            report.skills.map(line) == [
                "acme.billing.Invoice: acme.billing.* 3 3 0 1 0",
                "acme.hr.Leave: - - 1 1 0 0",
                "acme.shop.Delivery: acme.shop.Delivery 4 2 0 0 1",
                "acme.shop.Refund: acme.shop.Refund 3 3 0 0 1",
            ])
    }

    @Test("a comparison is written as replay route --json prints it")
    func comparisonJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let routed = RouteComparison(
            conversationID: "c-11", session: 1, unfinishedSkills: ["acme.billing.Invoice"], recordedTeam: 3,
            recordedRule: "skill:acme.billing.*", recordedVersion: 1, team: 4, rule: .skill("acme.billing.*"))
        #expect(
            String(decoding: try encoder.encode(routed), as: UTF8.self)
                == #"{"conversationId":"c-11","recordedRule":"skill:acme.billing.*","recordedTeam":3,"#
                + #""rule":"skill:acme.billing.*","session":1,"team":4}"#)
        let unrouted = RouteComparison(
            conversationID: "c-9", session: 2, unfinishedSkills: [], recordedTeam: nil, recordedRule: nil,
            recordedVersion: nil, team: 1, rule: .defaultTeam)
        #expect(
            String(decoding: try encoder.encode(unrouted), as: UTF8.self)
                == #"{"conversationId":"c-9","recordedRule":null,"recordedTeam":null,"#
                + #""rule":"default","session":2,"team":1}"#)
    }

    // MARK: Scripted cases

    @Test("a loop through several teams, and back and forth twice")
    func longerLoops() throws {
        let table = try routingTable("default.json")
        let through = traces { script in
            script.add(.handoffRequested(HandoffRequested(reason: "user_asked")))  // 0
            script.add(.handoffRouted(HandoffRouted(team: 3, rule: "default", routingVersion: 1)))  // 1
            script.add(.agentTeamChanged(AgentTeamChanged(team: 4)))  // 2
            script.add(.agentTeamChanged(AgentTeamChanged(team: 5)))  // 3
            script.add(.agentTeamChanged(AgentTeamChanged(team: 3)))  // 4
        }
        let report = MisrouteReport(traces: through, table: table)
        #expect(report.loops.map(\.teams) == [[3, 4, 5, 3]])
        #expect(report.loops.first?.leftAt == minute(2))
        #expect(report.loops.first?.returnedAt == minute(4))
        #expect(report.moves.map(\.movedTo) == [4])
        #expect(report.moves.first?.timeWithFirstTeam == 60)

        let twice = traces { script in
            script.add(.handoffRequested(HandoffRequested(reason: "user_asked")))
            script.add(.handoffRouted(HandoffRouted(team: 3, rule: "default", routingVersion: 1)))
            script.add(.agentTeamChanged(AgentTeamChanged(team: 4)))
            script.add(.agentTeamChanged(AgentTeamChanged(team: 3)))
            script.add(.agentTeamChanged(AgentTeamChanged(team: 4)))
        }
        let back = MisrouteReport(traces: twice, table: table)
        #expect(back.loops.map(\.teams) == [[3, 4, 3], [4, 3, 4]])
        #expect(back.teams.map(line) == ["1: 0 1 1 0 0 0 0", "3: 1 0 0 1 1 0 1", "4: 0 0 0 0 0 1 1"])
    }

    @Test("a team removed and put back is no loop; the move says the team was removed")
    func removedTeam() throws {
        let removed = traces { script in
            script.add(.handoffRequested(HandoffRequested(reason: "user_asked")))
            script.add(.handoffRouted(HandoffRouted(team: 3, rule: "default", routingVersion: 1)))
            script.add(.agentTeamChanged(AgentTeamChanged(team: nil)))
            script.add(.agentTeamChanged(AgentTeamChanged(team: 3)))
        }
        let report = MisrouteReport(traces: removed, table: try routingTable("default.json"))
        #expect(report.loops.isEmpty)
        #expect(report.moves.count == 1)
        #expect(report.moves.first?.firstTeam == 3)
        #expect(report.moves.first?.movedTo == nil)
    }

    @Test("a handoff never routed is compared but cannot disagree or move; an explicit default team is no fallback")
    func unroutedAndExplicit() throws {
        let unrouted = traces { script in
            script.add(.skillStarted(SkillChange(skill: "acme.hr.Leave")))
            script.add(.handoffRequested(HandoffRequested(reason: "bot_failed")))
        }
        let explicit = traces { script in
            script.add(.skillStarted(SkillChange(skill: "acme.hr.Leave")))
            script.add(.handoffRequested(HandoffRequested(reason: "bot_failed", team: 1, teamChosenBy: .bot)))
            script.add(.handoffRouted(HandoffRouted(team: 1, rule: "explicit", routingVersion: 1)))
        }
        let report = MisrouteReport(traces: unrouted + explicit, table: try routingTable("default.json"))
        #expect(report.comparisons.map(line) == ["c-9 1 - - -> 1 default", "c-9 1 1 explicit -> 1 explicit"])
        #expect(report.disagreements.isEmpty)
        #expect(report.moves.isEmpty)
        #expect(report.defaultFallbacks.map(\.skills) == [["acme.hr.Leave"]])
        #expect(report.teams.map(line) == ["1: 1 2 0 0 0 0 0"])
        #expect(report.skills.map(line) == ["acme.hr.Leave: - - 2 1 0 0"])
    }

    @Test("skills are summarised case-insensitively, as first written")
    func skillCase() throws {
        let first = traces { script in
            script.add(.handoffRequested(HandoffRequested(reason: "bot_failed", unfinishedSkills: ["Acme.HR.Leave"])))
        }
        let second = traces { script in
            script.add(.handoffRequested(HandoffRequested(reason: "bot_failed", unfinishedSkills: ["acme.hr.leave"])))
        }
        let report = MisrouteReport(traces: first + second, table: try routingTable("default.json"))
        #expect(report.defaultFallbacksBySkill == ["Acme.HR.Leave": 2])
        #expect(report.skills.map(line) == ["Acme.HR.Leave: - - 2 2 0 0"])
    }

    @Test("a skill is shown as first written even when its first handoff was no fallback")
    func skillSpellingAcrossRules() throws {
        let explicit = traces { script in
            script.add(.handoffRequested(HandoffRequested(reason: "bot_failed", team: 4, teamChosenBy: .user, unfinishedSkills: ["acme.hr.leave"])))
        }
        let fallback = traces { script in
            script.add(.handoffRequested(HandoffRequested(reason: "bot_failed", unfinishedSkills: ["Acme.HR.Leave"])))
        }
        let report = MisrouteReport(traces: explicit + fallback, table: try routingTable("default.json"))
        #expect(report.skills.map(\.skill) == ["acme.hr.leave"])
        #expect(report.defaultFallbacksBySkill == ["acme.hr.leave": 1])
    }
}
