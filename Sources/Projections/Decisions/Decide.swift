public import EventStore

/// Why the ingestion API refuses an event from the bot platform.
public struct DecisionRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal, as a value to branch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A bot message while people own the session.
        public static let humanOwnsSession = Code("humanOwnsSession")
        /// A type only this service writes (routing decisions, support outcomes, agent actions).
        public static let reservedType = Code("reservedType")
        /// A type this build does not know.
        public static let unknownType = Code("unknownType")
    }

    /// What kind of refusal.
    public var code: Code
    /// The refused event's type.
    public var type: String
    /// A sentence for the bot platform's developers.
    public var message: String

    /// Creates a refusal.
    public init(_ code: Code, type: String, message: String) {
        self.code = code
        self.type = type
        self.message = message
    }

    public var description: String { "\(code): \(type): \(message)" }
}

/// The ingestion rules: what an event from the bot platform does to a conversation in `state`.
public enum Decide {
    /// The event types the bot platform may send.
    public static let botPlatformTypes: Set<EventType> = [
        .conversationStarted, .userMessage, .botMessage, .skillStarted, .skillCompleted, .skillAbandoned,
        .handoffRequested, .sessionClosed,
    ]

    /// The events to append for `event`, given the conversation's current state: `[event]` when it is accepted,
    /// `[]` when it changes nothing and is acknowledged as a no-op.
    ///
    /// - A bot message while people own the session is refused (`humanOwnsSession`).
    /// - A handoff request while one is in progress is a no-op, not a second handoff.
    /// - A close of a closed (or never started) conversation is a no-op; so is a second `conversation.started`.
    /// - Any event for an unknown conversation starts it (the fold opens session 1).
    /// - Types written by this service itself, and unknown types, are refused.
    /// - Throws: ``DecisionRefusal``.
    public static func decide(_ event: ConversationEvent, state: SessionState) throws(DecisionRefusal)
        -> [ConversationEvent]
    {
        guard let type = event.eventType else {
            throw DecisionRefusal(
                .unknownType, type: event.type, message: "this service does not know the event type")
        }
        guard botPlatformTypes.contains(type) else {
            throw DecisionRefusal(
                .reservedType, type: event.type,
                message: "only handoff itself records this type; the bot platform may send "
                    + botPlatformTypes.map(\.rawValue).sorted().joined(separator: ", "))
        }
        switch event {
        case .botMessage where state.humanOwnsSession:
            throw DecisionRefusal(
                .humanOwnsSession, type: event.type,
                message: "the conversation is \(state.mode.rawValue) in session \(state.session): "
                    + "the bot must stay silent until the session is closed")
        case .handoffRequested where state.humanOwnsSession:
            return []
        case .sessionClosed where state.mode == .closed || !state.isStarted:
            return []
        case .conversationStarted where state.isStarted:
            return []
        default:
            return [event]
        }
    }
}
