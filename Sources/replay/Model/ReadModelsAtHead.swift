import EventStore
import Foundation
import Projections

/// The read models as of the head of the log, without writing anything.
///
/// The runner's tables answer for every conversation that has not moved since its checkpoint. The events after the
/// checkpoint (all of them when the tables are not prepared) are read page by page and the conversations they touch
/// are folded in memory, each from its first event, replacing their rows. The checkpoint is read first and the head
/// last, so a runner advancing meanwhile only makes the fold cover more than it needs.
struct ReadModelsAtHead {
    /// The store, opened read-only.
    let store: SQLiteEventStore

    /// What `segments` and `handoffs` read: the runner's rows and the folds of the conversations after them.
    private struct Snapshot<Row> {
        var rows: [Row]
        var folds: [String: ConversationFolds]
    }

    /// Audit segments matching every given filter, ordered by conversation, then time: handled by agent `agentID`,
    /// by team `team`, overlapping `[from, to)` (the read models' own filters).
    func segments(agentID: Int?, team: Int?, from: Date?, to: Date?) async throws -> [AuditSegment] {
        let snapshot = try await snapshot { models in
            try await models.segments(agentID: agentID, team: team, from: from, to: to)
        }
        let folded = snapshot.folds.values.flatMap(\.audit.segments).filter { segment in
            (agentID.map { segment.owner.agent?.id == $0 } ?? true)
                && (team.map { segment.owner.team == $0 } ?? true)
                && (from.map { start in segment.to.map { $0 > start } ?? true } ?? true)
                && (to.map { segment.from < $0 } ?? true)
        }
        return merge(snapshot, folded, conversation: \.conversationID, order: \.fromPosition)
    }

    /// Handoffs requested within `[from, to)`, ordered by conversation, then session.
    func handoffs(from: Date?, to: Date?) async throws -> [HandoffTrace] {
        let snapshot = try await snapshot { models in try await models.handoffs(from: from, to: to) }
        let folded = snapshot.folds.values.flatMap(\.tracer.traces).filter { trace in
            (from.map { trace.request.requestedAt >= $0 } ?? true)
                && (to.map { trace.request.requestedAt < $0 } ?? true)
        }
        return merge(snapshot, folded, conversation: \.conversationID, order: { Int64($0.session) })
    }

    /// The runner's rows (none when it never ran here) and the folds of the conversations moved after its checkpoint.
    private func snapshot<Row>(_ query: (ReadModels) async throws -> [Row]) async throws -> Snapshot<Row> {
        let models = ReadModels(store: store)
        let checkpoint: Int64
        do {
            checkpoint = try await models.checkpoint()
        } catch ReadModelError.notPrepared {
            checkpoint = 0
        }
        let rows = checkpoint > 0 ? try await query(models) : []
        let head = try await store.headPosition()
        let folds = try await foldTail(after: checkpoint, through: head)
        return Snapshot(rows: rows, folds: folds)
    }

    /// Folds every conversation with an event in `(checkpoint, head]`, from its first event to the head.
    private func foldTail(after checkpoint: Int64, through head: Int64) async throws -> [String: ConversationFolds] {
        let codec = EventCodec()
        var folds: [String: ConversationFolds] = [:]
        var next = checkpoint + 1
        while next <= head {
            let page = try await store.readAll(from: next, limit: SQLiteEventStore.maxPageSize)
            guard let last = page.last else { break }
            for record in page where record.position <= head {
                guard let conversationID = record.streamID.conversationID else { continue }
                if folds[conversationID] == nil {
                    folds[conversationID] =
                        record.version == 0
                        ? ConversationFolds(conversationID: conversationID)
                        : try await ConversationFolds.load(
                            conversationID, before: record.position, from: store, codec: codec)
                }
                folds[conversationID]?.apply(record, codec: codec)
            }
            next = last.position + 1
        }
        return folds
    }

    /// The rows of conversations the folds do not cover, with the folded ones, ordered by conversation and `order`.
    private func merge<Row>(
        _ snapshot: Snapshot<Row>, _ folded: [Row], conversation: (Row) -> String, order: (Row) -> Int64
    ) -> [Row] {
        guard !snapshot.folds.isEmpty else { return snapshot.rows }
        let kept = snapshot.rows.filter { snapshot.folds[conversation($0)] == nil }
        return (kept + folded).sorted { a, b in
            let (left, right) = (conversation(a), conversation(b))
            return left == right ? order(a) < order(b) : left.utf8.lexicographicallyPrecedes(right.utf8)
        }
    }
}
