import Foundation
import Testing

@testable import EventStore

@Suite("Event catalogue, codec and wire form")
struct CatalogueTests {
    // MARK: - Samples

    private static let causation = UUID(uuidString: "7d444840-9dc0-11d1-b245-5ffdce74fad2") ?? UUID()

    /// One sample of every case, plus variants with optional fields left out.
    static let samples: [ConversationEvent] = [
        .conversationStarted(
            ConversationStarted(
                channel: "web", userId: "u-1", user: UserProfile(name: "Ada", email: "ada@example.com", phone: "+44"))),
        .conversationStarted(ConversationStarted()),
        .userMessage(UserMessage(messageId: "m-1", text: "I want a refund / now ✓")),
        .botMessage(BotMessage(messageId: "m-2", text: "Let me check", skill: "acme.shop.Refund")),
        .botMessage(BotMessage(messageId: "m-3", text: "Hello")),
        .skillStarted(SkillChange(skill: "acme.shop.Refund")),
        .skillCompleted(SkillChange(skill: "acme.shop.Refund")),
        .skillAbandoned(SkillChange(skill: "acme.billing.Invoice")),
        .handoffRequested(
            HandoffRequested(
                reason: "user_asked", team: 3, teamChosenBy: .user, unfinishedSkills: ["acme.shop.Refund"])),
        .handoffRequested(HandoffRequested(reason: "bot_failed")),
        .handoffRouted(HandoffRouted(team: 3, rule: "skill:acme.shop.Refund", routingVersion: 7)),
        .contactReady(ContactReady(contactId: 42, contactSourceId: "src-1", causationEventId: causation)),
        .contactReady(ContactReady(contactId: 42, causationEventId: causation)),
        .conversationOpened(ConversationOpened(conversationId: 1001, causationEventId: causation)),
        .messagePosted(MessagePosted(messageId: 9001, sourceMessageId: "m-1", causationEventId: causation)),
        .teamAssigned(TeamAssigned(team: 3, causationEventId: causation)),
        .conversationResolved(
            ConversationResolved(conversationId: 1001, status: "pending", causationEventId: causation)),
        .commandFailed(
            CommandFailed(command: "postMessage", attempts: 8, lastError: "HTTP 503", causationEventId: causation)),
        .commandFailed(CommandFailed(command: "assignTeam", attempts: 1, lastError: "HTTP 404")),
        .agentAssigned(AgentAssigned(agentId: 5, agentName: "Grace", team: 3)),
        .agentAssigned(AgentAssigned()),
        .agentMessage(AgentMessage(messageId: 9002, agentId: 5, agentName: "Grace", text: "Hi, I'm Grace")),
        .agentTeamChanged(AgentTeamChanged(team: 4, agentId: 5, agentName: "Grace")),
        .sessionClosed(SessionClosed(by: .agent, reason: "resolved")),
        .sessionClosed(SessionClosed(by: .timeout)),
        .unknown(UnknownEvent(type: "survey.answered", schemaVersion: 2, data: ["score": 5, "comment": "ok"])),
    ]

    private static func record(_ data: EventData, position: Int64 = 1, version: Int64 = 0) throws -> RecordedEvent {
        RecordedEvent(
            position: position, streamID: try StreamID.conversation("c-1001"), version: version,
            eventID: data.eventID, type: data.type, data: data.data, metadata: data.metadata,
            occurredAt: data.occurredAt, recordedAt: data.occurredAt)
    }

    private static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    private static let instant = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24T10:00:00Z

    // MARK: - Codec round trips

    @Test("the samples cover every event type")
    func samplesCoverEveryType() {
        let covered = Set(Self.samples.compactMap(\.eventType))
        #expect(covered == Set(EventType.allCases))
        #expect(EventType.allCases.count == 18)
        #expect(Set(EventCodec.currentSchemaVersions.keys) == Set(EventType.allCases))
        #expect(EventCodec.currentSchemaVersions.values.allSatisfy { $0 == 1 })
    }

    @Test("every case survives encode, store record and decode", arguments: samples)
    func roundTrip(event: ConversationEvent) throws {
        let codec = EventCodec()
        let id = UUID()
        let metadata = EventMetadata(correlationId: "r-1", actor: "bot-platform", extra: ["trace": "t-9"])
        let data = try codec.encode(event, eventID: id, occurredAt: Self.instant, metadata: metadata)
        #expect(data.type == event.type)
        #expect(data.eventID == id)
        #expect(data.occurredAt == Self.instant)

        let decoded = try codec.decode(try Self.record(data))
        #expect(decoded == event)

        let storedMetadata = try EventMetadata(jsonData: data.metadata)
        let expectedVersion: Int = if case .unknown(let unknown) = event { unknown.schemaVersion } else { 1 }
        #expect(storedMetadata.schemaVersion == expectedVersion)
        #expect(storedMetadata.correlationId == "r-1")
        #expect(storedMetadata.extra["trace"] == "t-9")

        // The data is canonical: parsing and writing it again gives the same bytes.
        #expect(try JSONValue(jsonData: data.data).canonicalData() == data.data)
        #expect(try codec.encode(decoded, eventID: id, occurredAt: Self.instant, metadata: metadata) == data)
    }

    @Test("optional fields are left out of the data when nil")
    func optionalFieldsOmitted() throws {
        let data = try EventCodec().encode(
            .botMessage(BotMessage(messageId: "m-3", text: "Hello")), eventID: UUID(), occurredAt: Self.instant)
        #expect(Self.text(data.data) == #"{"messageId":"m-3","text":"Hello"}"#)
        let handoff = try EventCodec().encode(
            .handoffRequested(HandoffRequested(reason: "bot_failed")), eventID: UUID(), occurredAt: Self.instant)
        #expect(Self.text(handoff.data) == #"{"reason":"bot_failed"}"#)
    }

    @Test("an unknown type is preserved byte for byte")
    func unknownTypePreserved() throws {
        let codec = EventCodec()
        let original = Data(#"{"answers":[1,2.5,"x",null,{"b":true,"a":false}],"score":5}"#.utf8)
        let decoded = try codec.decode(
            type: "survey.answered", data: original, metadata: Data(#"{"schemaVersion":3,"actor":"x"}"#.utf8))
        let expected = UnknownEvent(
            type: "survey.answered", schemaVersion: 3,
            data: ["answers": [1, 2.5, "x", nil, ["b": true, "a": false]], "score": 5])
        #expect(decoded == .unknown(expected))
        #expect(decoded.type == "survey.answered")

        let again = try codec.encode(decoded, eventID: UUID(), occurredAt: Self.instant)
        #expect(again.type == "survey.answered")
        #expect(Self.text(again.data) == #"{"answers":[1,2.5,"x",null,{"a":false,"b":true}],"score":5}"#)
        #expect(try EventMetadata(jsonData: again.metadata).schemaVersion == 3)
        #expect(try codec.decode(try Self.record(again)) == decoded)
        // A second round trip changes nothing.
        let third = try codec.encode(
            try codec.decode(try Self.record(again)), eventID: UUID(), occurredAt: Self.instant)
        #expect(third.data == again.data)
    }

    @Test("a known type at a newer schema version comes back as unknown")
    func futureVersionIsUnknown() throws {
        let data = Data(#"{"id":"m-1","body":{"text":"hi"}}"#.utf8)
        let decoded = try EventCodec().decode(
            type: "user.message", data: data, metadata: Data(#"{"schemaVersion":2}"#.utf8))
        let expected = UnknownEvent(
            type: "user.message", schemaVersion: 2, data: ["id": "m-1", "body": ["text": "hi"]])
        #expect(decoded == .unknown(expected))
        #expect(decoded.eventType == nil)
    }

    @Test("absent metadata schemaVersion means version 1")
    func absentSchemaVersionIsOne() throws {
        let decoded = try EventCodec().decode(
            type: "user.message", data: Data(#"{"messageId":"m-1","text":"hi"}"#.utf8), metadata: Data("{}".utf8))
        #expect(decoded == .userMessage(UserMessage(messageId: "m-1", text: "hi")))
    }

    // MARK: - Upcasting

    /// v1 of a (hypothetical) older `user.message` had `id` and `body`; v2 renamed them; v3 is today's shape.
    private static let renameID = EventUpcaster(type: "user.message", fromVersion: 1) { data in
        guard case .object(var members) = data else { return data }
        members["messageId"] = members.removeValue(forKey: "id")
        return .object(members)
    }

    private static let renameBody = EventUpcaster(type: "user.message", fromVersion: 2) { data in
        guard case .object(var members) = data else { return data }
        members["text"] = members.removeValue(forKey: "body")
        return .object(members)
    }

    @Test("upcasters are applied step by step up to the current version")
    func upcastersApplied() throws {
        let codec = EventCodec(upcasters: [Self.renameBody, Self.renameID], currentSchemaVersions: [.userMessage: 3])
        #expect(codec.currentVersion(of: .userMessage) == 3)
        #expect(codec.currentVersion(of: .botMessage) == 1)

        let v1 = try codec.decode(
            type: "user.message", data: Data(#"{"id":"m-1","body":"hi"}"#.utf8),
            metadata: Data(#"{"schemaVersion":1}"#.utf8))
        #expect(v1 == .userMessage(UserMessage(messageId: "m-1", text: "hi")))

        let v2 = try codec.decode(
            type: "user.message", data: Data(#"{"messageId":"m-2","body":"yo"}"#.utf8),
            metadata: Data(#"{"schemaVersion":2}"#.utf8))
        #expect(v2 == .userMessage(UserMessage(messageId: "m-2", text: "yo")))

        let v3 = try codec.decode(
            type: "user.message", data: Data(#"{"messageId":"m-3","text":"hey"}"#.utf8),
            metadata: Data(#"{"schemaVersion":3}"#.utf8))
        #expect(v3 == .userMessage(UserMessage(messageId: "m-3", text: "hey")))

        // New events are written at the current version.
        let written = try codec.encode(v3, eventID: UUID(), occurredAt: Self.instant)
        #expect(try EventMetadata(jsonData: written.metadata).schemaVersion == 3)
    }

    @Test("a missing upcaster step names the type and the version")
    func missingUpcasterStep() throws {
        let codec = EventCodec(upcasters: [Self.renameID], currentSchemaVersions: [.userMessage: 3])
        let error = try #require(throws: EventCodingError.self) {
            try codec.decode(
                type: "user.message", data: Data(#"{"id":"m-1","body":"hi"}"#.utf8),
                metadata: Data(#"{"schemaVersion":1}"#.utf8))
        }
        #expect(error.type == "user.message")
        #expect(error.field == "metadata.schemaVersion")
        #expect(error.message.contains("from version 2 to 3"))
        #expect(error.description.hasPrefix("user.message: metadata.schemaVersion: "))
    }

    @Test("an error thrown by an upcaster is reported as an EventCodingError")
    func failingUpcaster() throws {
        struct Broken: Error {}
        let codec = EventCodec(
            upcasters: [EventUpcaster(type: "bot.message", fromVersion: 1) { _ in throw Broken() }],
            currentSchemaVersions: [.botMessage: 2])
        let error = try #require(throws: EventCodingError.self) {
            try codec.decode(type: "bot.message", data: Data("{}".utf8), metadata: Data("{}".utf8))
        }
        #expect(error.type == "bot.message")
        #expect(error.field == "data")
        #expect(error.message.hasPrefix("upcasting from version 1 failed"))
    }

    // MARK: - Decoding errors

    struct BadPayload: Sendable, CustomTestStringConvertible {
        var type: String
        var json: String
        var field: String
        var message: String
        var testDescription: String { "\(type) \(json)" }
    }

    static let badPayloads: [BadPayload] = [
        // Missing fields.
        BadPayload(type: "user.message", json: #"{"text":"hi"}"#, field: "data.messageId", message: "is missing"),
        BadPayload(type: "session.closed", json: #"{}"#, field: "data.by", message: "is missing"),
        BadPayload(
            type: "support.conversation_opened", json: #"{"conversationId":1}"#, field: "data.causationEventId",
            message: "is missing"),
        // Wrong JSON types.
        BadPayload(
            type: "handoff.routed", json: #"{"team":"3","rule":"default","routingVersion":1}"#, field: "data.team",
            message: "expected an integer, got a string"),
        BadPayload(
            type: "user.message", json: #"{"messageId":"m-1","text":null}"#, field: "data.text",
            message: "expected a string, got null"),
        BadPayload(
            type: "agent.message", json: #"{"messageId":1.5,"text":"x"}"#, field: "data.messageId",
            message: "expected an integer, got a number"),
        BadPayload(
            type: "conversation.started", json: #"{"user":{"name":"Ada","email":5}}"#, field: "data.user.email",
            message: "expected a string, got an integer"),
        BadPayload(
            type: "conversation.started", json: #"{"user":"Ada"}"#, field: "data.user",
            message: "expected an object, got a string"),
        BadPayload(
            type: "handoff.requested", json: #"{"reason":"x","unfinishedSkills":["a.b.C",7]}"#,
            field: "data.unfinishedSkills[1]", message: "expected a string, got an integer"),
        BadPayload(
            type: "support.team_assigned", json: #"{"team":3,"causationEventId":"not-a-uuid"}"#,
            field: "data.causationEventId", message: "is not a UUID"),
        BadPayload(
            type: "support.contact_ready",
            json: #"{"contactId":99999999999999999999,"causationEventId":"7d444840-9dc0-11d1-b245-5ffdce74fad2"}"#,
            field: "data.contactId", message: "must be an integer from -9223372036854775808 to 9223372036854775807"),
        BadPayload(
            type: "skill.started", json: #"["acme.shop.Refund"]"#, field: "data",
            message: "expected an object, got an array"),
        BadPayload(
            type: "skill.started", json: #"{"skill": "#, field: "data",
            message: "is not valid JSON (unexpected end at byte 10)"),
        // Bad enumeration values.
        BadPayload(
            type: "session.closed", json: #"{"by":"robot"}"#, field: "data.by",
            message: #"must be one of "agent", "user", "bot", "timeout"; got "robot""#),
        BadPayload(
            type: "handoff.requested", json: #"{"reason":"x","team":3,"teamChosenBy":"agent"}"#,
            field: "data.teamChosenBy", message: #"must be one of "bot", "user"; got "agent""#),
        // Rules of handoff.requested.
        BadPayload(
            type: "handoff.requested", json: #"{"reason":"x","teamChosenBy":"user"}"#, field: "data.teamChosenBy",
            message: "requires team"),
        BadPayload(
            type: "handoff.requested", json: #"{"reason":"x","team":0}"#, field: "data.team",
            message: "must be a positive integer, got 0"),
    ]

    @Test("bad payloads throw an EventCodingError naming the field", arguments: badPayloads)
    func badPayload(_ bad: BadPayload) throws {
        let error = try #require(throws: EventCodingError.self) {
            try EventCodec().decode(type: bad.type, data: Data(bad.json.utf8), metadata: Data("{}".utf8))
        }
        #expect(error.type == bad.type)
        #expect(error.field == bad.field)
        #expect(error.message == bad.message)
        #expect(error.description == "\(bad.type): \(bad.field): \(bad.message)")
    }

    @Test("bad metadata throws naming the metadata field")
    func badMetadata() throws {
        let data = Data(#"{"messageId":"m-1","text":"hi"}"#.utf8)
        let wrongType = try #require(throws: EventCodingError.self) {
            try EventCodec().decode(type: "user.message", data: data, metadata: Data(#"{"schemaVersion":"1"}"#.utf8))
        }
        #expect(wrongType.field == "metadata.schemaVersion")
        #expect(wrongType.message == "expected an integer, got a string")
        let zero = try #require(throws: EventCodingError.self) {
            try EventCodec().decode(type: "user.message", data: data, metadata: Data(#"{"schemaVersion":0}"#.utf8))
        }
        #expect(zero.field == "metadata.schemaVersion")
        let notJSON = try #require(throws: EventCodingError.self) {
            try EventCodec().decode(type: "user.message", data: data, metadata: Data("{".utf8))
        }
        #expect(notJSON.field == "metadata")
        #expect(notJSON.type == "user.message")
    }

    @Test("encoding a handoff request that breaks its rules throws")
    func encodingBrokenRules() throws {
        let codec = EventCodec()
        let noTeam = try #require(throws: EventCodingError.self) {
            try codec.encode(
                .handoffRequested(HandoffRequested(reason: "x", teamChosenBy: .bot)), eventID: UUID(),
                occurredAt: Self.instant)
        }
        #expect(noTeam.field == "data.teamChosenBy")
        let negative = try #require(throws: EventCodingError.self) {
            try codec.encode(
                .handoffRequested(HandoffRequested(reason: "x", team: -2)), eventID: UUID(), occurredAt: Self.instant)
        }
        #expect(negative.field == "data.team")
        #expect(negative.type == "handoff.requested")
    }

    // MARK: - Wire form

    static let designExample = #"""
        {"eventId": "0b7c5f2e-6a43-4e8e-9d7b-3f0a1c2d4e5f", "conversationId": "c-1001", "type": "user.message", "at": "2026-11-24T10:00:00Z", "data": {"messageId": "m-1", "text": "I want a refund"}, "metadata": {"correlationId": "...", "actor": "bot-platform"}}
        """#

    @Test("the DESIGN §5 example line parses")
    func designExampleParses() throws {
        let wire = try WireEvent.decode(Data(Self.designExample.utf8))
        #expect(wire.eventID == UUID(uuidString: "0b7c5f2e-6a43-4e8e-9d7b-3f0a1c2d4e5f"))
        #expect(wire.conversationID == "c-1001")
        #expect(wire.type == "user.message")
        #expect(wire.at == Self.instant)
        #expect(wire.data == ["messageId": "m-1", "text": "I want a refund"])
        #expect(wire.metadata.correlationId == "...")
        #expect(wire.metadata.actor == "bot-platform")
        #expect(wire.metadata.schemaVersion == 1)
        #expect(wire.position == nil && wire.version == nil)

        let event = try EventCodec().decode(try Self.record(try wire.eventData()))
        #expect(event == .userMessage(UserMessage(messageId: "m-1", text: "I want a refund")))
    }

    @Test("the wire form is written on one line with sorted keys")
    func wireOutput() throws {
        let wire = try WireEvent.decode(Data(Self.designExample.utf8))
        let line = Self.text(try wire.jsonData())
        #expect(
            line == #"{"at":"2026-11-24T10:00:00Z","conversationId":"c-1001","data":{"messageId":"m-1","#
                + #""text":"I want a refund"},"eventId":"0b7c5f2e-6a43-4e8e-9d7b-3f0a1c2d4e5f","#
                + #""metadata":{"actor":"bot-platform","correlationId":"...","schemaVersion":1},"type":"user.message"}"#
        )
        #expect(try WireEvent.decode(try wire.jsonData()) == wire)
    }

    @Test("conversationId and metadata are optional on input")
    func optionalWireFields() throws {
        let json =
            #"{"eventId":"0b7c5f2e-6a43-4e8e-9d7b-3f0a1c2d4e5f","type":"skill.started","#
            + #""at":"2026-11-24T10:00:00Z","data":{"skill":"a.b.C"}}"#
        let wire = try WireEvent.decode(Data(json.utf8))
        #expect(wire.conversationID == nil)
        #expect(wire.metadata == EventMetadata())
        let line = Self.text(try wire.jsonData())
        #expect(!line.contains("conversationId") && !line.contains("position") && !line.contains("version\""))
        #expect(line.contains(#""metadata":{"schemaVersion":1}"#))
    }

    @Test("a stored record becomes a wire event with conversation, position and version")
    func wireFromRecord() throws {
        let codec = EventCodec()
        let data = try codec.encode(
            .agentMessage(AgentMessage(messageId: 7, text: "hi")), eventID: UUID(),
            occurredAt: Date(timeIntervalSince1970: 1_795_514_400.25))
        let wire = try WireEvent(record: try Self.record(data, position: 12, version: 4))
        #expect(wire.conversationID == "c-1001")
        #expect(wire.position == 12)
        #expect(wire.version == 4)
        #expect(wire.data == ["messageId": 7, "text": "hi"])
        let line = Self.text(try wire.jsonData())
        #expect(line.contains(#""at":"2026-11-24T10:00:00.250Z""#))
        #expect(line.contains(#""position":12"#) && line.contains(#""version":4"#))
        #expect(try wire.eventData() == data)
    }

    struct BadWire: Sendable, CustomTestStringConvertible {
        var json: String
        var field: String
        var testDescription: String { json }
    }

    static let badWires: [BadWire] = {
        let id = #""eventId":"0b7c5f2e-6a43-4e8e-9d7b-3f0a1c2d4e5f""#
        let at = #""at":"2026-11-24T10:00:00Z""#
        let data = #""data":{}"#
        let type = #""type":"user.message""#
        return [
            BadWire(json: "{\(type),\(at),\(data)}", field: "eventId"),
            BadWire(json: #"{"eventId":"0b7c","# + "\(type),\(at),\(data)}", field: "eventId"),
            BadWire(json: "{\(id),\(at),\(data)}", field: "type"),
            BadWire(json: #"{"type":7,"# + "\(id),\(at),\(data)}", field: "type"),
            BadWire(json: #"{"type":"","# + "\(id),\(at),\(data)}", field: "type"),
            BadWire(json: "{\(id),\(type),\(data)}", field: "at"),
            BadWire(json: #"{"at":"2026-11-24T10:00:00","# + "\(id),\(type),\(data)}", field: "at"),
            BadWire(json: #"{"at":"2026-02-30T10:00:00Z","# + "\(id),\(type),\(data)}", field: "at"),
            BadWire(json: #"{"at":"2026-11-24T10:00:00Zjunk","# + "\(id),\(type),\(data)}", field: "at"),
            BadWire(json: #"{"at":"2026-11-24 10:00:00Z","# + "\(id),\(type),\(data)}", field: "at"),
            BadWire(json: #"{"at":1795514400,"# + "\(id),\(type),\(data)}", field: "at"),
            BadWire(json: "{\(id),\(type),\(at)}", field: "data"),
            BadWire(json: #"{"data":[1],"# + "\(id),\(type),\(at)}", field: "data"),
            BadWire(json: #"{"metadata":{"actor":3},"# + "\(id),\(type),\(at),\(data)}", field: "metadata.actor"),
            BadWire(json: #"{"metadata":[],"# + "\(id),\(type),\(at),\(data)}", field: "metadata"),
            BadWire(json: #"{"conversationId":"c 1","# + "\(id),\(type),\(at),\(data)}", field: "conversationId"),
            BadWire(json: #"{"position":"1","# + "\(id),\(type),\(at),\(data)}", field: "position"),
            BadWire(json: "[]", field: ""),
            BadWire(json: "{", field: ""),
        ]
    }()

    @Test("bad wire events throw an EventCodingError naming the field", arguments: badWires)
    func badWire(_ bad: BadWire) throws {
        let error = try #require(throws: EventCodingError.self) { try WireEvent.decode(Data(bad.json.utf8)) }
        #expect(error.field == bad.field)
    }

    @Test("a wire error names the event type once it is known, and can be nested")
    func wireErrorDescription() throws {
        let json = #"{"type":"user.message","eventId":"nope","at":"2026-11-24T10:00:00Z","data":{}}"#
        let error = try #require(throws: EventCodingError.self) { try WireEvent.decode(Data(json.utf8)) }
        #expect(error.description == "user.message: eventId: is not a UUID")
        #expect(error.nested(under: "events[2]").field == "events[2].eventId")
    }

    struct Instant: Sendable, CustomTestStringConvertible {
        var input: String
        var secondsSince1970: Double
        var written: String
        var testDescription: String { input }
    }

    static let instants: [Instant] = [
        Instant(input: "2026-11-24T10:00:00Z", secondsSince1970: 1_795_514_400, written: "2026-11-24T10:00:00Z"),
        Instant(
            input: "2026-11-24T10:00:00.123Z", secondsSince1970: 1_795_514_400.123,
            written: "2026-11-24T10:00:00.123Z"),
        Instant(
            input: "2026-11-24T10:00:00.5Z", secondsSince1970: 1_795_514_400.5, written: "2026-11-24T10:00:00.500Z"),
        Instant(
            input: "2026-11-24T10:00:00.123456789Z", secondsSince1970: 1_795_514_400.123456789,
            written: "2026-11-24T10:00:00.123Z"),
        Instant(
            input: "2026-11-24T12:00:00+02:00", secondsSince1970: 1_795_514_400, written: "2026-11-24T10:00:00Z"),
        Instant(
            input: "2026-11-24T05:30:00.007-0430", secondsSince1970: 1_795_514_400.007,
            written: "2026-11-24T10:00:00.007Z"),
        Instant(
            input: "2026-11-25T01:00:00+15:00", secondsSince1970: 1_795_514_400, written: "2026-11-24T10:00:00Z"),
        Instant(input: "2024-02-29T00:00:00Z", secondsSince1970: 1_709_164_800, written: "2024-02-29T00:00:00Z"),
        Instant(
            input: "1969-12-31T23:59:59.5Z", secondsSince1970: -0.5, written: "1969-12-31T23:59:59.500Z"),
    ]

    @Test("timestamps parse to the right instant and are written in UTC to the millisecond", arguments: instants)
    func timestamps(_ instant: Instant) throws {
        let json =
            #"{"eventId":"0b7c5f2e-6a43-4e8e-9d7b-3f0a1c2d4e5f","type":"x.y","at":""# + instant.input
            + #"","data":{}}"#
        let wire = try WireEvent.decode(Data(json.utf8))
        #expect(abs(wire.at.timeIntervalSince1970 - instant.secondsSince1970) < 0.000_001)
        #expect(Self.text(try wire.jsonData()).contains(#""at":""# + instant.written + #"""#))

        // The store keeps milliseconds: eventData truncates, and the record reads back as written.
        let data = try wire.eventData()
        let millis = (instant.secondsSince1970 * 1000).rounded(.down)
        #expect(abs(data.occurredAt.timeIntervalSince1970 * 1000 - millis) < 0.001)
        let back = try WireEvent(record: try Self.record(data))
        #expect(Self.text(try back.jsonData()).contains(#""at":""# + instant.written + #"""#))
    }

    // MARK: - JSONValue and metadata

    @Test("JSONValue keeps integers as integers")
    func integersStayIntegers() throws {
        #expect(try JSONValue(jsonData: Data("3".utf8)) == .integer(3))
        #expect(try JSONValue(jsonData: Data("3.5".utf8)) == .double(3.5))
        #expect(try JSONValue(jsonData: Data("-12".utf8)) == .integer(-12))
        let big = try JSONValue(jsonData: Data("9223372036854775807".utf8))
        #expect(big == .integer(Int64.max))
        #expect(Self.text(try big.canonicalData()) == "9223372036854775807")
        let value: JSONValue = ["n": 3, "d": 0.25, "list": [1, 2], "t": true, "z": nil]
        #expect(Self.text(try value.canonicalData()) == #"{"d":0.25,"list":[1,2],"n":3,"t":true,"z":null}"#)
        #expect(try JSONValue(jsonData: try value.canonicalData()) == value)
    }

    @Test("canonical bytes do not depend on key order or whitespace")
    func canonicalBytes() throws {
        let first = try JSONValue(jsonData: Data(#"{"b": {"y": 1, "x": [2, {"q": "/", "p": null}]}, "a": "é"}"#.utf8))
        let second = try JSONValue(jsonData: Data(#"{"a":"é","b":{"x":[2,{"p":null,"q":"/"}],"y":1}}"#.utf8))
        #expect(first == second)
        #expect(try first.canonicalData() == second.canonicalData())
        #expect(Self.text(try first.canonicalData()) == #"{"a":"é","b":{"x":[2,{"p":null,"q":"/"}],"y":1}}"#)
    }

    static let validJSON: [(String, JSONValue)] = [
        (#" {"a" : [ 1 , -0.5e1 , 2E+2 , 1.0 ] } "#, ["a": [1, -5, 200, 1]]),
        (#""tab\there \"q\" \\ \/ \u00e9 \ud83d\ude00""#, .string("tab\there \"q\" \\ / é 😀")),
        (#"[true,false,null,{}, []]"#, [true, false, nil, [:], []]),
        (#"12345678901234567890"#, .double(1.2345678901234567e19)),
        (#"-9223372036854775808"#, .integer(Int64.min)),
        (#"[999999999999999999,-99999999999999999,-0,0]"#, [.integer(999_999_999_999_999_999), .integer(-99_999_999_999_999_999), 0, 0]),
        (#"{"k":1,"k":2}"#, ["k": 2]),
    ]

    @Test("the JSON parser reads valid documents exactly")
    func parserAcceptsValidJSON() throws {
        for (text, expected) in Self.validJSON {
            #expect(try JSONValue(jsonData: Data(text.utf8)) == expected, "\(text)")
        }
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { try JSONValue(jsonData: Data(deep.utf8)) }
    }

    static let invalidJSON: [String] = [
        "", " ", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "NaN", "tru", "nulls", "[1] [2]",
        "\"\u{1}\"", #""\ud83d""#, #""\ude00""#, #""\x""#, #""\u12g4""#, "\"open", "{\"a\" 1}", "{1:2}", "1e999",
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ]

    @Test("the JSON parser refuses invalid documents")
    func parserRefusesInvalidJSON() throws {
        for text in Self.invalidJSON {
            let error = #expect(throws: EventCodingError.self, "\(text.prefix(40))") {
                try JSONValue(jsonData: Data(text.utf8))
            }
            #expect(error?.message.hasPrefix("is not valid JSON (") == true)
        }
        #expect(throws: EventCodingError.self) { try JSONValue(jsonData: Data([0x22, 0xC3, 0x28, 0x22])) }
    }

    @Test("metadata is held to the same JSON rules when only its schema version is read")
    func metadataScanIsStrict() throws {
        let codec = EventCodec()
        let data = Data(#"{"messageId":"m-1","text":"hi"}"#.utf8)
        // Each invalid document as a member of the metadata, and as the whole metadata.
        for text in Self.invalidJSON where !text.isEmpty && text != " " {
            for metadata in [#"{"actor":\#(text),"schemaVersion":1}"#, text] {
                #expect(throws: EventCodingError.self, "\(metadata.prefix(40))") {
                    _ = try codec.decode(type: "user.message", data: data, metadata: Data(metadata.utf8))
                }
                #expect(throws: EventCodingError.self, "\(metadata.prefix(40))") {
                    _ = try codec.knownType(type: "user.message", metadata: Data(metadata.utf8))
                }
            }
        }
        let fine = Data(#"{"actor":"bot","nested":{"a":[1,2.5,"\u00e9",null,true]},"schemaVersion":1}"#.utf8)
        #expect(try codec.knownType(type: "user.message", metadata: fine) == .userMessage)
        #expect(try codec.knownType(type: "user.message", metadata: Data(#"{"schemaVersion":9}"#.utf8)) == nil)
        #expect(try codec.knownType(type: "future.thing", metadata: Data("{}".utf8)) == nil)
    }

    @Test("repeated keys are refused on request, naming the path of the second one; by default the last one wins")
    func repeatedKeys() throws {
        let cases: [(String, String)] = [
            (#"{"a":1,"a":2}"#, "a"), (#"{"a":{"b":1,"c":2,"b":3}}"#, "a.b"),
            (#"{"t":[{"x":1},{"x":1,"x":2}]}"#, "t[1].x"), (#"[[{}],[{"k":1,"k":1}]]"#, "[1][0].k"),
        ]
        for (text, path) in cases {
            let error = try #require(throws: EventCodingError.self, "\(text)") {
                try JSONValue(jsonData: Data(text.utf8), rejectingRepeatedKeys: true)
            }
            #expect(error.field == path)
            #expect(error.message == JSONValue.repeatedKeyMessage)
        }
        #expect(try JSONValue(jsonData: Data(#"{"a":1,"a":2}"#.utf8)) == ["a": 2])
        #expect(try JSONValue(jsonData: Data(#"{"a":1,"b":{"a":2}}"#.utf8), rejectingRepeatedKeys: true) == ["a": 1, "b": ["a": 2]])
    }

    @Test("canonical data refuses numbers that are not finite, naming where")
    func nonFinite() throws {
        let value: JSONValue = ["a": [1, .double(.nan)]]
        let error = try #require(throws: EventCodingError.self) { try value.canonicalData() }
        #expect(error.field == "a[1]")
        #expect(throws: EventCodingError.self) { try JSONValue(jsonData: Data("{nope}".utf8)) }
    }

    @Test("metadata keeps extra keys and defaults the schema version to 1")
    func metadataRoundTrip() throws {
        let metadata = try EventMetadata(
            jsonData: Data(
                #"{"correlationId":"r-1","causationId":"c-1","actor":"saga","source":"api","tenant":{"id":4}}"#.utf8))
        #expect(metadata.correlationId == "r-1")
        #expect(metadata.causationId == "c-1")
        #expect(metadata.actor == "saga")
        #expect(metadata.source == "api")
        #expect(metadata.schemaVersion == 1)
        #expect(metadata.extra == ["tenant": ["id": 4]])
        #expect(
            Self.text(try metadata.jsonData())
                == #"{"actor":"saga","causationId":"c-1","correlationId":"r-1","schemaVersion":1,"source":"api","tenant":{"id":4}}"#
        )
        #expect(try EventMetadata(jsonData: try metadata.jsonData()) == metadata)
        let json = try JSONEncoder().encode(metadata)
        #expect(try JSONDecoder().decode(EventMetadata.self, from: json) == metadata)
    }
}
