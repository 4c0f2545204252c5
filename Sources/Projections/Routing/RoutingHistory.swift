public import EventStore
public import Foundation

/// One version of the routing table: a `routing.table_set` event of the `routing` stream.
public struct RoutingTableVersion: Sendable, Hashable {
    /// The routing version, as `handoff.routed.routingVersion` records it: 1 for the first event of the stream,
    /// 2 for the second, ... (see ``RoutingHistory/routingVersion(streamVersion:)``).
    public var version: Int64
    /// The event's global position: the table is in force from here until the next version's position.
    public var position: Int64
    /// The event's id.
    public var eventID: UUID
    /// When the table was set, at its source.
    public var occurredAt: Date
    /// The table.
    public var table: RoutingTable

    /// Creates a version.
    public init(version: Int64, position: Int64, eventID: UUID, occurredAt: Date, table: RoutingTable) {
        self.version = version
        self.position = position
        self.eventID = eventID
        self.occurredAt = occurredAt
        self.table = table
    }
}

/// An event of the `routing` stream that is not a table: passed over, and reported.
public struct SkippedRoutingEvent: Sendable, Hashable {
    /// Its global position.
    public var position: Int64
    /// Its version in the stream (0-based).
    public var streamVersion: Int64
    /// Its type.
    public var type: String

    /// Creates a report.
    public init(position: Int64, streamVersion: Int64, type: String) {
        self.position = position
        self.streamVersion = streamVersion
        self.type = type
    }
}

/// Every version of the routing table, from the events of the `routing` stream.
///
/// A table is set by appending a `routing.table_set` event whose data is the table's canonical JSON
/// (``RoutingTable/eventData(eventID:occurredAt:metadata:)``). Its routing version is its place in the stream counted
/// from 1, which is what `handoff.routed.routingVersion` refers to; the store numbers stream versions from 0, so the
/// routing version is the stream version plus one. Events of other types in the stream are passed over and listed
/// in ``skipped``; they still take their place in the numbering.
///
/// ```swift
/// let events = try await store.readStream(.routing, limit: 10_000)
/// let history = try RoutingHistory(events: events)
/// history.table(version: 1)?.table          // the table c-01 was routed with
/// history.inForce(atPosition: 42)?.version  // the version a decision at position 42 should have used
/// ```
public struct RoutingHistory: Sendable, Hashable {
    /// The type of the events that set a table.
    public static let eventType = "routing.table_set"

    /// Every table, oldest first.
    public private(set) var versions: [RoutingTableVersion] = []
    /// The events of other types found in the stream, oldest first.
    public private(set) var skipped: [SkippedRoutingEvent] = []
    /// The stream version of the last event applied; -1 before any.
    public private(set) var streamVersion: Int64 = -1
    /// The global position of the last event applied; 0 before any.
    public private(set) var position: Int64 = 0

    /// An empty history: no table yet.
    public init() {}

    /// The history of the given events of the `routing` stream, which must be the whole stream in order.
    /// - Parameter events: the stream's events, from version 0 up.
    /// - Throws: ``RoutingHistoryError`` for an event of another stream, out of order, or whose table is invalid.
    public init(events: some Sequence<RecordedEvent>) throws(RoutingHistoryError) {
        for event in events { try apply(event) }
    }

    /// Applies the next event of the `routing` stream.
    /// - Parameter event: the event at the stream version after ``streamVersion``.
    /// - Throws: ``RoutingHistoryError``: `wrongStream` for an event of another stream, `outOfOrder` when its stream
    ///   version is not the next one or its position does not come after the last, `invalidTable` when a
    ///   `routing.table_set` event's data is not a valid table (with the ``RoutingTableError`` as cause). The history
    ///   is unchanged when it throws.
    public mutating func apply(_ event: RecordedEvent) throws(RoutingHistoryError) {
        guard event.streamID == .routing else {
            throw RoutingHistoryError(
                .wrongStream, "the event belongs to stream \(event.streamID), not \(StreamID.routing)", event: event)
        }
        guard event.version == streamVersion + 1, event.position > position else {
            throw RoutingHistoryError(
                .outOfOrder,
                "expected stream version \(streamVersion + 1) after position \(position), "
                    + "got version \(event.version) at position \(event.position); "
                    + "read the whole routing stream, in order", event: event)
        }
        if event.type == Self.eventType {
            let table: RoutingTable
            do {
                table = try RoutingTable(jsonData: event.data)
            } catch {
                throw RoutingHistoryError(
                    .invalidTable,
                    "the table set at routing version \(Self.routingVersion(streamVersion: event.version)) "
                        + "is invalid: \(error)", event: event, cause: error)
            }
            versions.append(
                RoutingTableVersion(
                    version: Self.routingVersion(streamVersion: event.version), position: event.position,
                    eventID: event.eventID, occurredAt: event.occurredAt, table: table))
        } else {
            skipped.append(
                SkippedRoutingEvent(position: event.position, streamVersion: event.version, type: event.type))
        }
        streamVersion = event.version
        position = event.position
    }

    /// The routing version of the event at `streamVersion` in the `routing` stream: its place counted from 1.
    /// - Parameter streamVersion: the store's 0-based stream version.
    public static func routingVersion(streamVersion: Int64) -> Int64 { streamVersion + 1 }

    /// The table with routing version `version`, or nil when there is none (or that event is not a table).
    /// - Parameter version: a `handoff.routed.routingVersion`.
    public func table(version: Int64) -> RoutingTableVersion? {
        // Versions only grow, and most histories are short.
        versions.last { $0.version == version }
    }

    /// The latest table, or nil when none was set.
    public var current: RoutingTableVersion? { versions.last }

    /// The table in force at a global position: the one whose event position is the highest at or before it; nil
    /// before the first table.
    /// - Parameter position: a global position, for example that of a `handoff.routed` event.
    public func inForce(atPosition position: Int64) -> RoutingTableVersion? {
        var low = 0
        var high = versions.count
        while low < high {  // the first version whose position is after `position`
            let middle = (low + high) / 2
            if versions[middle].position <= position { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : versions[low - 1]
    }

    /// The expected version for appending the next table on top of this history, so that two writers cannot both
    /// set "the next" table.
    public var expectedVersion: ExpectedVersion { streamVersion < 0 ? .noStream : .exact(streamVersion) }
}

extension RoutingTable {
    /// The event that sets this table as the next routing version: type `routing.table_set`, data the canonical
    /// JSON. Append it to ``EventStore/StreamID/routing``.
    /// - Parameters:
    ///   - eventID: the event's id (appending the same id again is idempotent).
    ///   - occurredAt: when the table was set.
    ///   - metadata: JSON metadata (actor, correlation id, ...).
    public func eventData(eventID: UUID, occurredAt: Date, metadata: Data = Data("{}".utf8)) -> EventData {
        EventData(
            eventID: eventID, type: RoutingHistory.eventType, data: canonicalData(), metadata: metadata,
            occurredAt: occurredAt)
    }
}

/// Why the routing stream could not be read as a history of tables.
public struct RoutingHistoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a value to branch on. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The code's name, for example `invalidTable`.
        public var description: String { name }

        /// The event is not in the `routing` stream.
        public static let wrongStream = Code("wrongStream")
        /// The event is not the next one of the stream (a gap, a repeat, or positions going back).
        public static let outOfOrder = Code("outOfOrder")
        /// A `routing.table_set` event holds an invalid table; ``RoutingHistoryError/cause`` says why.
        public static let invalidTable = Code("invalidTable")
    }

    /// What went wrong.
    public var code: Code
    /// A sentence for people.
    public var message: String
    /// The stream of the event concerned.
    public var stream: StreamID
    /// Its global position.
    public var position: Int64
    /// Its stream version (0-based).
    public var streamVersion: Int64
    /// Its id.
    public var eventID: UUID
    /// Why its table is invalid, for ``Code/invalidTable``.
    public var cause: RoutingTableError?

    /// Creates an error about `event`.
    /// - Parameters:
    ///   - code: what went wrong.
    ///   - message: a sentence for people.
    ///   - event: the event concerned.
    ///   - cause: the table's error, for an invalid table.
    public init(_ code: Code, _ message: String, event: RecordedEvent, cause: RoutingTableError? = nil) {
        self.code = code
        self.message = message
        self.stream = event.streamID
        self.position = event.position
        self.streamVersion = event.version
        self.eventID = event.eventID
        self.cause = cause
    }

    /// `code: message; stream: ...; position: ...; event: ...`.
    public var description: String {
        "\(code): \(message); stream: \(stream); position: \(position); event: \(eventID.uuidString.lowercased())"
    }
}

extension RoutingHistoryError.Code {
    /// Lets a `catch` clause match a code: `catch RoutingHistoryError.Code.invalidTable`.
    public static func ~= (code: RoutingHistoryError.Code, error: any Error) -> Bool {
        (error as? RoutingHistoryError)?.code == code
    }
}
