import EventStore
import Foundation
import Projections
import Testing
import TestSupport

/// The repository's `fixtures` folder, found from this file's path.
func fixturesFolder(filePath: String = #filePath) -> URL {
    var folder = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    while folder.path != "/" {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            return folder.appendingPathComponent("fixtures")
        }
        folder = folder.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: "fixtures")
}

/// The fixture conversation files, c-01 to c-12, in order.
func fixtureFiles() -> [String] {
    (1...12).map { fixturesFolder().appendingPathComponent("conversations/c-\($0 < 10 ? "0" : "")\($0).jsonl").path }
}

/// A routing table file of the fixtures: `default`, `changed`, `invalid/<name>`.
func routingFile(_ name: String) -> String { fixturesFolder().appendingPathComponent("routing/\(name).json").path }

/// A temporary database holding the fixture conversations, imported with `replay import`.
///
/// With `routing`, the routing stream holds `default.json` (version 1, position 1) and `changed.json` (version 2,
/// position 2) first, so the conversations take positions 3 to 92: c-01 3-10, c-02 11-18, c-03 19-24, c-04 25-29,
/// c-05 30-35, c-06 36-41, c-07 42-51, c-08 52-62, c-09 63-69 (its bot reply refused), c-10 70-72 (a line repeated),
/// c-11 73-82, c-12 83-92. Without, every position is 2 less.
struct FixtureDatabase {
    let folder: TemporaryDirectory
    let path: String

    init(routing: Bool = true) async throws {
        folder = try TemporaryDirectory()
        path = folder.path("handoff.sqlite")
        if routing {
            let store = try SQLiteEventStore(path: path)
            for (index, name) in ["default", "changed"].enumerated() {
                let table = try RoutingTable(jsonData: try Data(contentsOf: URL(fileURLWithPath: routingFile(name))))
                _ = try await store.append(
                    [table.eventData(eventID: UUID(), occurredAt: Date(timeIntervalSince1970: 1_795_000_000))],
                    to: .routing, expected: index == 0 ? .noStream : .exact(Int64(index - 1)))
            }
            await store.close()
        }
        let run = try await replay(["import"] + fixtureFiles())
        try #require(run.status == 0, "import failed: \(run.error)")
    }

    /// Runs `replay` on this database.
    func replay(_ arguments: [String]) async throws -> ReplayRun {
        try await ReplayProcess.replay(arguments + ["--db", path])
    }

    /// The bytes of the database and its WAL, to check that a command wrote nothing.
    func contents() throws -> [Data] {
        try ["", "-wal"].map { suffix in
            let file = path + suffix
            return FileManager.default.fileExists(atPath: file) ? try Data(contentsOf: URL(fileURLWithPath: file)) : Data()
        }
    }

    /// The stored events, one line each (position, stream, version, id, type): what a writing command that failed
    /// must leave as it was. (The files' bytes may change: closing the last connection checkpoints the WAL.)
    func events() async throws -> [String] {
        let store = try SQLiteEventStore(path: path, configuration: .init(readOnly: true))
        var lines: [String] = []
        var next: Int64 = 1
        while true {
            let page = try await store.readAll(from: next, limit: 1000)
            lines += page.map { "\($0.position) \($0.streamID) \($0.version) \($0.eventID) \($0.type)" }
            guard let last = page.last, page.count == 1000 else { break }
            next = last.position + 1
        }
        await store.close()
        return lines
    }

    /// Writes a JSON-lines file into the folder and returns its path.
    func file(_ name: String, _ lines: [String]) throws -> String {
        let file = folder.path(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// One event in the wire form, as a JSON line.
func wireLine(
    _ conversation: String, _ n: Int, _ type: String, _ at: String, _ data: String, actor: String = "bot-platform"
) -> String {
    let id = String(format: "00000000-0000-4000-8000-%012d", n)
    return #"{"eventId":"\#(id)","conversationId":"\#(conversation)","type":"\#(type)","at":"\#(at)","data":\#(data),"metadata":{"actor":"\#(actor)"}}"#
}
