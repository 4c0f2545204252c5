public import Foundation

/// One thing the support system (or the bot platform) must be made to hold, derived from one event.
///
/// Its ``id`` is derived from the stream and the event that caused it, so reading that event again after a crash
/// gives the same id, and the outbox keeps one row.
public struct SupportCommand: Sendable, Hashable, Codable {
    /// The deterministic id.
    public var id: UUID
    /// The id the marks left in the support system derive from: the id of the same command outside any rebuild, so
    /// a rebuild finds what the original command created instead of creating it again.
    public var markerID: UUID
    /// This service's conversation id.
    public var conversationID: String
    /// The session the command belongs to.
    public var session: Int
    /// The event that caused it.
    public var causationEventID: UUID
    /// What to do.
    public var action: SupportAction

    /// Creates a command with the id derived from its cause: the conversation, the causing event, the action's kind,
    /// and `generation` (empty for the saga; a rebuild run gives its own, so its commands are new rows).
    public init(conversationID: String, session: Int, causationEventID: UUID, action: SupportAction, generation: String = "") {
        let cause = causationEventID.uuidString.lowercased()
        self.id = DeterministicID.uuid("command/\(generation)/\(conversationID)/\(cause)/\(action.kind.rawValue)")
        self.markerID = DeterministicID.uuid("command//\(conversationID)/\(cause)/\(action.kind.rawValue)")
        self.conversationID = conversationID
        self.session = session
        self.causationEventID = causationEventID
        self.action = action
    }
}

/// The commands of the saga contract.
public enum SupportAction: Sendable, Hashable, Codable {
    /// The user exists as a contact.
    case ensureContact(ContactDetails)
    /// The session has a support conversation, created in `team` when it is created.
    case ensureConversation(team: Int?)
    /// A message of the transcript or of the live session is in the support conversation.
    case postMessage(MessageToPost)
    /// The support conversation belongs to `team`.
    case assignTeam(team: Int)
    /// The support conversation is resolved (the bot or the user closed the session).
    case resolveConversation
    /// An agent's message reached the bot platform.
    case deliverToBot(AgentReply)

    /// The action's name, as the outbox and `support.command_failed` record it.
    public var kind: Kind {
        switch self {
        case .ensureContact: .ensureContact
        case .ensureConversation: .ensureConversation
        case .postMessage: .postMessage
        case .assignTeam: .assignTeam
        case .resolveConversation: .resolveConversation
        case .deliverToBot: .deliverToBot
        }
    }

    /// The names of the actions.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case ensureContact, ensureConversation, postMessage, assignTeam, resolveConversation, deliverToBot
    }
}

/// Who the contact is. Only the identifier and name are sent: email and phone are unique per account in Chatwoot and
/// would make a second contact of the same person fail.
public struct ContactDetails: Sendable, Hashable, Codable {
    /// The stable identifier (the bot platform's user id, else the conversation id).
    public var identifier: String
    /// The display name.
    public var name: String?

    /// Creates the details.
    public init(identifier: String, name: String?) {
        self.identifier = identifier
        self.name = name
    }
}

/// A message to post.
public struct MessageToPost: Sendable, Hashable, Codable {
    /// Who wrote it.
    public enum Author: String, Sendable, Hashable, Codable {
        /// The user: posted as incoming.
        case user
        /// The bot: posted as outgoing.
        case bot
        /// An agent (a rebuild re-creating a lost conversation): posted as outgoing with the agent's text as written.
        case agent
    }

    /// Who wrote it.
    public var author: Author
    /// The text.
    public var text: String
    /// The bot platform's message id.
    public var messageID: String

    /// Creates the message.
    public init(author: Author, text: String, messageID: String) {
        self.author = author
        self.text = text
        self.messageID = messageID
    }
}

/// An agent's reply, for the bot platform's callback.
public struct AgentReply: Sendable, Hashable, Codable {
    /// The support system's message id.
    public var messageID: Int
    /// The agent.
    public var agentID: Int?
    /// The agent's name.
    public var agentName: String?
    /// The text.
    public var text: String

    /// Creates the reply.
    public init(messageID: Int, agentID: Int?, agentName: String?, text: String) {
        self.messageID = messageID
        self.agentID = agentID
        self.agentName = agentName
        self.text = text
    }
}
