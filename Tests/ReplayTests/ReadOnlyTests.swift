import EventStore
import Foundation
import Testing
import TestSupport

@Suite("the database: which, and never written by a read-only command")
struct ReadOnlyTests {
    @Test("every read-only command leaves the database and its WAL byte for byte as they were")
    func unchanged() async throws {
        let database = try await FixtureDatabase()
        let before = try database.contents()
        let commands: [[String]] = [
            ["timeline", "c-07"], ["timeline", "c-07", "--json"], ["route", "--all", "--routing", routingFile("default")],
            ["misroutes"], ["misroutes", "--json"], ["audit"], ["audit", "--team", "3", "--json"], ["verify"],
            ["export", "c-12", "--html", database.folder.path("c-12.html")],
        ]
        for command in commands {
            let run = try await database.replay(command)
            #expect(run.status == 0, "\(command): \(run.error)")
        }
        #expect(try database.contents() == before)
    }

    @Test("a missing database is named and not created", arguments: [
        ["timeline", "c-01"], ["audit"], ["misroutes"], ["verify"], ["route", "--all", "--routing", routingFile("default")],
        ["projections", "rebuild"],
    ])
    func missing(_ command: [String]) async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("missing.sqlite")
        let run = try await ReplayProcess.replay(command + ["--db", path])
        #expect(run.status == 1)
        #expect(run.error == "replay: error: there is no database at \(path) (name one with --db or HANDOFF_DB)\n")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("HANDOFF_DB names the database when --db does not; --db wins")
    func environment() async throws {
        let database = try await FixtureDatabase(routing: false)
        let fromEnvironment = try await ReplayProcess.replay(["timeline", "c-01"], environment: ["HANDOFF_DB": database.path])
        #expect(fromEnvironment.status == 0)
        #expect(fromEnvironment.lines.first == "conversation c-01: 8 events; session 1, now closed")
        let other = try TemporaryDirectory()
        let overridden = try await ReplayProcess.replay(
            ["timeline", "c-01", "--db", other.path("x.sqlite")], environment: ["HANDOFF_DB": database.path])
        #expect(overridden.status == 1)
    }

    @Test("a file that is not an event store is refused, not changed")
    func notAStore() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("empty.sqlite")
        FileManager.default.createFile(atPath: path, contents: Data())
        let run = try await ReplayProcess.replay(["audit", "--db", path])
        #expect(run.status == 1)
        #expect(run.error.hasPrefix("replay: error: cannot read \(path): the file at \(path) is not an event store"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
    }

    @Test("every command has help with an example", arguments: [
        ["timeline"], ["route"], ["misroutes"], ["audit"], ["import"], ["export"], ["projections"],
        ["projections", "rebuild"], ["verify"], [],
    ])
    func help(_ command: [String]) async throws {
        let run = try await ReplayProcess.replay(command + ["--help"])
        #expect(run.status == 0)
        #expect(run.output.contains("Example"))
        #expect(run.output.contains("--db"))
    }

    @Test("every command has --json", arguments: ["timeline", "route", "misroutes", "audit", "import", "export", "verify"])
    func jsonFlag(_ command: String) async throws {
        let run = try await ReplayProcess.replay([command, "--help"])
        #expect(run.output.contains("--json"))
    }
}
