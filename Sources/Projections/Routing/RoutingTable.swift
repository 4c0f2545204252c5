import EventStore
public import Foundation

/// One team of a routing table and the skill entries it takes.
public struct TeamSkills: Sendable, Hashable {
    /// The team's id in the support system.
    public var team: Int
    /// Full skill names (`acme.shop.Refund`) and packages (`acme.billing.*`), as written.
    public var skills: [String]

    /// Creates a team's entries; ``RoutingTable/init(defaultTeam:teams:)`` checks them.
    public init(team: Int, skills: [String]) {
        self.team = team
        self.skills = skills
    }
}

/// Where handoffs go (DESIGN §6): teams in priority order with the skills they take, and a default team.
///
/// Always valid: every way to make one checks the rules and throws ``RoutingTableError`` naming the offending entry.
///
/// ```swift
/// let table = try RoutingTable(jsonData: Data(#"""
///     {"defaultTeam": 1, "teams": [{"team": 3, "skills": ["acme.shop.Refund", "acme.billing.*"]}]}
///     """#.utf8))
/// table.route(RoutingRequest(unfinishedSkills: ["acme.billing.Invoice"]))  // team 3, skill:acme.billing.*
/// table.route(RoutingRequest(unfinishedSkills: ["acme.hr.Leave"]))         // team 1, default
/// let stored = table.canonicalData()  // {"defaultTeam":1,"teams":[{"skills":[...],"team":3}]}
/// ```
public struct RoutingTable: Sendable, Hashable {
    /// The team that takes what no entry matches.
    public let defaultTeam: Int
    /// The teams, highest priority first.
    public let teams: [TeamSkills]

    /// Creates a table, checking the rules.
    ///
    /// Team ids are positive and no team is listed twice (the default team may also be listed); every skill entry is
    /// a full name of at least three dot-separated identifiers or a package ending in `.*` after at least two; no
    /// entry is listed twice anywhere, compared case-insensitively. The paths in errors are those of the JSON form
    /// (`teams[1].skills[0]`).
    /// - Parameters:
    ///   - defaultTeam: the team that takes what no entry matches.
    ///   - teams: the teams, highest priority first.
    /// - Throws: ``RoutingTableError`` for the first entry that breaks a rule.
    public init(defaultTeam: Int, teams: [TeamSkills]) throws(RoutingTableError) {
        var validator = RoutingTableValidator()
        try validator.checkDefaultTeam(defaultTeam)
        for (index, owner) in teams.enumerated() {
            try validator.checkTeam(owner.team, path: "teams[\(index)].team")
            for (skillIndex, skill) in owner.skills.enumerated() {
                try validator.checkSkill(skill, path: "teams[\(index)].skills[\(skillIndex)]")
            }
        }
        self.init(checkedDefaultTeam: defaultTeam, teams: teams)
    }

    /// For values a ``RoutingTableValidator`` has passed.
    init(checkedDefaultTeam defaultTeam: Int, teams: [TeamSkills]) {
        self.defaultTeam = defaultTeam
        self.teams = teams
    }

    // MARK: Matching

    /// The first entry in priority order (teams in order, then each team's entries in order) that covers `skill`.
    ///
    /// A full name covers the skill equal to it, a package `a.b.*` every skill starting with `a.b.`; both
    /// case-insensitively.
    /// - Parameter skill: a skill name as the bot platform wrote it.
    /// - Returns: the team and the entry as written in the table, or nil when no entry covers the skill.
    public func matchingEntry(for skill: String) -> (team: Int, entry: String)? {
        for owner in teams {
            for entry in owner.skills where SkillEntry.matches(entry: entry, skill: skill) {
                return (owner.team, entry)
            }
        }
        return nil
    }

    /// The routing decision for a handoff request (DESIGN §6).
    ///
    /// A team the bot named is ``RoutingRule/explicit``, one the user chose ``RoutingRule/userChoice``; else the
    /// first team in priority order with an entry covering any of the unfinished skills, the rule naming that
    /// team's first such entry as written; else the default team. Looking at every unfinished skill (not only the most
    /// recent) follows the documented OpenCUI behaviour rather than its runtime.
    /// - Parameter request: the request.
    public func route(_ request: RoutingRequest) -> RoutingDecision {
        if let team = request.requestedTeam {
            return RoutingDecision(team: team, rule: request.chosenBy == .user ? .userChoice : .explicit)
        }
        for owner in teams {
            for entry in owner.skills
            where request.unfinishedSkills.contains(where: { SkillEntry.matches(entry: entry, skill: $0) }) {
                return RoutingDecision(team: owner.team, rule: .skill(entry))
            }
        }
        return RoutingDecision(team: defaultTeam, rule: .defaultTeam)
    }

    /// The routing decision for a session's current handoff, or nil when the session has none.
    /// - Parameter state: the conversation's state.
    public func route(_ state: SessionState) -> RoutingDecision? {
        state.handoff.map { route(RoutingRequest($0)) }
    }

    // MARK: Canonical JSON

    /// The table as canonical JSON: keys sorted, no whitespace, entries and teams in their order.
    ///
    /// These are the bytes stored as a `routing.table_set` event's data; the same table always gives the same bytes,
    /// equal to `JSONValue.canonicalData()` of the same document.
    public func canonicalBytes() -> [UInt8] {
        // Skill entries are checked to be letters, digits, `_`, `.` and `*`: nothing to escape in a JSON string.
        let owners = teams.map { owner in
            let skills = owner.skills.map { "\"\($0)\"" }.joined(separator: ",")
            return "{\"skills\":[\(skills)],\"team\":\(owner.team)}"
        }
        let text = "{\"defaultTeam\":\(defaultTeam),\"teams\":[\(owners.joined(separator: ","))]}"
        return Array(text.utf8)
    }

    /// The canonical JSON (see ``canonicalBytes()``) as `Data`.
    public func canonicalData() -> Data { Data(canonicalBytes()) }
}

/// Checks a table's entries one at a time, in document order, remembering what it has seen for the duplicate rules.
struct RoutingTableValidator {
    /// The path each listed team was first seen at.
    private var teamPaths: [Int: String] = [:]
    /// Where each entry (by its case-insensitive key) was first seen, and how it was written there.
    private var entries: [String: (path: String, entry: String)] = [:]

    /// Checks the default team: a positive id.
    mutating func checkDefaultTeam(_ team: Int) throws(RoutingTableError) {
        try Self.checkPositive(team, path: "defaultTeam")
    }

    /// Checks a listed team: a positive id not listed before.
    mutating func checkTeam(_ team: Int, path: String) throws(RoutingTableError) {
        try Self.checkPositive(team, path: path)
        if let first = teamPaths[team] {
            throw RoutingTableError(
                .duplicateTeam, path: path, entry: String(team),
                message: "team \(team) is already listed at \(first); list each team once, with all its skills")
        }
        teamPaths[team] = path
    }

    /// Checks a skill entry: its shape, and that no entry equal to it (case-insensitively) came before.
    mutating func checkSkill(_ entry: String, path: String) throws(RoutingTableError) {
        if let problem = SkillEntry.problem(with: entry) {
            throw RoutingTableError(.invalidSkill, path: path, entry: entry, message: problem)
        }
        let key = SkillEntry.key(entry)
        if let first = entries[key] {
            let spelling = first.entry == entry ? "" : " as \"\(first.entry)\" (names compare case-insensitively)"
            throw RoutingTableError(
                .duplicateSkill, path: path, entry: entry,
                message: "is already listed at \(first.path)\(spelling); an entry may appear only once in the table")
        }
        entries[key] = (path, entry)
    }

    private static func checkPositive(_ team: Int, path: String) throws(RoutingTableError) {
        guard team > 0 else {
            throw RoutingTableError(
                .invalidTeamID, path: path, entry: String(team), message: "a team id is a positive integer")
        }
    }
}
