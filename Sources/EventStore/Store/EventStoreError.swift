public import Foundation

/// An error from the event store, with a code to branch on and the context to act on.
///
/// Match a code directly: `catch EventStoreError.Code.wrongExpectedVersion { ... }`, or inspect the fields.
public struct EventStoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a value to branch on. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The stream was not at the expected version; ``EventStoreError/actualVersion`` says where it was.
        public static let wrongExpectedVersion = Code("wrongExpectedVersion")
        /// An event id is already stored with different content.
        public static let duplicateEventID = Code("duplicateEventID")
        /// Some of the events are already stored and some are not, or they are not consecutive in the stream.
        public static let idempotencyConflict = Code("idempotencyConflict")
        /// The stream id is not 1-200 characters of `[A-Za-z0-9._:-]`.
        public static let invalidStreamID = Code("invalidStreamID")
        /// The append itself is malformed (for example the same event id twice in one batch).
        public static let invalidAppend = Code("invalidAppend")
        /// SQLite failed; ``EventStoreError/sqliteCode`` and ``EventStoreError/sql`` say how.
        public static let storage = Code("storage")
        /// The database is busy beyond the busy timeout.
        public static let busy = Code("busy")
        /// The database was written by a newer version of this software.
        public static let schemaTooNew = Code("schemaTooNew")
        /// The store was closed.
        public static let closed = Code("closed")
        /// The store was opened read-only and was asked to write.
        public static let readOnly = Code("readOnly")
    }

    /// What went wrong.
    public var code: Code
    /// A sentence for people.
    public var message: String
    /// The stream concerned, if any.
    public var stream: StreamID?
    /// The expected version of a refused append.
    public var expected: ExpectedVersion?
    /// The stream's actual version when an append was refused: -1 when the stream does not exist.
    public var actualVersion: Int64?
    /// The event concerned, if any.
    public var eventID: UUID?
    /// SQLite's extended result code, for storage errors.
    public var sqliteCode: Int32?
    /// The statement that failed, for storage errors.
    public var sql: String?
    /// Any further detail (for an invalid stream id, the name given).
    public var detail: String?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, stream: StreamID? = nil, expected: ExpectedVersion? = nil,
        actualVersion: Int64? = nil, eventID: UUID? = nil, sqliteCode: Int32? = nil, sql: String? = nil,
        detail: String? = nil
    ) {
        self.code = code
        self.message = message
        self.stream = stream
        self.expected = expected
        self.actualVersion = actualVersion
        self.eventID = eventID
        self.sqliteCode = sqliteCode
        self.sql = sql
        self.detail = detail
    }

    public var description: String {
        var parts = ["\(code): \(message)"]
        if let stream { parts.append("stream: \(stream)") }
        if let detail { parts.append("detail: \(detail)") }
        if let expected { parts.append("expected: \(expected)") }
        if let actualVersion { parts.append("actual version: \(actualVersion)") }
        if let eventID { parts.append("event: \(eventID.uuidString.lowercased())") }
        if let sqliteCode { parts.append("sqlite code: \(sqliteCode)") }
        if let sql { parts.append("sql: \(sql)") }
        return parts.joined(separator: "; ")
    }
}

extension EventStoreError.Code {
    /// Lets a `catch` clause match a code: `catch EventStoreError.Code.busy`.
    public static func ~= (code: EventStoreError.Code, error: any Error) -> Bool {
        (error as? EventStoreError)?.code == code
    }
}
