public import Foundation

/// Every event type of a conversation stream (DESIGN §5), by its wire name.
public enum EventType: String, CaseIterable, Sendable, Hashable, Codable {
    /// A conversation began on a channel.
    case conversationStarted = "conversation.started"
    /// The user wrote something.
    case userMessage = "user.message"
    /// The bot answered.
    case botMessage = "bot.message"
    /// The bot began a skill.
    case skillStarted = "skill.started"
    /// The bot finished a skill.
    case skillCompleted = "skill.completed"
    /// The bot gave up a skill.
    case skillAbandoned = "skill.abandoned"
    /// The bot platform asked for a human.
    case handoffRequested = "handoff.requested"
    /// The saga chose a team for a handoff.
    case handoffRouted = "handoff.routed"
    /// The support system holds a contact for the user.
    case contactReady = "support.contact_ready"
    /// The support system opened a conversation.
    case conversationOpened = "support.conversation_opened"
    /// A message was posted to the support system.
    case messagePosted = "support.message_posted"
    /// A team was assigned in the support system.
    case teamAssigned = "support.team_assigned"
    /// The support system's conversation was resolved (or handed back).
    case conversationResolved = "support.conversation_resolved"
    /// A support command was parked as dead after its retries.
    case commandFailed = "support.command_failed"
    /// An agent was assigned (or unassigned) in the support system.
    case agentAssigned = "agent.assigned"
    /// An agent wrote to the user.
    case agentMessage = "agent.message"
    /// An agent moved the conversation to another team.
    case agentTeamChanged = "agent.team_changed"
    /// The session ended.
    case sessionClosed = "session.closed"
}

/// One event of a conversation stream, with its typed payload.
///
/// Types this version does not know, and known types written at a newer schema version than it knows, come back as
/// ``unknown(_:)`` with their data intact: projections pass over them, and nothing is dropped.
///
/// ```swift
/// let codec = EventCodec()
/// let data = try codec.encode(.userMessage(UserMessage(messageId: "m-1", text: "I want a refund")),
///                             eventID: UUID(), occurredAt: Date())
/// ```
public enum ConversationEvent: Sendable, Hashable {
    /// `conversation.started`
    case conversationStarted(ConversationStarted)
    /// `user.message`
    case userMessage(UserMessage)
    /// `bot.message`
    case botMessage(BotMessage)
    /// `skill.started`
    case skillStarted(SkillChange)
    /// `skill.completed`
    case skillCompleted(SkillChange)
    /// `skill.abandoned`
    case skillAbandoned(SkillChange)
    /// `handoff.requested`
    case handoffRequested(HandoffRequested)
    /// `handoff.routed`
    case handoffRouted(HandoffRouted)
    /// `support.contact_ready`
    case contactReady(ContactReady)
    /// `support.conversation_opened`
    case conversationOpened(ConversationOpened)
    /// `support.message_posted`
    case messagePosted(MessagePosted)
    /// `support.team_assigned`
    case teamAssigned(TeamAssigned)
    /// `support.conversation_resolved`
    case conversationResolved(ConversationResolved)
    /// `support.command_failed`
    case commandFailed(CommandFailed)
    /// `agent.assigned`
    case agentAssigned(AgentAssigned)
    /// `agent.message`
    case agentMessage(AgentMessage)
    /// `agent.team_changed`
    case agentTeamChanged(AgentTeamChanged)
    /// `session.closed`
    case sessionClosed(SessionClosed)
    /// A type this version does not know, or a known type at a newer schema version: kept as it was.
    case unknown(UnknownEvent)

    /// The event type's wire name, for example `user.message` (for ``unknown(_:)``, the type it was stored with).
    public var type: String {
        switch self {
        case .unknown(let event): event.type
        default: eventType?.rawValue ?? ""
        }
    }

    /// The catalogue type, or nil for ``unknown(_:)`` (even when its type name is a known one at a newer version).
    public var eventType: EventType? {
        switch self {
        case .conversationStarted: .conversationStarted
        case .userMessage: .userMessage
        case .botMessage: .botMessage
        case .skillStarted: .skillStarted
        case .skillCompleted: .skillCompleted
        case .skillAbandoned: .skillAbandoned
        case .handoffRequested: .handoffRequested
        case .handoffRouted: .handoffRouted
        case .contactReady: .contactReady
        case .conversationOpened: .conversationOpened
        case .messagePosted: .messagePosted
        case .teamAssigned: .teamAssigned
        case .conversationResolved: .conversationResolved
        case .commandFailed: .commandFailed
        case .agentAssigned: .agentAssigned
        case .agentMessage: .agentMessage
        case .agentTeamChanged: .agentTeamChanged
        case .sessionClosed: .sessionClosed
        case .unknown: nil
        }
    }

    /// The typed payload to encode, or nil for ``unknown(_:)``.
    var payload: (any EventPayload)? {
        switch self {
        case .conversationStarted(let payload): payload
        case .userMessage(let payload): payload
        case .botMessage(let payload): payload
        case .skillStarted(let payload), .skillCompleted(let payload), .skillAbandoned(let payload): payload
        case .handoffRequested(let payload): payload
        case .handoffRouted(let payload): payload
        case .contactReady(let payload): payload
        case .conversationOpened(let payload): payload
        case .messagePosted(let payload): payload
        case .teamAssigned(let payload): payload
        case .conversationResolved(let payload): payload
        case .commandFailed(let payload): payload
        case .agentAssigned(let payload): payload
        case .agentMessage(let payload): payload
        case .agentTeamChanged(let payload): payload
        case .sessionClosed(let payload): payload
        case .unknown: nil
        }
    }

    /// Decodes the typed payload of a known type from data at the type's current schema version.
    static func decodePayload(_ type: EventType, from decoder: PayloadDecoder) throws -> ConversationEvent {
        switch type {
        case .conversationStarted: .conversationStarted(try ConversationStarted(from: decoder))
        case .userMessage: .userMessage(try UserMessage(from: decoder))
        case .botMessage: .botMessage(try BotMessage(from: decoder))
        case .skillStarted: .skillStarted(try SkillChange(from: decoder))
        case .skillCompleted: .skillCompleted(try SkillChange(from: decoder))
        case .skillAbandoned: .skillAbandoned(try SkillChange(from: decoder))
        case .handoffRequested: .handoffRequested(try HandoffRequested(from: decoder))
        case .handoffRouted: .handoffRouted(try HandoffRouted(from: decoder))
        case .contactReady: .contactReady(try ContactReady(from: decoder))
        case .conversationOpened: .conversationOpened(try ConversationOpened(from: decoder))
        case .messagePosted: .messagePosted(try MessagePosted(from: decoder))
        case .teamAssigned: .teamAssigned(try TeamAssigned(from: decoder))
        case .conversationResolved: .conversationResolved(try ConversationResolved(from: decoder))
        case .commandFailed: .commandFailed(try CommandFailed(from: decoder))
        case .agentAssigned: .agentAssigned(try AgentAssigned(from: decoder))
        case .agentMessage: .agentMessage(try AgentMessage(from: decoder))
        case .agentTeamChanged: .agentTeamChanged(try AgentTeamChanged(from: decoder))
        case .sessionClosed: .sessionClosed(try SessionClosed(from: decoder))
        }
    }
}

/// An event kept as stored because this version cannot read it: an unknown type, or a newer schema version.
public struct UnknownEvent: Sendable, Hashable {
    /// The type name it was stored with.
    public var type: String
    /// The schema version of its data (from the metadata; 1 when absent).
    public var schemaVersion: Int
    /// The data, untouched.
    public var data: JSONValue

    /// Creates an unknown event.
    public init(type: String, schemaVersion: Int, data: JSONValue) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
    }
}

/// A typed payload the codec can write; the codec checks `problem()` before writing and after reading.
protocol EventPayload: Encodable, Sendable {
    /// The first rule the payload breaks, as a field of `data` and a message; nil when it is valid.
    func problem() -> (field: String, message: String)?
}

extension EventPayload {
    func problem() -> (field: String, message: String)? { nil }
}

// MARK: - Payloads

/// The user's details. Personal data: erased by crypto-shredding, never by editing history.
public struct UserProfile: Codable, Sendable, Hashable {
    /// The user's name.
    public var name: String?
    /// The user's email address.
    public var email: String?
    /// The user's phone number.
    public var phone: String?

    /// Creates a profile.
    public init(name: String? = nil, email: String? = nil, phone: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
    }
}

/// `conversation.started`: a conversation began.
public struct ConversationStarted: Codable, Sendable, Hashable, EventPayload {
    /// The channel, for example `web` or `whatsapp`.
    public var channel: String?
    /// The bot platform's id for the user.
    public var userId: String?
    /// The user's details.
    public var user: UserProfile?

    /// Creates the payload.
    public init(channel: String? = nil, userId: String? = nil, user: UserProfile? = nil) {
        self.channel = channel
        self.userId = userId
        self.user = user
    }
}

/// `user.message`: the user wrote something.
public struct UserMessage: Codable, Sendable, Hashable, EventPayload {
    /// The bot platform's message id.
    public var messageId: String
    /// The text.
    public var text: String

    /// Creates the payload.
    public init(messageId: String, text: String) {
        self.messageId = messageId
        self.text = text
    }
}

/// `bot.message`: the bot answered.
public struct BotMessage: Codable, Sendable, Hashable, EventPayload {
    /// The bot platform's message id.
    public var messageId: String
    /// The text.
    public var text: String
    /// The skill that answered (`Organization.Project.Skill`), if any.
    public var skill: String?

    /// Creates the payload.
    public init(messageId: String, text: String, skill: String? = nil) {
        self.messageId = messageId
        self.text = text
        self.skill = skill
    }
}

/// `skill.started`, `skill.completed` and `skill.abandoned`: a skill's progress.
public struct SkillChange: Codable, Sendable, Hashable, EventPayload {
    /// The skill's full name, `Organization.Project.Skill`.
    public var skill: String

    /// Creates the payload.
    public init(skill: String) {
        self.skill = skill
    }
}

/// Who chose the team of a handoff.
public enum TeamChooser: String, Codable, Sendable, Hashable, CaseIterable {
    /// The bot chose it.
    case bot
    /// The user chose it.
    case user

    /// Reads the raw value, naming the allowed values when it is none of them.
    public init(from decoder: any Decoder) throws {
        self = try decodeEnumeration(from: decoder)
    }
}

/// `handoff.requested`: the bot platform asks for a human.
///
/// Rules, checked when reading and writing: `teamChosenBy` requires `team`, and `team` is a positive integer.
public struct HandoffRequested: Codable, Sendable, Hashable, EventPayload {
    /// Why, for example `user_asked` or `bot_failed`.
    public var reason: String
    /// An explicit team (a Chatwoot team id).
    public var team: Int?
    /// Who chose ``team``.
    public var teamChosenBy: TeamChooser?
    /// The unfinished skills; when absent they are derived from the session.
    public var unfinishedSkills: [String]?

    /// Creates the payload.
    public init(reason: String, team: Int? = nil, teamChosenBy: TeamChooser? = nil, unfinishedSkills: [String]? = nil) {
        self.reason = reason
        self.team = team
        self.teamChosenBy = teamChosenBy
        self.unfinishedSkills = unfinishedSkills
    }

    func problem() -> (field: String, message: String)? {
        if let team, team <= 0 {
            return ("team", "must be a positive integer, got \(team)")
        }
        if teamChosenBy != nil, team == nil {
            return ("teamChosenBy", "requires team")
        }
        return nil
    }
}

/// `handoff.routed`: the team chosen for a handoff, recorded so replay can compare.
public struct HandoffRouted: Codable, Sendable, Hashable, EventPayload {
    /// The team.
    public var team: Int
    /// The rule that chose it: `explicit`, `user_choice`, `skill:<name>` or `default`.
    public var rule: String
    /// The version of the routing table used: the stream version of its `routing.table_set` event in the `routing`
    /// stream, plus one (the first event is version 1).
    public var routingVersion: Int64

    /// Creates the payload.
    public init(team: Int, rule: String, routingVersion: Int64) {
        self.team = team
        self.rule = rule
        self.routingVersion = routingVersion
    }
}

/// `support.contact_ready`: the support system holds a contact for the user.
public struct ContactReady: Codable, Sendable, Hashable, EventPayload {
    /// Chatwoot's contact id.
    public var contactId: Int
    /// The contact inbox's `source_id`, if known.
    public var contactSourceId: String?
    /// The event that caused the command.
    public var causationEventId: UUID

    /// Creates the payload.
    public init(contactId: Int, contactSourceId: String? = nil, causationEventId: UUID) {
        self.contactId = contactId
        self.contactSourceId = contactSourceId
        self.causationEventId = causationEventId
    }
}

/// `support.conversation_opened`: the support system opened a conversation.
public struct ConversationOpened: Codable, Sendable, Hashable, EventPayload {
    /// Chatwoot's conversation id.
    public var conversationId: Int
    /// The event that caused the command.
    public var causationEventId: UUID

    /// Creates the payload.
    public init(conversationId: Int, causationEventId: UUID) {
        self.conversationId = conversationId
        self.causationEventId = causationEventId
    }
}

/// `support.message_posted`: a message was posted to the support system.
public struct MessagePosted: Codable, Sendable, Hashable, EventPayload {
    /// Chatwoot's message id.
    public var messageId: Int
    /// Our message id (the `messageId` of the `user.message` or `bot.message`), if any.
    public var sourceMessageId: String?
    /// The event that caused the command.
    public var causationEventId: UUID

    /// Creates the payload.
    public init(messageId: Int, sourceMessageId: String? = nil, causationEventId: UUID) {
        self.messageId = messageId
        self.sourceMessageId = sourceMessageId
        self.causationEventId = causationEventId
    }
}

/// `support.team_assigned`: a team was assigned in the support system.
public struct TeamAssigned: Codable, Sendable, Hashable, EventPayload {
    /// Chatwoot's team id.
    public var team: Int
    /// The event that caused the command.
    public var causationEventId: UUID

    /// Creates the payload.
    public init(team: Int, causationEventId: UUID) {
        self.team = team
        self.causationEventId = causationEventId
    }
}

/// `support.conversation_resolved`: the support system's conversation got a closing status.
public struct ConversationResolved: Codable, Sendable, Hashable, EventPayload {
    /// Chatwoot's conversation id.
    public var conversationId: Int
    /// The status set, for example `resolved` or `pending` (handed back to the bot).
    public var status: String
    /// The event that caused the command.
    public var causationEventId: UUID

    /// Creates the payload.
    public init(conversationId: Int, status: String, causationEventId: UUID) {
        self.conversationId = conversationId
        self.status = status
        self.causationEventId = causationEventId
    }
}

/// `support.command_failed`: a command was parked as dead after its retries.
public struct CommandFailed: Codable, Sendable, Hashable, EventPayload {
    /// The command, for example `postMessage`.
    public var command: String
    /// How many attempts were made.
    public var attempts: Int
    /// The last error, for people.
    public var lastError: String
    /// The event that caused the command, if any.
    public var causationEventId: UUID?

    /// Creates the payload.
    public init(command: String, attempts: Int, lastError: String, causationEventId: UUID? = nil) {
        self.command = command
        self.attempts = attempts
        self.lastError = lastError
        self.causationEventId = causationEventId
    }
}

/// `agent.assigned`: an agent was assigned in the support system, or the assignee was removed.
public struct AgentAssigned: Codable, Sendable, Hashable, EventPayload {
    /// Chatwoot's agent id; nil means unassigned.
    public var agentId: Int?
    /// The agent's name.
    public var agentName: String?
    /// The conversation's team at the time.
    public var team: Int?

    /// Creates the payload.
    public init(agentId: Int? = nil, agentName: String? = nil, team: Int? = nil) {
        self.agentId = agentId
        self.agentName = agentName
        self.team = team
    }
}

/// `agent.message`: an agent wrote to the user.
public struct AgentMessage: Codable, Sendable, Hashable, EventPayload {
    /// Chatwoot's message id.
    public var messageId: Int
    /// Chatwoot's agent id.
    public var agentId: Int?
    /// The agent's name.
    public var agentName: String?
    /// The text.
    public var text: String

    /// Creates the payload.
    public init(messageId: Int, agentId: Int? = nil, agentName: String? = nil, text: String) {
        self.messageId = messageId
        self.agentId = agentId
        self.agentName = agentName
        self.text = text
    }
}

/// `agent.team_changed`: an agent moved the conversation to another team (or removed its team).
public struct AgentTeamChanged: Codable, Sendable, Hashable, EventPayload {
    /// The new team; nil means none.
    public var team: Int?
    /// The agent who moved it, when known.
    public var agentId: Int?
    /// That agent's name.
    public var agentName: String?

    /// Creates the payload.
    public init(team: Int? = nil, agentId: Int? = nil, agentName: String? = nil) {
        self.team = team
        self.agentId = agentId
        self.agentName = agentName
    }
}

/// Who closed a session.
public enum ClosedBy: String, Codable, Sendable, Hashable, CaseIterable {
    /// An agent resolved the conversation or handed it back.
    case agent
    /// The user ended it.
    case user
    /// The bot ended it.
    case bot
    /// It timed out.
    case timeout

    /// Reads the raw value, naming the allowed values when it is none of them.
    public init(from decoder: any Decoder) throws {
        self = try decodeEnumeration(from: decoder)
    }
}

/// `session.closed`: the session ended.
public struct SessionClosed: Codable, Sendable, Hashable, EventPayload {
    /// Who closed it.
    public var by: ClosedBy
    /// Why, for example `resolved` or `handed_back`.
    public var reason: String?

    /// Creates the payload.
    public init(by: ClosedBy, reason: String? = nil) {
        self.by = by
        self.reason = reason
    }
}

/// Reads a string enumeration; a value outside it is a data error that lists the allowed values.
private func decodeEnumeration<Value: RawRepresentable<String> & CaseIterable>(
    from decoder: any Decoder
) throws -> Value {
    let container = try decoder.singleValueContainer()
    let raw = try container.decode(String.self)
    if let value = Value(rawValue: raw) { return value }
    let allowed = Value.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
    throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "must be one of \(allowed); got \"\(raw)\"")
}
