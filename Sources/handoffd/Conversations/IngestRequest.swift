import EventStore
import Foundation
import HTTPTypes

/// The body of `POST /v1/conversations/{id}/events`, checked: `{"events": [wire events], "expectedVersion": n}`.
///
/// Every check that does not need the conversation's state happens here, before anything is read or written:
/// the shape, the wire form of each event (through ``WireEvent``), its payload against the catalogue (through
/// ``EventCodec``), the batch and text limits, and that each event belongs to the conversation of the path.
struct IngestRequest: Sendable {
    /// One event of the batch.
    struct Item: Sendable {
        /// Its index in `events`, for field paths.
        var index: Int
        /// The event ready to append (data and metadata canonical, `at` to the millisecond).
        var data: EventData
        /// The decoded event, for the decision rules.
        var event: ConversationEvent

        /// The path of this event in the body: `events[3]`.
        var path: String { "events[\(index)]" }
    }

    /// The most events one request may carry.
    static let maxEvents = 100
    /// The most bytes (UTF-8) the `text` of a user or bot message may have: 16 KiB.
    static let maxTextBytes = 16 * 1024
    /// The members the body may have.
    static let members: Set<String> = ["events", "expectedVersion"]

    /// The events, in order.
    var items: [Item]
    /// The version the client expects the conversation to be at (-1: it must not exist yet), if given.
    var expectedVersion: Int64?

    /// Checks a parsed body for the conversation `conversationID`.
    /// - Throws: ``Problem`` 422 naming the offending field.
    init(json: JSONValue, conversationID: String) throws(Problem) {
        guard case .object(let members) = json else {
            throw Problem.invalid("the body must be a JSON object with events", field: nil)
        }
        for key in members.keys.sorted() where !Self.members.contains(key) {
            throw Problem.invalid("\(key) is not a member of this body (events, expectedVersion)", field: key)
        }
        switch members["expectedVersion"] {
        case nil, .null?:
            expectedVersion = nil
        case .integer(let version)? where version >= -1:
            expectedVersion = version
        case .some:
            throw Problem.invalid(
                "expectedVersion must be an integer of -1 (no event yet) or more", field: "expectedVersion")
        }
        guard let eventsValue = members["events"], eventsValue != .null else {
            throw Problem.invalid("events is missing: an array of 1 to \(Self.maxEvents) events", field: "events")
        }
        guard case .array(let events) = eventsValue else {
            throw Problem.invalid("events must be an array of 1 to \(Self.maxEvents) events", field: "events")
        }
        guard !events.isEmpty else {
            throw Problem.invalid("events must hold at least one event", field: "events")
        }
        guard events.count <= Self.maxEvents else {
            throw Problem(
                "too-many-events", "Too many events in one request", status: .unprocessableContent,
                detail: "a request carries at most \(Self.maxEvents) events, this one has \(events.count)",
                field: "events")
        }
        var items: [Item] = []
        var seen: Set<UUID> = []
        let codec = EventCodec()
        for (index, value) in events.enumerated() {
            let item = try Self.item(value, index: index, conversationID: conversationID, codec: codec)
            guard seen.insert(item.data.eventID).inserted else {
                throw Problem.invalid("the same eventId appears twice in this request", field: "\(item.path).eventId")
            }
            items.append(item)
        }
        self.items = items
    }

    /// Checks one event of the batch.
    private static func item(
        _ value: JSONValue, index: Int, conversationID: String, codec: EventCodec
    ) throws(Problem) -> Item {
        let path = "events[\(index)]"
        do {
            let wire = try WireEvent(json: value)
            if let given = wire.conversationID, given != conversationID {
                throw Problem(
                    "conversation-mismatch", "The event belongs to another conversation",
                    status: .unprocessableContent,
                    detail: "conversationId is \(given), but the path names conversation \(conversationID)",
                    field: "\(path).conversationId")
            }
            let data = try wire.eventData()
            guard let type = EventType(rawValue: wire.type) else {
                throw Problem(
                    "unknown-event-type", "Unknown event type", status: .unprocessableContent,
                    detail: "\(wire.type) is not an event type of the catalogue", field: "\(path).type")
            }
            let event = try codec.decode(type: data.type, data: data.data, metadata: data.metadata)
            if case .unknown(let unknown) = event {
                throw Problem.invalid(
                    "\(wire.type) is known up to schema version \(codec.currentVersion(of: type)), "
                        + "this event has \(unknown.schemaVersion)", field: "\(path).metadata.schemaVersion")
            }
            try checkTextLimit(event, path: path)
            return Item(index: index, data: data, event: event)
        } catch let problem as Problem {
            throw problem
        } catch let error as EventCodingError {
            let nested = error.nested(under: path)
            throw Problem.invalid(error.description, field: nested.field)
        } catch {
            throw Problem.invalid("the event cannot be read", field: path)
        }
    }

    /// The 16 KiB limit on message text.
    private static func checkTextLimit(_ event: ConversationEvent, path: String) throws(Problem) {
        let text: String
        switch event {
        case .userMessage(let message): text = message.text
        case .botMessage(let message): text = message.text
        default: return
        }
        let bytes = text.utf8.count
        guard bytes <= maxTextBytes else {
            throw Problem(
                "text-too-long", "The message text is too long", status: .unprocessableContent,
                detail: "text is \(bytes) bytes of UTF-8; at most \(maxTextBytes) are accepted",
                field: "\(path).data.text")
        }
    }
}
