import EventStore
import Foundation
import Projections

/// A conversation as its stream says now: the session state folded from every event, the stream's version, and
/// the stored events among those a request asked about.
struct ConversationSnapshot: Sendable {
    /// The conversation id.
    var conversationID: String
    /// The state after every event of the stream (events that do not decode are passed over, as the projection
    /// runner does).
    var state: SessionState
    /// The version of the stream's last event, -1 when the stream does not exist. This, not `state.version`, is
    /// what appends expect: an undecodable event still takes a version.
    var version: Int64
    /// The global position of the stream's last event, 0 when it does not exist.
    var position: Int64
    /// The stored events whose ids were asked about, by id.
    var stored: [UUID: RecordedEvent]

    /// Whether the stream holds any event.
    var exists: Bool { version >= 0 }

    /// The expected version for appending on top of this snapshot.
    var expectedVersion: ExpectedVersion { exists ? .exact(version) : .noStream }
}

/// Reads conversation streams from the store and folds them with the projections' folds (the same decoding the
/// projection runner applies), so what the API answers is what the read models will hold, without their lag.
struct ConversationLog: Sendable {
    /// The store.
    let store: SQLiteEventStore
    /// Events read per page.
    static let pageSize = 1000

    /// The snapshot of a conversation, noting which of `eventIDs` are stored in its stream.
    func snapshot(_ conversationID: String, stream: StreamID, watching eventIDs: Set<UUID> = []) async throws
        -> ConversationSnapshot
    {
        var snapshot = ConversationSnapshot(
            conversationID: conversationID, state: .initial, version: -1, position: 0, stored: [:])
        let codec = EventCodec()
        try await forEachRecord(in: stream) { record in
            snapshot.version = record.version
            snapshot.position = record.position
            if eventIDs.contains(record.eventID) { snapshot.stored[record.eventID] = record }
            if let decoded = try? ConversationRecord(folding: record, codec: codec) {
                snapshot.state = SessionState.evolve(snapshot.state, decoded)
            }
        }
        return snapshot
    }

    /// The audit of a conversation (who handled it, segment by segment), or nil when its stream is empty.
    func audit(_ conversationID: String, stream: StreamID) async throws -> ConversationAudit? {
        var audit = ConversationAudit(conversationID: conversationID)
        var any = false
        let codec = EventCodec()
        try await forEachRecord(in: stream) { record in
            any = true
            if let decoded = try? ConversationRecord(folding: record, codec: codec) { audit.apply(decoded) }
        }
        return any ? audit : nil
    }

    /// Up to `limit` events of the stream whose global position is after `position`, oldest first.
    func events(in stream: StreamID, after position: Int64, limit: Int) async throws -> [RecordedEvent] {
        var found: [RecordedEvent] = []
        var version: Int64 = 0
        while found.count < limit {
            let page = try await store.readStream(stream, from: version, limit: Self.pageSize)
            found.append(contentsOf: page.lazy.filter { $0.position > position }.prefix(limit - found.count))
            guard page.count == Self.pageSize, let last = page.last else { break }
            version = last.version + 1
        }
        return found
    }

    /// Calls `body` with every event of the stream, oldest first, a page at a time.
    private func forEachRecord(in stream: StreamID, _ body: (RecordedEvent) throws -> Void) async throws {
        var version: Int64 = 0
        while true {
            let page = try await store.readStream(stream, from: version, limit: Self.pageSize)
            for record in page { try body(record) }
            guard page.count == Self.pageSize, let last = page.last else { return }
            version = last.version + 1
        }
    }
}
