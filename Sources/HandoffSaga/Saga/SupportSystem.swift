
/// The port the saga drives: a support system that can hold contacts, conversations, messages, teams and statuses.
/// Chatwoot is one (``ChatwootSupportSystem``); another can be added without touching the saga.
///
/// Each call must converge: with `uncertain` set, an earlier attempt may have taken effect, so the implementation
/// looks for what that attempt created (by the command's marker) before creating anything.
public protocol SupportSystem: Sendable {
    /// Carries out one command (never ``SupportAction/deliverToBot(_:)``).
    /// - Parameters:
    ///   - command: the command.
    ///   - context: the ids the log already holds for the command's session.
    ///   - uncertain: whether an earlier attempt may have taken effect.
    func perform(_ command: SupportCommand, context: SupportContext, uncertain: Bool) async throws(SupportFailure) -> SupportResult
}

/// The support ids the log holds for one session of a conversation.
public struct SupportContext: Sendable, Hashable {
    /// The contact.
    public var contactID: Int?
    /// The session's support conversation.
    public var conversationID: Int?
    /// The last message posted to it by this service.
    public var lastMessageID: Int?

    /// Creates a context.
    public init(contactID: Int? = nil, conversationID: Int? = nil, lastMessageID: Int? = nil) {
        self.contactID = contactID
        self.conversationID = conversationID
        self.lastMessageID = lastMessageID
    }
}

/// What a command achieved: recorded as the `support.*` event of the catalogue.
public enum SupportResult: Sendable, Hashable {
    /// The contact exists.
    case contactReady(contactID: Int, sourceID: String?)
    /// The conversation exists.
    case conversationOpened(conversationID: Int)
    /// The message exists.
    case messagePosted(messageID: Int)
    /// The conversation belongs to the team.
    case teamAssigned(team: Int)
    /// The conversation has the status.
    case conversationResolved(conversationID: Int, status: String)
    /// The bot platform accepted the reply.
    case deliveredToBot
}

/// Why a command failed.
public struct SupportFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Whether to try again.
    public enum Disposition: Sendable, Hashable {
        /// Try again later; `mayHaveTakenEffect` makes the next attempt look before it creates.
        case retry(retryAfter: Duration?, mayHaveTakenEffect: Bool)
        /// Trying again cannot help (for example a team the support system does not have): park it.
        case permanent
    }

    /// Whether to try again.
    public var disposition: Disposition
    /// What happened, for operators (never message text or secrets).
    public var message: String
    /// Whether the failure says the support system itself is unwell (no answer, 5xx, throttling), which feeds the
    /// circuit breaker; a refusal of one command does not.
    public var isOutage: Bool

    /// Creates a failure.
    public init(_ disposition: Disposition, _ message: String, isOutage: Bool = false) {
        self.disposition = disposition
        self.message = message
        self.isOutage = isOutage
    }

    public var description: String { message }
}
