import EventStore
import Foundation
import NIOHTTP1
import Testing

@testable import handoffd

/// A request that must be refused with a problem document, and nothing written.
struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var path = "/v1/conversations/c-bad/events"
    var body: Data
    var status: Int
    var slug: String
    var field: String?

    var testDescription: String { name }

    static func json(
        _ name: String, _ body: JSONValue, status: Int = 422, slug: String = "invalid-request", field: String?
    ) -> BadInput {
        // Every value built here is finite.
        BadInput(name: name, body: (try? body.canonicalData()) ?? Data(), status: status, slug: slug, field: field)
    }

    static func events(
        _ name: String, _ events: [JSONValue], status: Int = 422, slug: String = "invalid-request", field: String?
    ) -> BadInput {
        json(name, ["events": .array(events)], status: status, slug: slug, field: field)
    }
}

@Suite("Bad input: the right problem document, and nothing written")
struct BadInputTests {
    static let longText = String(repeating: "é", count: IngestRequest.maxTextBytes / 2 + 1)

    static let cases: [BadInput] = [
        BadInput(name: "malformed JSON", body: Data(#"{"events": [}"#.utf8), status: 400, slug: "malformed-json"),
        BadInput(name: "invalid UTF-8", body: Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]), status: 400,
            slug: "malformed-json"),
        BadInput(name: "empty body", body: Data(), status: 400, slug: "malformed-json"),
        .json("not an object", ["events"], field: nil),
        .json("no events", ["expectedVersion": 0], field: "events"),
        .json("events not an array", ["events": "many"], field: "events"),
        .events("empty batch", [], field: "events"),
        .events("101 events", Array(repeating: Wire.userMessage(), count: 101), slug: "too-many-events", field: "events"),
        .json("unknown member", ["events": [Wire.userMessage()], "expectedversion": 1], field: "expectedversion"),
        .json("expectedVersion not an integer", ["events": [Wire.userMessage()], "expectedVersion": "3"],
            field: "expectedVersion"),
        .json("expectedVersion below -1", ["events": [Wire.userMessage()], "expectedVersion": -2],
            field: "expectedVersion"),
        .events("event not an object", [Wire.userMessage(), 3], field: "events[1]"),
        .events("missing eventId", [.object(["type": "user.message", "at": "2026-11-24T10:00:00Z", "data": [:]])],
            field: "events[0].eventId"),
        .events("eventId not a UUID", [Wire.userMessage().setting("eventId", "e-1")], field: "events[0].eventId"),
        .events("bad time", [Wire.userMessage().setting("at", "yesterday")], field: "events[0].at"),
        .events("data not an object", [Wire.userMessage().setting("data", "hi")], field: "events[0].data"),
        .events("missing text", [Wire.event("user.message", ["messageId": "m-1"])], field: "events[0].data.text"),
        .events("text of the wrong type", [Wire.event("user.message", ["messageId": "m-1", "text": 7])],
            field: "events[0].data.text"),
        .events("metadata of the wrong type", [Wire.userMessage().setting("metadata", ["actor": 1])],
            field: "events[0].metadata.actor"),
        .events("unknown type", [Wire.event("user.sneezed", [:])], slug: "unknown-event-type", field: "events[0].type"),
        .events("a type only handoff records", [Wire.event("agent.message", ["messageId": 1, "text": "hi"])],
            slug: "reserved-event-type", field: "events[0].type"),
        .events("a future schema version", [Wire.userMessage().setting("metadata", ["schemaVersion": 9])],
            field: "events[0].metadata.schemaVersion"),
        .events("text over 16 KiB", [Wire.userMessage(), Wire.userMessage(longText)], slug: "text-too-long",
            field: "events[1].data.text"),
        .events("bot text over 16 KiB", [Wire.botMessage(longText)], slug: "text-too-long", field: "events[0].data.text"),
        .events("the same event twice", { let id = UUID(); return [Wire.userMessage(id: id), Wire.userMessage(id: id)] }(),
            field: "events[1].eventId"),
        .events("another conversation", [Wire.userMessage().setting("conversationId", "c-other")],
            slug: "conversation-mismatch", field: "events[0].conversationId"),
        .json("a repeated key", ["events": []], field: nil).with(
            body: #"{"events": [], "events": []}"#, field: "events"),
        BadInput(
            name: "conversation id with a space", path: "/v1/conversations/c%201/events",
            body: (try? JSONValue.object(["events": [Wire.userMessage()]]).canonicalData()) ?? Data(),
            status: 400, slug: "invalid-conversation-id", field: "id"),
        BadInput(
            name: "conversation id too long", path: "/v1/conversations/\(String(repeating: "x", count: 188))/events",
            body: (try? JSONValue.object(["events": [Wire.userMessage()]]).canonicalData()) ?? Data(),
            status: 400, slug: "invalid-conversation-id", field: "id"),
    ]

    @Test("each bad request gets its problem document", arguments: cases)
    func refused(_ input: BadInput) async throws {
        let server = try await TestServer.start()
        let answer = try await server.request(.POST, input.path, body: input.body)
        #expect(answer.status == input.status, "\(answer.text)")
        #expect(answer.contentType == "application/problem+json")
        #expect(string(answer["type"]) == "urn:handoff:problem:\(input.slug)")
        #expect(integer(answer["status"]) == Int64(input.status))
        #expect(string(answer["title"]) != nil)
        #expect(string(answer["detail"]) != nil)
        #expect(string(answer["field"]) == input.field)
        #expect(try await server.store.headPosition() == 0)
        try await server.stop()
    }

    @Test("a body over 64 KiB is 413 and nothing is written")
    func bodyLimit() async throws {
        let server = try await TestServer.start()
        let padding = String(repeating: "a", count: RequestBody.apiLimit)
        let body = try JSONValue.object(["events": [Wire.userMessage().setting("metadata", ["pad": .string(padding)])]])
            .canonicalData()
        let answer = try await server.request(.POST, "/v1/conversations/c-big/events", body: body)
        #expect(answer.status == 413)
        #expect(string(answer["type"]) == "urn:handoff:problem:body-too-large")
        // 100 events of short text stay under the limit and are accepted.
        let full = try await server.append("c-full", (0..<100).map { _ in Wire.userMessage() })
        #expect(full.status == 201)
        #expect(try await server.store.headPosition() == 100)
        try await server.stop()
    }

    @Test("text of exactly 16 KiB is accepted")
    func textAtTheLimit() async throws {
        let server = try await TestServer.start()
        let text = String(repeating: "x", count: IngestRequest.maxTextBytes)
        #expect(try await server.append("c-text", [Wire.userMessage(text)]).status == 201)
        try await server.stop()
    }
}

extension BadInput {
    /// The same case with a raw body and another field.
    func with(body: String, field: String?) -> BadInput {
        var copy = self
        copy.body = Data(body.utf8)
        copy.field = field
        return copy
    }
}

extension JSONValue {
    /// The object with member `key` set to `value`.
    func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members[key] = value
        return .object(members)
    }
}
