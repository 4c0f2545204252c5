public import Foundation

/// One event in its JSON wire form (DESIGN §5), as the HTTP API and fixture files carry it.
///
/// ```json
/// {"eventId": "0b7c5f2e-6a43-4e8e-9d7b-3f0a1c2d4e5f", "conversationId": "c-1001", "type": "user.message",
///  "at": "2026-11-24T10:00:00Z", "data": {"messageId": "m-1", "text": "I want a refund"},
///  "metadata": {"correlationId": "r-1", "actor": "bot-platform"}}
/// ```
///
/// `conversationId` is optional on input (the HTTP API takes it from the path), and so is `metadata` (absent means
/// `{}`). `at` is read in ISO-8601 with or without fractional seconds, with `Z` or an offset, and written in UTC to the
/// millisecond: `2026-11-24T10:00:00Z`, `2026-11-24T10:00:00.123Z`. `position` and `version` are written only when
/// set; the store adds them on the way out.
///
/// The wire form does not check the payload against the catalogue: ``EventCodec`` does that.
public struct WireEvent: Sendable, Hashable {
    /// The sender's event id (`eventId`).
    public var eventID: UUID
    /// The conversation (`conversationId`), when the document carries it.
    public var conversationID: String?
    /// The event type (`type`), for example `user.message`.
    public var type: String
    /// When it happened at its source (`at`).
    public var at: Date
    /// The payload (`data`), a JSON object.
    public var data: [String: JSONValue]
    /// The metadata (`metadata`).
    public var metadata: EventMetadata
    /// The global position, for events read from the store.
    public var position: Int64?
    /// The version in the stream, for events read from the store.
    public var version: Int64?

    /// Creates a wire event.
    public init(
        eventID: UUID, conversationID: String? = nil, type: String, at: Date, data: [String: JSONValue],
        metadata: EventMetadata = .init(), position: Int64? = nil, version: Int64? = nil
    ) {
        self.eventID = eventID
        self.conversationID = conversationID
        self.type = type
        self.at = at
        self.data = data
        self.metadata = metadata
        self.position = position
        self.version = version
    }

    /// Parses one event from JSON bytes (one line of a fixture file, or a request body).
    /// - Throws: ``EventCodingError`` naming the field (`eventId`, `at`, `type`, `data`, `metadata.actor`, ...);
    ///   the field is empty when the bytes are not a JSON object.
    public static func decode(_ json: Data) throws -> WireEvent {
        try WireEvent(json: try JSONValue(jsonData: json))
    }

    /// Reads one event from a parsed JSON value, for events nested in a larger document.
    ///
    /// Use ``EventCodingError/nested(under:)`` to name the element in errors: `events[2].eventId`.
    /// - Throws: ``EventCodingError`` naming the field.
    public init(json: JSONValue) throws {
        guard case .object(let members) = json else {
            throw EventCodingError(type: nil, field: "", message: "expected an object, got \(json.kindDescription)")
        }
        var reader = WireReader(members: members, type: nil)

        let type = try reader.requiredString("type")
        guard !type.isEmpty else { throw EventCodingError(type: nil, field: "type", message: "must not be empty") }
        reader.type = type
        self.type = type

        let eventID = try reader.requiredString("eventId")
        guard let uuid = UUID(uuidString: eventID) else {
            throw EventCodingError(type: type, field: "eventId", message: "is not a UUID")
        }
        self.eventID = uuid

        if let conversationID = try reader.optionalString("conversationId") {
            if let problem = StreamID.problem(with: "conversation-" + conversationID) {
                throw EventCodingError(
                    type: type, field: "conversationId", message: "does not make a valid stream id: \(problem)")
            }
            self.conversationID = conversationID
        } else {
            self.conversationID = nil
        }

        let at = try reader.requiredString("at")
        guard let date = WireTimestamp.parse(at) else {
            throw EventCodingError(
                type: type, field: "at",
                message: "is not an ISO-8601 date-time with a time zone, such as 2026-11-24T10:00:00Z")
        }
        self.at = date

        switch members["data"] {
        case .object(let data)?: self.data = data
        case nil: throw EventCodingError(type: type, field: "data", message: "is missing")
        case let other?:
            throw EventCodingError(
                type: type, field: "data", message: "expected an object, got \(other.kindDescription)")
        }

        switch members["metadata"] {
        case nil, .null?:
            self.metadata = EventMetadata()
        case let value?:
            do {
                self.metadata = try EventMetadata(json: value)
            } catch var error as EventCodingError {
                error.type = type
                throw error
            }
        }

        self.position = try reader.optionalInteger("position", minimum: 1)
        self.version = try reader.optionalInteger("version", minimum: 0)
    }

    /// The event as a JSON object (see ``jsonData()`` for the bytes).
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "eventId": .string(eventID.uuidString.lowercased()),
            "type": .string(type),
            "at": .string(WireTimestamp.format(at)),
            "data": .object(data),
            "metadata": metadata.json,
        ]
        if let conversationID { members["conversationId"] = .string(conversationID) }
        if let position { members["position"] = .integer(position) }
        if let version { members["version"] = .integer(version) }
        return .object(members)
    }

    /// The event as one line of JSON: keys sorted, no trailing newline.
    /// - Throws: ``EventCodingError`` when `at` is outside the years 1 to 9999 or a number is not finite.
    public func jsonData() throws -> Data {
        try checkDate()
        do {
            return try json.canonicalData()
        } catch var error as EventCodingError {
            error.type = type
            throw error
        }
    }

    /// The event ready to append: data and metadata as canonical JSON bytes, `at` truncated to whole milliseconds
    /// (the precision the store keeps).
    /// - Throws: ``EventCodingError`` when `type` is empty, `at` is outside the years 1 to 9999 or a number is not
    ///   finite.
    public func eventData() throws -> EventData {
        // As an event of any type, kept as given: the codec's rules for unknown events write exactly that.
        let event = try EventCodec().encode(
            .unknown(UnknownEvent(type: type, schemaVersion: metadata.schemaVersion, data: .object(data))),
            eventID: eventID, occurredAt: WireTimestamp.truncatedToMilliseconds(at), metadata: metadata)
        try checkDate()
        return event
    }

    /// The wire form of a stored event: `conversationId` from the stream (nil for other streams), with position and
    /// version.
    /// - Throws: ``EventCodingError`` when the stored data is not a JSON object or the metadata cannot be read.
    public init(record: RecordedEvent) throws {
        let value: JSONValue
        do {
            value = try JSONValue(jsonData: record.data)
        } catch let error as EventCodingError {
            throw EventCodingError(type: record.type, field: "data", message: error.message)
        }
        guard case .object(let data) = value else {
            throw EventCodingError(
                type: record.type, field: "data", message: "expected an object, got \(value.kindDescription)")
        }
        let metadata: EventMetadata
        do {
            metadata = try EventMetadata(jsonData: record.metadata)
        } catch var error as EventCodingError {
            error.type = record.type
            throw error
        }
        self.init(
            eventID: record.eventID, conversationID: record.streamID.conversationID, type: record.type,
            at: record.occurredAt, data: data, metadata: metadata, position: record.position, version: record.version)
    }

    private func checkDate() throws {
        guard WireTimestamp.isWritable(at) else {
            throw EventCodingError(type: type, field: "at", message: "is outside the years 1 to 9999")
        }
    }
}

/// Reads the top-level members of a wire event, naming the field in errors.
private struct WireReader {
    let members: [String: JSONValue]
    var type: String?

    func requiredString(_ key: String) throws -> String {
        switch members[key] {
        case .string(let string)?: return string
        case nil, .null?: throw EventCodingError(type: type, field: key, message: "is missing")
        case let other?:
            throw EventCodingError(type: type, field: key, message: "expected a string, got \(other.kindDescription)")
        }
    }

    func optionalString(_ key: String) throws -> String? {
        switch members[key] {
        case .string(let string)?: return string
        case nil, .null?: return nil
        case let other?:
            throw EventCodingError(type: type, field: key, message: "expected a string, got \(other.kindDescription)")
        }
    }

    func optionalInteger(_ key: String, minimum: Int64) throws -> Int64? {
        switch members[key] {
        case .integer(let integer)? where integer >= minimum: return integer
        case .integer(let integer)?:
            throw EventCodingError(type: type, field: key, message: "must be at least \(minimum), got \(integer)")
        case nil, .null?: return nil
        case let other?:
            throw EventCodingError(type: type, field: key, message: "expected an integer, got \(other.kindDescription)")
        }
    }
}

/// The wire form's timestamps: strict ISO-8601 in, UTC to the millisecond out. Public so that tools print and read
/// times exactly as the wire form does.
///
/// ```swift
/// WireTimestamp.parse("2026-11-24T11:00:00+01:00")   // 2026-11-24 10:00:00 UTC
/// WireTimestamp.format(date)                         // "2026-11-24T10:00:00Z", "2026-11-24T10:00:00.123Z"
/// ```
public enum WireTimestamp {
    /// Seconds since 1970 of 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the years the format can write.
    private static let earliest: Double = -62_135_596_800
    private static let end: Double = 253_402_300_800

    /// Whether `date` falls in the years 1 to 9999.
    static func isWritable(_ date: Date) -> Bool {
        let seconds = date.timeIntervalSince1970
        return seconds >= earliest && seconds < end
    }

    /// Whole milliseconds since 1970, rounding to the microsecond first so that binary fractions such as
    /// 0.123 (stored as 0.12299999...) count as 123 ms. Only for dates that pass `isWritable`.
    static func milliseconds(_ date: Date) -> Int64 {
        let microseconds = (date.timeIntervalSince1970 * 1_000_000).rounded()
        return Int64((microseconds / 1000).rounded(.down))
    }

    /// `date` truncated to whole milliseconds; dates outside the years 1 to 9999 are returned as they are.
    static func truncatedToMilliseconds(_ date: Date) -> Date {
        guard isWritable(date) else { return date }
        return Date(timeIntervalSince1970: Double(milliseconds(date)) / 1000)
    }

    /// `2026-11-24T10:00:00Z`, or `2026-11-24T10:00:00.123Z` when there are milliseconds (truncated, not rounded).
    /// - Parameter date: the time; outside the years 1 to 9999 it is written by Foundation's ISO-8601 style.
    public static func format(_ date: Date) -> String {
        guard isWritable(date) else { return date.formatted(Date.ISO8601FormatStyle()) }
        let milliseconds = milliseconds(date)
        let (seconds, fraction) = floorDivision(milliseconds, 1000)
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
        guard fraction != 0, whole.hasSuffix("Z") else { return whole }
        let digits = String(fraction)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`, checking every field's range;
    /// nil for anything else.
    /// - Parameter text: the text, for example `2026-11-24T10:00:00Z`.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        // Date and time: "YYYY-MM-DDTHH:MM:SS" is 19 bytes.
        guard bytes.count >= 20 else { return nil }
        guard let year = number(bytes, 0, 4), bytes[4] == UInt8(ascii: "-"),
            let month = number(bytes, 5, 2), bytes[7] == UInt8(ascii: "-"),
            let day = number(bytes, 8, 2), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            let hour = number(bytes, 11, 2), bytes[13] == UInt8(ascii: ":"),
            let minute = number(bytes, 14, 2), bytes[16] == UInt8(ascii: ":"),
            let second = number(bytes, 17, 2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour <= 23,
            minute <= 59, second <= 59
        else { return nil }

        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            let start = index + 1
            var end = start
            while end < bytes.count, isDigit(bytes[end]) { end += 1 }
            guard end > start, let value = Double("0." + String(decoding: bytes[start..<end], as: UTF8.self)) else {
                return nil
            }
            fraction = value
            index = end
        }

        let zone = bytes[index...]
        let offset: String
        switch zone.count {
        case 1 where zone.first == UInt8(ascii: "Z") || zone.first == UInt8(ascii: "z"):
            offset = "Z"
        case 5, 6:
            let sign = bytes[index]
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), let hours = number(bytes, index + 1, 2)
            else { return nil }
            let minutesStart = zone.count == 6 ? index + 4 : index + 3
            if zone.count == 6, bytes[index + 3] != UInt8(ascii: ":") { return nil }
            guard let minutes = number(bytes, minutesStart, 2), hours <= 23, minutes <= 59 else { return nil }
            offset = String(decoding: [sign], as: UTF8.self) + two(hours) + ":" + two(minutes)
        default:
            return nil
        }

        let wholeSeconds =
            String(decoding: bytes[0..<10], as: UTF8.self) + "T"
            + String(decoding: bytes[11..<19], as: UTF8.self) + offset
        guard let date = try? Date.ISO8601FormatStyle().parse(wholeSeconds) else { return nil }
        return Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded() + fraction)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The decimal number in `count` digits at `start`, or nil when they are not all digits (or out of bounds).
    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start >= 0, start + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<start + count] {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func two(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
