import EventStore
public import Foundation

/// One handoff from request to the end of its session: what was asked, what was decided, where it went next.
public struct HandoffTrace: Sendable, Hashable {
    /// The conversation.
    public var conversationID: String
    /// The session the handoff belongs to.
    public var session: Int
    /// The request, as the session state recorded it (team, chooser, unfinished skills).
    public var request: SessionHandoff
    /// When the routing decision was recorded; nil if it never was.
    public var routedAt: Date?
    /// The teams the conversation went through after the request, in order, with when it arrived: the routed team
    /// first, then every transfer.
    public var teams: [TeamStop]
    /// When the session closed; nil while it lasts.
    public var closedAt: Date?

    /// The team the routing decision recorded.
    public var recordedTeam: Int? { request.routedTeam }
    /// The rule the routing decision recorded.
    public var recordedRule: String? { request.rule }
}

/// A team and when a handoff arrived there; a nil team means the support system removed it.
public struct TeamStop: Sendable, Hashable, Encodable {
    /// The team.
    public var team: Int?
    /// When the handoff arrived.
    public var at: Date

    /// Creates a stop.
    public init(team: Int?, at: Date) {
        self.team = team
        self.at = at
    }
}

/// Collects the handoff traces of one conversation as its events are applied.
public struct HandoffTracer: Sendable {
    /// The conversation.
    public let conversationID: String
    /// The state after the last event applied.
    public private(set) var state = SessionState.initial
    /// Every handoff so far, oldest first.
    public private(set) var traces: [HandoffTrace] = []

    /// Starts with no handoff.
    public init(conversationID: String) { self.conversationID = conversationID }

    /// Applies the next event of the conversation.
    public mutating func apply(_ record: ConversationRecord) {
        apply(record, after: SessionState.evolve(state, record))
    }

    /// How many older traces ``forgetTraces(keepingLast:)`` dropped: `traces[i]` is handoff number
    /// `droppedTraces + i` of the conversation.
    public private(set) var droppedTraces = 0

    /// Drops all traces but the last `count` (those kept elsewhere, such as in a read model). Only the last trace
    /// ever changes.
    public mutating func forgetTraces(keepingLast count: Int = 1) {
        let drop = max(traces.count - max(count, 1), 0)
        traces.removeFirst(drop)
        droppedTraces += drop
    }

    /// Applies `record`, whose state after it the caller already folded.
    mutating func apply(_ record: ConversationRecord, after: SessionState) {
        let before = state
        state = after
        if let handoff = state.handoff, before.handoff?.requestEventID != handoff.requestEventID {
            traces.append(
                HandoffTrace(
                    conversationID: conversationID, session: state.session, request: handoff, routedAt: nil,
                    teams: [], closedAt: nil))
        }
        guard let last = traces.indices.last, traces[last].session == state.session,
            traces[last].closedAt == nil
        else { return }
        if let handoff = state.handoff { traces[last].request = handoff }
        if case .handoffRouted = record.event, before.mode == .routing {
            traces[last].routedAt = record.at
            traces[last].teams.append(TeamStop(team: state.team, at: record.at))
        } else if before.humanOwnsSession, state.humanOwnsSession, before.team != state.team {
            traces[last].teams.append(TeamStop(team: state.team, at: record.at))
        }
        if state.mode == .closed { traces[last].closedAt = record.at }
    }
}
