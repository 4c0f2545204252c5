import Foundation
import Testing
import TestSupport

/// One row of `route --json`, as the test reads it.
private struct Row: Equatable, CustomStringConvertible {
    let conversation: String
    let session: Int
    let recordedTeam: Int?
    let recordedRule: String?
    let team: Int
    let rule: String

    init(_ conversation: String, _ session: Int, _ recordedTeam: Int?, _ recordedRule: String?, _ team: Int, _ rule: String) {
        (self.conversation, self.session, self.recordedTeam, self.recordedRule, self.team, self.rule) =
            (conversation, session, recordedTeam, recordedRule, team, rule)
    }

    init(_ object: [String: Any]) throws {
        #expect(Set(object.keys) == ["conversationId", "session", "recordedTeam", "recordedRule", "team", "rule"])
        self.init(
            try #require(object["conversationId"] as? String), try #require(object["session"] as? Int),
            object["recordedTeam"] as? Int, object["recordedRule"] as? String, try #require(object["team"] as? Int),
            try #require(object["rule"] as? String))
    }

    var description: String { "\(conversation) \(session) \(recordedTeam ?? 0) \(recordedRule ?? "-") \(team) \(rule)" }
}

private func rows(_ run: ReplayRun) throws -> [Row] {
    try #require(try run.json() as? [[String: Any]]).map(Row.init)
}

@Suite("replay route")
struct RouteTests {
    /// The recorded decisions of every fixture handoff: the fixtures' own `handoff.routed` events.
    private static let recorded: [(String, Int, Int, String)] = [
        ("c-01", 1, 1, "default"), ("c-02", 1, 3, "skill:acme.shop.Refund"), ("c-03", 1, 3, "skill:acme.billing.*"),
        ("c-04", 1, 1, "default"), ("c-05", 1, 7, "explicit"), ("c-06", 1, 4, "user_choice"),
        ("c-07", 1, 3, "skill:acme.shop.Refund"), ("c-08", 1, 1, "default"), ("c-08", 2, 3, "skill:acme.shop.Refund"),
        ("c-09", 1, 1, "default"), ("c-11", 1, 3, "skill:acme.billing.*"), ("c-11", 2, 4, "skill:acme.billing.*"),
        ("c-12", 1, 4, "skill:acme.shop.Delivery"),
    ]

    @Test("--all --json with changed.json: team 4 first takes delivery and billing, so c-03 and c-11's first move")
    func allChanged() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["route", "--all", "--routing", routingFile("changed"), "--json"])
        #expect(run.status == 0, "\(run.error)")
        // Worked out from changed.json: 4 [acme.shop.Delivery, acme.billing.*], 3 [acme.shop.Refund], 7 [...],
        // default 1; a named team wins; else the first team in order with an entry for any unfinished skill.
        let decided: [(Int, String)] = [
            (1, "default"), (3, "skill:acme.shop.Refund"), (4, "skill:acme.shop.Delivery"), (1, "default"),
            (7, "explicit"), (4, "user_choice"), (3, "skill:acme.shop.Refund"), (1, "default"),
            (3, "skill:acme.shop.Refund"), (1, "default"), (4, "skill:acme.billing.*"), (4, "skill:acme.billing.*"),
            (4, "skill:acme.shop.Delivery"),
        ]
        let expected = zip(Self.recorded, decided).map { recorded, decided in
            Row(recorded.0, recorded.1, recorded.2, recorded.3, decided.0, decided.1)
        }
        #expect(try rows(run) == expected)
    }

    @Test("one conversation, text: the recorded team and this table's, and why")
    func oneConversationText() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["route", "c-11", "--routing", routingFile("default")])
        #expect(run.status == 0)
        #expect(
            run.lines == [
                "2 handoffs replayed with \(routingFile("default"))",
                "",
                "conversation  session  unfinished skills     recorded                                     this table                      change",
                "c-11                1  acme.billing.Invoice  team 3 by skill:acme.billing.* (routing v1)  team 3 by skill:acme.billing.*  same",
                "c-11                2  acme.billing.Invoice  team 4 by skill:acme.billing.* (routing v2)  team 3 by skill:acme.billing.*  other team",
                "",
                "1 other team, 1 same",
                "",
            ])
    }

    @Test("one conversation, --json: the six keys of DESIGN §9")
    func oneConversationJSON() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["route", "c-03", "--routing", routingFile("changed"), "--json"])
        #expect(run.status == 0)
        #expect(try rows(run) == [Row("c-03", 1, 3, "skill:acme.billing.*", 4, "skill:acme.shop.Delivery")])
        let none = try await database.replay(["route", "c-10", "--routing", routingFile("changed"), "--json"])
        #expect(none.status == 0)
        #expect(try rows(none) == [])
    }

    @Test("a bad routing table fails with the RoutingTableError text", arguments: [
        ("skill-two-parts", "invalidSkill: teams[1].skills[0]: \"acme.Delivery\": has 2 parts"),
        ("duplicate-team", "duplicateTeam: teams[2].team"),
        ("not-json", "invalidJSON"),
    ])
    func badTable(_ name: String, _ text: String) async throws {
        let database = try await FixtureDatabase()
        let file = routingFile("invalid/\(name)")
        let run = try await database.replay(["route", "--all", "--routing", file])
        #expect(run.status == 1)
        #expect(run.output == "")
        #expect(run.error.hasPrefix("replay: error: the routing table \(file) is invalid: \(text)"), "\(run.error)")
        #expect(run.error.split(separator: "\n").count == 1)
    }

    @Test("a routing table that does not exist")
    func missingTable() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["route", "c-01", "--routing", database.folder.path("nope.json")])
        #expect(run.status == 1)
        #expect(run.error == "replay: error: cannot read the routing table \(database.folder.path("nope.json")): no such file\n")
    }

    @Test("a conversation and --all, or neither, is a usage error")
    func usage() async throws {
        let database = try await FixtureDatabase(routing: false)
        let both = try await database.replay(["route", "c-01", "--all", "--routing", routingFile("default")])
        #expect(both.status == 64)
        #expect(both.error == "replay: error: name a conversation or give --all, not both (see replay --help)\n")
        let neither = try await database.replay(["route", "--routing", routingFile("default")])
        #expect(neither.status == 64)
        #expect(neither.error == "replay: error: name a conversation, or give --all (see replay --help)\n")
    }
}
