import EventStore
import Foundation
import Projections
import Testing

@Suite("replay projections rebuild, and answers while the read models lag")
struct ProjectionsTests {
    /// The JSON answers of the commands that read the read models.
    static let queries: [[String]] = [
        ["audit", "--json"], ["audit", "--agent", "12", "--json"], ["misroutes", "--json"],
        ["misroutes", "--since", "2026-11-24T10:04:00Z", "--json"],
        ["route", "--all", "--routing", routingFile("default"), "--json"],
    ]

    private func answers(_ database: FixtureDatabase) async throws -> [String] {
        var answers: [String] = []
        for query in Self.queries {
            let run = try await database.replay(query)
            #expect(run.status == 0, "\(query): \(run.error)")
            answers.append(run.output)
        }
        return answers
    }

    @Test("rebuild writes the read models; the answers are the same without them, with them, and while they lag")
    func lagging() async throws {
        let database = try await FixtureDatabase()
        let folded = try await answers(database)  // no read models yet: everything folded from the log

        let rebuild = try await database.replay(["projections", "rebuild"])
        #expect(rebuild.status == 0, "\(rebuild.error)")
        #expect(
            rebuild.output
                == "rebuilt the read models of \(database.path) from position 0 to 92: 90 events applied, "
                + "2 passed over (0 that do not decode, the others of other streams)\n")
        let checkpoint = try await ReadModels(
            store: try SQLiteEventStore(path: database.path, configuration: .init(readOnly: true))
        ).checkpoint()
        #expect(checkpoint == 92)
        #expect(try await answers(database) == folded)

        // Events after the checkpoint: c-06 gets an agent and a close, c-13 starts and hands off.
        let file = try database.file(
            "later.jsonl",
            [
                wireLine("c-06", 603, "agent.assigned", "2026-11-24T10:08:00Z", #"{"agentId":12,"agentName":"Ben"}"#, actor: "chatwoot"),
                wireLine("c-06", 604, "session.closed", "2026-11-24T10:09:00Z", #"{"by":"agent","reason":"resolved"}"#, actor: "chatwoot"),
                wireLine("c-13", 1301, "skill.started", "2026-11-24T11:00:00Z", #"{"skill":"acme.shop.Delivery"}"#),
                wireLine("c-13", 1302, "handoff.requested", "2026-11-24T11:01:00Z", #"{"reason":"bot_failed"}"#),
                wireLine("c-13", 1303, "handoff.routed", "2026-11-24T11:02:00Z", #"{"team":3,"rule":"default","routingVersion":2}"#, actor: "saga"),
            ])
        #expect(try await database.replay(["import", file]).status == 0)
        let lagging = try await answers(database)
        #expect(lagging != folded)

        let agent12 = try #require(try JSONSerialization.jsonObject(with: Data(lagging[1].utf8)) as? [String: Any])
        let segments = try #require(agent12["segments"] as? [[String: Any]])
        // Ben's stretches: c-02 and c-08 (open), c-07, and now c-06 from 10:08 to 10:09.
        #expect(segments.map { $0["conversationId"] as? String } == ["c-02", "c-06", "c-07", "c-08"])
        let c06 = try #require(segments.first { $0["conversationId"] as? String == "c-06" })
        #expect(c06["durationSeconds"] as? Double == 60 && c06["closedBy"] as? String == "agent")

        let route = try #require(try JSONSerialization.jsonObject(with: Data(lagging[4].utf8)) as? [[String: Any]])
        let c13 = try #require(route.last)
        #expect(c13["conversationId"] as? String == "c-13")
        #expect(c13["recordedTeam"] as? Int == 3 && c13["recordedRule"] as? String == "default")
        #expect(c13["team"] as? Int == 4 && c13["rule"] as? String == "skill:acme.shop.Delivery")

        // Rebuilt again, the read models give the same answers as the fold of the lagging ones.
        #expect(try await database.replay(["projections", "rebuild", "--json"]).status == 0)
        #expect(try await answers(database) == lagging)
    }
}
