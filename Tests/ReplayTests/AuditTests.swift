import Foundation
import Testing

@Suite("replay audit")
struct AuditTests {
    @Test("--team 4: its queue and its agents' stretches, with durations and totals")
    func team() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["audit", "--team", "4"])
        #expect(run.status == 0, "\(run.error)")
        #expect(
            run.lines == [
                "8 stretches in 4 conversations (team 4)",
                "",
                "conversation  session  owner                  from                  to                    duration  ended",
                "c-06                1  team 4                 2026-11-24T10:05:00Z  -                         open  open",
                "c-07                1  team 4                 2026-11-24T10:07:00Z  2026-11-24T10:08:00Z    1m 00s  assigned",
                "c-07                1  agent 14 Dee (team 4)  2026-11-24T10:08:00Z  2026-11-24T10:09:00Z    1m 00s  closed by agent (resolved)",
                "c-11                2  team 4                 2026-11-24T10:09:00Z  -                         open  open",
                "c-12                1  team 4                 2026-11-24T10:04:00Z  2026-11-24T10:05:00Z    1m 00s  assigned",
                "c-12                1  agent 14 Dee (team 4)  2026-11-24T10:05:00Z  2026-11-24T10:06:00Z    1m 00s  unassigned",
                "c-12                1  team 4                 2026-11-24T10:06:00Z  2026-11-24T10:07:00Z    1m 00s  transferred",
                "c-12                1  team 4                 2026-11-24T10:08:00Z  2026-11-24T10:09:00Z    1m 00s  closed by timeout (idle)",
                "",
                "by agent:",
                "                stretches   total  open",
                "  agent 14 Dee          2  2m 00s     0",
                "",
                "by team:",
                "          stretches   total  open",
                "  team 4          8  6m 00s     2",
                "",
            ])
    }

    @Test("--agent 11 --json: Ada's three stretches, six minutes in all")
    func agentJSON() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["audit", "--agent", "11", "--json"])
        #expect(run.status == 0)
        let document = try #require(try run.json() as? [String: Any])
        let segments = try #require(document["segments"] as? [[String: Any]])
        #expect(segments.map { $0["conversationId"] as? String } == ["c-01", "c-08", "c-09"])
        #expect(segments.map { $0["durationSeconds"] as? Double } == [180, 60, 120])
        #expect(segments.map { $0["end"] as? String } == ["closed", "closed", "closed"])
        #expect(segments.map { $0["closedBy"] as? String } == ["agent", "agent", "agent"])
        #expect(segments.first?["from"] as? String == "2026-11-24T10:04:00Z")
        let owner = try #require(segments.first?["owner"] as? [String: Any])
        #expect(owner["kind"] as? String == "agent" && owner["agentId"] as? Int == 11 && owner["team"] as? Int == 1)
        let agents = try #require(document["agents"] as? [[String: Any]])
        #expect(agents.count == 1)
        #expect(agents.first?["name"] as? String == "agent 11 Ada")
        #expect(agents.first?["seconds"] as? Double == 360 && agents.first?["stretches"] as? Int == 3)
    }

    @Test("a period keeps the stretches that overlap it")
    func period() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["audit", "--agent", "11", "--since", "2026-11-24T10:06:00Z", "--json"])
        #expect(run.status == 0)
        let document = try #require(try run.json() as? [String: Any])
        // c-08's stretch ended at 10:05, before the period.
        #expect((document["segments"] as? [[String: Any]])?.map { $0["conversationId"] as? String } == ["c-01", "c-09"])
    }

    @Test("the bot's stretches of a conversation without a handoff")
    func botOnly() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["audit", "--json"])
        let document = try #require(try run.json() as? [String: Any])
        let segments = try #require(document["segments"] as? [[String: Any]])
        let c10 = segments.filter { $0["conversationId"] as? String == "c-10" }
        #expect(c10.count == 1)
        #expect((c10.first?["owner"] as? [String: Any])?["kind"] as? String == "bot")
        #expect(c10.first?["to"] is NSNull)
        // Owners of every fixture in order, as FixtureConversationTests has them: 4+4+3+3+4+3+6+8+4+1+6+7.
        #expect(segments.count == 53)
    }
}
