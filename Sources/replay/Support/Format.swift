import EventStore
import Foundation
import Projections

/// How values read in text for people. The results are raw (names and skills come from the log); ``Output`` makes
/// every printed line safe.
enum Format {
    /// A time as the wire form writes it: `2026-11-24T10:00:00Z`.
    static func time(_ date: Date) -> String { WireTimestamp.format(date) }

    /// A time, or `-` when there is none.
    static func time(_ date: Date?) -> String { date.map(time) ?? "-" }

    /// A duration in at most two units, the second padded: `45s`, `2m 05s`, `1h 02m`, `3d 04h`. Whole seconds,
    /// rounded down; a negative duration (clocks disagreeing) shows as `-` and the duration of its absolute value.
    static func duration(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite else { return "?" }
        if seconds < 0 { return "-" + duration(-seconds) }
        let total = Int(seconds.rounded(.down))
        let (days, hours, minutes, rest) = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60, total % 60)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if days > 0 { return "\(days)d \(two(hours))h" }
        if hours > 0 { return "\(hours)h \(two(minutes))m" }
        if minutes > 0 { return "\(minutes)m \(two(rest))s" }
        return "\(rest)s"
    }

    /// An optional team: `team 3`, or `no team`.
    static func team(_ team: Int?) -> String { team.map { "team \($0)" } ?? "no team" }

    /// An agent: `agent 12 Ben`, or `agent 12` when the name is unknown.
    static func agent(_ agent: AgentRef) -> String {
        guard let name = agent.name, !name.isEmpty else { return "agent \(agent.id)" }
        return "agent \(agent.id) \(name)"
    }

    /// Who had the conversation: `bot`, `routing`, `team 3`, `agent 12 Ben (team 3)`; `closed` when nobody.
    static func owner(_ owner: Owner?) -> String {
        switch owner {
        case nil: "closed"
        case .bot: "bot"
        case .routing: "routing"
        case .team(let team): team.map { "team \($0)" } ?? "no team"
        case .agent(let agent, let team): Self.agent(agent) + (team.map { " (team \($0))" } ?? "")
        }
    }

    /// Skill names, comma-separated, or `-` for none.
    static func skills(_ skills: [String]) -> String {
        skills.isEmpty ? "-" : skills.joined(separator: ", ")
    }

    /// How a stretch ended: `handoff`, `routed`, `assigned`, `unassigned`, `transferred`, `closed by agent
    /// (resolved)`; `open` while it lasts.
    static func end(_ end: SegmentEnd?) -> String {
        switch end {
        case nil: "open"
        case .handoff: "handoff"
        case .routed: "routed"
        case .assigned: "assigned"
        case .unassigned: "unassigned"
        case .transferred: "transferred"
        case .closed(let by, let reason):
            "closed by \(by)" + (reason.map { " (\($0))" } ?? "")
        }
    }

    /// A recorded routing decision: `team 3 by skill:acme.shop.Refund (routing v1)`; `not routed` when none.
    static func recorded(team: Int?, rule: String?, version: Int64?) -> String {
        guard let team else { return "not routed" }
        let by = rule.map { " by \($0)" } ?? ""
        return "team \(team)\(by)" + (version.map { " (routing v\($0))" } ?? "")
    }
}
