import EventStore
public import Foundation

/// Who handled a conversation during one stretch of a session.
public enum Owner: Sendable, Hashable {
    /// The bot.
    case bot
    /// Handed off, waiting for the routing decision.
    case routing
    /// A team's queue, no agent yet (the team is nil when Chatwoot removed it).
    case team(Int?)
    /// An agent, within a team if known.
    case agent(AgentRef, team: Int?)

    /// The team of a team or agent stretch.
    public var team: Int? {
        switch self {
        case .team(let team), .agent(_, let team): team
        case .bot, .routing: nil
        }
    }

    /// The agent of an agent stretch.
    public var agent: AgentRef? {
        if case .agent(let agent, _) = self { return agent }
        return nil
    }

    /// The same holder: equal owners, or the same agent (by id) in the same team whatever name was known for them.
    func isSameHolder(as other: Owner) -> Bool {
        switch (self, other) {
        case (.agent(let a, let teamA), .agent(let b, let teamB)): a.id == b.id && teamA == teamB
        default: self == other
        }
    }

    /// The owner a session state implies; nil once the session is closed.
    init?(_ state: SessionState) {
        switch state.mode {
        case .bot: self = .bot
        case .routing: self = .routing
        case .queued: self = .team(state.team)
        case .withAgent:
            guard let agent = state.agent else {
                self = .team(state.team)
                return
            }
            self = .agent(agent, team: state.team)
        case .closed: return nil
        }
    }
}

/// How a stretch of ownership ended.
public enum SegmentEnd: Sendable, Hashable {
    /// The bot (or the user) asked for a human.
    case handoff
    /// The routing decision sent it to a team.
    case routed
    /// An agent took it.
    case assigned
    /// The agent let it go back to the team's queue.
    case unassigned
    /// An agent or Chatwoot moved it to another team.
    case transferred
    /// The session was closed, by whom and why.
    case closed(by: String, reason: String?)
}

/// One stretch of a session with one owner.
public struct AuditSegment: Sendable, Hashable {
    /// The conversation.
    public var conversationID: String
    /// The session number.
    public var session: Int
    /// Who had it.
    public var owner: Owner
    /// From when.
    public var from: Date
    /// Until when; nil while it lasts.
    public var to: Date?
    /// The position of the event that started the stretch.
    public var fromPosition: Int64
    /// The position of the event that ended it; nil while it lasts.
    public var toPosition: Int64?
    /// How it ended; nil while it lasts.
    public var end: SegmentEnd?

    /// Creates a segment.
    public init(
        conversationID: String, session: Int, owner: Owner, from: Date, to: Date? = nil, fromPosition: Int64,
        toPosition: Int64? = nil, end: SegmentEnd? = nil
    ) {
        self.conversationID = conversationID
        self.session = session
        self.owner = owner
        self.from = from
        self.to = to
        self.fromPosition = fromPosition
        self.toPosition = toPosition
        self.end = end
    }

    /// How long it lasted, up to `now` while it lasts.
    public func duration(now: Date) -> TimeInterval { (to ?? now).timeIntervalSince(from) }

    /// True when the stretch overlaps `[start, end)`.
    public func overlaps(from start: Date, to end: Date) -> Bool { from < end && (to ?? .distantFuture) > start }
}

/// The audit of one conversation: a fold that keeps the session state and the segments of who handled it.
///
/// ```swift
/// var audit = ConversationAudit(conversationID: "c-1001")
/// for record in records { audit.apply(record) }
/// audit.segments   // bot 10:00-10:03, routing 10:03-10:03, team 3 10:03-10:07, agent Ada 10:07-10:21 (closed)
/// ```
public struct ConversationAudit: Sendable, Hashable {
    /// The conversation.
    public let conversationID: String
    /// The state after the last event applied.
    public private(set) var state = SessionState.initial
    /// Every segment, oldest first; the last one is open while the session lasts.
    public private(set) var segments: [AuditSegment] = []
    /// How many older segments ``forgetSegments(keepingLast:)`` dropped: `segments[i]` is segment number
    /// `droppedSegments + i` of the conversation.
    public private(set) var droppedSegments = 0

    /// Drops all segments but the last `count` (those kept elsewhere, such as in a read model), so a long-running
    /// fold holds constant memory. Only the last segment ever changes.
    public mutating func forgetSegments(keepingLast count: Int = 1) {
        let drop = max(segments.count - max(count, 1), 0)
        segments.removeFirst(drop)
        droppedSegments += drop
    }

    /// Starts an empty audit.
    public init(conversationID: String) { self.conversationID = conversationID }

    /// Applies the next event of the conversation.
    public mutating func apply(_ record: ConversationRecord) {
        apply(record, after: SessionState.evolve(state, record))
    }

    /// Applies `record`, whose state after it the caller already folded (one evolve for several projections).
    mutating func apply(_ record: ConversationRecord, after: SessionState) {
        let before = state
        state = after
        let ownerBefore = before.isStarted ? Owner(before) : nil
        let ownerAfter = Owner(after)
        let sameHolder = ownerBefore.map { before in ownerAfter.map(before.isSameHolder) ?? false } ?? (ownerAfter == nil)
        guard !sameHolder || before.session != after.session else {
            // The same stretch; a later event may have told the agent's name.
            if let ownerAfter, let last = segments.indices.last, segments[last].to == nil {
                segments[last].owner = ownerAfter
            }
            return
        }
        if ownerBefore != nil, let last = segments.indices.last, segments[last].to == nil {
            segments[last].to = record.at
            segments[last].toPosition = record.position
            segments[last].end = Self.end(of: record)
        }
        if let ownerAfter {
            segments.append(
                AuditSegment(
                    conversationID: conversationID, session: after.session, owner: ownerAfter, from: record.at,
                    fromPosition: record.position))
        }
    }

    /// Why the stretch that `record` ended did end. Only these events change the owner of an open session
    /// (see ``SessionState/evolve(_:_:)``); a new session only follows a closed one, which has no open stretch.
    private static func end(of record: ConversationRecord) -> SegmentEnd {
        switch record.event {
        case .sessionClosed(let closed): .closed(by: closed.by.rawValue, reason: closed.reason)
        case .handoffRequested: .handoff
        case .handoffRouted: .routed
        case .agentAssigned(let assigned): assigned.agentId == nil ? .unassigned : .assigned
        default: .transferred
        }
    }
}

/// Questions asked of many conversations' segments.
extension Sequence<AuditSegment> {
    /// The stretches agent `agentID` had.
    public func handled(byAgent agentID: Int) -> [AuditSegment] { filter { $0.owner.agent?.id == agentID } }

    /// The stretches team `team` had, in its queue or with one of its agents.
    public func handled(byTeam team: Int) -> [AuditSegment] { filter { $0.owner.team == team } }

    /// The stretches that overlap `[start, end)`.
    public func during(from start: Date, to end: Date) -> [AuditSegment] {
        filter { $0.overlaps(from: start, to: end) }
    }
}
