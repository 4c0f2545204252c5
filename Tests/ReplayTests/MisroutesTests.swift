import Foundation
import Testing

@Suite("replay misroutes")
struct MisroutesTests {
    @Test("against the table in force now (routing version 2, changed.json), in text")
    func currentTable() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["misroutes"])
        #expect(run.status == 0, "\(run.error)")
        // Worked out by hand from the fixtures and changed.json (team 4 first with delivery and billing).
        #expect(
            run.lines == [
                "13 handoffs in 11 conversations, compared with routing version 2 (in force now)",
                "",
                "routed elsewhere than this table routes: 2",
                "  conversation  session  unfinished skills                         recorded                                     this table",
                "  c-03          1        acme.shop.Delivery, acme.billing.Invoice  team 3 by skill:acme.billing.* (routing v1)  team 4 by skill:acme.shop.Delivery",
                "  c-11          1        acme.billing.Invoice                      team 3 by skill:acme.billing.* (routing v1)  team 4 by skill:acme.billing.*",
                "",
                "moved by agents to another team: 2",
                "  conversation  session  unfinished skills   routed to  moved to  after",
                "  c-07          1        acme.shop.Refund    team 3     team 4    3m 00s",
                "  c-12          1        acme.shop.Delivery  team 4     team 3    3m 00s",
                "",
                "transfer loops: 1",
                "  c-12 session 1: 4 -> 3 -> 4 (left team 4 2026-11-24T10:07:00Z, back 2026-11-24T10:08:00Z)",
                "",
                "default fallbacks (unfinished skills no entry covers): 1",
                "  c-04 session 1: team 1 for acme.hr.Leave",
                "",
                "by team:",
                "  team  recorded  this table  gained  lost  moved away  moved in  loops back",
                "     1         4           4       0     0           0         0           0",
                "     3         5           3       0     2           1         1           0",
                "     4         3           5       2     0           1         1           1",
                "     7         1           1       0     0           0         0           0",
                "",
                "by skill:",
                "  skill                 entry               team  handoffs  default  elsewhere  moved",
                "  acme.billing.Invoice  acme.billing.*         4         3        0          2      0",
                "  acme.hr.Leave         -                      -         1        1          0      0",
                "  acme.shop.Delivery    acme.shop.Delivery     4         2        0          1      1",
                "  acme.shop.Refund      acme.shop.Refund       3         3        0          0      1",
                "",
            ])
    }

    @Test("--routing default.json --json: only c-11's second handoff went elsewhere")
    func fileTableJSON() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["misroutes", "--routing", routingFile("default"), "--json"])
        #expect(run.status == 0)
        let document = try #require(try run.json() as? [String: Any])
        let table = try #require(document["table"] as? [String: Any])
        #expect(table["file"] as? String == routingFile("default"))
        #expect(table["routingVersion"] is NSNull)
        let report = try #require(document["report"] as? [String: Any])
        #expect((report["comparisons"] as? [Any])?.count == 13)
        let disagreements = try #require(report["disagreements"] as? [[String: Any]])
        #expect(disagreements.count == 1)
        #expect(disagreements.first?["conversationId"] as? String == "c-11")
        #expect(disagreements.first?["session"] as? Int == 2)
        #expect(disagreements.first?["recordedTeam"] as? Int == 4)
        #expect(disagreements.first?["team"] as? Int == 3)
        let moves = try #require(report["moves"] as? [[String: Any]])
        #expect(moves.map { $0["conversationId"] as? String } == ["c-07", "c-12"])
        #expect(moves.map { $0["timeWithFirstTeam"] as? Double } == [180, 180])
        #expect(moves.first?["movedAt"] as? String == "2026-11-24T10:07:00Z")
        let loops = try #require(report["loops"] as? [[String: Any]])
        #expect(loops.count == 1)
        #expect((loops.first?["stops"] as? [[String: Any]])?.map { $0["team"] as? Int } == [4, 3, 4])
        #expect(report["defaultFallbacksBySkill"] as? [String: Int] == ["acme.hr.Leave": 1])
        let teams = try #require(report["teams"] as? [[String: Any]])
        // default.json sends c-11's second handoff (recorded 4) to 3: 3 gains it, 4 loses it.
        let team3 = try #require(teams.first { $0["team"] as? Int == 3 })
        #expect(team3["recorded"] as? Int == 5 && team3["decided"] as? Int == 6 && team3["gained"] as? Int == 1)
        let team4 = try #require(teams.first { $0["team"] as? Int == 4 })
        #expect(team4["recorded"] as? Int == 3 && team4["decided"] as? Int == 2 && team4["lost"] as? Int == 1)
    }

    @Test("--since and --until keep the handoffs requested in the period")
    func period() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["misroutes", "--since", "2026-11-24T10:05:00Z", "--until", "2026-11-25"])
        #expect(run.status == 0)
        // Requested at or after 10:05: c-02 (10:05), c-08's second (10:08), c-11's second (10:08).
        #expect(
            run.lines.first
                == "3 handoffs in 3 conversations requested from 2026-11-24T10:05:00Z until 2026-11-25T00:00:00Z, "
                + "compared with routing version 2 (in force now)")
        #expect(run.lines.contains("routed elsewhere than this table routes: 0"))
    }

    @Test("no table in the routing stream and none given")
    func noTable() async throws {
        let database = try await FixtureDatabase(routing: false)
        let run = try await database.replay(["misroutes"])
        #expect(run.status == 1)
        #expect(
            run.error == "replay: error: \(database.path) holds no routing table (the routing stream is empty); "
                + "name one with --routing table.json\n")
    }

    @Test("a malformed --since is one line and status 64", arguments: ["2026-13-01", "10:00", "2026-11-24T10:00:00"])
    func malformedSince(_ value: String) async throws {
        let database = try await FixtureDatabase(routing: false)
        let run = try await database.replay(["misroutes", "--since", value])
        #expect(run.status == 64)
        #expect(run.output == "")
        #expect(run.error.split(separator: "\n").count == 1)
        #expect(run.error.contains("--since"))
        #expect(run.error.contains("expected an ISO-8601 time such as 2026-11-24T10:00:00Z, or a day such as 2026-11-24"))
    }

    @Test("--since after --until is refused")
    func reversedPeriod() async throws {
        let database = try await FixtureDatabase(routing: false)
        let run = try await database.replay(["audit", "--since", "2026-11-25", "--until", "2026-11-24"])
        #expect(run.status == 64)
        #expect(run.error == "replay: error: --since must come before --until (see replay --help)\n")
    }
}
