import EventStore
public import Projections
import Foundation

/// What the log says the support system holds for each session of one conversation: a fold over the conversation's
/// records. An outcome belongs to the session of the event that caused it, so an outcome recorded after the session
/// closed (or after the next one opened) still lands on the right session.
public struct SupportLedger: Sendable, Hashable {
    /// The session state after the last record.
    public private(set) var state = SessionState.initial
    /// The contact (the same for every session of the conversation; the latest recorded wins).
    public private(set) var contactID: Int?
    /// Per session: its support conversation and the last message this service posted there.
    public private(set) var sessions: [Int: SupportContext] = [:]
    /// The session each event belongs to.
    private var sessionOfEvent: [UUID: Int] = [:]

    /// An empty ledger.
    public init() {}

    /// Folds `records` in order.
    public init(records: some Sequence<ConversationRecord>) {
        for record in records { apply(record) }
    }

    /// The ids of one session.
    public func context(session: Int) -> SupportContext {
        var context = sessions[session] ?? SupportContext()
        context.contactID = contactID
        return context
    }

    /// Applies one record.
    public mutating func apply(_ record: ConversationRecord) {
        state = SessionState.evolve(state, record)
        sessionOfEvent[record.eventID] = state.session
        switch record.event {
        case .contactReady(let ready):
            contactID = ready.contactId
        case .conversationOpened(let opened):
            let number = sessionOfEvent[opened.causationEventId] ?? state.session
            var context = sessions[number] ?? SupportContext()
            if context.conversationID != opened.conversationId {
                // A new support conversation (a rebuild after Chatwoot lost its data): no message is known there yet.
                context.lastMessageID = nil
            }
            context.conversationID = opened.conversationId
            sessions[number] = context
        case .messagePosted(let posted):
            let number = sessionOfEvent[posted.causationEventId] ?? state.session
            var context = sessions[number] ?? SupportContext()
            context.lastMessageID = max(context.lastMessageID ?? 0, posted.messageId)
            sessions[number] = context
        default:
            break
        }
    }
}
