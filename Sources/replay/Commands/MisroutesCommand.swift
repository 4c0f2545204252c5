import ArgumentParser
import EventStore
import Foundation
import Projections

/// `replay misroutes [--routing table.json] [--since --until] [--json]`.
struct MisroutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "misroutes",
        abstract: "Find misrouted handoffs across conversations, with a summary by team and skill.",
        discussion: """
            Compares every handoff requested in the period with a routing table (by default the one in force now, \
            the last version of the routing stream): the handoffs the table sends elsewhere than was recorded, \
            those agents moved to another team (and how long they sat with the first), transfer loops (4 -> 3 -> \
            4), and the handoffs with unfinished skills that no entry covers (default fallbacks); then a line per \
            team and per skill. Answers from the read models, folding in memory what happened after their \
            checkpoint. Read-only.

            Examples:
              replay misroutes
              replay misroutes --routing new-table.json --since 2026-11-01 --until 2026-12-01 --json
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(
        help: ArgumentHelp(
            "The routing table to compare with (JSON); default: the one in force now.", valueName: "table.json"))
    var routing: String?

    @OptionGroup var period: PeriodOptions

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        let file = try routing.map { path throws(ReplayFailure) in try RoutingTableChoice.file(path) }
        let store = try self.store.openForReading()
        let choice: RoutingTableChoice
        if let file { choice = file } else { choice = try await RoutingTableChoice.current(in: store) }
        let traces = try await ReadModelsAtHead(store: store).handoffs(from: period.since, to: period.until)
        let report = MisrouteReport(traces: traces, table: choice.table)
        if json {
            try Output.json(MisroutesJSON(table: choice, period: period, report: report))
        } else {
            Output.lines(MisroutesText.lines(report, choice: choice, period: period))
        }
    }
}

/// The text of `misroutes`.
enum MisroutesText {
    static func lines(_ report: MisrouteReport, choice: RoutingTableChoice, period: PeriodOptions) -> [String] {
        let conversations = Set(report.comparisons.map(\.conversationID)).count
        var lines = [
            "\(report.comparisons.count) handoffs in \(conversations) conversations"
                + (period.text.isEmpty ? "" : " requested \(period.text)") + ", compared with \(choice.source)"
        ]
        func section(_ title: String, _ count: Int, _ body: () -> [String]) {
            lines += ["", "\(title): \(count)"]
            if count > 0 { lines += body().map { "  " + $0 } }
        }
        section("routed elsewhere than this table routes", report.disagreements.count) {
            var table = TextTable(["conversation", "session", "unfinished skills", "recorded", "this table"])
            for item in report.disagreements {
                table.add([
                    item.conversationID, String(item.session), Format.skills(item.unfinishedSkills),
                    Format.recorded(team: item.recordedTeam, rule: item.recordedRule, version: item.recordedVersion),
                    "team \(item.team) by \(item.rule.name)",
                ])
            }
            return table.lines()
        }
        section("moved by agents to another team", report.moves.count) {
            var table = TextTable(["conversation", "session", "unfinished skills", "routed to", "moved to", "after"])
            for move in report.moves {
                table.add([
                    move.conversationID, String(move.session), Format.skills(move.unfinishedSkills),
                    "team \(move.firstTeam)", Format.team(move.movedTo), Format.duration(move.timeWithFirstTeam),
                ])
            }
            return table.lines()
        }
        section("transfer loops", report.loops.count) {
            report.loops.map { loop in
                "\(loop.conversationID) session \(loop.session): "
                    + loop.teams.map { $0.map(String.init) ?? "none" }.joined(separator: " -> ")
                    + (loop.leftAt.map { " (left team \(loop.team) \(Format.time($0))" } ?? "")
                    + (loop.returnedAt.map { ", back \(Format.time($0)))" } ?? "")
            }
        }
        section("default fallbacks (unfinished skills no entry covers)", report.defaultFallbacks.count) {
            report.defaultFallbacks.map { fallback in
                "\(fallback.conversationID) session \(fallback.session): team \(fallback.team) for "
                    + Format.skills(fallback.skills)
            }
        }
        lines += ["", "by team:"]
        var teams = TextTable(
            ["team", "recorded", "this table", "gained", "lost", "moved away", "moved in", "loops back"],
            alignments: Array(repeating: .right, count: 8))
        for line in report.teams {
            teams.add(
                [line.team, line.recorded, line.decided, line.gained, line.lost, line.movedAway, line.movedIn,
                 line.loopsBack].map(String.init))
        }
        lines += teams.lines().map { "  " + $0 }
        lines += ["", "by skill:"]
        var skills = TextTable(
            ["skill", "entry", "team", "handoffs", "default", "elsewhere", "moved"],
            alignments: [.left, .left, .right, .right, .right, .right, .right])
        for line in report.skills {
            skills.add([
                line.skill, line.entry ?? "-", line.team.map(String.init) ?? "-", String(line.handoffs),
                String(line.defaultFallbacks), String(line.disagreements), String(line.moves),
            ])
        }
        lines += skills.lines().map { "  " + $0 }
        return lines
    }
}

/// The JSON of `misroutes`: the table compared with, the period, and the report.
struct MisroutesJSON: Encodable {
    struct Table: Encodable {
        let source: String
        let routingVersion: Int64?
        let file: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(source, forKey: .source)
            try container.encode(routingVersion, forKey: .routingVersion)
            try container.encode(file, forKey: .file)
        }

        private enum CodingKeys: String, CodingKey { case source, routingVersion, file }
    }

    let table: Table
    let since: Date?
    let until: Date?
    let report: MisrouteReport

    init(table choice: RoutingTableChoice, period: PeriodOptions, report: MisrouteReport) {
        table = Table(
            source: choice.source, routingVersion: choice.version, file: choice.version == nil ? choice.source : nil)
        since = period.since
        until = period.until
        self.report = report
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(table, forKey: .table)
        try container.encode(since, forKey: .since)
        try container.encode(until, forKey: .until)
        try container.encode(report, forKey: .report)
    }

    private enum CodingKeys: String, CodingKey { case table, since, until, report }
}
