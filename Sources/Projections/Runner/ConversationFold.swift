import EventStore
import Foundation

/// Every read model's fold for one conversation, advanced together: one `evolve` per event feeds the session state,
/// the audit segments and the handoff traces.
struct ConversationFold: Sendable {
    let conversationID: String
    private(set) var audit: ConversationAudit
    private(set) var tracer: HandoffTracer

    init(conversationID: String) {
        self.conversationID = conversationID
        audit = ConversationAudit(conversationID: conversationID)
        tracer = HandoffTracer(conversationID: conversationID)
    }

    /// The event types whose payload no read model reads (the fold needs only their type), each with an empty
    /// payload: the runner skips parsing their data, about half of a chat log. The property tests compare the runner's
    /// read models with folds of fully decoded events, so a fold that starts reading one of these payloads fails them.
    static let payloadIgnored: [EventType: ConversationEvent] = {
        let none = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        return [
        .userMessage: .userMessage(UserMessage(messageId: "", text: "")),
        .botMessage: .botMessage(BotMessage(messageId: "", text: "")),
        .agentMessage: .agentMessage(AgentMessage(messageId: 0, text: "")),
        .messagePosted: .messagePosted(MessagePosted(messageId: 0, causationEventId: none)),
        .teamAssigned: .teamAssigned(TeamAssigned(team: 0, causationEventId: none)),
        .conversationResolved: .conversationResolved(
            ConversationResolved(conversationId: 0, status: "", causationEventId: none)),
        .commandFailed: .commandFailed(CommandFailed(command: "", attempts: 0, lastError: "")),
        ]
    }()

    /// The state after the last event applied.
    var state: SessionState { audit.state }

    mutating func apply(_ record: ConversationRecord) {
        let after = SessionState.evolve(audit.state, record)
        audit.apply(record, after: after)
        tracer.apply(record, after: after)
    }

    /// The rows that changed since the last call (the conversation, its newest segments and handoffs), after which
    /// the fold forgets all but the last segment and handoff: only those can still change.
    mutating func takeChanges() -> ReadModelChanges {
        let changes = ReadModelChanges(
            conversationID: conversationID, state: audit.state,
            segments: audit.segments.enumerated().map { (audit.droppedSegments + $0.offset, $0.element) },
            handoffs: tracer.traces.enumerated().map { (tracer.droppedTraces + $0.offset, $0.element) })
        audit.forgetSegments(keepingLast: 1)
        tracer.forgetTraces(keepingLast: 1)
        return changes
    }
}

/// One conversation's rows to write in a flush.
struct ReadModelChanges: Sendable {
    let conversationID: String
    let state: SessionState
    /// Segments by their number in the conversation.
    let segments: [(Int, AuditSegment)]
    /// Handoffs by their number in the conversation.
    let handoffs: [(Int, HandoffTrace)]
}
