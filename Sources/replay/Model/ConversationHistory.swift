import EventStore
import Projections

/// One conversation read from the log, event by event, with the state and the owner after each: what `timeline`,
/// `export` and `route <conversation>` show. Folded from the conversation's own stream, so it is right whatever
/// the read models' checkpoint.
struct ConversationHistory {
    /// One stored event and where it left the conversation.
    struct Entry {
        /// The event as stored.
        let record: RecordedEvent
        /// Its full payload, for showing; nil when it does not decode.
        let event: ConversationEvent?
        /// Why the folds passed it over (it does not decode as the read models read it); nil when applied.
        let passedOver: String?
        /// The state after it.
        let state: SessionState
        /// Who had the conversation after it; nil once the session is closed.
        let owner: Owner?
    }

    /// The conversation.
    let conversationID: String
    /// Its events up to the cutoff, oldest first.
    private(set) var entries: [Entry] = []
    /// The folds after the last entry: audit segments and handoff traces.
    private(set) var folds: ConversationFolds
    /// How many events the conversation has in all, past the cutoff too.
    private(set) var storedEvents: Int64 = 0

    /// Reads a conversation's events up to `cutoff` (all of them when nil).
    /// - Throws: ``ReplayFailure`` for an id that cannot name a conversation or a conversation with no events;
    ///   the store's errors.
    static func load(
        _ conversationID: String, from store: SQLiteEventStore, through cutoff: Cutoff? = nil
    ) async throws -> ConversationHistory {
        let stream: StreamID
        do {
            stream = try StreamID.conversation(conversationID)
        } catch {
            throw ReplayFailure("\(TerminalText.quoted(conversationID)) is not a conversation id: \(error.message)")
        }
        guard let lastVersion = try await store.streamVersion(stream) else {
            throw ReplayFailure("there is no conversation \(TerminalText.quoted(conversationID)) in \(store.path)")
        }
        var history = ConversationHistory(
            conversationID: conversationID, folds: ConversationFolds(conversationID: conversationID))
        history.storedEvents = lastVersion + 1
        let codec = EventCodec()
        var version: Int64 = 0
        reading: while true {
            let page = try await store.readStream(stream, from: version, limit: ConversationFolds.pageSize)
            for record in page {
                if let cutoff, !cutoff.includes(position: record.position, at: record.occurredAt) { break reading }
                history.append(record, codec: codec)
                version = record.version + 1
            }
            if page.count < ConversationFolds.pageSize { break }
        }
        return history
    }

    private mutating func append(_ record: RecordedEvent, codec: EventCodec) {
        let passedOver = folds.apply(record, codec: codec)
        entries.append(
            Entry(
                record: record, event: try? codec.decode(record), passedOver: passedOver, state: folds.state,
                owner: folds.owner))
    }
}
