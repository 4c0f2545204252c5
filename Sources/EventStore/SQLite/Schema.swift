/// The database schema, applied by forward migrations numbered by `PRAGMA user_version`.
///
/// `package` so that the benchmark's raw-SQLite baseline uses exactly the same tables, indexes and triggers.
package enum Schema {
    /// Migration `n` brings `user_version` from `n` to `n + 1`. Append; never edit a shipped migration.
    package static let migrations: [String] = [
        """
        CREATE TABLE events (
            position    INTEGER PRIMARY KEY,
            stream_id   TEXT    NOT NULL,
            version     INTEGER NOT NULL CHECK (version >= 0),
            event_id    BLOB    NOT NULL CHECK (length(event_id) = 16),
            type        TEXT    NOT NULL,
            data        TEXT    NOT NULL,
            metadata    TEXT    NOT NULL,
            occurred_at INTEGER NOT NULL,
            recorded_at INTEGER NOT NULL,
            hash        BLOB    NOT NULL CHECK (length(hash) = 32),
            UNIQUE (stream_id, version),
            UNIQUE (stream_id, event_id)
        ) STRICT;
        \(immutabilityTriggers[0].sql);
        \(immutabilityTriggers[1].sql);
        """
    ]

    /// The writer's pragmas after `journal_mode` and `synchronous` (the benchmark's raw baseline uses them too).
    ///
    /// - `cache_size`: 2 MiB, SQLite's default. Every commit ends with the page cache walking its hash table, so a
    ///   larger cache makes every commit slower (64 MiB cost a third of the group-commit rate) while the operating
    ///   system's file cache keeps the pages close anyway;
    /// - `wal_autocheckpoint`: 16,000 pages (64 MiB of log), so that pages rewritten by many commits (the table's
    ///   last page, each stream's index pages) are copied back to the database once per checkpoint rather than many
    ///   times. A checkpoint holds the commit that runs it (and the appends waiting behind it) while it copies the
    ///   pages and syncs the database: at 4,000 pages, checkpoints held commits for about a fifth of the
    ///   benchmark's 16-appender phase, and 16,000 pages cut their total to a third. The log file keeps its largest
    ///   size (about 64 MiB), and is written over from the start once a checkpoint has copied all of it while no
    ///   reader holds an older snapshot.
    package static let writerPragmas = [
        "PRAGMA foreign_keys = ON",
        "PRAGMA cache_size = -2000",
        "PRAGMA wal_autocheckpoint = 16000",
        "PRAGMA temp_store = MEMORY",
    ]

    /// The triggers that make the events table append-only, by name and SQL; `verify` checks they are present and
    /// unchanged.
    static let immutabilityTriggers: [(name: String, sql: String)] = [
        (
            "events_are_immutable_update",
            """
            CREATE TRIGGER events_are_immutable_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are immutable: UPDATE is refused'); END
            """
        ),
        (
            "events_are_immutable_delete",
            """
            CREATE TRIGGER events_are_immutable_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'events are immutable: DELETE is refused'); END
            """
        ),
    ]

    /// SQL with runs of white space made one space, for comparing a stored definition with ours.
    static func normalized(_ sql: String) -> String {
        sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static var currentVersion: Int64 { Int64(migrations.count) }

    /// Brings the database up to ``currentVersion``, one migration per transaction.
    static func migrate(_ connection: Connection) throws(EventStoreError) {
        var found = try checkedVersion(connection)
        while found < currentVersion {
            found = try connection.transaction("BEGIN IMMEDIATE") { connection throws(EventStoreError) in
                // Another process may have migrated between our read and our lock.
                let found = try checkedVersion(connection)
                if found == currentVersion { return found }
                try connection.execute(migrations[Int(found)])
                try connection.execute("PRAGMA user_version = \(found + 1)")
                return found + 1
            }
        }
    }

    /// Checks, without writing, that a database can be read as it is: an event store at exactly this build's schema
    /// version (a read-only opener cannot migrate an older one).
    static func checkReadable(_ connection: Connection) throws(EventStoreError) {
        let found = try checkedVersion(connection)
        if found == 0 {
            throw EventStoreError(.storage, "the file at \(connection.path) is not an event store (schema version 0)")
        }
        if found < currentVersion {
            throw EventStoreError(
                .storage,
                "the database at \(connection.path) has schema version \(found), older than this build's "
                    + "\(currentVersion); open it once for writing to migrate it")
        }
    }

    /// The database's `user_version`, refused when this build cannot run on it.
    private static func checkedVersion(_ connection: Connection) throws(EventStoreError) -> Int64 {
        let found = try connection.scalarInt("PRAGMA user_version") ?? 0
        if found > currentVersion {
            throw EventStoreError(
                .schemaTooNew,
                "the database at \(connection.path) has schema version \(found); this build knows up to \(currentVersion)"
            )
        }
        if found < 0 {
            throw EventStoreError(
                .storage, "the database at \(connection.path) has an invalid schema version \(found)")
        }
        return found
    }

    package static let insertEvent = insertEvents(rows: 1)

    /// How many columns ``insertEvents(rows:)`` binds per row.
    static let insertedColumns: Int32 = 10

    /// An INSERT of `rows` events, ``insertedColumns`` parameters per row, in column order.
    static func insertEvents(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: Int(insertedColumns)).joined(separator: ", ") + ")"
        return """
            INSERT INTO events (position, stream_id, version, event_id, type, data, metadata, occurred_at, recorded_at, hash)
            VALUES \(Array(repeating: row, count: max(1, rows)).joined(separator: ", "))
            """
    }
}
