public import Foundation

/// An event that cannot be read or written: which type, which field, what is wrong.
///
/// `field` is a path into the event: `data.messageId`, `data.unfinishedSkills[2]`, `metadata.schemaVersion`, `at`;
/// empty when the whole document is concerned. The ``description`` reads `user.message: data.messageId: is missing`.
public struct EventCodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The event type, when known.
    public var type: String?
    /// The path of the field concerned, dot-separated, with `[n]` for array elements; empty for the whole document.
    public var field: String
    /// What is wrong, for people: `is missing`, `expected a string, got an integer`, ...
    public var message: String

    /// Creates an error.
    public init(type: String?, field: String, message: String) {
        self.type = type
        self.field = field
        self.message = message
    }

    /// `type: field: message`, leaving out what is unknown.
    public var description: String {
        var parts: [String] = []
        if let type, !type.isEmpty { parts.append(type) }
        if !field.isEmpty { parts.append(field) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// The same error with its field placed under `path`, for events nested in a larger document.
    ///
    /// `EventCodingError(type: nil, field: "eventId", message: "is missing").nested(under: "events[2]")` has the
    /// field `events[2].eventId`.
    /// - Parameter path: the path of the element that holds the event.
    public func nested(under path: String) -> EventCodingError {
        var copy = self
        copy.field = FieldPath.join(path, field)
        return copy
    }
}

/// The metadata of an event: correlation, causation, actor, source and the schema version of its data.
///
/// Written as one JSON object with the keys `correlationId`, `causationId`, `actor`, `source`, `schemaVersion`, plus
/// any other keys it was read with (kept in ``extra``). `schemaVersion` is always written; when absent on reading it
/// is 1.
public struct EventMetadata: Sendable, Hashable, Codable {
    /// Ties together the events of one request or flow.
    public var correlationId: String?
    /// The id of the event or command that caused this one.
    public var causationId: String?
    /// Who acted: `bot-platform`, `saga`, `chatwoot`, an operator, ...
    public var actor: String?
    /// Where it came from: an API client, a webhook delivery, a tool.
    public var source: String?
    /// The schema version of the event's data; 1 when absent.
    public var schemaVersion: Int
    /// Every other key, kept as read. Keys named like the fields above are ignored when writing.
    public var extra: [String: JSONValue]

    /// The keys with fields of their own.
    static let knownKeys: Set<String> = ["correlationId", "causationId", "actor", "source", "schemaVersion"]

    /// Creates metadata.
    public init(
        correlationId: String? = nil, causationId: String? = nil, actor: String? = nil, source: String? = nil,
        schemaVersion: Int = 1, extra: [String: JSONValue] = [:]
    ) {
        self.correlationId = correlationId
        self.causationId = causationId
        self.actor = actor
        self.source = source
        self.schemaVersion = schemaVersion
        self.extra = extra
    }

    /// Reads metadata from a JSON object.
    /// - Throws: ``EventCodingError`` naming the field (`metadata.actor`, `metadata.schemaVersion`, ...).
    public init(json: JSONValue) throws {
        guard case .object(let members) = json else {
            throw EventCodingError(
                type: nil, field: "metadata", message: "expected an object, got \(json.kindDescription)")
        }
        func string(_ key: String) throws -> String? {
            switch members[key] {
            case nil, .null?: return nil
            case .string(let value)?: return value
            case let other?:
                throw EventCodingError(
                    type: nil, field: "metadata.\(key)", message: "expected a string, got \(other.kindDescription)")
            }
        }
        correlationId = try string("correlationId")
        causationId = try string("causationId")
        actor = try string("actor")
        source = try string("source")
        schemaVersion = try EventMetadata.schemaVersion(members["schemaVersion"])
        extra = members.filter { !EventMetadata.knownKeys.contains($0.key) }
    }

    /// Reads metadata from JSON bytes.
    /// - Throws: ``EventCodingError`` naming the field, or the field `metadata` when the bytes are not a JSON object.
    public init(jsonData: Data) throws {
        let value: JSONValue
        do {
            value = try JSONValue(jsonData: jsonData)
        } catch let error as EventCodingError {
            throw error.nested(under: "metadata")
        }
        try self.init(json: value)
    }

    /// The metadata as a JSON object.
    public var json: JSONValue {
        var members = extra.filter { !EventMetadata.knownKeys.contains($0.key) }
        if let correlationId { members["correlationId"] = .string(correlationId) }
        if let causationId { members["causationId"] = .string(causationId) }
        if let actor { members["actor"] = .string(actor) }
        if let source { members["source"] = .string(source) }
        members["schemaVersion"] = .integer(Int64(schemaVersion))
        return .object(members)
    }

    /// The metadata as canonical JSON bytes.
    /// - Throws: ``EventCodingError`` when a number in ``extra`` is not finite.
    public func jsonData() throws -> Data {
        do {
            return try json.canonicalData()
        } catch let error as EventCodingError {
            throw error.nested(under: "metadata")
        }
    }

    /// Reads metadata from any decoder, as ``init(json:)`` does.
    public init(from decoder: any Decoder) throws {
        try self.init(json: try JSONValue(from: decoder))
    }

    /// Writes the metadata as its JSON object.
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }

    /// The value of a metadata object's `schemaVersion` member: a positive integer, 1 when absent or null.
    static func schemaVersion(_ value: JSONValue?) throws -> Int {
        switch value {
        case nil, .null?:
            return 1
        case .integer(let version)? where version >= 1 && version <= Int64(Int32.max):
            return Int(version)
        case .integer(let version)?:
            throw EventCodingError(
                type: nil, field: "metadata.schemaVersion", message: "must be a positive integer, got \(version)")
        case let other?:
            throw EventCodingError(
                type: nil, field: "metadata.schemaVersion",
                message: "expected an integer, got \(other.kindDescription)")
        }
    }
}

/// Turns the data of one event type at one schema version into the data of the next version.
///
/// Old events are never rewritten; they are upcast each time they are read.
///
/// ```swift
/// let renameBody = EventUpcaster(type: "user.message", fromVersion: 1) { data in
///     guard case .object(var members) = data else { return data }
///     members["text"] = members.removeValue(forKey: "body")
///     return .object(members)
/// }
/// ```
public struct EventUpcaster: Sendable {
    /// The event type's wire name.
    public let type: String
    /// The version it reads; it returns data at `fromVersion + 1`.
    public let fromVersion: Int
    /// The transformation. An ``EventCodingError`` it throws is passed on; other errors are wrapped in one.
    public let upcast: @Sendable (JSONValue) throws -> JSONValue

    /// Creates an upcaster.
    /// - Parameters:
    ///   - type: the event type's wire name.
    ///   - fromVersion: the schema version it reads.
    ///   - upcast: turns data at `fromVersion` into data at `fromVersion + 1`.
    public init(type: String, fromVersion: Int, upcast: @escaping @Sendable (JSONValue) throws -> JSONValue) {
        self.type = type
        self.fromVersion = fromVersion
        self.upcast = upcast
    }
}

/// Turns ``ConversationEvent`` values into store records and back, upcasting old schema versions on the way in.
///
/// ```swift
/// let codec = EventCodec()
/// let data = try codec.encode(.userMessage(UserMessage(messageId: "m-1", text: "hi")),
///                             eventID: UUID(), occurredAt: Date())
/// // ... append, read back a RecordedEvent ...
/// let event = try codec.decode(record)
/// ```
public struct EventCodec: Sendable {
    /// The schema version each type is written at today.
    public static let currentSchemaVersions: [EventType: Int] = Dictionary(
        uniqueKeysWithValues: EventType.allCases.map { ($0, 1) })

    /// The schema versions this codec writes and upcasts to.
    public let schemaVersions: [EventType: Int]

    private struct UpcasterKey: Hashable {
        var type: String
        var fromVersion: Int
    }

    private let upcasters: [UpcasterKey: EventUpcaster]

    /// Creates a codec.
    /// - Parameters:
    ///   - upcasters: the steps from old schema versions; for the same type and version, the last one given wins.
    ///   - currentSchemaVersions: versions that differ from ``currentSchemaVersions`` (for tests and migrations);
    ///     types not named keep their version from that table.
    public init(upcasters: [EventUpcaster] = [], currentSchemaVersions: [EventType: Int] = [:]) {
        self.schemaVersions = EventCodec.currentSchemaVersions.merging(currentSchemaVersions) { _, given in given }
        var table: [UpcasterKey: EventUpcaster] = [:]
        for upcaster in upcasters {
            table[UpcasterKey(type: upcaster.type, fromVersion: upcaster.fromVersion)] = upcaster
        }
        self.upcasters = table
    }

    /// The schema version this codec writes `type` at.
    public func currentVersion(of type: EventType) -> Int {
        schemaVersions[type] ?? 1
    }

    /// Makes an event ready to append.
    ///
    /// The data is canonical JSON; the metadata's `schemaVersion` is set to the type's current version (for
    /// ``ConversationEvent/unknown(_:)``, to the version it carries).
    /// - Parameters:
    ///   - event: the event.
    ///   - eventID: its id, chosen by the sender.
    ///   - occurredAt: when it happened at its source.
    ///   - metadata: correlation, causation, actor, source; its `schemaVersion` is replaced.
    /// - Throws: ``EventCodingError`` when the payload breaks a rule (for example `handoff.requested` with
    ///   `teamChosenBy` but no `team`) or holds a number that is not finite.
    public func encode(
        _ event: ConversationEvent, eventID: UUID, occurredAt: Date, metadata: EventMetadata = .init()
    ) throws -> EventData {
        let type = event.type
        var metadata = metadata
        let data: Data
        if case .unknown(let unknown) = event {
            guard !unknown.type.isEmpty else {
                throw EventCodingError(type: nil, field: "type", message: "must not be empty")
            }
            metadata.schemaVersion = unknown.schemaVersion
            do {
                data = try unknown.data.canonicalData()
            } catch let error as EventCodingError {
                throw EventCodingError(type: type, field: FieldPath.join("data", error.field), message: error.message)
            }
        } else if let payload = event.payload, let eventType = event.eventType {
            if let (field, message) = payload.problem() {
                throw EventCodingError(type: type, field: "data.\(field)", message: message)
            }
            metadata.schemaVersion = currentVersion(of: eventType)
            do {
                data = try JSONValue.canonicalEncoder().encode(payload)
            } catch {
                throw EventCodingError(type: type, field: "data", message: "could not be written as JSON")
            }
        } else {
            // Every case but `.unknown` has a payload and a type (see `ConversationEvent.payload`).
            throw EventCodingError(type: type, field: "", message: "has no payload")
        }
        let metadataBytes: Data
        do {
            metadataBytes = try metadata.jsonData()
        } catch var error as EventCodingError {
            error.type = type
            throw error
        }
        return EventData(eventID: eventID, type: type, data: data, metadata: metadataBytes, occurredAt: occurredAt)
    }

    /// Reads an event from its stored parts.
    ///
    /// The schema version comes from the metadata (1 when absent). Older data is upcast step by step to the current
    /// version, then decoded. An unknown type, or a version newer than this codec knows, gives
    /// ``ConversationEvent/unknown(_:)`` with the data preserved.
    /// - Parameters:
    ///   - type: the event type's wire name.
    ///   - data: the payload's JSON bytes.
    ///   - metadata: the metadata's JSON bytes.
    /// - Throws: ``EventCodingError`` naming the type and field: a missing or mistyped field, a bad enumeration value,
    ///   a broken rule, or a missing upcaster step (field `metadata.schemaVersion`).
    public func decode(type: String, data: Data, metadata: Data) throws -> ConversationEvent {
        let version = try schemaVersion(type: type, metadata: metadata)
        var payload: JSONValue
        do {
            payload = try JSONValue(jsonData: data)
        } catch let error as EventCodingError {
            throw EventCodingError(type: type, field: "data", message: error.message)
        }
        return try decode(type: type, version: version, payload: payload)
    }

    /// The catalogue type of a stored event when this codec reads its schema version, else nil (an unknown type, or
    /// a newer version): what ``decode(type:data:metadata:)`` would return a case of, without reading the data. For
    /// callers that need only the type of some events.
    /// - Throws: ``EventCodingError`` when the metadata is not valid.
    public func knownType(type: String, metadata: Data) throws -> EventType? {
        guard let eventType = EventType(rawValue: type) else { return nil }
        return try schemaVersion(type: type, metadata: metadata) <= currentVersion(of: eventType) ? eventType : nil
    }

    /// The schema version the metadata gives (1 when absent).
    private func schemaVersion(type: String, metadata: Data) throws -> Int {
        let version: Int
        do {
            // Only the schema version is needed here: read that member, validating the rest without building it.
            if let schemaVersion = try JSONValue.member("schemaVersion", inJSON: metadata) {
                version = try EventMetadata.schemaVersion(schemaVersion)
            } else {
                let metadataValue = try JSONValue(jsonData: metadata)
                throw EventCodingError(
                    type: nil, field: "metadata", message: "expected an object, got \(metadataValue.kindDescription)")
            }
        } catch var error as EventCodingError {
            error.type = type
            if error.field.isEmpty { error.field = "metadata" }
            throw error
        }
        return version
    }

    private func decode(type: String, version: Int, payload: JSONValue) throws -> ConversationEvent {
        var payload = payload
        guard let eventType = EventType(rawValue: type), version <= currentVersion(of: eventType) else {
            return .unknown(UnknownEvent(type: type, schemaVersion: version, data: payload))
        }
        let current = currentVersion(of: eventType)
        for step in version..<current {
            guard let upcaster = upcasters[UpcasterKey(type: type, fromVersion: step)] else {
                throw EventCodingError(
                    type: type, field: "metadata.schemaVersion",
                    message: "is \(version), and there is no upcaster from version \(step) to \(step + 1) "
                        + "(current version \(current))")
            }
            do {
                payload = try upcaster.upcast(payload)
            } catch var error as EventCodingError {
                if error.type == nil { error.type = type }
                throw error
            } catch {
                throw EventCodingError(
                    type: type, field: "data", message: "upcasting from version \(step) failed: \(error)")
            }
        }

        let event: ConversationEvent
        do {
            event = try ConversationEvent.decodePayload(eventType, from: PayloadDecoder(value: payload, path: []))
        } catch let problem as FieldProblem {
            throw EventCodingError(type: type, field: FieldPath.join("data", problem.field), message: problem.message)
        } catch let error as DecodingError {
            let (field, message) = FieldProblem.describe(error)
            throw EventCodingError(type: type, field: FieldPath.join("data", field), message: message)
        }
        // The payload's own rules, the same ones ``encode(_:eventID:occurredAt:metadata:)`` checks.
        if let (field, message) = event.payload?.problem() {
            throw EventCodingError(type: type, field: "data.\(field)", message: message)
        }
        return event
    }

    /// Reads a stored event (see ``decode(type:data:metadata:)``).
    /// - Throws: ``EventCodingError`` naming the type and field.
    public func decode(_ record: RecordedEvent) throws -> ConversationEvent {
        try decode(type: record.type, data: record.data, metadata: record.metadata)
    }
}

// MARK: - Field paths

/// Dotted field paths: `data.user.email`, `data.unfinishedSkills[0]`.
enum FieldPath {
    /// One step of a path.
    enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// Writes a path: keys joined by dots, indices as `[n]`.
    static func render(_ components: [Component]) -> String {
        var path = ""
        for component in components {
            switch component {
            case .key(let key): path = path.isEmpty ? key : "\(path).\(key)"
            case .index(let index): path += "[\(index)]"
            }
        }
        return path
    }

    /// `prefix` followed by `path`, with a dot between them unless one is empty or `path` starts with an index.
    static func join(_ prefix: String, _ path: String) -> String {
        if prefix.isEmpty { return path }
        if path.isEmpty { return prefix }
        return path.hasPrefix("[") ? prefix + path : "\(prefix).\(path)"
    }

    /// The components of a `Codable` coding path. Array positions are keys with an integer value named `Index n`
    /// (as `JSONDecoder` and ``PayloadDecoder`` name them).
    static func components(of codingPath: [any CodingKey]) -> [Component] {
        codingPath.map { key in
            if let index = key.intValue, key.stringValue == "Index \(index)" { return .index(index) }
            return .key(key.stringValue)
        }
    }
}

/// A coding key for a path component.
struct PayloadCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }

    init(_ component: FieldPath.Component) {
        switch component {
        case .key(let key): self.init(stringValue: key)
        case .index(let index): self.init(intValue: index)
        }
    }
}

/// A field of a payload that cannot be read, with a message of our own (never `DecodingError`'s text).
struct FieldProblem: Error, Sendable {
    /// The path inside the payload.
    var path: [FieldPath.Component]
    /// What is wrong.
    var message: String

    var field: String { FieldPath.render(path) }

    static func mismatch(_ path: [FieldPath.Component], expected: String, got value: JSONValue) -> FieldProblem {
        FieldProblem(path: path, message: "expected \(expected), got \(value.kindDescription)")
    }

    /// The field and a message for a `DecodingError` thrown by a payload type (data errors carry our own text).
    static func describe(_ error: DecodingError) -> (field: String, message: String) {
        switch error {
        case .keyNotFound(let key, let context):
            return (FieldPath.render(FieldPath.components(of: context.codingPath + [key])), "is missing")
        case .valueNotFound(_, let context):
            return (FieldPath.render(FieldPath.components(of: context.codingPath)), "must not be null")
        case .typeMismatch(let type, let context):
            return (FieldPath.render(FieldPath.components(of: context.codingPath)), "expected \(describe(type))")
        case .dataCorrupted(let context):
            return (FieldPath.render(FieldPath.components(of: context.codingPath)), context.debugDescription)
        @unknown default:
            return ("", "could not be read")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is any BinaryInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type: "a number"
        default: "another kind of value"
        }
    }
}

// MARK: - Decoding payloads from JSONValue

/// A `Decoder` over a ``JSONValue`` that reports every problem as a ``FieldProblem`` with the field's path.
///
/// It reads numbers strictly: an `Int` field takes an integer in range, a `UUID` field takes a UUID string.
struct PayloadDecoder: Decoder {
    let value: JSONValue
    let path: [FieldPath.Component]

    var codingPath: [any CodingKey] { path.map(PayloadCodingKey.init) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw FieldProblem.mismatch(path, expected: "an object", got: value)
        }
        return KeyedDecodingContainer(PayloadKeyedContainer<Key>(members: members, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw FieldProblem.mismatch(path, expected: "an array", got: value)
        }
        return PayloadUnkeyedContainer(elements: elements, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        PayloadSingleValueContainer(value: value, path: path)
    }

    // Scalars, shared by the three containers.

    static func bool(_ value: JSONValue, _ path: [FieldPath.Component]) throws -> Bool {
        guard case .bool(let bool) = value else { throw FieldProblem.mismatch(path, expected: "a boolean", got: value) }
        return bool
    }

    static func string(_ value: JSONValue, _ path: [FieldPath.Component]) throws -> String {
        guard case .string(let string) = value else {
            throw FieldProblem.mismatch(path, expected: "a string", got: value)
        }
        return string
    }

    static func integer<T: FixedWidthInteger>(_ value: JSONValue, _ path: [FieldPath.Component]) throws -> T {
        let result: T?
        switch value {
        case .integer(let integer): result = T(exactly: integer)
        case .double(let double) where double.rounded() == double: result = T(exactly: double)
        default: throw FieldProblem.mismatch(path, expected: "an integer", got: value)
        }
        guard let result else {
            throw FieldProblem(path: path, message: "must be an integer from \(T.min) to \(T.max)")
        }
        return result
    }

    static func floatingPoint<T: BinaryFloatingPoint>(_ value: JSONValue, _ path: [FieldPath.Component]) throws -> T {
        switch value {
        case .integer(let integer): return T(integer)
        case .double(let double): return T(double)
        default: throw FieldProblem.mismatch(path, expected: "a number", got: value)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ path: [FieldPath.Component]) throws -> T {
        if T.self == UUID.self {
            let string = try string(value, path)
            guard let uuid = UUID(uuidString: string), let result = uuid as? T else {
                throw FieldProblem(path: path, message: "is not a UUID")
            }
            return result
        }
        return try T(from: PayloadDecoder(value: value, path: path))
    }
}

private struct PayloadKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let path: [FieldPath.Component]

    var codingPath: [any CodingKey] { path.map(PayloadCodingKey.init) }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> (JSONValue, [FieldPath.Component]) {
        let memberPath = path + [.key(key.stringValue)]
        guard let value = members[key.stringValue] else { throw FieldProblem(path: memberPath, message: "is missing") }
        return (value, memberPath)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key).0 == .null }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let (value, path) = try member(key)
        return try PayloadDecoder.bool(value, path)
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let (value, path) = try member(key)
        return try PayloadDecoder.string(value, path)
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try floatingPoint(key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try floatingPoint(key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (value, path) = try member(key)
        return try PayloadDecoder.decode(type, value, path)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try member(key)
        return try PayloadDecoder(value: value, path: path).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let (value, path) = try member(key)
        return try PayloadDecoder(value: value, path: path).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        PayloadDecoder(value: members["super"] ?? .null, path: path + [.key("super")])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        PayloadDecoder(value: members[key.stringValue] ?? .null, path: path + [.key(key.stringValue)])
    }

    private func integer<T: FixedWidthInteger>(_ key: Key) throws -> T {
        let (value, path) = try member(key)
        return try PayloadDecoder.integer(value, path)
    }

    private func floatingPoint<T: BinaryFloatingPoint>(_ key: Key) throws -> T {
        let (value, path) = try member(key)
        return try PayloadDecoder.floatingPoint(value, path)
    }
}

private struct PayloadUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let path: [FieldPath.Component]
    var currentIndex = 0

    init(elements: [JSONValue], path: [FieldPath.Component]) {
        self.elements = elements
        self.path = path
    }

    var codingPath: [any CodingKey] { path.map(PayloadCodingKey.init) }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> (JSONValue, [FieldPath.Component]) {
        let elementPath = path + [.index(currentIndex)]
        guard !isAtEnd else { throw FieldProblem(path: elementPath, message: "is missing") }
        defer { currentIndex += 1 }
        return (elements[currentIndex], elementPath)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw FieldProblem(path: path + [.index(currentIndex)], message: "is missing") }
        if elements[currentIndex] == .null {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let (value, path) = try next()
        return try PayloadDecoder.bool(value, path)
    }
    mutating func decode(_ type: String.Type) throws -> String {
        let (value, path) = try next()
        return try PayloadDecoder.string(value, path)
    }
    mutating func decode(_ type: Double.Type) throws -> Double { try floatingPoint() }
    mutating func decode(_ type: Float.Type) throws -> Float { try floatingPoint() }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer() }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try PayloadDecoder.decode(type, value, path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next()
        return try PayloadDecoder(value: value, path: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try PayloadDecoder(value: value, path: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next()
        return PayloadDecoder(value: value, path: path)
    }

    private mutating func integer<T: FixedWidthInteger>() throws -> T {
        let (value, path) = try next()
        return try PayloadDecoder.integer(value, path)
    }

    private mutating func floatingPoint<T: BinaryFloatingPoint>() throws -> T {
        let (value, path) = try next()
        return try PayloadDecoder.floatingPoint(value, path)
    }
}

private struct PayloadSingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let path: [FieldPath.Component]

    var codingPath: [any CodingKey] { path.map(PayloadCodingKey.init) }

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try PayloadDecoder.bool(value, path) }
    func decode(_ type: String.Type) throws -> String { try PayloadDecoder.string(value, path) }
    func decode(_ type: Double.Type) throws -> Double { try PayloadDecoder.floatingPoint(value, path) }
    func decode(_ type: Float.Type) throws -> Float { try PayloadDecoder.floatingPoint(value, path) }
    func decode(_ type: Int.Type) throws -> Int { try PayloadDecoder.integer(value, path) }
    func decode(_ type: Int8.Type) throws -> Int8 { try PayloadDecoder.integer(value, path) }
    func decode(_ type: Int16.Type) throws -> Int16 { try PayloadDecoder.integer(value, path) }
    func decode(_ type: Int32.Type) throws -> Int32 { try PayloadDecoder.integer(value, path) }
    func decode(_ type: Int64.Type) throws -> Int64 { try PayloadDecoder.integer(value, path) }
    func decode(_ type: UInt.Type) throws -> UInt { try PayloadDecoder.integer(value, path) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try PayloadDecoder.integer(value, path) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try PayloadDecoder.integer(value, path) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try PayloadDecoder.integer(value, path) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try PayloadDecoder.integer(value, path) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try PayloadDecoder.decode(type, value, path) }
}
