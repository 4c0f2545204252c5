public import Foundation

/// Any JSON value, kept exactly enough to write it back: integers stay integers (`3` is written `3`, not `3.0`).
///
/// Event payloads the catalogue does not know (and the data of future schema versions) are kept as a `JSONValue`,
/// so nothing is dropped. ``canonicalData()`` gives the same bytes for the same value, whatever the key order
/// it was read in:
///
/// ```swift
/// let value = try JSONValue(jsonData: Data(#"{"b": 1, "a": [true, null, 2.5]}"#.utf8))
/// let bytes = try value.canonicalData()  // {"a":[true,null,2.5],"b":1}
/// ```
///
/// A number with no fraction and within `Int64` (`3`, `3.0`, `1e2`) reads as ``integer(_:)``; other numbers read as
/// ``double(_:)``.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without a fraction that fits in 64 bits.
    case integer(Int64)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Parses JSON bytes (any JSON value, not only objects; RFC 8259, nested at most 512 deep).
    ///
    /// A repeated key in an object keeps its last value.
    /// - Parameter jsonData: UTF-8 JSON.
    /// - Throws: ``EventCodingError`` with an empty field when the bytes are not valid JSON; the message says what
    ///   and at which byte.
    public init(jsonData: Data) throws {
        try self.init(jsonData: jsonData, rejectingRepeatedKeys: false)
    }

    /// Parses JSON bytes as ``init(jsonData:)`` does; with `rejectingRepeatedKeys`, a key repeated in one object is
    /// refused instead of keeping its last value, for documents where a repeated key is a mistake to report.
    /// - Throws: ``EventCodingError`` with an empty field when the bytes are not valid JSON, or, for a repeated key,
    ///   with the field path of its second occurrence (`teams[0].team`) and the message ``repeatedKeyMessage``.
    public init(jsonData: Data, rejectingRepeatedKeys: Bool) throws {
        self = try JSONParser.parse(jsonData, rejectingRepeatedKeys: rejectingRepeatedKeys) {
            parser throws(JSONParser.Failure) in try parser.parseDocument()
        }
    }

    /// The message of the error for a repeated key (see ``init(jsonData:rejectingRepeatedKeys:)``).
    public static let repeatedKeyMessage = "appears twice in the same object"

    /// The value as canonical JSON: keys sorted, slashes not escaped, no whitespace, no trailing newline.
    ///
    /// The same value always gives the same bytes, which is what the store's idempotency check and integrity
    /// chain compare.
    /// - Throws: ``EventCodingError`` naming the path of a number that is not finite (JSON has no NaN or infinity).
    public func canonicalData() throws -> Data {
        if let path = firstNonFiniteNumber(at: "") {
            throw EventCodingError(type: nil, field: path, message: "is not a finite number")
        }
        do {
            return try JSONValue.canonicalEncoder().encode(self)
        } catch {
            throw EventCodingError(type: nil, field: "", message: "could not be written as JSON")
        }
    }

    /// The member `key` of the JSON object in `jsonData`, validating the whole document but building only that
    /// member: for reading one field (such as the metadata's `schemaVersion`) of every event cheaply. Nil when the
    /// object has no such member; nil also when the document is not an object (parse it whole to say why).
    /// - Throws: ``EventCodingError`` when the bytes are not valid JSON.
    static func member(_ key: String, inJSON jsonData: Data) throws -> JSONValue?? {
        try JSONParser.parse(jsonData) { parser throws(JSONParser.Failure) in try parser.parseMember(key.utf8) }
    }

    /// The canonical JSON as a string (see ``canonicalData()``).
    /// - Throws: ``EventCodingError`` when a number is not finite.
    public func canonicalString() throws -> String {
        String(decoding: try canonicalData(), as: UTF8.self)
    }

    /// The object's members, or nil when this is not an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The member named `key` when this is an object, else nil.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The kind of value, for messages: `null`, `a boolean`, `an integer`, `a number`, `a string`, `an array`,
    /// `an object`.
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// An encoder configured for canonical output. A new one each time: `JSONEncoder` is not `Sendable`.
    static func canonicalEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The dotted path of the first NaN or infinite number, or nil when every number is finite.
    private func firstNonFiniteNumber(at path: String) -> String? {
        switch self {
        case .double(let number) where !number.isFinite:
            return path
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let found = element.firstNonFiniteNumber(at: "\(path)[\(index)]") { return found }
            }
            return nil
        case .object(let members):
            for key in members.keys.sorted() {
                // The key comes from the dictionary's own key list.
                if let member = members[key],
                    let found = member.firstNonFiniteNumber(at: path.isEmpty ? key : "\(path).\(key)")
                {
                    return found
                }
            }
            return nil
        default:
            return nil
        }
    }
}

extension JSONValue: Codable {
    /// Reads any JSON value. Integers are tried before doubles, so `3` stays an integer.
    public init(from decoder: any Decoder) throws {
        if let payloadDecoder = decoder as? PayloadDecoder {
            self = payloadDecoder.value
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let double = try? container.decode(Double.self) {
            self = .double(double)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Writes the value as the JSON it stands for.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .integer(let integer): try container.encode(integer)
        case .double(let double): try container.encode(double)
        case .string(let string): try container.encode(string)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    /// `null`.
    public init(nilLiteral: ()) { self = .null }
    /// A boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// A double.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// A strict RFC 8259 parser straight to ``JSONValue``: several times faster than decoding `JSONValue` through
/// `JSONDecoder`, which has to try each kind of value in turn.
private struct JSONParser {
    struct Failure: Error {
        var reason: String
        var offset: Int
        /// For a repeated key: its path, completed as the failure leaves each enclosing object and array.
        var repeatedKeyPath: String?
    }

    /// The document, borrowed for the parse: the caller keeps it alive.
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Whether a key repeated in one object is a failure rather than last-wins.
    let rejectingRepeatedKeys: Bool
    /// Deep enough for any event; shallow enough that hostile input cannot exhaust the stack.
    static let maximumDepth = 512

    init(bytes: UnsafeBufferPointer<UInt8>, rejectingRepeatedKeys: Bool = false) {
        self.bytes = bytes
        self.rejectingRepeatedKeys = rejectingRepeatedKeys
    }

    /// Runs `body` with a parser over `data`'s bytes, read in place, and reports a failure as ``EventCodingError``:
    /// a repeated key under its path with ``JSONValue/repeatedKeyMessage``, anything else as invalid JSON.
    static func parse<T>(
        _ data: Data, rejectingRepeatedKeys: Bool = false, _ body: (inout JSONParser) throws(Failure) -> T
    ) throws(EventCodingError) -> T {
        let parsed = data.withUnsafeBytes { raw in
            Result { () throws(Failure) in
                var parser = JSONParser(
                    bytes: raw.assumingMemoryBound(to: UInt8.self), rejectingRepeatedKeys: rejectingRepeatedKeys)
                return try body(&parser)
            }
        }
        switch parsed {
        case .success(let value):
            return value
        case .failure(let error):
            if let path = error.repeatedKeyPath {
                throw EventCodingError(type: nil, field: path, message: JSONValue.repeatedKeyMessage)
            }
            throw EventCodingError(
                type: nil, field: "", message: "is not valid JSON (\(error.reason) at byte \(error.offset))")
        }
    }

    /// `failure` with `component` put in front of its repeated-key path (a no-op for other failures).
    private func prefixing(_ failure: Failure, with component: String) -> Failure {
        guard let path = failure.repeatedKeyPath else { return failure }
        var prefixed = failure
        prefixed.repeatedKeyPath = component + (path.hasPrefix("[") ? "" : ".") + path
        return prefixed
    }

    mutating func parseDocument() throws(Failure) -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the value") }
        return value
    }

    /// For an object document: `.some(value)` of member `key` (`.some(nil)` when absent); nil when the document is not
    /// an object. Every other member is validated and skipped without being built.
    mutating func parseMember(_ key: String.UTF8View) throws(Failure) -> JSONValue?? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var found: JSONValue?
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            members: while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let isKey = try parseKey(matching: key)
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipWhitespace()
                if isKey {
                    found = try parseValue(depth: 1)  // a repeated key keeps its last value, as in a full parse
                } else {
                    try skipValue(depth: 1)
                }
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end") }
                switch bytes[index] {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    break members
                default: throw fail("expected ',' or '}'")
                }
            }
        }
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the value") }
        return .some(found)
    }

    /// Validates one value and moves past it, building nothing but the strings it must check.
    private mutating func skipValue(depth: Int) throws(Failure) {
        // Strings, the common case, are checked without being made; anything else is parsed and dropped.
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            try skipString()
        } else {
            _ = try parseValue(depth: depth)
        }
    }

    /// Reads a key and tells whether it is `key`, without making a `String` unless it holds escapes.
    private mutating func parseKey(matching key: String.UTF8View) throws(Failure) -> Bool {
        let start = index + 1
        try skipString()
        let raw = bytes[start..<(index - 1)]
        if !raw.contains(UInt8(ascii: "\\")) { return raw.elementsEqual(key) }
        index = start - 1
        return try parseString().utf8.elementsEqual(key)
    }

    /// Validates a string as ``parseString()`` does and moves past it, making nothing.
    private mutating func skipString() throws(Failure) {
        index += 1  // opening quote
        let start = index
        var isASCII = true
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                if !isASCII {
                    guard String(validating: bytes[start..<index], as: UTF8.self) != nil else {
                        throw Failure(reason: "invalid UTF-8 in a string", offset: start)
                    }
                }
                index += 1
                return
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw fail("unexpected end") }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    index += 1
                    _ = try parseUnicodeEscape()
                default:
                    throw fail("invalid escape")
                }
            default:
                if byte < 0x20 { throw fail("control character in a string") }
                if byte >= 0x80 { isASCII = false }
                index += 1
            }
        }
        throw fail("unterminated string")
    }

    private func fail(_ reason: String) -> Failure {
        Failure(reason: reason, offset: index)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        guard index < bytes.count else { throw fail("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    private mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(Failure) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw fail("unexpected character")
        }
        index += count
        return value
    }

    private mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= JSONParser.maximumDepth else { throw fail("nested too deep") }
        index += 1  // {
        var members: [String: JSONValue] = Dictionary(minimumCapacity: 4)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let keyOffset = index
            let key = try parseString()
            if rejectingRepeatedKeys, members[key] != nil {
                throw Failure(reason: "repeated key", offset: keyOffset, repeatedKeyPath: key)
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            do {
                members[key] = try parseValue(depth: depth)
            } catch {
                throw prefixing(error, with: key)
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= JSONParser.maximumDepth else { throw fail("nested too deep") }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            do {
                elements.append(try parseValue(depth: depth))
            } catch {
                throw prefixing(error, with: "[\(elements.count)]")
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    private mutating func parseString() throws(Failure) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard let string = Self.makeString(UnsafeBufferPointer(rebasing: bytes[start..<index])) else {
                    throw Failure(reason: "invalid UTF-8 in a string", offset: start)
                }
                index += 1
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character in a string") }
            index += 1
        }
        var buffer = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = buffer.withUnsafeBufferPointer(Self.makeString) else {
                    throw Failure(reason: "invalid UTF-8 in a string", offset: start)
                }
                index += 1
                return string
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw fail("unexpected end") }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escaped)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"): buffer.append(contentsOf: try parseUnicodeEscape())
                default:
                    index -= 1
                    throw fail("invalid escape")
                }
            default:
                if byte < 0x20 { throw fail("control character in a string") }
                buffer.append(byte)
                index += 1
            }
        }
        throw fail("unterminated string")
    }

    /// After `\u`: four hex digits, or a surrogate pair `\uD83D\uDE00`; returns the scalar's UTF-8.
    private mutating func parseUnicodeEscape() throws(Failure) -> [UInt8] {
        let first = try parseHex4()
        var scalarValue = first
        if (0xD800...0xDBFF).contains(first) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw fail("unpaired surrogate") }
            index += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw fail("unpaired surrogate") }
            scalarValue = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(first) {
            throw fail("unpaired surrogate")
        }
        guard let scalar = Unicode.Scalar(scalarValue) else { throw fail("invalid escape") }
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func parseHex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("unexpected end") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// The string of `utf8`, or nil when it is not valid UTF-8.
    private static func makeString(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        // Most strings in events are ASCII: those need no validation.
        if utf8.allSatisfy({ $0 < 0x80 }) { return String(decoding: utf8, as: UTF8.self) }
        return String(validating: utf8, as: UTF8.self)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`. Integers that fit in `Int64`, and numbers with a fraction or
    /// exponent whose value is a whole number within `Int64`, become ``JSONValue/integer(_:)``.
    private mutating func parseNumber() throws(Failure) -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw fail("leading zero in a number") }
        } else {
            skipDigits()
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            skipDigits()
        }
        if isInteger, index - start <= 18 {
            // At most 18 characters: the value fits in Int64 without an overflow check.
            var magnitude: Int64 = 0
            for byte in bytes[start..<index] where byte != UInt8(ascii: "-") {
                magnitude = magnitude * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return .integer(bytes[start] == UInt8(ascii: "-") ? -magnitude : magnitude)
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .integer(integer) }
        guard let double = Double(text), double.isFinite else {
            index = start
            throw fail("number out of range")
        }
        // 2^63 is exact as a Double; every whole Double below it in magnitude fits in Int64.
        if double.rounded() == double, abs(double) < 9_223_372_036_854_775_808.0 {
            return .integer(Int64(double))
        }
        return .double(double)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
}
