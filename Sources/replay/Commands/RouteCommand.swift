import ArgumentParser
import EventStore
import Projections

/// `replay route <conversation>|--all --routing table.json [--json]`.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Replay routing decisions with another routing table.",
        discussion: """
            For every handoff of the conversation (or of every conversation with --all): the team and rule \
            recorded then, and the team this table chooses and why (explicit, user_choice, skill:<entry>, \
            default), from the same request (the named team, the unfinished skills). --json prints an array of \
            {"conversationId", "session", "recordedTeam", "recordedRule", "team", "rule"}, one per handoff. \
            Read-only.

            Examples:
              replay route c-1001 --routing new-table.json
              replay route --all --routing new-table.json --json
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The conversation id; leave out with --all.")
    var conversation: String?

    @Flag(help: "Replay the handoffs of every conversation.")
    var all = false

    @Option(help: ArgumentHelp("The routing table to replay with (JSON).", valueName: "table.json"))
    var routing: String

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func validate() throws {
        if all, conversation != nil { throw ValidationError("name a conversation or give --all, not both") }
        if !all, conversation == nil { throw ValidationError("name a conversation, or give --all") }
    }

    func run() async throws {
        let choice = try RoutingTableChoice.file(routing)
        let store = try self.store.openForReading()
        let traces =
            if let conversation {
                try await ConversationHistory.load(conversation, from: store).folds.tracer.traces
            } else {
                try await ReadModelsAtHead(store: store).handoffs(from: nil, to: nil)
            }
        let comparisons = MisrouteReport(traces: traces, table: choice.table).comparisons
        if json {
            try Output.json(comparisons)
        } else {
            Output.lines(Self.lines(comparisons, choice: choice))
        }
    }

    /// A table of the handoffs, then how many change.
    static func lines(_ comparisons: [RouteComparison], choice: RoutingTableChoice) -> [String] {
        var table = TextTable(
            ["conversation", "session", "unfinished skills", "recorded", "this table", "change"],
            alignments: [.left, .right])
        for comparison in comparisons {
            table.add([
                comparison.conversationID, String(comparison.session), Format.skills(comparison.unfinishedSkills),
                Format.recorded(
                    team: comparison.recordedTeam, rule: comparison.recordedRule, version: comparison.recordedVersion),
                "team \(comparison.team) by \(comparison.rule.name)", change(comparison).text,
            ])
        }
        let counts = Dictionary(grouping: comparisons, by: change).mapValues(\.count)
        let summary = Change.allCases.compactMap { change in counts[change].map { "\($0) \(change.text)" } }
        return ["\(comparisons.count) handoff\(comparisons.count == 1 ? "" : "s") replayed with \(choice.source)", ""]
            + table.lines() + ["", summary.isEmpty ? "no handoffs" : summary.joined(separator: ", ")]
    }

    /// How the table's decision differs from the recorded one.
    enum Change: CaseIterable {
        case otherTeam, otherRule, same, notRouted

        var text: String {
            switch self {
            case .otherTeam: "other team"
            case .otherRule: "same team, other rule"
            case .same: "same"
            case .notRouted: "not routed then"
            }
        }
    }

    static func change(_ comparison: RouteComparison) -> Change {
        guard let recorded = comparison.recordedTeam else { return .notRouted }
        if recorded != comparison.team { return .otherTeam }
        return comparison.recordedRule == comparison.rule.name ? .same : .otherRule
    }
}
