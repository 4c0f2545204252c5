import EventStore
import Foundation
import Testing

@testable import handoffd

@Suite("Reads: state, events, audit")
struct ReadTests {
    @Test("GET /v1/conversations/{id} answers who owns it, with the support ids; 404 for an unknown conversation")
    func state() async throws {
        let server = try await TestServer.start()
        let traffic = try await FixtureTraffic.play("c-02", on: server)
        let answer = try await server.get("/v1/conversations/\(traffic.conversationID)")
        #expect(answer.status == 200)
        #expect(answer.contentType == "application/json")
        #expect(string(answer["conversationId"]) == "c-02")
        #expect(string(answer["mode"]) == "withAgent")
        #expect(answer["humanOwnsSession"] == true)
        #expect(integer(answer["team"]) == 3)
        #expect(integer(answer["agent"]?["id"]) == 12)
        #expect(integer(answer["session"]) == 1)
        #expect(integer(answer["version"]) == 7)
        #expect(answer["support"] == ["contactId": .null, "conversationId": .null])

        let missing = try await server.get("/v1/conversations/nobody")
        #expect(missing.status == 404)
        #expect(missing.contentType == "application/problem+json")
        #expect(string(missing["type"]) == "urn:handoff:problem:unknown-conversation")
        #expect(try await server.get("/v1/conversations/bad%20id").status == 400)
        try await server.stop()
    }

    @Test("GET .../events pages in wire form with position and version")
    func eventsPaging() async throws {
        let server = try await TestServer.start()
        _ = try await server.append("other", [Wire.userMessage()])
        _ = try await server.append("c-p", (0..<5).map { _ in Wire.userMessage() })
        let first = try await server.get("/v1/conversations/c-p/events?limit=2")
        #expect(first.status == 200)
        guard case .array(let page)? = first["events"] else {
            Issue.record("no events array: \(first.text)")
            return
        }
        #expect(page.count == 2)
        #expect(page.map { integer($0["position"]) } == [2, 3])
        #expect(page.map { integer($0["version"]) } == [0, 1])
        #expect(page.allSatisfy { string($0["conversationId"]) == "c-p" && string($0["type"]) == "user.message" })
        #expect(integer(first["nextAfter"]) == 3)

        let rest = try await server.get("/v1/conversations/c-p/events?after=3")
        guard case .array(let more)? = rest["events"] else {
            Issue.record("no events array: \(rest.text)")
            return
        }
        #expect(more.map { integer($0["position"]) } == [4, 5, 6])
        #expect(integer(rest["nextAfter"]) == 6)
        let end = try await server.get("/v1/conversations/c-p/events?after=6")
        #expect(end["events"] == [])
        #expect(integer(end["nextAfter"]) == 6)
        // The events read back are the wire form: they can be sent again as they are (a retry).
        let again = try await server.append("c-p", more.map { $0.setting("position", .null).setting("version", .null) })
        #expect(again.status == 200)
        #expect(positions(again) == [4, 5, 6])

        for query in ["limit=0", "limit=1001", "limit=x", "after=-1", "after=1.5"] {
            let bad = try await server.get("/v1/conversations/c-p/events?\(query)")
            #expect(bad.status == 400, "\(query)")
            #expect(string(bad["type"]) == "urn:handoff:problem:invalid-parameter", "\(query)")
        }
        #expect(try await server.get("/v1/conversations/nobody/events").status == 404)
        try await server.stop()
    }

    @Test("GET .../audit answers who handled it, segment by segment")
    func audit() async throws {
        let server = try await TestServer.start()
        _ = try await FixtureTraffic.play("c-07", on: server)
        let answer = try await server.get("/v1/conversations/c-07/audit")
        #expect(answer.status == 200)
        guard case .array(let segments)? = answer["segments"] else {
            Issue.record("no segments: \(answer.text)")
            return
        }
        // bot, routing, team 3, agent 12, team 4, agent 14 (closed).
        #expect(segments.map { string($0["owner"]) } == ["bot", "routing", "team", "agent", "team", "agent"])
        #expect(segments.map { integer($0["team"]) } == [nil, nil, 3, 3, 4, 4])
        #expect(integer(segments[3]["agent"]?["id"]) == 12)
        #expect(string(segments.last?["end"]) == "closed")
        #expect(segments.last?["closedBy"] != nil)
        #expect(string(segments[0]["end"]) == "handoff")
        #expect(try await server.get("/v1/conversations/nobody/audit").status == 404)
        try await server.stop()
    }
}
