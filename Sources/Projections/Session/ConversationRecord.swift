public import EventStore
public import Foundation

/// A stored conversation event, decoded: what the folds of this module consume.
public struct ConversationRecord: Sendable, Hashable {
    /// The global position in the log.
    public var position: Int64
    /// The version in the conversation's stream.
    public var version: Int64
    /// The sender's event id.
    public var eventID: UUID
    /// When it happened at its source.
    public var at: Date
    /// The decoded event.
    public var event: ConversationEvent

    /// Creates a record.
    public init(position: Int64, version: Int64, eventID: UUID, at: Date, event: ConversationEvent) {
        self.position = position
        self.version = version
        self.eventID = eventID
        self.at = at
        self.event = event
    }

    /// Decodes a stored event with `codec` (upcasting older schema versions).
    /// - Throws: ``EventCodingError`` when the stored payload does not match its type.
    public init(_ record: RecordedEvent, codec: EventCodec = EventCodec()) throws {
        self.init(
            position: record.position, version: record.version, eventID: record.eventID, at: record.occurredAt,
            event: try codec.decode(record))
    }
}

extension ConversationRecord {
    /// Decodes a stored event the way the ``ProjectionRunner`` applies it to the read models: types whose payload
    /// no read model reads (user, bot and agent messages, support outcomes without ids) by their type and schema
    /// version alone, the others in full. Folds that must agree with the read models (for example over the events
    /// after the runner's checkpoint) decode with this.
    /// - Parameters:
    ///   - record: the stored event.
    ///   - codec: the codec (its upcasters and schema versions).
    /// - Throws: ``EventCodingError`` for an event the runner passes over (and lists as skipped).
    public init(folding record: RecordedEvent, codec: EventCodec = EventCodec()) throws {
        self = try ProjectionRunner.foldRecord(record, codec: codec)
    }
}
