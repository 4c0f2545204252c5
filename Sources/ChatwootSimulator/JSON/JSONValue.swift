/// A JSON value whose objects keep their members in insertion order.
///
/// Chatwoot (Rails) renders keys in a fixed order; the simulator keeps that order so payloads read
/// like the real ones, and parses request bodies without losing the order the client chose.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The member `key` when this is an object, else nil.
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The object when this is an object, else nil.
    var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The elements when this is an array, else nil.
    var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// True for `null`.
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A string when the value is a scalar, the way Rails params turn scalars into strings.
    var scalarString: String? {
        switch self {
        case .string(let string): return string
        case .int(let int): return String(int)
        case .double(let double): return String(double)
        case .bool(let bool): return bool ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }

    /// An integer the way ActiveRecord casts an id: numbers, and strings holding digits.
    var integerValue: Int? {
        switch self {
        case .int(let int): return int
        case .double(let double): return double.isFinite ? Int(exactly: double.rounded(.towardZero)) : nil
        case .string(let string): return Int(string.trimmingWhitespace())
        case .bool, .null, .array, .object: return nil
        }
    }

    /// A boolean the way ActiveModel casts one (`false`, `0`, `"0"`, `"f"`, `"false"`, `"off"` are false).
    var booleanValue: Bool? {
        switch self {
        case .bool(let bool): return bool
        case .int(let int): return int != 0
        case .double(let double): return double != 0
        case .string(let string):
            if string.isEmpty { return nil }
            return !["0", "f", "false", "off"].contains(string.lowercased())
        case .null, .array, .object: return nil
        }
    }
}

/// JSON object members in order, with last-wins lookup like Ruby's JSON parser.
struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The members in order.
    private(set) var members: [(key: String, value: JSONValue)]

    init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.members = elements.map { (key: $0.0, value: $0.1) }
    }

    /// The keys in order.
    var keys: [String] { self.members.map(\.key) }

    /// True when the object has no member.
    var isEmpty: Bool { self.members.isEmpty }

    /// True when `key` is present, even with a `null` value.
    func contains(_ key: String) -> Bool {
        self.members.contains { $0.key == key }
    }

    subscript(key: String) -> JSONValue? {
        get { self.members.last { $0.key == key }?.value }
        set {
            if let index = self.members.lastIndex(where: { $0.key == key }) {
                if let newValue {
                    self.members[index].value = newValue
                } else {
                    self.members.remove(at: index)
                }
            } else if let newValue {
                self.members.append((key: key, value: newValue))
            }
        }
    }

    /// Appends a member without looking for an existing one (the renderer's fast path).
    mutating func append(_ key: String, _ value: JSONValue) {
        self.members.append((key: key, value: value))
    }

    static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    init(nilLiteral: ()) { self = .null }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(floatLiteral value: Double) { self = .double(value) }
    init(stringLiteral value: String) { self = .string(value) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}

extension JSONValue {
    /// `.string(value)` or `.null`.
    static func optional(_ value: String?) -> JSONValue {
        value.map { .string($0) } ?? .null
    }

    /// `.int(value)` or `.null`.
    static func optional(_ value: Int?) -> JSONValue {
        value.map { .int($0) } ?? .null
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = self.firstIndex(where: { !isSpace($0) }),
            let last = self.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
