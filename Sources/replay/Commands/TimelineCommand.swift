import ArgumentParser
import EventStore
import Foundation
import Projections

/// `replay timeline <conversation> [--at position|time]`.
struct TimelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Show a conversation event by event, with the state and the owner after each.",
        discussion: """
            Reads the conversation's own events from the log (so it is right whatever the read models' \
            checkpoint) and folds them as the projections do: after every event, the session, who had the \
            conversation (bot, routing, a team's queue, an agent) and what the event said; routing decisions \
            with the team, the rule and the routing table's version. Then the handoffs, one line each. With --at, \
            stops at a global position or a time, showing the state as it was then. Read-only.

            Examples:
              replay timeline c-1001
              replay timeline c-1001 --at 4711
              replay timeline c-1001 --at 2026-11-24T10:05:00Z --json
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The conversation id (the stream is conversation-<id>).")
    var conversation: String

    @Option(
        help: ArgumentHelp(
            "Stop at this global position (inclusive), or at this time: \(TimeArgument.shape).",
            valueName: "position|time"),
        transform: Cutoff.parse)
    var at: Cutoff?

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        let store = try self.store.openForReading()
        let history = try await ConversationHistory.load(conversation, from: store, through: at)
        if json {
            try Output.json(TimelineJSON(history, cutoff: at))
        } else {
            Output.lines(TimelineText.lines(history, cutoff: at))
        }
    }
}

/// The text of `timeline`.
enum TimelineText {
    /// A header, a table of the events, then the handoffs.
    static func lines(_ history: ConversationHistory, cutoff: Cutoff?) -> [String] {
        let shown = history.entries.count
        var header = "conversation \(history.conversationID): \(shown) event\(shown == 1 ? "" : "s")"
        if let cutoff { header += " up to \(cutoff.text) (of \(history.storedEvents))" }
        if let last = history.entries.last {
            header += "; session \(last.state.session), " + (cutoff == nil ? "now " : "then ") + Format.owner(last.owner)
        }
        var table = TextTable(
            ["pos", "at", "event", "session", "owner after", "detail"], alignments: [.right, .left, .left, .right])
        for entry in history.entries {
            let detail = EventDetail(entry)
            var text = detail.summary
            if let message = detail.message {
                text += (text.isEmpty ? "" : ": ") + TerminalText.quoted(message)
            }
            if let passedOver = entry.passedOver { text += " [passed over: \(passedOver)]" }
            table.add([
                String(entry.record.position), Format.time(entry.record.occurredAt), entry.record.type,
                String(entry.state.session), Format.owner(entry.owner), text,
            ])
        }
        var lines = [header, ""] + table.lines()
        let traces = history.folds.tracer.traces
        if !traces.isEmpty {
            lines += ["", "handoffs:"]
            lines += traces.map { "  " + handoffLine($0) }
        }
        return lines
    }

    /// `session 1: requested 2026-11-24T10:03:00Z (bot_failed; unfinished acme.shop.Refund); routed to team 3 by
    /// skill:acme.shop.Refund (routing v1); then team 4; closed 2026-11-24T10:09:00Z`.
    static func handoffLine(_ trace: HandoffTrace) -> String {
        var parts = [
            "session \(trace.session): requested \(Format.time(trace.request.requestedAt)) "
                + "(\(trace.request.reason); unfinished \(Format.skills(trace.request.unfinishedSkills)))",
            trace.recordedTeam == nil
                ? "not routed"
                : "routed to "
                    + Format.recorded(
                        team: trace.recordedTeam, rule: trace.recordedRule, version: trace.request.routingVersion),
        ]
        let moves = trace.teams.dropFirst().map { Format.team($0.team) }
        if !moves.isEmpty { parts.append("then " + moves.joined(separator: ", ")) }
        parts.append(trace.closedAt.map { "closed \(Format.time($0))" } ?? "open")
        return parts.joined(separator: "; ")
    }
}

/// The JSON of `timeline`: `{"conversationId", "at", "storedEvents", "events": [...], "state", "handoffs"}`; each
/// event in the wire form with `session`, `state`, `owner` (`null` once closed) and, when the folds passed it over,
/// `passedOver`.
struct TimelineJSON: Encodable {
    struct Event: Encodable {
        let event: JSONValue
        let state: StateJSON
        let owner: OwnerJSON?
        let passedOver: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(event, forKey: .event)
            try container.encode(state, forKey: .state)
            try container.encode(owner, forKey: .owner)
            if let passedOver { try container.encode(passedOver, forKey: .passedOver) }
        }

        private enum CodingKeys: String, CodingKey { case event, state, owner, passedOver }
    }

    let conversationId: String
    let at: String?
    let storedEvents: Int64
    let events: [Event]
    let state: StateJSON?
    let handoffs: [HandoffJSON]

    /// A stored event in the wire form; one whose data or metadata is not a JSON object keeps them as text.
    static func wire(_ record: RecordedEvent) -> JSONValue {
        if let wire = try? WireEvent(record: record) { return wire.json }
        return .object([
            "eventId": .string(record.eventID.uuidString.lowercased()), "type": .string(record.type),
            "at": .string(WireTimestamp.format(record.occurredAt)), "position": .integer(record.position),
            "version": .integer(record.version), "data": .string(String(decoding: record.data, as: UTF8.self)),
            "metadata": .string(String(decoding: record.metadata, as: UTF8.self)),
        ])
    }

    init(_ history: ConversationHistory, cutoff: Cutoff?) {
        conversationId = history.conversationID
        at = cutoff?.text
        storedEvents = history.storedEvents
        events = history.entries.map { entry in
            Event(
                event: Self.wire(entry.record), state: StateJSON(entry.state),
                owner: entry.owner.map(OwnerJSON.init), passedOver: entry.passedOver)
        }
        state = history.entries.last.map { StateJSON($0.state) }
        handoffs = history.folds.tracer.traces.map(HandoffJSON.init)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conversationId, forKey: .conversationId)
        try container.encode(at, forKey: .at)
        try container.encode(storedEvents, forKey: .storedEvents)
        try container.encode(events, forKey: .events)
        try container.encode(state, forKey: .state)
        try container.encode(handoffs, forKey: .handoffs)
    }

    private enum CodingKeys: String, CodingKey { case conversationId, at, storedEvents, events, state, handoffs }
}
