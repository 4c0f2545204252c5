import EventStore
import Foundation
import Testing

@Suite("replay verify")
struct VerifyTests {
    @Test("an intact log: status 0, the last position and hash")
    func intact() async throws {
        let database = try await FixtureDatabase()
        let run = try await database.replay(["verify", "--json"])
        #expect(run.status == 0)
        let report = try #require(try run.json() as? [String: Any])
        #expect(report["intact"] as? Bool == true)
        #expect(report["eventsChecked"] as? Int == 92 && report["lastPosition"] as? Int == 92)
        #expect((report["lastHash"] as? String)?.count == 64)
        #expect(report["firstBrokenPosition"] is NSNull)
        #expect(report["missingTriggers"] as? [String] == [])
        let text = try await database.replay(["verify"])
        #expect(text.lines.first?.hasPrefix("intact: 92 events checked, last good position 92, hash ") == true)
        #expect(text.lines.dropFirst().first == "immutability triggers: in place")
    }

    @Test("a tampered record: status 2, the first bad position, the missing trigger")
    func tampered() async throws {
        let database = try await FixtureDatabase()
        // Someone with the sqlite3 shell: drop the trigger that refuses UPDATE, then rewrite c-01's first message.
        let store = try SQLiteEventStore(path: database.path)
        try await store.write { db in
            try db.execute("DROP TRIGGER events_are_immutable_update")
            try db.execute(#"UPDATE events SET data = '{"messageId":"m-1","text":"forged"}' WHERE position = 4"#)
        }
        await store.close()
        let run = try await database.replay(["verify"])
        #expect(run.status == 2)
        #expect(
            run.lines == [
                run.lines[0],
                "first bad position: 4: the stored hash does not match the record's content and its predecessor",
                "immutability triggers missing or altered: events_are_immutable_update",
                "",
            ])
        #expect(run.lines[0].hasPrefix("BROKEN: 3 events checked, last good position 3, hash "))
        #expect(run.error == "replay: error: the log is broken at position 4\n")
        let json = try await database.replay(["verify", "--json"])
        #expect(json.status == 2)
        let report = try #require(try json.json() as? [String: Any])
        #expect(report["intact"] as? Bool == false && report["firstBrokenPosition"] as? Int == 4)
    }

    @Test("a missing trigger alone fails verification")
    func missingTrigger() async throws {
        let database = try await FixtureDatabase(routing: false)
        let store = try SQLiteEventStore(path: database.path)
        try await store.write { db in try db.execute("DROP TRIGGER events_are_immutable_delete") }
        await store.close()
        let run = try await database.replay(["verify"])
        #expect(run.status == 2)
        #expect(run.lines.contains("immutability triggers missing or altered: events_are_immutable_delete"))
        #expect(run.error == "replay: error: the log's immutability triggers are missing or altered\n")
    }
}
