public import Foundation

/// An event to append: what the caller says happened. The store adds position, version and `recordedAt`.
public struct EventData: Sendable, Equatable {
    /// Chosen by the sender; unique within its stream. Appending the same id to the same stream again is
    /// idempotent.
    public var eventID: UUID
    /// The event type, for example `user.message`.
    public var type: String
    /// The event's payload as JSON bytes.
    public var data: Data
    /// JSON metadata: correlation id, causation id, actor, source, schema version.
    public var metadata: Data
    /// When it happened at its source (the wire form's `at`), to the millisecond.
    public var occurredAt: Date

    /// Creates an event to append.
    public init(eventID: UUID, type: String, data: Data, metadata: Data = Data("{}".utf8), occurredAt: Date) {
        self.eventID = eventID
        self.type = type
        self.data = data
        self.metadata = metadata
        self.occurredAt = occurredAt
    }
}

/// An event as stored: immutable, with its place in the global log and in its stream.
public struct RecordedEvent: Sendable, Equatable {
    /// The global position: 1-based, gap-free, in commit order.
    public let position: Int64
    /// The stream the event belongs to.
    public let streamID: StreamID
    /// The version within the stream: 0-based, gap-free.
    public let version: Int64
    /// The sender's event id.
    public let eventID: UUID
    /// The event type.
    public let type: String
    /// The payload as JSON bytes.
    public let data: Data
    /// The metadata as JSON bytes.
    public let metadata: Data
    /// When it happened at its source.
    public let occurredAt: Date
    /// When the store committed it.
    public let recordedAt: Date

    /// Creates a recorded event (the store makes these; tests and tools may too).
    public init(
        position: Int64, streamID: StreamID, version: Int64, eventID: UUID, type: String, data: Data,
        metadata: Data, occurredAt: Date, recordedAt: Date
    ) {
        self.position = position
        self.streamID = streamID
        self.version = version
        self.eventID = eventID
        self.type = type
        self.data = data
        self.metadata = metadata
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
    }
}

/// The version a stream must be at for an append to succeed (optimistic concurrency).
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// Append whatever the stream's version.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must hold at least one event.
    case streamExists
    /// The stream's last event must have this version.
    case exact(Int64)

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .streamExists: "stream exists"
        case .exact(let version): "version \(version)"
        }
    }
}

/// What an append did.
public struct AppendResult: Sendable, Equatable {
    /// The global positions of the appended events, in order (the original ones for an idempotent retry).
    public let positions: [Int64]
    /// The stream's version after the append: the version of its last event, or -1 for an empty stream.
    public let version: Int64
    /// True when every event was already stored at these positions and nothing was written.
    public let alreadyStored: Bool

    /// Creates a result.
    public init(positions: [Int64], version: Int64, alreadyStored: Bool) {
        self.positions = positions
        self.version = version
        self.alreadyStored = alreadyStored
    }
}

/// The direction of a stream read.
public enum ReadDirection: Sendable, Hashable {
    /// Oldest first, from the given version up.
    case forward
    /// Newest first, from the given version down.
    case backward
}
