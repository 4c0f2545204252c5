import EventStore
import Foundation
import Projections
import Testing
import TestSupport

/// The bytes of `fixtures/routing/<name>`.
func routingFixture(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: fixturesFolder().appendingPathComponent("routing/\(name)")))
}

/// A fixture table: `default.json` (routing version 1) or `changed.json` (version 2).
func routingTable(_ name: String) throws -> RoutingTable {
    try RoutingTable(jsonBytes: routingFixture(name))
}

/// One invalid table under `fixtures/routing/invalid`, and the error it must give, written by hand.
struct InvalidTable: Sendable, CustomTestStringConvertible {
    let file: String
    let code: RoutingTableError.Code
    let path: String
    let entry: String?
    var testDescription: String { file }
}

let invalidTables: [InvalidTable] = [
    InvalidTable(file: "missing-default-team.json", code: .missingDefaultTeam, path: "defaultTeam", entry: nil),
    InvalidTable(file: "team-id-zero.json", code: .invalidTeamID, path: "teams[1].team", entry: "0"),
    InvalidTable(file: "default-team-negative.json", code: .invalidTeamID, path: "defaultTeam", entry: "-2"),
    InvalidTable(file: "team-id-string.json", code: .wrongType, path: "teams[0].team", entry: "\"3\""),
    InvalidTable(file: "team-id-fraction.json", code: .wrongType, path: "teams[0].team", entry: "3.5"),
    InvalidTable(file: "skill-two-parts.json", code: .invalidSkill, path: "teams[1].skills[0]", entry: "acme.Delivery"),
    InvalidTable(file: "skill-package-one-part.json", code: .invalidSkill, path: "teams[0].skills[0]", entry: "acme.*"),
    InvalidTable(
        file: "skill-empty-part.json", code: .invalidSkill, path: "teams[0].skills[1]", entry: "acme..Invoice"),
    InvalidTable(
        file: "skill-bad-char.json", code: .invalidSkill, path: "teams[0].skills[0]", entry: "acme.shop.Re-fund"),
    InvalidTable(
        file: "skill-leading-digit.json", code: .invalidSkill, path: "teams[0].skills[0]", entry: "acme.2shop.Refund"),
    InvalidTable(
        file: "skill-star-inside.json", code: .invalidSkill, path: "teams[0].skills[0]", entry: "acme.*.Refund"),
    InvalidTable(file: "skill-not-string.json", code: .wrongType, path: "teams[0].skills[0]", entry: "42"),
    InvalidTable(
        file: "skills-not-array.json", code: .wrongType, path: "teams[0].skills", entry: "\"acme.shop.Refund\""),
    InvalidTable(file: "skills-missing.json", code: .missingField, path: "teams[0].skills", entry: nil),
    InvalidTable(file: "teams-missing.json", code: .missingField, path: "teams", entry: nil),
    InvalidTable(
        file: "duplicate-skill-case.json", code: .duplicateSkill, path: "teams[1].skills[0]",
        entry: "ACME.Shop.refund"),
    InvalidTable(file: "duplicate-team.json", code: .duplicateTeam, path: "teams[2].team", entry: "3"),
    InvalidTable(file: "not-json.json", code: .invalidJSON, path: "", entry: nil),
    InvalidTable(
        file: "not-an-object.json", code: .wrongType, path: "", entry: #"[{"skills":["acme.shop.Refund"],"team":3}]"#),
    InvalidTable(file: "unknown-field.json", code: .unknownField, path: "defaultteam", entry: "defaultteam"),
    InvalidTable(file: "unknown-field-in-team.json", code: .unknownField, path: "teams[0].skill", entry: "skill"),
    InvalidTable(file: "duplicate-field.json", code: .duplicateField, path: "defaultTeam", entry: "defaultTeam"),
]

@Suite("Routing table")
struct RoutingTableTests {
    /// The matching entry as "team entry", or nil.
    func match(_ table: RoutingTable, _ skill: String) -> String? {
        table.matchingEntry(for: skill).map { "\($0.team) \($0.entry)" }
    }

    // MARK: Loading and validation

    @Test("every file under fixtures/routing/invalid has an expectation")
    func invalidCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(
            atPath: fixturesFolder().appendingPathComponent("routing/invalid").path)
        #expect(Set(files) == Set(invalidTables.map(\.file)))
    }

    @Test(
        "an invalid table fails with its code, the path of the offending value and the entry", arguments: invalidTables)
    func invalid(_ expected: InvalidTable) throws {
        let bytes = try routingFixture("invalid/\(expected.file)")
        let error = try #require(throws: RoutingTableError.self) { try RoutingTable(jsonBytes: bytes) }
        #expect(error.code == expected.code)
        #expect(error.path == expected.path)
        #expect(error.entry == expected.entry)
        if let entry = expected.entry { #expect(error.description.contains("\"\(entry)\"")) }
        #expect(error.description.hasPrefix("\(expected.code)"))
        let fromData = try #require(throws: RoutingTableError.self) { try RoutingTable(jsonData: Data(bytes)) }
        #expect(fromData == error)
    }

    @Test("messages say what is wrong and where the first of a duplicate is")
    func messages() throws {
        let duplicate = try #require(throws: RoutingTableError.self) {
            try RoutingTable(jsonBytes: routingFixture("invalid/duplicate-skill-case.json"))
        }
        #expect(duplicate.message.contains("teams[0].skills[0]"))
        #expect(duplicate.message.contains("\"acme.shop.Refund\""))
        let typo = try #require(throws: RoutingTableError.self) {
            try RoutingTable(jsonBytes: routingFixture("invalid/unknown-field.json"))
        }
        #expect(typo.message.contains("did you mean defaultTeam?"))
        let team = try #require(throws: RoutingTableError.self) {
            try RoutingTable(jsonBytes: routingFixture("invalid/duplicate-team.json"))
        }
        #expect(team.message.contains("teams[0].team"))
        let twoParts = try #require(throws: RoutingTableError.self) {
            try RoutingTable(jsonBytes: routingFixture("invalid/skill-two-parts.json"))
        }
        #expect(twoParts.message.hasPrefix("has 2 parts"))
        let notJSON = try #require(throws: RoutingTableError.self) {
            try RoutingTable(jsonBytes: routingFixture("invalid/not-json.json"))
        }
        #expect(notJSON.message.contains("at byte 72"))
    }

    @Test("a catch clause can match a code")
    func catchByCode() {
        var caught = false
        do {
            _ = try RoutingTable(defaultTeam: 0, teams: [])
        } catch RoutingTableError.Code.invalidTeamID {
            caught = true
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(caught)
    }

    @Test("the checks in code give the same errors as in JSON")
    func memberwise() throws {
        let duplicate = try #require(throws: RoutingTableError.self) {
            try RoutingTable(
                defaultTeam: 1,
                teams: [
                    TeamSkills(team: 3, skills: ["acme.billing.*"]), TeamSkills(team: 4, skills: ["Acme.Billing.*"]),
                ])
        }
        #expect(duplicate.code == .duplicateSkill)
        #expect(duplicate.path == "teams[1].skills[0]")
        #expect(duplicate.entry == "Acme.Billing.*")
        let team = try #require(throws: RoutingTableError.self) {
            try RoutingTable(defaultTeam: 1, teams: [TeamSkills(team: -4, skills: [])])
        }
        #expect(team.code == .invalidTeamID)
        #expect(team.path == "teams[0].team")
        #expect(team.entry == "-4")
        let skill = try #require(throws: RoutingTableError.self) {
            try RoutingTable(defaultTeam: 1, teams: [TeamSkills(team: 2, skills: [" acme.shop.Refund"])])
        }
        #expect(skill.code == .invalidSkill)
        #expect(skill.entry == " acme.shop.Refund")
    }

    @Test("the default team may also be listed; teams and skill lists may be empty")
    func allowed() throws {
        let table = try RoutingTable(
            jsonBytes: Array(#"{"teams": [{"skills": [], "team": 1}], "defaultTeam": 1}"#.utf8))
        #expect(table.defaultTeam == 1)
        #expect(table.teams == [TeamSkills(team: 1, skills: [])])
        #expect(try RoutingTable(jsonBytes: Array(#"{"defaultTeam": 2, "teams": []}"#.utf8)).teams.isEmpty)
    }

    @Test("a key repeated inside a team, or written with an escape, is still a repeat")
    func repeatedKeys() {
        let nested = #"{"defaultTeam": 1, "teams": [{"team": 3, "skills": [], "te\u0061m": 4}]}"#
        let error = #expect(throws: RoutingTableError.self) { try RoutingTable(jsonBytes: Array(nested.utf8)) }
        #expect(error?.code == .duplicateField)
        #expect(error?.path == "teams[0].team")
    }

    // MARK: The fixture tables

    @Test("default.json loads as written")
    func defaultTable() throws {
        let table = try routingTable("default.json")
        #expect(table.defaultTeam == 1)
        #expect(
            table.teams == [
                TeamSkills(team: 3, skills: ["acme.shop.Refund", "acme.billing.*"]),
                TeamSkills(team: 4, skills: ["acme.shop.Delivery"]),
                TeamSkills(team: 7, skills: ["me.test.supportDemo.TestSkill"]),
            ])
        #expect(
            String(decoding: table.canonicalBytes(), as: UTF8.self)
                == #"{"defaultTeam":1,"teams":[{"skills":["acme.shop.Refund","acme.billing.*"],"team":3},"#
                + #"{"skills":["acme.shop.Delivery"],"team":4},{"skills":["me.test.supportDemo.TestSkill"],"team":7}]}"#
        )
    }

    @Test("changed.json gives acme.billing.* to team 4, ahead of team 3")
    func changedTable() throws {
        let table = try routingTable("changed.json")
        #expect(table.defaultTeam == 1)
        #expect(
            table.teams == [
                TeamSkills(team: 4, skills: ["acme.shop.Delivery", "acme.billing.*"]),
                TeamSkills(team: 3, skills: ["acme.shop.Refund"]),
                TeamSkills(team: 7, skills: ["me.test.supportDemo.TestSkill"]),
            ])
    }

    @Test("a valid table round-trips through its canonical bytes", arguments: ["default.json", "changed.json"])
    func roundTrip(_ name: String) throws {
        let bytes = try routingFixture(name)
        let table = try RoutingTable(jsonBytes: bytes)
        let canonical = table.canonicalBytes()
        #expect(try RoutingTable(jsonBytes: canonical) == table)
        #expect(try RoutingTable(jsonBytes: canonical).canonicalBytes() == canonical)
        #expect(table.canonicalData() == Data(canonical))
        #expect(try JSONValue(jsonData: Data(bytes)).canonicalData() == Data(canonical), "the store's canonical form")
    }

    // MARK: Matching and decisions

    @Test("entries match case-insensitively and name the entry as written")
    func matching() throws {
        let table = try routingTable("default.json")
        #expect(match(table, "ACME.SHOP.refund") == "3 acme.shop.Refund")
        #expect(match(table, "Acme.Billing.Invoice") == "3 acme.billing.*")
        #expect(match(table, "acme.billing.invoice.Line") == "3 acme.billing.*")
        #expect(match(table, "ME.test.SUPPORTDEMO.testskill") == "7 me.test.supportDemo.TestSkill")
        #expect(match(table, "acme.billing") == nil, "a package covers what is inside it")
        #expect(match(table, "acme.billing.") == nil)
        #expect(match(table, "acme.billingX.Invoice") == nil)
        #expect(match(table, "acme.shop.RefundPartial") == nil, "a full name covers only itself")
        #expect(match(table, "acme.hr.Leave") == nil)

        let shouting = try RoutingTable(defaultTeam: 1, teams: [TeamSkills(team: 5, skills: ["Acme.Billing.*"])])
        let decision = shouting.route(RoutingRequest(unfinishedSkills: ["acme.billing.invoice"]))
        #expect(decision == RoutingDecision(team: 5, rule: .skill("Acme.Billing.*")))
        #expect(decision.rule.name == "skill:Acme.Billing.*")
    }

    @Test("the first team in priority order with an entry for any unfinished skill wins")
    func priority() throws {
        let table = try routingTable("default.json")
        // Team 3 comes before team 4, whichever skill started last.
        for skills in [
            ["acme.shop.Delivery", "acme.billing.Invoice"], ["acme.billing.Invoice", "acme.shop.Delivery"],
        ] {
            #expect(
                table.route(RoutingRequest(unfinishedSkills: skills))
                    == RoutingDecision(team: 3, rule: .skill("acme.billing.*")))
        }
        #expect(
            table.route(RoutingRequest(unfinishedSkills: ["me.test.supportDemo.TestSkill", "acme.shop.Delivery"]))
                == RoutingDecision(team: 4, rule: .skill("acme.shop.Delivery")))
        // Within the team, its first entry covering any of the skills.
        #expect(
            table.route(RoutingRequest(unfinishedSkills: ["acme.billing.Invoice", "acme.shop.Refund"]))
                == RoutingDecision(team: 3, rule: .skill("acme.shop.Refund")))
        // Skills no entry covers do not get in the way.
        #expect(
            table.route(RoutingRequest(unfinishedSkills: ["acme.hr.Leave", "me.test.supportDemo.TestSkill"]))
                == RoutingDecision(team: 7, rule: .skill("me.test.supportDemo.TestSkill")))
    }

    @Test("a team the bot named is explicit, one the user chose is user_choice; both beat skills")
    func explicitAndUserChoice() throws {
        let table = try routingTable("default.json")
        let skills = ["acme.shop.Refund"]
        #expect(
            table.route(RoutingRequest(requestedTeam: 9, chosenBy: .bot, unfinishedSkills: skills))
                == RoutingDecision(team: 9, rule: .explicit))
        #expect(
            table.route(RoutingRequest(requestedTeam: 4, chosenBy: .user, unfinishedSkills: skills))
                == RoutingDecision(team: 4, rule: .userChoice))
        #expect(
            table.route(RoutingRequest(requestedTeam: 7, chosenBy: nil, unfinishedSkills: skills))
                == RoutingDecision(team: 7, rule: .explicit), "a team without a chooser is the bot's")
        #expect(
            table.route(RoutingRequest(requestedTeam: nil, chosenBy: .user, unfinishedSkills: skills))
                == RoutingDecision(team: 3, rule: .skill("acme.shop.Refund")), "a chooser without a team is nothing")
    }

    @Test("with no skill covered, or none unfinished, the default team")
    func defaultFallback() throws {
        let table = try routingTable("default.json")
        #expect(
            table.route(RoutingRequest(unfinishedSkills: ["acme.hr.Leave"]))
                == RoutingDecision(team: 1, rule: .defaultTeam))
        #expect(table.route(RoutingRequest()) == RoutingDecision(team: 1, rule: .defaultTeam))
    }

    @Test("rules have their recorded names and parse back")
    func ruleNames() {
        let rules: [(RoutingRule, String)] = [
            (.explicit, "explicit"), (.userChoice, "user_choice"), (.defaultTeam, "default"),
            (.skill("acme.billing.*"), "skill:acme.billing.*"),
        ]
        for (rule, name) in rules {
            #expect(rule.name == name)
            #expect(RoutingRule(name: name) == rule)
        }
        #expect(RoutingRule.skill("acme.billing.*").entry == "acme.billing.*")
        #expect(RoutingRule.defaultTeam.entry == nil)
        for bad in ["", "skill:", "Default", "userChoice", "skill"] { #expect(RoutingRule(name: bad) == nil) }
    }

    @Test("a session state routes its current handoff; without one there is no decision")
    func routeState() throws {
        let table = try routingTable("default.json")
        var script = Script()
        #expect(table.route(script.state) == nil)
        script.add(.skillStarted(SkillChange(skill: "acme.shop.delivery")))
        #expect(table.route(script.state) == nil)
        script.add(.handoffRequested(HandoffRequested(reason: "bot_failed")))
        #expect(table.route(script.state) == RoutingDecision(team: 4, rule: .skill("acme.shop.Delivery")))
        let request = RoutingRequest(try #require(script.state.handoff))
        #expect(request == RoutingRequest(unfinishedSkills: ["acme.shop.delivery"]))
    }

    @Test("a request built from a handoff keeps the team, the chooser and the listed skills")
    func requestFromHandoff() {
        let handoff = SessionHandoff(
            requestEventID: UUID(), requestedAt: minute(0), reason: "user_asked", requestedTeam: 4,
            teamChosenBy: .user, unfinishedSkills: ["acme.shop.Refund"])
        #expect(
            RoutingRequest(handoff)
                == RoutingRequest(requestedTeam: 4, chosenBy: .user, unfinishedSkills: ["acme.shop.Refund"]))
    }

    @Test("a decision makes the handoff.routed payload that records it")
    func decisionEvent() {
        let decision = RoutingDecision(team: 3, rule: .skill("acme.billing.*"))
        #expect(
            decision.event(routingVersion: 2)
                == HandoffRouted(team: 3, rule: "skill:acme.billing.*", routingVersion: 2))
    }
}
