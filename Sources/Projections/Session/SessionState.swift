public import EventStore
public import Foundation

/// Who owns a conversation's current session (DESIGN §6).
public enum SessionMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The bot answers.
    case bot
    /// A handoff was requested and waits for its routing decision.
    case routing
    /// Routed to a team, no agent yet.
    case queued
    /// An agent of the team has it.
    case withAgent
    /// The session ended; the next user message opens a new one with the bot.
    case closed
}

/// A support-system agent.
public struct AgentRef: Sendable, Hashable, Codable {
    /// The agent's id in the support system.
    public var id: Int
    /// The agent's name, when known.
    public var name: String?

    /// Creates a reference.
    public init(id: Int, name: String? = nil) {
        self.id = id
        self.name = name
    }
}

/// The handoff of the current session: what was asked and, once decided, where it was routed.
public struct SessionHandoff: Sendable, Hashable {
    /// The `handoff.requested` event.
    public var requestEventID: UUID
    /// When it was requested.
    public var requestedAt: Date
    /// Why (`user_asked`, `bot_failed`, ...).
    public var reason: String
    /// The team the bot or the user named, if any.
    public var requestedTeam: Int?
    /// Who named it.
    public var teamChosenBy: TeamChooser?
    /// The unfinished skills the routing decision looks at: those the request listed, else those derived from the
    /// session at the time of the request.
    public var unfinishedSkills: [String]
    /// The team the routing decision chose, once recorded.
    public var routedTeam: Int?
    /// The rule that chose it (`explicit`, `user_choice`, `skill:<entry>`, `default`).
    public var rule: String?
    /// The version of the routing table that decided.
    public var routingVersion: Int64?

    /// Creates a handoff.
    public init(
        requestEventID: UUID, requestedAt: Date, reason: String, requestedTeam: Int? = nil,
        teamChosenBy: TeamChooser? = nil, unfinishedSkills: [String] = [], routedTeam: Int? = nil,
        rule: String? = nil, routingVersion: Int64? = nil
    ) {
        self.requestEventID = requestEventID
        self.requestedAt = requestedAt
        self.reason = reason
        self.requestedTeam = requestedTeam
        self.teamChosenBy = teamChosenBy
        self.unfinishedSkills = unfinishedSkills
        self.routedTeam = routedTeam
        self.rule = rule
        self.routingVersion = routingVersion
    }
}

/// The ids the support system gave this conversation, once known.
public struct SupportIDs: Sendable, Hashable, Codable {
    /// The contact (Chatwoot contact id).
    public var contactID: Int?
    /// The conversation (Chatwoot display id).
    public var conversationID: Int?

    /// Creates the ids.
    public init(contactID: Int? = nil, conversationID: Int? = nil) {
        self.contactID = contactID
        self.conversationID = conversationID
    }
}

/// The state of one conversation, as a pure fold over its events: ``evolve(_:_:)``.
///
/// ```swift
/// var state = SessionState.initial
/// for record in records { state = SessionState.evolve(state, record) }
/// if state.humanOwnsSession { /* the bot stays silent */ }
/// ```
public struct SessionState: Sendable, Hashable {
    /// The session number: 0 before the conversation started, 1 for the first, n+1 after each close.
    public var session: Int
    /// Who owns the session.
    public var mode: SessionMode
    /// The team that has (or last had) the session, if any.
    public var team: Int?
    /// The agent who has (or last had) the session, if any.
    public var agent: AgentRef?
    /// Skills started and neither completed nor abandoned in this session, in the order they started.
    public var unfinishedSkills: [String]
    /// This session's handoff, if one was requested.
    public var handoff: SessionHandoff?
    /// The support system's ids for this conversation.
    public var support: SupportIDs
    /// The user id the bot platform gave, when `conversation.started` said.
    public var userID: String?
    /// When the current session started.
    public var sessionStartedAt: Date?
    /// When the last event happened.
    public var lastEventAt: Date?
    /// The global position of the last event applied; 0 before any.
    public var position: Int64
    /// The stream version of the last event applied; -1 before any.
    public var version: Int64

    /// The state before any event.
    public static let initial = SessionState(
        session: 0, mode: .bot, team: nil, agent: nil, unfinishedSkills: [], handoff: nil, support: SupportIDs(),
        userID: nil, sessionStartedAt: nil, lastEventAt: nil, position: 0, version: -1)

    /// True once any event was applied.
    public var isStarted: Bool { session > 0 }

    /// True while people own the session (routing, queued, with an agent): the bot must stay silent.
    public var humanOwnsSession: Bool { mode == .routing || mode == .queued || mode == .withAgent }

    /// The state after `record`. Total: an event that makes no sense in the current state (a stale webhook, a
    /// second handoff request) changes nothing but the position.
    public static func evolve(_ state: SessionState, _ record: ConversationRecord) -> SessionState {
        var next = state
        next.position = record.position
        next.version = record.version
        next.lastEventAt = record.at
        if !next.isStarted { next.openSession(at: record.at) }
        switch record.event {
        case .conversationStarted(let started):
            next.userID = started.userId ?? next.userID
        case .userMessage:
            if next.mode == .closed { next.openSession(at: record.at) }
        case .botMessage:
            break
        case .skillStarted(let change):
            if !next.unfinishedSkills.contains(where: { sameSkill($0, change.skill) }) {
                next.unfinishedSkills.append(change.skill)
            }
        case .skillCompleted(let change), .skillAbandoned(let change):
            next.unfinishedSkills.removeAll { sameSkill($0, change.skill) }
        case .handoffRequested(let request):
            if next.mode == .closed { next.openSession(at: record.at) }
            guard next.mode == .bot else { break }  // one handoff at a time
            next.mode = .routing
            next.handoff = SessionHandoff(
                requestEventID: record.eventID, requestedAt: record.at, reason: request.reason,
                requestedTeam: request.team, teamChosenBy: request.teamChosenBy,
                unfinishedSkills: request.unfinishedSkills ?? next.unfinishedSkills)
        case .handoffRouted(let routed):
            guard next.mode == .routing else { break }
            next.mode = .queued
            next.team = routed.team
            next.handoff?.routedTeam = routed.team
            next.handoff?.rule = routed.rule
            next.handoff?.routingVersion = routed.routingVersion
        case .agentAssigned(let assigned):
            guard next.mode != .closed else { break }  // a late webhook after the close
            if let agentID = assigned.agentId {
                next.mode = .withAgent
                next.agent = AgentRef(id: agentID, name: assigned.agentName)
                next.team = assigned.team ?? next.team
            } else if next.mode == .withAgent {
                next.mode = .queued
                next.agent = nil
            }
        case .agentTeamChanged(let changed):
            guard next.mode != .closed else { break }
            next.mode = .queued
            next.team = changed.team
            next.agent = nil
        case .sessionClosed:
            next.mode = .closed
        case .contactReady(let ready):
            next.support.contactID = ready.contactId
        case .conversationOpened(let opened):
            next.support.conversationID = opened.conversationId
        case .agentMessage, .messagePosted, .teamAssigned, .conversationResolved, .commandFailed, .unknown:
            break
        }
        return next
    }

    /// Folds `records` from this state.
    public func applying(_ records: some Sequence<ConversationRecord>) -> SessionState {
        records.reduce(self, SessionState.evolve)
    }

    private mutating func openSession(at date: Date) {
        session += 1
        mode = .bot
        team = nil
        agent = nil
        unfinishedSkills = []
        handoff = nil
        sessionStartedAt = date
    }

    /// Skill names compare case-insensitively, as routing does.
    static func sameSkill(_ a: String, _ b: String) -> Bool { SkillEntry.key(a) == SkillEntry.key(b) }
}
