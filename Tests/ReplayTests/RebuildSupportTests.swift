import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Testing
import TestSupport

@Suite("replay rebuild-support")
struct RebuildSupportTests {
    /// The open handoffs of the fixtures, written by hand: conversation, session, team, messages of the session.
    static let openHandoffs: [(String, Int, Int, Int)] = [
        ("c-02", 1, 3, 3), ("c-03", 1, 3, 1), ("c-04", 1, 1, 1), ("c-06", 1, 4, 3), ("c-08", 2, 3, 1),
        ("c-11", 2, 4, 1),
    ]

    @Test("--dry-run --open-only --json: the open handoffs, and nothing written")
    func dryRun() async throws {
        let database = try await FixtureDatabase()
        let before = try database.contents()
        let run = try await database.replay(["rebuild-support", "--dry-run", "--open-only", "--json"])
        #expect(run.status == 0, "\(run.error)")
        let document = try #require(try run.json() as? [String: Any])
        #expect(document["dryRun"] as? Bool == true)
        let items = try #require(document["items"] as? [[String: Any]])
        #expect(items.map { $0["conversationId"] as? String } == Self.openHandoffs.map(\.0))
        #expect(items.map { $0["session"] as? Int } == Self.openHandoffs.map(\.1))
        #expect(items.map { $0["team"] as? Int } == Self.openHandoffs.map(\.2))
        #expect(items.map { $0["messages"] as? Int } == Self.openHandoffs.map(\.3))
        #expect(items.allSatisfy { $0["resolved"] as? Bool == false })
        #expect(try database.contents() == before)
    }

    @Test("without Chatwoot settings it refuses in one line and writes nothing")
    func notConfigured() async throws {
        let database = try await FixtureDatabase()
        let before = try await database.events()
        let run = try await ReplayProcess.replay(["rebuild-support", "--db", database.path])
        #expect(run.status == 1)
        #expect(run.error.hasPrefix("replay: error: Chatwoot is not configured: set CHATWOOT_URL"))
        #expect(run.error.split(separator: "\n").count == 1)
        #expect(try await database.events() == before)
    }

    @Test("a rebuild into an empty Chatwoot creates each open handoff once, records the new ids, and a second run creates nothing")
    func rebuild() async throws {
        let database = try await FixtureDatabase()
        let simulator = ChatwootSimulator(configuration: SimulatorConfiguration(apiToken: "t", teams: [1, 3, 4, 7]))
        let port = try await simulator.start()
        let environment = [
            "CHATWOOT_URL": "http://127.0.0.1:\(port)", "CHATWOOT_ACCOUNT_ID": "1", "CHATWOOT_INBOX_ID": "1",
            "CHATWOOT_API_TOKEN": "t",
        ]
        let arguments = ["rebuild-support", "--open-only", "--db", database.path]
        let first = try await ReplayProcess.replay(arguments, environment: environment)
        #expect(first.status == 0, "\(first.error)")
        #expect(first.lines.last(where: { !$0.isEmpty }) == "rebuilt: 28 of 28 command(s) done, 0 failed")
        #expect(first.error.contains("100% (28/28 commands)"))
        let second = try await ReplayProcess.replay(arguments, environment: environment)
        #expect(second.status == 0, "\(second.error)")

        let stats = simulator.stats()
        #expect(stats.creates.conversations == 6)
        #expect(stats.creates.contacts == 6)
        #expect(stats.creates.messages == Self.openHandoffs.map(\.3).reduce(0, +))
        #expect(stats.duplicateMessageSourceIDs.isEmpty && stats.duplicateConversationSourceIDs.isEmpty)
        await simulator.stop()

        // The log now says which Chatwoot conversation holds each session.
        let store = try SQLiteEventStore(path: database.path, configuration: .init(readOnly: true))
        for (conversation, _, _, _) in Self.openHandoffs {
            let types = try await store.readStream(try StreamID.conversation(conversation), from: 0, limit: 1000).map(\.type)
            #expect(types.contains("support.conversation_opened"), "\(conversation)")
        }
        await store.close()
    }
}
