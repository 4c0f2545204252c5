public import Foundation

/// One handoff as recorded and as a routing table decides it: a row of `replay route --json`.
///
/// Encoded as `{"conversationId", "session", "recordedTeam", "recordedRule", "team", "rule"}`, the recorded fields
/// `null` for a handoff that was never routed.
public struct RouteComparison: Sendable, Hashable, Encodable {
    /// The conversation.
    public var conversationID: String
    /// The session the handoff belongs to.
    public var session: Int
    /// The unfinished skills the request looked at.
    public var unfinishedSkills: [String]
    /// The team `handoff.routed` recorded; nil when the handoff was never routed.
    public var recordedTeam: Int?
    /// The rule it recorded, as written (`skill:acme.billing.*`).
    public var recordedRule: String?
    /// The routing version it recorded.
    public var recordedVersion: Int64?
    /// The team the table decides.
    public var team: Int
    /// The rule the table decides by.
    public var rule: RoutingRule

    /// Creates a comparison.
    public init(
        conversationID: String, session: Int, unfinishedSkills: [String], recordedTeam: Int?, recordedRule: String?,
        recordedVersion: Int64?, team: Int, rule: RoutingRule
    ) {
        self.conversationID = conversationID
        self.session = session
        self.unfinishedSkills = unfinishedSkills
        self.recordedTeam = recordedTeam
        self.recordedRule = recordedRule
        self.recordedVersion = recordedVersion
        self.team = team
        self.rule = rule
    }

    /// True when the handoff was routed and the table sends it to another team.
    public var isDisagreement: Bool { recordedTeam.map { $0 != team } ?? false }

    enum CodingKeys: String, CodingKey {
        case conversationID = "conversationId"
        case session, recordedTeam, recordedRule, team, rule
    }

    /// Writes the six keys of `replay route --json`; the recorded ones as `null` when absent.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conversationID, forKey: .conversationID)
        try container.encode(session, forKey: .session)
        try container.encode(recordedTeam, forKey: .recordedTeam)
        try container.encode(recordedRule, forKey: .recordedRule)
        try container.encode(team, forKey: .team)
        try container.encode(rule, forKey: .rule)
    }
}

/// A handoff that agents moved away from the team it was routed to.
public struct TeamMove: Sendable, Hashable, Encodable {
    /// The conversation.
    public var conversationID: String
    /// The session the handoff belongs to.
    public var session: Int
    /// The unfinished skills the request looked at.
    public var unfinishedSkills: [String]
    /// The team it was routed to.
    public var firstTeam: Int
    /// The team it was first moved to; nil when the team was removed.
    public var movedTo: Int?
    /// When it was routed.
    public var routedAt: Date
    /// When it was first moved.
    public var movedAt: Date

    /// Creates a move.
    public init(
        conversationID: String, session: Int, unfinishedSkills: [String], firstTeam: Int, movedTo: Int?,
        routedAt: Date, movedAt: Date
    ) {
        self.conversationID = conversationID
        self.session = session
        self.unfinishedSkills = unfinishedSkills
        self.firstTeam = firstTeam
        self.movedTo = movedTo
        self.routedAt = routedAt
        self.movedAt = movedAt
    }

    /// How long it sat with the first team: from the routing decision to the first transfer.
    public var timeWithFirstTeam: TimeInterval { movedAt.timeIntervalSince(routedAt) }

    enum CodingKeys: String, CodingKey {
        case conversationID = "conversationId"
        case session, unfinishedSkills, firstTeam, movedTo, routedAt, movedAt
        case timeWithFirstTeam
    }

    /// Writes the fields and ``timeWithFirstTeam`` in seconds.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conversationID, forKey: .conversationID)
        try container.encode(session, forKey: .session)
        try container.encode(unfinishedSkills, forKey: .unfinishedSkills)
        try container.encode(firstTeam, forKey: .firstTeam)
        try container.encode(movedTo, forKey: .movedTo)
        try container.encode(routedAt, forKey: .routedAt)
        try container.encode(movedAt, forKey: .movedAt)
        try container.encode(timeWithFirstTeam, forKey: .timeWithFirstTeam)
    }
}

/// A handoff the table sends to its default team although it had unfinished skills: no entry covers them.
public struct DefaultFallback: Sendable, Hashable, Encodable {
    /// The conversation.
    public var conversationID: String
    /// The session the handoff belongs to.
    public var session: Int
    /// The default team.
    public var team: Int
    /// The unfinished skills no entry covers.
    public var skills: [String]

    /// Creates a fallback.
    public init(conversationID: String, session: Int, team: Int, skills: [String]) {
        self.conversationID = conversationID
        self.session = session
        self.team = team
        self.skills = skills
    }

    enum CodingKeys: String, CodingKey {
        case conversationID = "conversationId"
        case session, team, skills
    }
}

/// A transfer loop within one handoff: it left a team for another and came back (4 → 3 → 4).
public struct TransferLoop: Sendable, Hashable, Encodable {
    /// The conversation.
    public var conversationID: String
    /// The session the handoff belongs to.
    public var session: Int
    /// The team it came back to.
    public var team: Int
    /// From the arrival at ``team`` to the return to it, with every team in between.
    public var stops: [TeamStop]

    /// Creates a loop.
    public init(conversationID: String, session: Int, team: Int, stops: [TeamStop]) {
        self.conversationID = conversationID
        self.session = session
        self.team = team
        self.stops = stops
    }

    /// The teams of the loop, in order: `[4, 3, 4]`.
    public var teams: [Int?] { stops.map(\.team) }
    /// When it left ``team``.
    public var leftAt: Date? { stops.dropFirst().first?.at }
    /// When it came back.
    public var returnedAt: Date? { stops.last?.at }

    enum CodingKeys: String, CodingKey {
        case conversationID = "conversationId"
        case session, team, stops
    }
}

/// A team's line in the misroute summary.
public struct TeamSummary: Sendable, Hashable, Encodable {
    /// The team.
    public var team: Int
    /// Handoffs recorded as routed to it.
    public var recorded: Int
    /// Handoffs the table sends to it.
    public var decided: Int
    /// Disagreements the table sends to it that were recorded elsewhere.
    public var gained: Int
    /// Disagreements recorded to it that the table sends elsewhere.
    public var lost: Int
    /// Handoffs routed to it that agents moved away.
    public var movedAway: Int
    /// Handoffs moved to it from the team they were routed to.
    public var movedIn: Int
    /// Transfer loops that came back to it.
    public var loopsBack: Int

    /// Creates a line with every count at zero.
    public init(team: Int) {
        self.team = team
        recorded = 0
        decided = 0
        gained = 0
        lost = 0
        movedAway = 0
        movedIn = 0
        loopsBack = 0
    }
}

/// A skill's line in the misroute summary; skills are grouped case-insensitively and shown as first written.
public struct SkillSummary: Sendable, Hashable, Encodable {
    /// The skill.
    public var skill: String
    /// The table's entry covering it, as written; nil when none does.
    public var entry: String?
    /// The team of that entry; nil when none covers it.
    public var team: Int?
    /// Handoffs with the skill unfinished.
    public var handoffs: Int
    /// Of those, handoffs the table sends to the default team.
    public var defaultFallbacks: Int
    /// Of those, handoffs the table sends to another team than was recorded.
    public var disagreements: Int
    /// Of those, handoffs that agents moved away from their routed team.
    public var moves: Int

    /// Creates a line with every count at zero.
    public init(skill: String, entry: String?, team: Int?) {
        self.skill = skill
        self.entry = entry
        self.team = team
        handoffs = 0
        defaultFallbacks = 0
        disagreements = 0
        moves = 0
    }
}

/// What a routing table would change, and what went wrong with the routing that was recorded: a pure function of
/// handoff traces and a table.
///
/// ```swift
/// let report = MisrouteReport(traces: traces, table: candidate)
/// report.disagreements    // handoffs the candidate would send elsewhere than was recorded
/// report.moves            // handoffs agents moved away from their routed team, and after how long
/// report.loops            // 4 → 3 → 4
/// report.defaultFallbacksBySkill  // ["acme.hr.Leave": 1]: skills no entry covers
/// ```
public struct MisrouteReport: Sendable, Hashable, Encodable {
    /// Every handoff, in the order of the traces: recorded team and rule, and the table's decision.
    public var comparisons: [RouteComparison]
    /// The routed handoffs the table sends to another team than was recorded.
    public var disagreements: [RouteComparison]
    /// The routed handoffs that agents later moved to another team.
    public var moves: [TeamMove]
    /// The handoffs the table sends to its default team although they had unfinished skills.
    public var defaultFallbacks: [DefaultFallback]
    /// How many default fallbacks each skill was in (the skills lines with fallbacks, as a dictionary).
    public var defaultFallbacksBySkill: [String: Int]
    /// The transfer loops, in the order of the traces and, within one, of the returns.
    public var loops: [TransferLoop]
    /// One line per team that was recorded, decided, moved from or to, or looped back to; by team id.
    public var teams: [TeamSummary]
    /// One line per unfinished skill, by name (case-insensitively).
    public var skills: [SkillSummary]

    /// Analyses `traces` against `table`.
    /// - Parameters:
    ///   - traces: handoff traces, as ``HandoffTracer`` collects them.
    ///   - table: the table to compare with (the one in force, or a candidate).
    public init(traces: some Sequence<HandoffTrace>, table: RoutingTable) {
        comparisons = []
        moves = []
        defaultFallbacks = []
        loops = []
        for trace in traces {
            let decision = table.route(RoutingRequest(trace.request))
            comparisons.append(
                RouteComparison(
                    conversationID: trace.conversationID, session: trace.session,
                    unfinishedSkills: trace.request.unfinishedSkills, recordedTeam: trace.recordedTeam,
                    recordedRule: trace.recordedRule, recordedVersion: trace.request.routingVersion,
                    team: decision.team, rule: decision.rule))
            if decision.rule == .defaultTeam, !trace.request.unfinishedSkills.isEmpty {
                defaultFallbacks.append(
                    DefaultFallback(
                        conversationID: trace.conversationID, session: trace.session, team: decision.team,
                        skills: trace.request.unfinishedSkills))
            }
            if let move = Self.move(in: trace) { moves.append(move) }
            loops += Self.loops(in: trace)
        }
        disagreements = comparisons.filter(\.isDisagreement)
        teams = Self.teamSummary(comparisons: comparisons, moves: moves, loops: loops)
        skills = Self.skillSummary(comparisons: comparisons, moves: moves, table: table)
        defaultFallbacksBySkill = Dictionary(
            uniqueKeysWithValues: skills.filter { $0.defaultFallbacks > 0 }.map { ($0.skill, $0.defaultFallbacks) })
    }

    /// The first transfer away from the routed team, for a handoff that was routed.
    private static func move(in trace: HandoffTrace) -> TeamMove? {
        guard let routedAt = trace.routedAt, let first = trace.teams.first, let firstTeam = first.team,
            let next = trace.teams.dropFirst().first(where: { $0.team != firstTeam })
        else { return nil }
        return TeamMove(
            conversationID: trace.conversationID, session: trace.session,
            unfinishedSkills: trace.request.unfinishedSkills, firstTeam: firstTeam, movedTo: next.team,
            routedAt: routedAt, movedAt: next.at)
    }

    /// Every return to a team the handoff had already been with, through at least one other team.
    private static func loops(in trace: HandoffTrace) -> [TransferLoop] {
        var found: [TransferLoop] = []
        var lastVisit: [Int: Int] = [:]
        let stops = trace.teams
        for (index, stop) in stops.enumerated() {
            guard let team = stop.team else { continue }
            if let previous = lastVisit[team], stops[(previous + 1)..<index].contains(where: { $0.team != nil }) {
                found.append(
                    TransferLoop(
                        conversationID: trace.conversationID, session: trace.session, team: team,
                        stops: Array(stops[previous...index])))
            }
            lastVisit[team] = index
        }
        return found
    }

    private static func teamSummary(
        comparisons: [RouteComparison], moves: [TeamMove], loops: [TransferLoop]
    ) -> [TeamSummary] {
        var lines: [Int: TeamSummary] = [:]
        func update(_ team: Int, _ change: (inout TeamSummary) -> Void) {
            var line = lines[team] ?? TeamSummary(team: team)
            change(&line)
            lines[team] = line
        }
        for comparison in comparisons {
            update(comparison.team) { $0.decided += 1 }
            if let recorded = comparison.recordedTeam {
                update(recorded) { $0.recorded += 1 }
                if recorded != comparison.team {
                    update(comparison.team) { $0.gained += 1 }
                    update(recorded) { $0.lost += 1 }
                }
            }
        }
        for move in moves {
            update(move.firstTeam) { $0.movedAway += 1 }
            if let target = move.movedTo { update(target) { $0.movedIn += 1 } }
        }
        for loop in loops { update(loop.team) { $0.loopsBack += 1 } }
        return lines.values.sorted { $0.team < $1.team }
    }

    private static func skillSummary(
        comparisons: [RouteComparison], moves: [TeamMove], table: RoutingTable
    ) -> [SkillSummary] {
        var names = SkillNames()
        var lines: [String: SkillSummary] = [:]
        func update(_ skills: [String], _ change: (inout SkillSummary) -> Void) {
            for skill in names.distinct(skills) {
                let match = table.matchingEntry(for: skill)
                var line = lines[skill] ?? SkillSummary(skill: skill, entry: match?.entry, team: match?.team)
                change(&line)
                lines[skill] = line
            }
        }
        for comparison in comparisons {
            update(comparison.unfinishedSkills) { $0.handoffs += 1 }
            if comparison.rule == .defaultTeam { update(comparison.unfinishedSkills) { $0.defaultFallbacks += 1 } }
            if comparison.isDisagreement { update(comparison.unfinishedSkills) { $0.disagreements += 1 } }
        }
        for move in moves { update(move.unfinishedSkills) { $0.moves += 1 } }
        return lines.values.sorted { SkillEntry.key($0.skill) < SkillEntry.key($1.skill) }
    }
}

/// Skill names grouped case-insensitively, each group shown as it was first written.
private struct SkillNames {
    private var spelling: [String: String] = [:]

    /// The skills' display names, each once.
    mutating func distinct(_ skills: [String]) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for skill in skills {
            let key = SkillEntry.key(skill)
            guard seen.insert(key).inserted else { continue }
            if spelling[key] == nil { spelling[key] = skill }
            result.append(spelling[key] ?? skill)
        }
        return result
    }
}
