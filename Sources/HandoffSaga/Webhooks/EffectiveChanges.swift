public import Foundation
import EventStore
public import Projections

/// Keeps the support-system events that change something: the filter between what Chatwoot reports (by webhook or
/// by the reconciler) and the log.
///
/// Chatwoot reports this service's own writes back (the team it assigned, the status it set), and reports some
/// changes twice. Each event is applied to the state the events before it leave; one that leaves the state as it was
/// (but for its position) is dropped, as is any state change reported for a support conversation other than the one
/// the state names (an earlier session's). Agents' messages change no state and are kept unless already stored.
public enum EffectiveChanges {
    /// The events worth appending, in order.
    /// - Parameters:
    ///   - events: what Chatwoot reported.
    ///   - state: the conversation's state now.
    ///   - stored: ids of events already in the stream.
    ///   - supportConversationID: the Chatwoot conversation the report is about, when known.
    public static func filter(
        _ events: [TranslatedEvent], state: SessionState, stored: Set<UUID>, supportConversationID: Int?
    ) -> [TranslatedEvent] {
        var state = state
        var kept: [TranslatedEvent] = []
        let stale = state.support.conversationID.map { known in supportConversationID.map { $0 != known } ?? false } ?? false
        for translated in events where !stored.contains(translated.eventID) {
            let record = ConversationRecord(
                position: state.position + 1, version: state.version + 1, eventID: translated.eventID,
                at: translated.occurredAt, event: translated.event)
            let after = SessionState.evolve(state, record)
            if case .agentMessage = translated.event {
                // Messages change no state; they are what the bot platform is waiting for.
            } else if stale || sameOwnership(state, after) {
                continue
            }
            kept.append(translated)
            state = after
        }
        return kept
    }

    /// Whether two states are the same but for where in the log they were taken.
    public static func sameOwnership(_ a: SessionState, _ b: SessionState) -> Bool {
        var b = b
        b.position = a.position
        b.version = a.version
        b.lastEventAt = a.lastEventAt
        return a == b
    }
}
