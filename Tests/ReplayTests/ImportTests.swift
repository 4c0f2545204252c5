import EventStore
import Foundation
import Testing
import TestSupport

@Suite("replay import")
struct ImportTests {
    @Test("the fixtures: 90 of 92 lines stored (a refused bot reply, a repeated line); a second import writes nothing")
    func idempotent() async throws {
        let database = try await FixtureDatabase(routing: false)
        let before = try await database.events()
        let again = try await database.replay(["import"] + fixtureFiles())
        #expect(again.status == 0, "\(again.error)")
        #expect(
            again.lines.first
                == "wrote to \(database.path): 0 new events in 0 conversations (90 already stored, 1 repeated, "
                + "1 refused, 0 changing nothing)")
        #expect(try await database.events() == before)
        let store = try SQLiteEventStore(path: database.path, configuration: .init(readOnly: true))
        #expect(try await store.headPosition() == 90)
    }

    @Test("--json of a first import: counts per conversation, positions, the refused and repeated lines")
    func firstImportJSON() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("new.sqlite")
        let run = try await ReplayProcess.replay(["import", "--json", "--db", path] + fixtureFiles())
        #expect(run.status == 0)
        let document = try #require(try run.json() as? [String: Any])
        #expect(document["created"] as? Bool == true)
        #expect(document["written"] as? Int == 90)
        let conversations = try #require(document["conversations"] as? [[String: Any]])
        #expect(conversations.map { $0["written"] as? Int } == [8, 8, 6, 5, 6, 6, 10, 11, 7, 3, 10, 10])
        let c09 = try #require(conversations.first { $0["conversationId"] as? String == "c-09" })
        #expect(c09["refused"] as? Int == 1)
        #expect((c09["positions"] as? [String: Int]) == ["first": 61, "last": 67])
        let refused = try #require(document["refused"] as? [[String: Any]])
        #expect(refused.count == 1)
        #expect(refused.first?["line"] as? String == fixtureFiles()[8] + ":5")
        #expect(refused.first?["type"] as? String == "bot.message")
        #expect((refused.first?["why"] as? String)?.hasPrefix("humanOwnsSession: ") == true)
        let repeated = try #require(document["repeated"] as? [[String: Any]])
        #expect(repeated.first?["line"] as? String == fixtureFiles()[9] + ":3")
        #expect(repeated.first?["why"] as? String == "the same event as \(fixtureFiles()[9]):2")
    }

    @Test("a bad line names the file, the line and the field, and nothing of any file is written", arguments: [
        (#"{"eventId":"nope","conversationId":"c-20","type":"user.message","at":"2026-11-24T10:01:00Z","data":{"messageId":"m","text":"x"}}"#,
         "user.message: eventId: is not a UUID"),
        (#"{"eventId":"00000000-0000-4000-8000-000000000002","type":"user.message","at":"2026-11-24T10:01:00Z","data":{"messageId":"m","text":"x"}}"#,
         "user.message: conversationId: is missing: each line names its conversation"),
        (#"{"eventId":"00000000-0000-4000-8000-000000000002","conversationId":"c-20","type":"user.message","at":"2026-11-24T10:01:00Z","data":{"messageId":"m"}}"#,
         "user.message: data.text: is missing"),
        (#"{"eventId":"00000000-0000-4000-8000-000000000002","conversationId":"c-20","type":"user.message","at":"noon","data":{}}"#,
         "user.message: at: is not an ISO-8601 date-time"),
        ("not json", ""),
    ])
    func badLine(_ line: String, _ message: String) async throws {
        let database = try await FixtureDatabase(routing: false)
        let before = try await database.events()
        let file = try database.file(
            "bad.jsonl",
            [wireLine("c-20", 1, "user.message", "2026-11-24T10:00:00Z", #"{"messageId":"m-1","text":"hi"}"#), line])
        let run = try await database.replay(["import", file])
        #expect(run.status == 1)
        #expect(run.output == "")
        #expect(run.error.hasPrefix("replay: error: \(file):2: \(message)"), "\(run.error)")
        #expect(run.error.split(separator: "\n").count == 1)
        #expect(try await database.events() == before)
    }

    @Test("an event id stored with other content: nothing of the file is written")
    func conflictingContent() async throws {
        let database = try await FixtureDatabase(routing: false)
        let before = try await database.events()
        let original = try String(contentsOfFile: fixtureFiles()[0], encoding: .utf8).split(separator: "\n")[1]
        let file = try database.file(
            "conflict.jsonl",
            [
                wireLine("c-20", 1, "user.message", "2026-11-24T10:00:00Z", #"{"messageId":"m-1","text":"hi"}"#),
                original.replacingOccurrences(of: "Can I talk to a person?", with: "forged"),
            ])
        let run = try await database.replay(["import", file])
        #expect(run.status == 1)
        #expect(
            run.error
                == "replay: error: \(file):2: eventId: already stored at position 2 with other content\n")
        #expect(try await database.events() == before)
    }

    @Test("new events after stored ones go through the ingestion rules against the state they come in")
    func continuation() async throws {
        let database = try await FixtureDatabase(routing: false)
        // c-06 is queued with team 4: a bot message is refused, a second handoff request changes nothing, an
        // agent's assignment and a close are stored.
        let file = try database.file(
            "more.jsonl",
            [
                wireLine("c-06", 601, "bot.message", "2026-11-24T10:06:00Z", #"{"messageId":"b-9","text":"still here"}"#),
                wireLine("c-06", 602, "handoff.requested", "2026-11-24T10:07:00Z", #"{"reason":"user_asked"}"#),
                wireLine("c-06", 603, "agent.assigned", "2026-11-24T10:08:00Z", #"{"agentId":14,"agentName":"Dee"}"#, actor: "chatwoot"),
                wireLine("c-06", 604, "session.closed", "2026-11-24T10:09:00Z", #"{"by":"agent","reason":"resolved"}"#, actor: "chatwoot"),
            ])
        let run = try await database.replay(["import", file, "--json"])
        #expect(run.status == 0, "\(run.error)")
        let document = try #require(try run.json() as? [String: Any])
        #expect(document["written"] as? Int == 2)
        #expect((document["refused"] as? [[String: Any]])?.map { $0["line"] as? String } == ["\(file):1"])
        #expect((document["noOps"] as? [[String: Any]])?.map { $0["line"] as? String } == ["\(file):2"])
        let again = try await database.replay(["import", file, "--json"])
        let second = try #require(try again.json() as? [String: Any])
        #expect(second["written"] as? Int == 0 && second["alreadyStored"] as? Int == 2)
        let timeline = try await database.replay(["timeline", "c-06"])
        #expect(timeline.lines.first == "conversation c-06: 8 events; session 1, now closed")
    }

    @Test("a new event before events already stored cannot be inserted")
    func insertion() async throws {
        let database = try await FixtureDatabase(routing: false)
        let lines = try String(contentsOfFile: fixtureFiles()[0], encoding: .utf8).split(separator: "\n").map(String.init)
        let file = try database.file(
            "insert.jsonl",
            [lines[0], wireLine("c-01", 101, "user.message", "2026-11-24T10:00:30Z", #"{"messageId":"m-0","text":"early"}"#)]
                + lines[1...])
        let run = try await database.replay(["import", file])
        #expect(run.status == 1)
        #expect(
            run.error
                == "replay: error: \(file):2: eventId: is not stored, but events after it in the file are; the log is "
                + "append-only, so it cannot go before them\n")
    }

    @Test("import says it writes, and a missing file is one line")
    func missingFile() async throws {
        let database = try await FixtureDatabase(routing: false)
        let help = try await database.replay(["import", "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("Writes."))
        #expect(help.output.contains("Example: replay import"))
        let run = try await database.replay(["import", database.folder.path("none.jsonl")])
        #expect(run.status == 1)
        #expect(run.error == "replay: error: cannot read \(database.folder.path("none.jsonl")): no such file\n")
    }
}
