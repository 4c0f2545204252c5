import EventStore
import Foundation
import Testing

@testable import handoffd

@Suite("Server-sent events: GET .../events with Accept: text/event-stream", .timeLimit(.minutes(2)))
struct EventStreamTests {
    @Test("the stream catches up, then delivers new events live; Last-Event-ID resumes after a position")
    func catchUpThenLive() async throws {
        let server = try await TestServer.start()
        _ = try await server.append("c-s", [Wire.started(), Wire.userMessage(), Wire.botMessage()])
        let stream = try await EventStreamClient(server: server, conversationID: "c-s")
        #expect(stream.status == 200)
        #expect(stream.contentType.hasPrefix("text/event-stream"))
        var ids: [Int64?] = []
        for _ in 0..<3 { ids.append(try await stream.next()?.id) }
        #expect(ids == [1, 2, 3])

        // Another conversation's event is not delivered; this conversation's next one is, live.
        _ = try await server.append("c-other", [Wire.userMessage()])
        _ = try await server.append("c-s", [Wire.handoff()])
        let live = try #require(try await stream.next())
        #expect(live.id == 5)
        #expect(string(live.json?["type"]) == "handoff.requested")
        #expect(string(live.json?["conversationId"]) == "c-s")
        #expect(integer(live.json?["version"]) == 3)

        // A reconnect resumes after its Last-Event-ID, then follows live again.
        let resumed = try await EventStreamClient(server: server, conversationID: "c-s", lastEventID: 2)
        #expect(try await resumed.next()?.id == 3)
        #expect(try await resumed.next()?.id == 5)
        _ = try await server.append("c-s", [Wire.userMessage()])
        #expect(try await resumed.next()?.id == 6)
        #expect(try await stream.next()?.id == 6)

        // `after` works as a starting point too.
        let after = try await EventStreamClient(server: server, conversationID: "c-s", after: 5)
        #expect(try await after.next()?.id == 6)

        // A graceful shutdown ends every stream cleanly.
        try await server.stop()
        #expect(try await stream.next() == nil)
        #expect(try await resumed.next() == nil)
        #expect(try await after.next() == nil)
    }

    @Test("a stream of an unknown conversation is 404; a bad Last-Event-ID is 400")
    func refusals() async throws {
        let server = try await TestServer.start()
        let unknown = try await server.get("/v1/conversations/nobody/events", headers: [("Accept", "text/event-stream")])
        #expect(unknown.status == 404)
        _ = try await server.append("c-x", [Wire.userMessage()])
        let bad = try await server.get(
            "/v1/conversations/c-x/events", headers: [("Accept", "text/event-stream"), ("Last-Event-ID", "abc")])
        #expect(bad.status == 400)
        #expect(string(bad["field"]) == "Last-Event-ID")
        try await server.stop()
    }
}
