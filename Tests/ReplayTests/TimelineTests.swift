import Foundation
import Testing

@Suite("replay timeline")
struct TimelineTests {
    @Test("c-07: every event with the session and owner after it, the routing decision, then the handoff")
    func transfer() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["timeline", "c-07"])
        #expect(run.status == 0)
        #expect(run.error == "")
        #expect(
            run.lines == [
                "conversation c-07: 10 events; session 1, now closed",
                "",
                "pos  at                    event                 session  owner after            detail",
                " 42  2026-11-24T10:00:00Z  conversation.started        1  bot                    channel web, user u-c-07",
                " 43  2026-11-24T10:01:00Z  user.message                1  bot                    \"refund for a late delivery\"",
                " 44  2026-11-24T10:02:00Z  skill.started               1  bot                    acme.shop.Refund",
                " 45  2026-11-24T10:03:00Z  handoff.requested           1  routing                reason bot_failed; unfinished acme.shop.Refund",
                " 46  2026-11-24T10:04:00Z  handoff.routed              1  team 3                 team 3 by skill:acme.shop.Refund (routing v1)",
                " 47  2026-11-24T10:05:00Z  agent.assigned              1  agent 12 Ben (team 3)  agent 12 Ben",
                " 48  2026-11-24T10:06:00Z  agent.message               1  agent 12 Ben (team 3)  agent 12 Ben: \"This is for delivery, moving you.\"",
                " 49  2026-11-24T10:07:00Z  agent.team_changed          1  team 4                 to team 4",
                " 50  2026-11-24T10:08:00Z  agent.assigned              1  agent 14 Dee (team 4)  agent 14 Dee, team 4",
                " 51  2026-11-24T10:09:00Z  session.closed              1  closed                 by agent (resolved)",
                "",
                "handoffs:",
                "  session 1: requested 2026-11-24T10:03:00Z (bot_failed; unfinished acme.shop.Refund); routed to team 3 "
                    + "by skill:acme.shop.Refund (routing v1); then team 4; closed 2026-11-24T10:09:00Z",
                "",
            ])
    }

    @Test("--at a position stops there and shows the state then")
    func atPosition() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["timeline", "c-07", "--at", "46"])
        #expect(run.status == 0)
        #expect(run.lines.first == "conversation c-07: 5 events up to position 46 (of 10); session 1, then team 3")
        #expect(run.lines.filter { $0.hasPrefix(" 4") || $0.hasPrefix(" 5") }.count == 5)
        #expect(run.output.contains("session 1: requested 2026-11-24T10:03:00Z (bot_failed; unfinished acme.shop.Refund); "
            + "routed to team 3 by skill:acme.shop.Refund (routing v1); open"))
    }

    @Test("--at a time stops after the last event at or before it")
    func atTime() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["timeline", "c-07", "--at", "2026-11-24T11:05:30+01:00"])
        #expect(run.status == 0)
        #expect(
            run.lines.first
                == "conversation c-07: 6 events up to 2026-11-24T10:05:30Z (of 10); session 1, then agent 12 Ben (team 3)")
    }

    @Test("a second session, and a handoff per session (c-08)")
    func secondSession() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["timeline", "c-08"])
        #expect(run.status == 0)
        #expect(run.lines.first == "conversation c-08: 11 events; session 2, now agent 12 Ben (team 3)")
        #expect(run.lines.contains(" 57  2026-11-24T10:05:00Z  session.closed              1  closed                 by agent (resolved)"))
        #expect(run.lines.contains(" 58  2026-11-24T10:06:00Z  user.message                2  bot                    \"hello again, refund please\""))
        #expect(run.lines.suffix(3) == [
            "  session 1: requested 2026-11-24T10:02:00Z (user_asked; unfinished -); routed to team 1 by default (routing v1); closed 2026-11-24T10:05:00Z",
            "  session 2: requested 2026-11-24T10:08:00Z (bot_failed; unfinished acme.shop.Refund); routed to team 3 by skill:acme.shop.Refund (routing v1); open",
            "",
        ])
    }

    @Test("--json: the events in the wire form with the state and owner after each, and the handoffs (c-09)")
    func json() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["timeline", "c-09", "--json"])
        #expect(run.status == 0)
        let document = try #require(try run.json() as? [String: Any])
        #expect(document["conversationId"] as? String == "c-09")
        #expect(document["storedEvents"] as? Int == 7)
        let events = try #require(document["events"] as? [[String: Any]])
        // The refused bot reply (line 5 of the file) was never stored.
        #expect(events.compactMap { ($0["event"] as? [String: Any])?["type"] as? String } == [
            "conversation.started", "user.message", "handoff.requested", "handoff.routed", "agent.assigned",
            "agent.message", "session.closed",
        ])
        #expect(events.compactMap { ($0["event"] as? [String: Any])?["position"] as? Int } == Array(63...69))
        let routed = try #require(events[3]["event"] as? [String: Any])
        let routedData = try #require(routed["data"] as? [String: Any])
        #expect(routedData["team"] as? Int == 1 && routedData["rule"] as? String == "default")
        #expect(routedData["routingVersion"] as? Int == 1)
        let modes = events.compactMap { ($0["state"] as? [String: Any])?["mode"] as? String }
        #expect(modes == ["bot", "bot", "routing", "queued", "withAgent", "withAgent", "closed"])
        let owners = events.map { ($0["owner"] as? [String: Any])?["kind"] as? String }
        #expect(owners == ["bot", "bot", "routing", "team", "agent", "agent", nil])
        let agent = try #require(events[4]["owner"] as? [String: Any])
        #expect(agent["agentId"] as? Int == 11 && agent["agentName"] as? String == "Ada" && agent["team"] as? Int == 1)
        let handoffs = try #require(document["handoffs"] as? [[String: Any]])
        #expect(handoffs.count == 1)
        #expect(handoffs.first?["recordedTeam"] as? Int == 1)
        #expect(handoffs.first?["recordedRule"] as? String == "default")
        #expect(handoffs.first?["closedAt"] as? String == "2026-11-24T10:07:00Z")
        let state = try #require(document["state"] as? [String: Any])
        #expect(state["mode"] as? String == "closed" && state["session"] as? Int == 1)
    }

    @Test("an unknown conversation is one line on standard error and status 1")
    func unknownConversation() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["timeline", "c-99"])
        #expect(run.status == 1)
        #expect(run.output == "")
        #expect(run.error == "replay: error: there is no conversation \"c-99\" in \(database.path)\n")
    }

    @Test("a malformed --at is a usage error on one line")
    func malformedAt() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["timeline", "c-07", "--at", "yesterday"])
        #expect(run.status == 64)
        #expect(run.error.split(separator: "\n").count == 1)
        #expect(run.error.hasPrefix("replay: error: "))
        #expect(run.error.contains("--at"))
        #expect(run.error.contains("expected a position (digits) or an ISO-8601 time"))
    }
}
