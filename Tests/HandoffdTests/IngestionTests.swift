import EventStore
import Foundation
import Projections
import Testing

@testable import handoffd

@Suite("Ingestion: POST /v1/conversations/{id}/events")
struct IngestionTests {
    @Test("a batch is appended (201) and the same event ids again answer 200 with the original positions")
    func happyPathAndRetry() async throws {
        let server = try await TestServer.start()
        let events = [Wire.started(), Wire.userMessage("I want a refund")]
        let first = try await server.append("c-1", events)
        #expect(first.status == 201)
        #expect(first.contentType == "application/json")
        #expect(positions(first) == [1, 2])
        #expect(integer(first["version"]) == 1)
        #expect(first["outcomes"] == ["appended", "appended"])

        let retry = try await server.append("c-1", events)
        #expect(retry.status == 200)
        #expect(positions(retry) == [1, 2])
        #expect(retry["outcomes"] == ["alreadyStored", "alreadyStored"])
        // Retried with the expected version the first request had: the store checks it where the events are.
        let retryWithVersion = try await server.append("c-1", events, expectedVersion: -1)
        #expect(retryWithVersion.status == 200)
        #expect(positions(retryWithVersion) == [1, 2])
        #expect(try await server.store.headPosition() == 2)
        try await server.stop()
    }

    @Test("a retry whose events are stored is answered with their positions even when the state would refuse them now")
    func retryAfterStateChanged() async throws {
        let server = try await TestServer.start()
        let reply = Wire.botMessage()
        #expect(try await server.append("c-2", [Wire.userMessage(), reply]).status == 201)
        #expect(try await server.append("c-2", [Wire.handoff()]).status == 201)
        // A new bot message would be refused now; the retry of the stored one is not.
        let retry = try await server.append("c-2", [reply])
        #expect(retry.status == 200)
        #expect(positions(retry) == [2])
        #expect(try await server.append("c-2", [Wire.botMessage()]).status == 409)
        try await server.stop()
    }

    @Test("the same event id with other content is a 409 naming the event")
    func sameIDOtherContent() async throws {
        let server = try await TestServer.start()
        let id = UUID()
        #expect(try await server.append("c-3", [Wire.userMessage("one", id: id)]).status == 201)
        let conflict = try await server.append("c-3", [Wire.userMessage("two", id: id)])
        #expect(conflict.status == 409)
        #expect(conflict.contentType == "application/problem+json")
        #expect(string(conflict["field"]) == "events[0].eventId")
        #expect(try await server.store.headPosition() == 1)
        try await server.stop()
    }

    @Test("no-ops: a handoff request while one is in progress and a close of a closed session answer 200, null positions")
    func noOps() async throws {
        let server = try await TestServer.start()
        #expect(try await server.append("c-4", [Wire.userMessage(), Wire.handoff()]).status == 201)
        let second = try await server.append("c-4", [Wire.handoff()])
        #expect(second.status == 200)
        #expect(positions(second) == [nil])
        #expect(second["outcomes"] == ["noOp"])
        #expect(integer(second["version"]) == 1)

        #expect(try await server.append("c-4", [Wire.closed()]).status == 201)
        let again = try await server.append("c-4", [Wire.closed()])
        #expect(again.status == 200)
        #expect(positions(again) == [nil])
        // A batch mixing a new event and a no-op writes the new one: 201, a position and a null.
        let mixed = try await server.append("c-4", [Wire.closed(), Wire.userMessage()])
        #expect(mixed.status == 201)
        #expect(positions(mixed) == [nil, 4])
        // A close of a conversation that never started is a no-op too: nothing is created.
        let never = try await server.append("c-never", [Wire.closed()])
        #expect(never.status == 200)
        #expect(integer(never["version"]) == -1)
        #expect(try await server.get("/v1/conversations/c-never").status == 404)
        try await server.stop()
    }

    @Test("a bot message while a human owns the session is 409 naming the rule, and nothing of the batch is written")
    func humanOwnsSession() async throws {
        let server = try await TestServer.start()
        #expect(try await server.append("c-5", [Wire.userMessage(), Wire.handoff()]).status == 201)
        let refused = try await server.append("c-5", [Wire.userMessage(), Wire.botMessage()])
        #expect(refused.status == 409)
        #expect(refused.contentType == "application/problem+json")
        #expect(string(refused["type"]) == "urn:handoff:problem:human-owns-session")
        #expect(string(refused["rule"]) == "humanOwnsSession")
        #expect(string(refused["field"]) == "events[1]")
        #expect(try await server.store.headPosition() == 2)
        // Decided in order: a handoff earlier in the same batch already silences the bot.
        let sameBatch = try await server.append("c-5b", [Wire.userMessage(), Wire.handoff(), Wire.botMessage()])
        #expect(sameBatch.status == 409)
        #expect(string(sameBatch["field"]) == "events[2]")
        try await server.stop()
    }

    @Test("a wrong expectedVersion is 409 with the current version; the right one appends")
    func expectedVersion() async throws {
        let server = try await TestServer.start()
        #expect(try await server.append("c-6", [Wire.userMessage()], expectedVersion: -1).status == 201)
        let wrong = try await server.append("c-6", [Wire.userMessage()], expectedVersion: 5)
        #expect(wrong.status == 409)
        #expect(integer(wrong["currentVersion"]) == 0)
        #expect(string(wrong["field"]) == "expectedVersion")
        let stale = try await server.append("c-6", [Wire.userMessage()], expectedVersion: -1)
        #expect(stale.status == 409)
        #expect(integer(stale["currentVersion"]) == 0)
        let right = try await server.append("c-6", [Wire.userMessage()], expectedVersion: 0)
        #expect(right.status == 201)
        #expect(integer(right["version"]) == 1)
        try await server.stop()
    }

    @Test("concurrent appends to one conversation are decided again on conflict and all land, in some order")
    func concurrentAppends() async throws {
        let server = try await TestServer.start()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await server.append("c-7", [Wire.userMessage()]).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 201 })
        #expect(try await server.store.streamVersion(try StreamID.conversation("c-7")) == 19)
        try await server.stop()
    }

    /// The final state of each fixture conversation, written by hand from the scripts.
    static let fixtureOutcomes: [(name: String, session: Int, mode: String, team: Int?, agent: Int?, stored: Int64)] = [
        ("c-01", 1, "closed", 1, 11, 8), ("c-02", 1, "withAgent", 3, 12, 8), ("c-03", 1, "queued", 3, nil, 6),
        ("c-04", 1, "queued", 1, nil, 5), ("c-05", 1, "closed", 7, 13, 6), ("c-06", 1, "queued", 4, nil, 6),
        ("c-07", 1, "closed", 4, 14, 10), ("c-08", 2, "withAgent", 3, 12, 11), ("c-09", 1, "closed", 1, 11, 7),
        ("c-10", 1, "bot", nil, nil, 3), ("c-11", 2, "queued", 4, nil, 10), ("c-12", 1, "closed", 4, nil, 10),
    ]

    @Test("the fixture conversations through the API end in the states written by hand", arguments: fixtureOutcomes.map(\.name))
    func fixtures(_ name: String) async throws {
        let expected = try #require(Self.fixtureOutcomes.first { $0.name == name })
        let server = try await TestServer.start()
        let traffic = try await FixtureTraffic.play(name, on: server)
        for (line, answer) in traffic.answers {
            #expect([200, 201, 409].contains(answer.status), "line \(line): \(answer.text)")
        }
        let state = try await server.get("/v1/conversations/\(traffic.conversationID)")
        #expect(state.status == 200)
        #expect(integer(state["session"]) == Int64(expected.session))
        #expect(string(state["mode"]) == expected.mode)
        #expect(integer(state["team"]) == expected.team.map(Int64.init))
        #expect(integer(state["agent"]?["id"]) == expected.agent.map(Int64.init))
        #expect(integer(state["version"]) == expected.stored - 1)
        switch name {
        case "c-09":
            // The bot reply after the handoff is refused.
            #expect(traffic.answers.values.filter { $0.status == 409 }.map { string($0["rule"]) } == ["humanOwnsSession"])
        case "c-10":
            // The redelivered user message answers its original position.
            let redelivered = try #require(traffic.answers[2])
            #expect(redelivered.status == 200)
            #expect(positions(redelivered) == [2])
        default:
            #expect(traffic.answers.values.allSatisfy { $0.status == 201 || $0.status == 200 })
        }
        try await server.stop()
    }
}
