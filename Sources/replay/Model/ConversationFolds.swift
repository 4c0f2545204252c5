import EventStore
import Projections

/// The audit and handoff folds of one conversation, fed stored events as the projection runner feeds them:
/// decoded by the runner's rule, and passed over when they do not decode.
struct ConversationFolds {
    /// Who handled the conversation, and its state after the last event applied.
    private(set) var audit: ConversationAudit
    /// Its handoffs.
    private(set) var tracer: HandoffTracer

    /// Empty folds for a conversation.
    init(conversationID: String) {
        audit = ConversationAudit(conversationID: conversationID)
        tracer = HandoffTracer(conversationID: conversationID)
    }

    /// The state after the last event applied.
    var state: SessionState { audit.state }

    /// Who has the conversation after the last event applied: the owner of the open stretch, nil when the session
    /// is closed (or nothing was applied).
    var owner: Owner? {
        guard let last = audit.segments.last, last.to == nil else { return nil }
        return last.owner
    }

    /// Applies a stored event of the conversation.
    /// - Returns: nil when applied, else why it was passed over (it does not decode).
    @discardableResult
    mutating func apply(_ record: RecordedEvent, codec: EventCodec) -> String? {
        let decoded: ConversationRecord
        do {
            decoded = try ConversationRecord(folding: record, codec: codec)
        } catch {
            return String(describing: error)
        }
        audit.apply(decoded)
        tracer.apply(decoded)
        return nil
    }

    /// The folds of a conversation over its stored events before global position `position`.
    /// - Throws: the store's errors.
    static func load(
        _ conversationID: String, before position: Int64, from store: SQLiteEventStore, codec: EventCodec
    ) async throws -> ConversationFolds {
        var folds = ConversationFolds(conversationID: conversationID)
        let stream = try StreamID.conversation(conversationID)
        var version: Int64 = 0
        reading: while true {
            let page = try await store.readStream(stream, from: version, limit: pageSize)
            for record in page {
                guard record.position < position else { break reading }
                folds.apply(record, codec: codec)
                version = record.version + 1
            }
            if page.count < pageSize { break }
        }
        return folds
    }

    /// Events read per page.
    static let pageSize = 2000
}
