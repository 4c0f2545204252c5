public import EventStore
public import Foundation

/// One row of the outbox.
public struct OutboxRow: Sendable, Hashable {
    /// The row's place in the global order of commands.
    public var sequence: Int64
    /// The command.
    public var command: SupportCommand
    /// `pending`, `in_flight`, `done` or `dead`.
    public var state: OutboxState
    /// Attempts made so far.
    public var attempts: Int
    /// Whether an earlier attempt may have taken effect (the next one looks before it creates).
    public var uncertain: Bool
    /// When the next attempt is due.
    public var nextAttemptAt: Date
    /// The last error, for operators.
    public var lastError: String?
}

/// The states of an outbox row.
public enum OutboxState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for its turn or its next attempt.
    case pending
    /// Being carried out.
    case inFlight = "in_flight"
    /// Carried out; its outcome is in the log.
    case done
    /// Given up after its attempts, or refused for good; `support.command_failed` is in the log.
    case dead
}

/// The saga's outbox and checkpoints: tables beside the events, written through the store's write transactions.
///
/// Commands are enqueued in the same transaction as the saga's checkpoint, and their ids are unique, so reading an
/// event again after a crash writes no second row.
public struct Outbox: Sendable {
    /// The store whose database holds the tables.
    public let store: SQLiteEventStore

    /// Creates the outbox on a store; call ``prepare()`` once before use.
    public init(store: SQLiteEventStore) {
        self.store = store
    }

    static let schema = """
        CREATE TABLE IF NOT EXISTS saga_outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            command_id TEXT NOT NULL UNIQUE,
            conversation TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload BLOB NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'in_flight', 'done', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            uncertain INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            cause_position INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS saga_outbox_open ON saga_outbox (conversation, seq)
            WHERE state IN ('pending', 'in_flight');
        CREATE INDEX IF NOT EXISTS saga_outbox_due ON saga_outbox (state, next_attempt_at);
        CREATE TABLE IF NOT EXISTS saga_checkpoints (
            name TEXT PRIMARY KEY,
            position INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS saga_unrouted (
            conversation TEXT PRIMARY KEY,
            request_event_id TEXT NOT NULL,
            position INTEGER NOT NULL
        );
        """

    /// Creates the tables when missing, and returns rows left `in_flight` by a crash to `pending` (``requeueInFlight()``).
    public func prepare() async throws {
        try await store.write { db in try db.execute(Self.schema) }
        try await requeueInFlight()
    }

    /// Returns the rows left `in_flight` (by a crash, or a dispatcher round that failed) to `pending`, marked
    /// uncertain: their next attempt looks for what the interrupted one may have created. Call it only while no
    /// dispatcher of this outbox runs.
    public func requeueInFlight() async throws {
        try await store.write { db in
            try db.statement("UPDATE saga_outbox SET state = 'pending', uncertain = 1 WHERE state = 'in_flight'").run()
        }
    }

    /// The position the named reader has processed (0: nothing).
    public func checkpoint(_ name: String) async throws -> Int64 {
        try await store.read { db in
            let statement = try db.statement("SELECT position FROM saga_checkpoints WHERE name = ?1", .text(name))
            return try statement.rows { $0.int64(0) }.first ?? 0
        }
    }

    /// A handoff that no routing table could decide yet (none was in force and it named no team).
    struct UnroutedHandoff: Sendable, Hashable {
        var conversationID: String
        var requestEventID: UUID
        var position: Int64
    }

    /// Remembers a handoff that waits for a routing table, so that the next table routes it, even after a restart.
    func waitForRouting(_ handoff: UnroutedHandoff) async throws {
        try await store.write { db in
            try db.statement(
                """
                INSERT INTO saga_unrouted (conversation, request_event_id, position) VALUES (?1, ?2, ?3)
                ON CONFLICT (conversation) DO UPDATE SET request_event_id = excluded.request_event_id,
                    position = excluded.position
                """, .text(handoff.conversationID), .text(handoff.requestEventID.uuidString.lowercased()),
                .integer(handoff.position)
            ).run()
        }
    }

    /// The handoffs waiting for a routing table, oldest first.
    func unroutedHandoffs() async throws -> [UnroutedHandoff] {
        let rows = try await store.read { db in
            try db.statement("SELECT conversation, request_event_id, position FROM saga_unrouted ORDER BY position")
                .rows { ($0.text(0), $0.text(1), $0.int64(2)) }
        }
        return rows.compactMap { row in
            UUID(uuidString: row.1).map { UnroutedHandoff(conversationID: row.0, requestEventID: $0, position: row.2) }
        }
    }

    /// Forgets a waiting handoff (routed now, or no longer waiting).
    func forgetUnrouted(_ conversationID: String) async throws {
        try await store.write { db in
            try db.statement("DELETE FROM saga_unrouted WHERE conversation = ?1", .text(conversationID)).run()
        }
    }

    /// Adds commands (those already present are kept as they are) and moves the checkpoint, in one transaction.
    /// - Returns: how many commands were new.
    @discardableResult
    public func enqueue(
        _ commands: [(command: SupportCommand, causePosition: Int64)], checkpoint: (name: String, position: Int64)?,
        uncertain: Bool = false
    ) async throws -> Int {
        let rows = try commands.map { entry in
            (entry.command, try JSONEncoder().encode(entry.command), entry.causePosition)
        }
        let now = Date().millisecondsSince1970
        return try await store.write { db in
            var added = 0
            let insert = try db.statement(
                """
                INSERT INTO saga_outbox (command_id, conversation, kind, payload, cause_position, updated_at, uncertain)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (command_id) DO NOTHING
                """)
            let changes = try db.statement("SELECT changes()")
            for (command, payload, position) in rows {
                try insert.run(
                    .text(command.id.uuidString.lowercased()), .text(command.conversationID),
                    .text(command.action.kind.rawValue), .blob(payload), .integer(position), .integer(now),
                    .integer(uncertain ? 1 : 0))
                added += Int(try changes.rows { $0.int64(0) }.first ?? 0)
            }
            if let checkpoint {
                try db.statement(
                    """
                    INSERT INTO saga_checkpoints (name, position) VALUES (?1, ?2)
                    ON CONFLICT (name) DO UPDATE SET position = excluded.position
                    """, .text(checkpoint.name), .integer(checkpoint.position)
                ).run()
            }
            return added
        }
    }

    /// Takes up to `limit` due commands, at most one per conversation and only the first open one of each (so each
    /// conversation's commands run strictly in order), of the given kinds (nil: all), and marks them `in_flight`.
    func claim(limit: Int, kinds: Set<SupportAction.Kind>? = nil, now: Date = Date()) async throws -> [OutboxRow] {
        guard limit > 0 else { return [] }
        let nowMilliseconds = now.millisecondsSince1970
        let kindList: SQLiteValue = kinds.map { .text("," + $0.map(\.rawValue).sorted().joined(separator: ",") + ",") } ?? .null
        let rows = try await store.write { db in
            let select = try db.statement(
                """
                SELECT o.seq, o.payload, o.attempts, o.uncertain, o.next_attempt_at, o.last_error
                FROM saga_outbox o
                WHERE o.state = 'pending' AND o.next_attempt_at <= ?1
                  AND (?3 IS NULL OR instr(?3, ',' || o.kind || ',') > 0)
                  AND o.seq = (SELECT MIN(p.seq) FROM saga_outbox p
                               WHERE p.conversation = o.conversation AND p.state IN ('pending', 'in_flight'))
                ORDER BY o.seq LIMIT ?2
                """, .integer(nowMilliseconds), .integer(Int64(limit)), kindList)
            let found = try select.rows { row in
                (row.int64(0), row.data(1), row.int64(2), row.int64(3) != 0, row.int64(4), row.isNull(5) ? nil : row.text(5))
            }
            let mark = try db.statement("UPDATE saga_outbox SET state = 'in_flight', updated_at = ?2 WHERE seq = ?1")
            for row in found { try mark.run(.integer(row.0), .integer(nowMilliseconds)) }
            return found
        }
        return try rows.map { row in
            OutboxRow(
                sequence: row.0, command: try JSONDecoder().decode(SupportCommand.self, from: row.1), state: .inFlight,
                attempts: Int(row.2), uncertain: row.3, nextAttemptAt: Date(millisecondsSince1970: row.4), lastError: row.5)
        }
    }

    /// What becomes of a claimed command after its attempt.
    struct Settlement: Sendable {
        var row: OutboxRow
        var state: OutboxState
        var attempts: Int
        var uncertain: Bool
        var next: Date?
        var error: String?

        /// Carried out.
        static func done(_ row: OutboxRow) -> Settlement {
            Settlement(row: row, state: .done, attempts: row.attempts + 1, uncertain: false, next: nil, error: nil)
        }

        /// Another attempt at `next`.
        static func retry(_ row: OutboxRow, at next: Date, uncertain: Bool, error: String) -> Settlement {
            Settlement(row: row, state: .pending, attempts: row.attempts + 1, uncertain: uncertain, next: next, error: error)
        }

        /// Parked as dead.
        static func dead(_ row: OutboxRow, attempts: Int, error: String) -> Settlement {
            Settlement(row: row, state: .dead, attempts: attempts, uncertain: row.uncertain, next: nil, error: error)
        }
    }

    /// Records what became of a round's commands, in one transaction.
    func settle(_ settlements: [Settlement]) async throws {
        guard !settlements.isEmpty else { return }
        let now = Date().millisecondsSince1970
        try await store.write { db in
            let update = try db.statement(
                """
                UPDATE saga_outbox SET state = ?2, attempts = ?3, uncertain = ?4, next_attempt_at = ?5, last_error = ?6,
                       updated_at = ?7
                WHERE seq = ?1
                """)
            for settlement in settlements {
                try update.run(
                    .integer(settlement.row.sequence), .text(settlement.state.rawValue),
                    .integer(Int64(settlement.attempts)), .integer(settlement.uncertain ? 1 : 0),
                    .integer(settlement.next?.millisecondsSince1970 ?? 0), settlement.error.map { .text($0) } ?? .null,
                    .integer(now))
            }
        }
    }

    /// How many rows are in each state.
    public func depth() async throws -> [OutboxState: Int] {
        try await store.read { db in
            var depth = Dictionary(uniqueKeysWithValues: OutboxState.allCases.map { ($0, 0) })
            let statement = try db.statement("SELECT state, COUNT(*) FROM saga_outbox GROUP BY state")
            for (state, count) in try statement.rows({ ($0.text(0), Int($0.int64(1))) }) {
                if let state = OutboxState(rawValue: state) { depth[state] = count }
            }
            return depth
        }
    }

    /// The rows of a conversation, or every row in a state, in order (at most `limit`).
    public func rows(conversation: String? = nil, state: OutboxState? = nil, limit: Int = 1000) async throws -> [OutboxRow] {
        let found = try await store.read { db in
            let statement = try db.statement(
                """
                SELECT seq, payload, state, attempts, uncertain, next_attempt_at, last_error FROM saga_outbox
                WHERE (?1 IS NULL OR conversation = ?1) AND (?2 IS NULL OR state = ?2) ORDER BY seq LIMIT ?3
                """, conversation.map { .text($0) } ?? .null, state.map { .text($0.rawValue) } ?? .null,
                .integer(Int64(limit)))
            return try statement.rows { row in
                (row.int64(0), row.data(1), row.text(2), row.int64(3), row.int64(4) != 0, row.int64(5),
                 row.isNull(6) ? nil : row.text(6))
            }
        }
        return try found.map { row in
            OutboxRow(
                sequence: row.0, command: try JSONDecoder().decode(SupportCommand.self, from: row.1),
                state: OutboxState(rawValue: row.2) ?? .pending, attempts: Int(row.3), uncertain: row.4,
                nextAttemptAt: Date(millisecondsSince1970: row.5), lastError: row.6)
        }
    }

    /// How many of the given commands are in each state (for progress reports).
    public func states(of commandIDs: [UUID]) async throws -> [OutboxState: Int] {
        let ids = commandIDs.map { $0.uuidString.lowercased() }
        return try await store.read { db in
            var counts: [OutboxState: Int] = [:]
            for id in ids {
                let found = try db.statement("SELECT state FROM saga_outbox WHERE command_id = ?1", .text(id)).rows { $0.text(0) }
                if let state = found.first.flatMap(OutboxState.init(rawValue:)) { counts[state, default: 0] += 1 }
            }
            return counts
        }
    }

    /// Puts dead commands back in line (of one conversation, or all), with their attempts reset; they keep the
    /// uncertainty of their last attempt, so a create is looked up first.
    /// - Returns: how many were requeued.
    @discardableResult
    public func requeueDead(conversation: String? = nil) async throws -> Int {
        try await store.write { db in
            try db.statement(
                """
                UPDATE saga_outbox SET state = 'pending', attempts = 0, next_attempt_at = 0
                WHERE state = 'dead' AND (?1 IS NULL OR conversation = ?1)
                """, conversation.map { .text($0) } ?? .null
            ).run()
            return Int(try db.statement("SELECT changes()").rows { $0.int64(0) }.first ?? 0)
        }
    }
}
