public import EventStore

/// The rule behind a routing decision, as `handoff.routed.rule` records it.
public enum RoutingRule: Sendable, Hashable, CustomStringConvertible {
    /// The bot named the team (`explicit`).
    case explicit
    /// The user chose the team (`user_choice`).
    case userChoice
    /// A table entry covered an unfinished skill (`skill:<entry>`); the entry as the table writes it.
    case skill(String)
    /// Nothing matched: the table's default team (`default`).
    case defaultTeam

    /// The recorded form: `explicit`, `user_choice`, `skill:<entry>` or `default`.
    public var name: String {
        switch self {
        case .explicit: "explicit"
        case .userChoice: "user_choice"
        case .skill(let entry): "skill:\(entry)"
        case .defaultTeam: "default"
        }
    }

    /// Reads the recorded form; nil for anything else (including `skill:` with no entry).
    /// - Parameter name: `explicit`, `user_choice`, `skill:<entry>` or `default`.
    public init?(name: String) {
        switch name {
        case "explicit": self = .explicit
        case "user_choice": self = .userChoice
        case "default": self = .defaultTeam
        default:
            let prefix = "skill:"
            guard name.hasPrefix(prefix), name.count > prefix.count else { return nil }
            self = .skill(String(name.dropFirst(prefix.count)))
        }
    }

    /// The skill entry of a ``skill(_:)`` rule, else nil.
    public var entry: String? {
        if case .skill(let entry) = self { return entry }
        return nil
    }

    /// The recorded form, ``name``.
    public var description: String { name }
}

extension RoutingRule: Codable {
    /// Reads the recorded form from a JSON string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let rule = RoutingRule(name: name) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected explicit, user_choice, skill:<entry> or default, got \"\(name)\"")
        }
        self = rule
    }

    /// Writes the recorded form as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// Where a handoff goes, and why.
public struct RoutingDecision: Sendable, Hashable, Codable {
    /// The team.
    public var team: Int
    /// The rule that chose it.
    public var rule: RoutingRule

    /// Creates a decision.
    public init(team: Int, rule: RoutingRule) {
        self.team = team
        self.rule = rule
    }

    /// The `handoff.routed` payload that records this decision.
    /// - Parameter routingVersion: the version of the table that decided (see ``RoutingHistory``).
    public func event(routingVersion: Int64) -> HandoffRouted {
        HandoffRouted(team: team, rule: rule.name, routingVersion: routingVersion)
    }
}

/// What a routing decision looks at: the team the bot or user named, if any, and the unfinished skills.
public struct RoutingRequest: Sendable, Hashable {
    /// The team named in the request, if any.
    public var requestedTeam: Int?
    /// Who named it; a team with no chooser counts as named by the bot.
    public var chosenBy: TeamChooser?
    /// The skills started and neither completed nor abandoned (or those the request listed).
    public var unfinishedSkills: [String]

    /// Creates a request.
    public init(requestedTeam: Int? = nil, chosenBy: TeamChooser? = nil, unfinishedSkills: [String] = []) {
        self.requestedTeam = requestedTeam
        self.chosenBy = chosenBy
        self.unfinishedSkills = unfinishedSkills
    }

    /// The request a session's handoff made.
    /// - Parameter handoff: the handoff, as the session state recorded it.
    public init(_ handoff: SessionHandoff) {
        self.init(
            requestedTeam: handoff.requestedTeam, chosenBy: handoff.teamChosenBy,
            unfinishedSkills: handoff.unfinishedSkills)
    }
}
