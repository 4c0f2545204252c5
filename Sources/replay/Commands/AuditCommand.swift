import ArgumentParser
import EventStore
import Foundation
import Projections

/// `replay audit [--agent ID] [--team ID] [--since --until] [--json]`.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show who handled what, and for how long.",
        discussion: """
            Lists the stretches of ownership (bot, routing, a team's queue, an agent) that match every filter: \
            handled by the agent, by the team (in its queue or with one of its agents), overlapping the period; \
            each with its duration and how it ended. Then the totals per agent and per team. A stretch that still \
            lasts is "open" and counts in no total. Answers from the read models, folding in memory what happened \
            after their checkpoint. Read-only.

            Examples:
              replay audit --agent 11 --since 2026-11-24 --until 2026-11-25
              replay audit --team 3 --json
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Only what this agent handled (the support system's agent id).", valueName: "id"))
    var agent: Int?

    @Option(help: ArgumentHelp("Only what this team handled, in its queue or with its agents.", valueName: "id"))
    var team: Int?

    @OptionGroup var period: PeriodOptions

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        let store = try self.store.openForReading()
        let segments = try await ReadModelsAtHead(store: store).segments(
            agentID: agent, team: team, from: period.since, to: period.until)
        let totals = AuditTotals(segments)
        if json {
            try Output.json(AuditJSON(segments: segments.map(SegmentJSON.init), agents: totals.agents, teams: totals.teams))
        } else {
            Output.lines(lines(segments, totals))
        }
    }

    private func lines(_ segments: [AuditSegment], _ totals: AuditTotals) -> [String] {
        var filters: [String] = []
        if let agent { filters.append("agent \(agent)") }
        if let team { filters.append("team \(team)") }
        if !period.text.isEmpty { filters.append(period.text) }
        let conversations = Set(segments.map(\.conversationID)).count
        var lines = [
            "\(segments.count) stretches in \(conversations) conversations"
                + (filters.isEmpty ? "" : " (" + filters.joined(separator: ", ") + ")"), "",
        ]
        var table = TextTable(
            ["conversation", "session", "owner", "from", "to", "duration", "ended"],
            alignments: [.left, .right, .left, .left, .left, .right])
        for segment in segments {
            table.add([
                segment.conversationID, String(segment.session), Format.owner(segment.owner),
                Format.time(segment.from), Format.time(segment.to),
                segment.to.map { Format.duration($0.timeIntervalSince(segment.from)) } ?? "open",
                Format.end(segment.end),
            ])
        }
        lines += table.lines()
        func totalsTable(_ title: String, _ rows: [AuditTotals.Line]) {
            guard !rows.isEmpty else { return }
            lines += ["", title]
            var table = TextTable(["", "stretches", "total", "open"], alignments: [.left, .right, .right, .right])
            for row in rows {
                table.add([row.name, String(row.stretches), Format.duration(row.seconds), String(row.open)])
            }
            lines += table.lines().map { "  " + $0 }
        }
        totalsTable("by agent:", totals.agents)
        totalsTable("by team:", totals.teams)
        return lines
    }
}

/// The totals of `audit`: per agent and per team, the stretches, their closed time and how many are open.
struct AuditTotals {
    /// One agent's or team's line.
    struct Line: Encodable {
        /// `agent 11 Ada`, `team 3`.
        let name: String
        let agentId: Int?
        let team: Int?
        let stretches: Int
        /// The summed duration of the closed stretches.
        let seconds: Double
        /// Stretches still open.
        let open: Int
    }

    let agents: [Line]
    let teams: [Line]

    init(_ segments: [AuditSegment]) {
        var agents: [Int: (name: String?, segments: [AuditSegment])] = [:]
        var teams: [Int: [AuditSegment]] = [:]
        for segment in segments {
            if let agent = segment.owner.agent {
                agents[agent.id, default: (agent.name, [])].segments.append(segment)
                if let name = agent.name { agents[agent.id]?.name = name }
            }
            if let team = segment.owner.team { teams[team, default: []].append(segment) }
        }
        self.agents = agents.keys.sorted().compactMap { id in
            agents[id].map { Self.line(Format.agent(AgentRef(id: id, name: $0.name)), agent: id, team: nil, $0.segments) }
        }
        self.teams = teams.keys.sorted().compactMap { team in
            teams[team].map { Self.line("team \(team)", agent: nil, team: team, $0) }
        }
    }

    private static func line(_ name: String, agent: Int?, team: Int?, _ segments: [AuditSegment]) -> Line {
        let closed = segments.compactMap { segment in segment.to.map { $0.timeIntervalSince(segment.from) } }
        return Line(
            name: name, agentId: agent, team: team, stretches: segments.count, seconds: closed.reduce(0, +),
            open: segments.count - closed.count)
    }
}

/// The JSON of `audit`: `{"segments": [...], "agents": [...], "teams": [...]}`.
struct AuditJSON: Encodable {
    let segments: [SegmentJSON]
    let agents: [AuditTotals.Line]
    let teams: [AuditTotals.Line]
}
