import EventStore
import Foundation
import Projections

/// The routing table a command compares with: one from a file (`--routing table.json`), or the one in force now,
/// the last version in the `routing` stream.
struct RoutingTableChoice {
    /// The table.
    let table: RoutingTable
    /// Where it came from, for people: `table.json`, `routing version 2 (in force now)`.
    let source: String
    /// Its routing version, when it came from the `routing` stream.
    let version: Int64?

    /// The table in `path`.
    /// - Throws: ``ReplayFailure`` when the file cannot be read, or with the ``RoutingTableError`` text when the table
    ///   is invalid.
    static func file(_ path: String) throws(ReplayFailure) -> RoutingTableChoice {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ReplayFailure("cannot read the routing table \(path): \(Self.reason(path, error))")
        }
        do {
            return RoutingTableChoice(table: try RoutingTable(jsonData: data), source: path, version: nil)
        } catch {
            throw ReplayFailure("the routing table \(path) is invalid: \(error)")
        }
    }

    /// The table in force now: the last version in the `routing` stream.
    /// - Throws: ``ReplayFailure`` when the stream holds no table, or one that cannot be read; the store's errors.
    static func current(in store: SQLiteEventStore) async throws -> RoutingTableChoice {
        var history = RoutingHistory()
        var version: Int64 = 0
        while true {
            let page = try await store.readStream(.routing, from: version, limit: 1000)
            do {
                for event in page { try history.apply(event) }
            } catch {
                throw ReplayFailure("the routing stream cannot be read: \(error)")
            }
            version += Int64(page.count)
            if page.count < 1000 { break }
        }
        guard let current = history.current else {
            throw ReplayFailure(
                "\(store.path) holds no routing table (the routing stream is empty); name one with --routing table.json")
        }
        return RoutingTableChoice(
            table: current.table, source: "routing version \(current.version) (in force now)", version: current.version)
    }

    /// Why a file could not be read, in a few words.
    private static func reason(_ path: String, _ error: any Error) -> String {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        if !files.fileExists(atPath: path, isDirectory: &isFolder) { return "no such file" }
        if isFolder.boolValue { return "it is a folder" }
        if !files.isReadableFile(atPath: path) { return "permission denied" }
        return String(describing: error)
    }
}
