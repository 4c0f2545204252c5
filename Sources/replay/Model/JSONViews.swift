import EventStore
import Foundation
import Projections

/// The JSON of an owner: `{"kind": "agent", "team": 3, "agentId": 12, "agentName": "Ben"}`; kinds `bot`,
/// `routing`, `team`, `agent`.
struct OwnerJSON: Encodable {
    let kind: String
    let team: Int?
    let agentId: Int?
    let agentName: String?

    init(_ owner: Owner) {
        switch owner {
        case .bot: kind = "bot"
        case .routing: kind = "routing"
        case .team: kind = "team"
        case .agent: kind = "agent"
        }
        team = owner.team
        agentId = owner.agent?.id
        agentName = owner.agent?.name
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(team, forKey: .team)
        try container.encode(agentId, forKey: .agentId)
        try container.encode(agentName, forKey: .agentName)
    }

    private enum CodingKeys: String, CodingKey { case kind, team, agentId, agentName }
}

/// The JSON of a session state: `{"session", "mode", "team", "agent": {"id", "name"}, "unfinishedSkills"}`.
struct StateJSON: Encodable {
    let session: Int
    let mode: SessionMode
    let team: Int?
    let agent: AgentRef?
    let unfinishedSkills: [String]

    init(_ state: SessionState) {
        session = state.session
        mode = state.mode
        team = state.team
        agent = state.agent
        unfinishedSkills = state.unfinishedSkills
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(session, forKey: .session)
        try container.encode(mode, forKey: .mode)
        try container.encode(team, forKey: .team)
        try container.encode(agent, forKey: .agent)
        try container.encode(unfinishedSkills, forKey: .unfinishedSkills)
    }

    private enum CodingKeys: String, CodingKey { case session, mode, team, agent, unfinishedSkills }
}

/// The JSON of an audit segment, with its duration in seconds (`null` while it lasts).
struct SegmentJSON: Encodable {
    let conversationId: String
    let session: Int
    let owner: OwnerJSON
    let from: Date
    let to: Date?
    let fromPosition: Int64
    let toPosition: Int64?
    let end: String?
    let closedBy: String?
    let closeReason: String?
    let durationSeconds: Double?

    init(_ segment: AuditSegment) {
        conversationId = segment.conversationID
        session = segment.session
        owner = OwnerJSON(segment.owner)
        from = segment.from
        to = segment.to
        fromPosition = segment.fromPosition
        toPosition = segment.toPosition
        switch segment.end {
        case nil: (end, closedBy, closeReason) = (nil, nil, nil)
        case .closed(let by, let reason): (end, closedBy, closeReason) = ("closed", by, reason)
        case .handoff: (end, closedBy, closeReason) = ("handoff", nil, nil)
        case .routed: (end, closedBy, closeReason) = ("routed", nil, nil)
        case .assigned: (end, closedBy, closeReason) = ("assigned", nil, nil)
        case .unassigned: (end, closedBy, closeReason) = ("unassigned", nil, nil)
        case .transferred: (end, closedBy, closeReason) = ("transferred", nil, nil)
        }
        durationSeconds = segment.to.map { $0.timeIntervalSince(segment.from) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conversationId, forKey: .conversationId)
        try container.encode(session, forKey: .session)
        try container.encode(owner, forKey: .owner)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(fromPosition, forKey: .fromPosition)
        try container.encode(toPosition, forKey: .toPosition)
        try container.encode(end, forKey: .end)
        try container.encode(closedBy, forKey: .closedBy)
        try container.encode(closeReason, forKey: .closeReason)
        try container.encode(durationSeconds, forKey: .durationSeconds)
    }

    private enum CodingKeys: String, CodingKey {
        case conversationId, session, owner, from, to, fromPosition, toPosition, end, closedBy, closeReason
        case durationSeconds
    }
}

/// The JSON of a handoff trace: the request, the recorded decision, the teams it went through, the close.
struct HandoffJSON: Encodable {
    let session: Int
    let requestedAt: Date
    let reason: String
    let requestedTeam: Int?
    let teamChosenBy: TeamChooser?
    let unfinishedSkills: [String]
    let recordedTeam: Int?
    let recordedRule: String?
    let routingVersion: Int64?
    let routedAt: Date?
    let teams: [TeamStop]
    let closedAt: Date?

    init(_ trace: HandoffTrace) {
        session = trace.session
        requestedAt = trace.request.requestedAt
        reason = trace.request.reason
        requestedTeam = trace.request.requestedTeam
        teamChosenBy = trace.request.teamChosenBy
        unfinishedSkills = trace.request.unfinishedSkills
        recordedTeam = trace.recordedTeam
        recordedRule = trace.recordedRule
        routingVersion = trace.request.routingVersion
        routedAt = trace.routedAt
        teams = trace.teams
        closedAt = trace.closedAt
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(session, forKey: .session)
        try container.encode(requestedAt, forKey: .requestedAt)
        try container.encode(reason, forKey: .reason)
        try container.encode(requestedTeam, forKey: .requestedTeam)
        try container.encode(teamChosenBy, forKey: .teamChosenBy)
        try container.encode(unfinishedSkills, forKey: .unfinishedSkills)
        try container.encode(recordedTeam, forKey: .recordedTeam)
        try container.encode(recordedRule, forKey: .recordedRule)
        try container.encode(routingVersion, forKey: .routingVersion)
        try container.encode(routedAt, forKey: .routedAt)
        try container.encode(teams, forKey: .teams)
        try container.encode(closedAt, forKey: .closedAt)
    }

    private enum CodingKeys: String, CodingKey {
        case session, requestedAt, reason, requestedTeam, teamChosenBy, unfinishedSkills, recordedTeam, recordedRule
        case routingVersion, routedAt, teams, closedAt
    }
}
