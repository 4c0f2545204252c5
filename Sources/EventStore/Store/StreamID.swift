/// The name of one stream of events: 1 to 200 characters of `[A-Za-z0-9._:-]`.
///
/// Conversations live in `conversation-<id>` streams and routing tables in the `routing` stream.
public struct StreamID: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The validated name.
    public let rawValue: String

    /// Validates a stream name.
    /// - Throws: ``EventStoreError`` with code ``EventStoreError/Code/invalidStreamID`` naming the problem.
    public init(_ rawValue: String) throws(EventStoreError) {
        if let problem = StreamID.problem(with: rawValue) {
            throw EventStoreError(.invalidStreamID, "invalid stream id: \(problem)", stream: nil, detail: rawValue)
        }
        self.rawValue = rawValue
    }

    /// The stream of one conversation, `conversation-<id>`.
    /// - Throws: ``EventStoreError`` when the id makes an invalid stream name.
    public static func conversation(_ conversationID: String) throws(EventStoreError) -> StreamID {
        try StreamID("conversation-" + conversationID)
    }

    /// The stream that holds the versions of the routing table.
    public static let routing = StreamID(unchecked: "routing")

    /// The conversation id when this is a `conversation-<id>` stream.
    public var conversationID: String? {
        let prefix = "conversation-".utf8
        let utf8 = rawValue.utf8
        guard utf8.count > prefix.count, utf8.starts(with: prefix) else { return nil }
        // Stream ids are ASCII, so the prefix ends on a character boundary.
        return String(rawValue.utf8.dropFirst(prefix.count))
    }

    public var description: String { rawValue }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// For names read back from the store, which were validated on the way in.
    init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// Why `name` is not a valid stream id, or nil when it is.
    static func problem(with name: String) -> String? {
        let bytes = name.utf8
        if bytes.isEmpty { return "it is empty" }
        if bytes.count > 200 { return "it is \(bytes.count) characters long, the limit is 200" }
        for byte in bytes where !isAllowed(byte) {
            return "it contains \(describe(byte)); allowed are letters, digits and . _ : -"
        }
        return nil
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"),
            UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "the byte 0x" + String(byte, radix: 16, uppercase: true)
    }
}
