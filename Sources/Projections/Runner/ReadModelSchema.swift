import EventStore
import Foundation

/// The read-model tables, kept in the event store's database beside the events.
///
/// Read models are disposable: when a build changes their layout, ``version`` goes up and the runner drops and
/// rebuilds them from the log.
enum ReadModelSchema {
    /// The layout version; stored in the checkpoint row.
    static let version: Int64 = 1

    /// The name of the runner's checkpoint row.
    static let checkpointName = "read-models"

    static let checkpoints = """
        CREATE TABLE IF NOT EXISTS projection_checkpoints (
            name     TEXT PRIMARY KEY,
            position INTEGER NOT NULL,
            layout   INTEGER NOT NULL
        ) STRICT
        """

    static let tables = """
        CREATE TABLE rm_conversations (
            conversation_id         TEXT PRIMARY KEY,
            session                 INTEGER NOT NULL,
            mode                    TEXT NOT NULL,
            team                    INTEGER,
            agent_id                INTEGER,
            agent_name              TEXT,
            contact_id              INTEGER,
            support_conversation_id INTEGER,
            user_id                 TEXT,
            unfinished_skills       TEXT NOT NULL,
            session_started_at      INTEGER,
            last_event_at           INTEGER,
            position                INTEGER NOT NULL,
            version                 INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE rm_audit_segments (
            conversation_id TEXT NOT NULL,
            seq             INTEGER NOT NULL,
            session         INTEGER NOT NULL,
            owner           TEXT NOT NULL,
            team            INTEGER,
            agent_id        INTEGER,
            agent_name      TEXT,
            from_at         INTEGER NOT NULL,
            to_at           INTEGER,
            from_position   INTEGER NOT NULL,
            to_position     INTEGER,
            end_kind        TEXT,
            closed_by       TEXT,
            close_reason    TEXT,
            PRIMARY KEY (conversation_id, seq)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE rm_handoffs (
            conversation_id   TEXT NOT NULL,
            seq               INTEGER NOT NULL,
            session           INTEGER NOT NULL,
            request_event_id  TEXT NOT NULL,
            requested_at      INTEGER NOT NULL,
            reason            TEXT NOT NULL,
            requested_team    INTEGER,
            chosen_by         TEXT,
            unfinished_skills TEXT NOT NULL,
            routed_team       INTEGER,
            rule              TEXT,
            routing_version   INTEGER,
            routed_at         INTEGER,
            teams             TEXT NOT NULL,
            closed_at         INTEGER,
            PRIMARY KEY (conversation_id, seq)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE rm_skipped_events (
            position        INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            type            TEXT NOT NULL,
            problem         TEXT NOT NULL
        ) STRICT;
        """

    /// The secondary indexes, created after the tables are filled by a rebuild (one sorted build instead of a
    /// random insert per row) and by ``ProjectionRunner/prepare()`` when missing.
    static let indexes = """
        CREATE INDEX IF NOT EXISTS rm_audit_segments_by_agent ON rm_audit_segments (agent_id) WHERE agent_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS rm_audit_segments_by_team ON rm_audit_segments (team) WHERE team IS NOT NULL;
        CREATE INDEX IF NOT EXISTS rm_audit_segments_by_start ON rm_audit_segments (from_at);
        CREATE INDEX IF NOT EXISTS rm_handoffs_by_time ON rm_handoffs (requested_at);
        CREATE INDEX IF NOT EXISTS rm_conversations_by_support ON rm_conversations (support_conversation_id)
            WHERE support_conversation_id IS NOT NULL;
        """

    static let dropTables = """
        DROP TABLE IF EXISTS rm_conversations;
        DROP TABLE IF EXISTS rm_audit_segments;
        DROP TABLE IF EXISTS rm_handoffs;
        DROP TABLE IF EXISTS rm_skipped_events;
        """

    static let upsertConversation = """
        INSERT OR REPLACE INTO rm_conversations (conversation_id, session, mode, team, agent_id, agent_name,
            contact_id, support_conversation_id, user_id, unfinished_skills, session_started_at, last_event_at,
            position, version)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
        """

    static let upsertSegment = """
        INSERT OR REPLACE INTO rm_audit_segments (conversation_id, seq, session, owner, team, agent_id, agent_name,
            from_at, to_at, from_position, to_position, end_kind, closed_by, close_reason)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
        """

    static let upsertHandoff = """
        INSERT OR REPLACE INTO rm_handoffs (conversation_id, seq, session, request_event_id, requested_at, reason,
            requested_team, chosen_by, unfinished_skills, routed_team, rule, routing_version, routed_at, teams,
            closed_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
        """

    static let insertSkipped = """
        INSERT OR REPLACE INTO rm_skipped_events (position, conversation_id, type, problem) VALUES (?1, ?2, ?3, ?4)
        """

    static let segmentColumns = """
        conversation_id, seq, session, owner, team, agent_id, agent_name, from_at, to_at, from_position,
        to_position, end_kind, closed_by, close_reason
        """

    static let handoffColumns = """
        conversation_id, seq, session, request_event_id, requested_at, reason, requested_team, chosen_by,
        unfinished_skills, routed_team, rule, routing_version, routed_at, teams, closed_at
        """
}

extension SQLiteValue {
    static func optional(_ value: Int?) -> SQLiteValue { value.map { .integer(Int64($0)) } ?? .null }
    static func optional(_ value: Int64?) -> SQLiteValue { value.map { .integer($0) } ?? .null }
    static func optional(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
    static func optional(_ value: Date?) -> SQLiteValue { value.map { .integer($0.millisecondsSince1970) } ?? .null }
}

extension SQLiteStatement {
    func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : Int(int64(column)) }
    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }
    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    func optionalDate(_ column: Int32) -> Date? {
        isNull(column) ? nil : Date(millisecondsSince1970: int64(column))
    }
    func date(_ column: Int32) -> Date { Date(millisecondsSince1970: int64(column)) }
}
