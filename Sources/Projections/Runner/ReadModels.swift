public import EventStore
public import Foundation

/// Queries over the read models the ``ProjectionRunner`` keeps: answers without reading the log.
public struct ReadModels: Sendable {
    /// The store whose database holds the read models.
    public let store: SQLiteEventStore

    /// Reads the read models of `store`.
    public init(store: SQLiteEventStore) { self.store = store }

    /// The position of the last event the read models include.
    /// - Throws: ``ReadModelError/notPrepared`` when no runner prepared the tables.
    public func checkpoint() async throws -> Int64 {
        try await store.read { db in
            let exists = try db.statement(
                "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'projection_checkpoints'")
            guard try exists.step() else { throw ReadModelError.notPrepared }
            let statement = try db.statement(
                "SELECT position FROM projection_checkpoints WHERE name = ?1", .text(ReadModelSchema.checkpointName))
            guard try statement.step() else { throw ReadModelError.notPrepared }
            return statement.int64(0)
        }
    }

    /// The current state of a conversation, or nil when the read models do not know it.
    public func conversation(_ conversationID: String) async throws -> ConversationSummary? {
        try await store.read { db in
            try db.statement(
                "SELECT \(ReadModelRows.conversationColumns) FROM rm_conversations WHERE conversation_id = ?1",
                .text(conversationID)
            ).rows(ReadModelRows.conversation).first
        }
    }

    /// The conversation whose current session the support system holds as conversation `supportConversationID`
    /// (Chatwoot's display id), or nil when no conversation's state names it: for a webhook that does not carry this
    /// service's conversation id. Only the latest support conversation of each conversation is kept, so one of an
    /// earlier session is not found.
    public func conversationID(supportConversationID: Int) async throws -> String? {
        try await store.read { db in
            try db.statement(
                """
                SELECT conversation_id FROM rm_conversations WHERE support_conversation_id = ?1
                ORDER BY position DESC LIMIT 1
                """,
                .integer(Int64(supportConversationID))
            ).rows { $0.text(0) }.first
        }
    }

    /// The conversations whose current session people own (`routing`, `queued` or `withAgent`), ordered by id: the
    /// handoffs still open.
    public func openHandoffs() async throws -> [String] {
        try await store.read { db in
            try db.statement(
                """
                SELECT conversation_id FROM rm_conversations WHERE mode IN ('routing', 'queued', 'withAgent')
                ORDER BY conversation_id
                """
            ).rows { $0.text(0) }
        }
    }

    /// Every conversation, ordered by id.
    public func conversations() async throws -> [ConversationSummary] {
        try await store.read { db in
            try db.statement("SELECT \(ReadModelRows.conversationColumns) FROM rm_conversations ORDER BY conversation_id")
                .rows(ReadModelRows.conversation)
        }
    }

    /// The audit segments of one conversation, oldest first.
    public func segments(conversationID: String) async throws -> [AuditSegment] {
        try await store.read { db in
            try db.statement(
                "SELECT \(ReadModelSchema.segmentColumns) FROM rm_audit_segments WHERE conversation_id = ?1 ORDER BY seq",
                .text(conversationID)
            ).rows(ReadModelRows.segment)
        }
    }

    /// The audit segments matching every given filter: handled by agent `agentID`, by team `team` (in its queue or
    /// with one of its agents), overlapping `[from, to)`. Ordered by conversation, then time.
    public func segments(
        agentID: Int? = nil, team: Int? = nil, from: Date? = nil, to: Date? = nil
    ) async throws -> [AuditSegment] {
        try await store.read { db in
            try db.statement(
                """
                SELECT \(ReadModelSchema.segmentColumns) FROM rm_audit_segments
                WHERE (?1 IS NULL OR agent_id = ?1) AND (?2 IS NULL OR team = ?2)
                  AND (?3 IS NULL OR to_at IS NULL OR to_at > ?3) AND (?4 IS NULL OR from_at < ?4)
                ORDER BY conversation_id, seq
                """,
                .optional(agentID), .optional(team), .optional(from), .optional(to)
            ).rows(ReadModelRows.segment)
        }
    }

    /// The handoffs (with their recorded routing decisions and the teams they went through) of one conversation, or
    /// of all conversations, requested within `[from, to)` when given. Ordered by conversation, then time.
    public func handoffs(
        conversationID: String? = nil, from: Date? = nil, to: Date? = nil
    ) async throws -> [HandoffTrace] {
        try await store.read { db in
            try db.statement(
                """
                SELECT \(ReadModelSchema.handoffColumns) FROM rm_handoffs
                WHERE (?1 IS NULL OR conversation_id = ?1) AND (?2 IS NULL OR requested_at >= ?2)
                  AND (?3 IS NULL OR requested_at < ?3)
                ORDER BY conversation_id, seq
                """,
                .optional(conversationID), .optional(from), .optional(to)
            ).rows(ReadModelRows.handoff)
        }
    }

    /// Events the runner could not decode, by position: `(position, conversation, type, problem)`.
    public func skippedEvents() async throws -> [SkippedEventReport] {
        try await store.read { db in
            try db.statement("SELECT position, conversation_id, type, problem FROM rm_skipped_events ORDER BY position")
                .rows { SkippedEventReport(position: $0.int64(0), conversationID: $0.text(1), type: $0.text(2), problem: $0.text(3)) }
        }
    }
}

/// A conversation as the read model keeps it: who owns it now, and the ids the support system gave it.
public struct ConversationSummary: Sendable, Hashable {
    /// The conversation.
    public var conversationID: String
    /// The current session number.
    public var session: Int
    /// Who owns the session.
    public var mode: SessionMode
    /// The team that has (or last had) the session.
    public var team: Int?
    /// The agent who has (or last had) the session.
    public var agent: AgentRef?
    /// The support system's ids.
    public var support: SupportIDs
    /// The bot platform's user id.
    public var userID: String?
    /// The session's unfinished skills.
    public var unfinishedSkills: [String]
    /// When the session started.
    public var sessionStartedAt: Date?
    /// When the last event happened.
    public var lastEventAt: Date?
    /// The global position of the last event applied.
    public var position: Int64
    /// The stream version of the last event applied.
    public var version: Int64

    /// The summary of a session state.
    public init(conversationID: String, state: SessionState) {
        self.init(
            conversationID: conversationID, session: state.session, mode: state.mode, team: state.team,
            agent: state.agent, support: state.support, userID: state.userID, unfinishedSkills: state.unfinishedSkills,
            sessionStartedAt: state.sessionStartedAt, lastEventAt: state.lastEventAt, position: state.position,
            version: state.version)
    }

    /// Creates a summary.
    public init(
        conversationID: String, session: Int, mode: SessionMode, team: Int?, agent: AgentRef?, support: SupportIDs,
        userID: String?, unfinishedSkills: [String], sessionStartedAt: Date?, lastEventAt: Date?, position: Int64,
        version: Int64
    ) {
        self.conversationID = conversationID
        self.session = session
        self.mode = mode
        self.team = team
        self.agent = agent
        self.support = support
        self.userID = userID
        self.unfinishedSkills = unfinishedSkills
        self.sessionStartedAt = sessionStartedAt
        self.lastEventAt = lastEventAt
        self.position = position
        self.version = version
    }
}

/// A stored event the runner passed over because its payload does not decode.
public struct SkippedEventReport: Sendable, Hashable {
    /// Its position.
    public var position: Int64
    /// Its conversation.
    public var conversationID: String
    /// Its type.
    public var type: String
    /// Why it was passed over.
    public var problem: String
}

/// Errors of the read models.
public enum ReadModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No runner has prepared the read-model tables in this database.
    case notPrepared
    /// Another runner moved the checkpoint: only one runner may keep the read models of a database.
    case checkpointMoved(expected: Int64, found: Int64)
    /// A stored row holds a value this build cannot read.
    case corruptRow(table: String, column: String, value: String)

    public var description: String {
        switch self {
        case .notPrepared:
            "the read models are not prepared in this database (run the projection runner, or `replay projections rebuild`)"
        case .checkpointMoved(let expected, let found):
            "the read-model checkpoint moved from \(expected) to \(found) under this runner: is another runner using the same database?"
        case .corruptRow(let table, let column, let value):
            "\(table).\(column) holds \(value.debugDescription), which this build cannot read"
        }
    }
}
