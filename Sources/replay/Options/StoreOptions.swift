import ArgumentParser
import EventStore
import Foundation

/// The database every command works on: `--db`, else `HANDOFF_DB` (as handoffd reads it), else `./handoff.sqlite`.
struct StoreOptions: ParsableArguments {
    /// The environment variable handoffd reads its database path from.
    static let environmentVariable = "HANDOFF_DB"
    /// The path when neither `--db` nor the environment names one.
    static let defaultPath = "./handoff.sqlite"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The event store's SQLite file (default: $HANDOFF_DB, else ./handoff.sqlite).", valueName: "file"))
    var db: String?

    /// The path to open.
    var path: String {
        if let db, !db.isEmpty { return db }
        if let variable = ProcessInfo.processInfo.environment[Self.environmentVariable], !variable.isEmpty {
            return variable
        }
        return Self.defaultPath
    }

    /// Opens the store without writing anything to it: an existing database only, read beside a running service
    /// (WAL readers never wait for its commits).
    /// - Throws: ``ReplayFailure`` when there is no database at the path or it cannot be read.
    func openForReading() throws(ReplayFailure) -> SQLiteEventStore {
        let path = path
        try requireExisting(path)
        do {
            return try SQLiteEventStore(path: path, configuration: .init(readOnly: true))
        } catch {
            throw ReplayFailure("cannot read \(path): \(error.message)")
        }
    }

    /// Opens the store for a command that writes. With `creating`, a missing database is created (and the command
    /// says so); without, it is an error.
    /// - Throws: ``ReplayFailure`` when the database is missing (and not to be created) or cannot be opened.
    func openForWriting(creating: Bool) throws(ReplayFailure) -> (store: SQLiteEventStore, created: Bool) {
        let path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !creating { try requireExisting(path) }
        do {
            return (try SQLiteEventStore(path: path), !exists)
        } catch {
            throw ReplayFailure("cannot open \(path) for writing: \(error.message)")
        }
    }

    private func requireExisting(_ path: String) throws(ReplayFailure) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReplayFailure(
                "there is no database at \(path) (name one with --db or \(Self.environmentVariable))")
        }
    }
}
