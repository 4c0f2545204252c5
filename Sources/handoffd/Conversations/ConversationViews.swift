import EventStore
import Projections

/// The JSON the conversation routes answer with, built from the projections' values.
enum ConversationViews {
    /// `GET /v1/conversations/{id}`: who owns the conversation now.
    static func state(_ snapshot: ConversationSnapshot) -> JSONValue {
        let state = snapshot.state
        return .object([
            "conversationId": .string(snapshot.conversationID),
            "version": .integer(snapshot.version),
            "position": .integer(snapshot.position),
            "session": .integer(Int64(state.session)),
            "mode": .string(state.mode.rawValue),
            "humanOwnsSession": .bool(state.humanOwnsSession),
            "team": .optional(state.team),
            "agent": agent(state.agent),
            "unfinishedSkills": .array(state.unfinishedSkills.map(JSONValue.string)),
            "support": .object([
                "contactId": .optional(state.support.contactID),
                "conversationId": .optional(state.support.conversationID),
            ]),
            "lastEventAt": .optional(state.lastEventAt),
        ])
    }

    /// `GET /v1/conversations/{id}/audit`: who handled it, segment by segment.
    static func audit(_ audit: ConversationAudit) -> JSONValue {
        .object([
            "conversationId": .string(audit.conversationID),
            "segments": .array(audit.segments.map(segment)),
        ])
    }

    private static func segment(_ segment: AuditSegment) -> JSONValue {
        var members: [String: JSONValue] = [
            "session": .integer(Int64(segment.session)),
            "team": .optional(segment.owner.team),
            "agent": agent(segment.owner.agent),
            "from": .optional(segment.from),
            "to": .optional(segment.to),
            "fromPosition": .integer(segment.fromPosition),
            "toPosition": segment.toPosition.map(JSONValue.integer) ?? .null,
            "end": .null,
        ]
        let owner: String =
            switch segment.owner {
            case .bot: "bot"
            case .routing: "routing"
            case .team: "team"
            case .agent: "agent"
            }
        members["owner"] = .string(owner)
        switch segment.end {
        case nil: break
        case .handoff?: members["end"] = .string("handoff")
        case .routed?: members["end"] = .string("routed")
        case .assigned?: members["end"] = .string("assigned")
        case .unassigned?: members["end"] = .string("unassigned")
        case .transferred?: members["end"] = .string("transferred")
        case .closed(let by, let reason)?:
            members["end"] = .string("closed")
            members["closedBy"] = .string(by)
            members["closeReason"] = .optional(reason)
        }
        return .object(members)
    }

    private static func agent(_ agent: AgentRef?) -> JSONValue {
        guard let agent else { return .null }
        return .object(["id": .integer(Int64(agent.id)), "name": .optional(agent.name)])
    }
}
