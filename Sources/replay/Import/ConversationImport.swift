import EventStore
import Foundation
import Projections

/// How one conversation's lines of an import file meet its stored stream: what to append, and what each other line
/// came to.
///
/// Lines are taken in file order. An event already stored (by id, with the same content) is passed over. An event of
/// the bot platform is decided as ingestion decides it (``Decide``), against the state at its place: after the
/// stored events before it; a new event at the end of the file, after the whole stream. A refused event or a no-op is
/// not stored, and is decided the same way the next time, so importing a file twice writes nothing the second time.
/// Other events (routing decisions, support outcomes, agent actions, unknown types) are stored as they are. The new
/// events are appended in one append, at the version the stream was read at: all or nothing.
struct ConversationImport {
    /// What became of a line that is not appended.
    enum Outcome {
        /// Stored before.
        case alreadyStored(position: Int64)
        /// The same event as an earlier line of the file.
        case repeated(line: String)
        /// Refused by the ingestion rules.
        case refused(DecisionRefusal)
        /// Accepted by the ingestion rules as changing nothing (a second handoff request, a second close).
        case noOp
    }

    /// The conversation.
    let conversationID: String
    /// The events to append, in order.
    private(set) var newEvents: [EventData] = []
    /// The lines not appended, in file order.
    private(set) var passedOver: [(line: ImportLine, outcome: Outcome)] = []
    /// The stream version the plan was made at: the append expects it.
    private(set) var expected: ExpectedVersion = .noStream

    /// Plans the import of `lines` (one conversation's, in file order) against its stored stream.
    /// - Throws: ``ReplayFailure`` naming the line: an id stored (or earlier in the file) with other content, stored
    ///   events in another order than the file's, or a new event the ingestion rules accept before events already
    ///   stored (the log cannot take it there); the store's errors.
    static func plan(
        _ conversationID: String, lines: [ImportLine], store: SQLiteEventStore
    ) async throws -> ConversationImport {
        var plan = ConversationImport(conversationID: conversationID)
        let stored = try await storedEvents(of: try StreamID.conversation(conversationID), in: store)
        if let last = stored.last { plan.expected = .exact(last.version) }
        let storedByID = Dictionary(stored.map { ($0.eventID, $0) }, uniquingKeysWith: { first, _ in first })
        let lastStoredLine = lines.lastIndex { storedByID[$0.data.eventID] != nil }
        let codec = EventCodec()
        var state = SessionState.initial
        var folded: Int64 = -1  // the version of the last stored event folded into `state`
        func fold(through version: Int64) {
            while folded < version, Int(folded + 1) < stored.count {
                folded += 1
                if let record = try? ConversationRecord(folding: stored[Int(folded)], codec: codec) {
                    state = SessionState.evolve(state, record)
                }
            }
        }
        var seen: [UUID: ImportLine] = [:]
        for (index, line) in lines.enumerated() {
            let id = line.data.eventID
            if let first = seen[id] {
                guard Self.sameContent(first.data, line.data) else {
                    throw ReplayFailure("\(line.place): eventId: repeats \(first.place) with other content")
                }
                plan.passedOver.append((line, .repeated(line: first.place)))
                continue
            }
            seen[id] = line
            if let record = storedByID[id] {
                guard Self.sameContent(record, line.data) else {
                    throw ReplayFailure(
                        "\(line.place): eventId: already stored at position \(record.position) with other content")
                }
                guard record.version > folded else {
                    throw ReplayFailure(
                        "\(line.place): eventId: stored at version \(record.version), before events that come "
                            + "earlier in the file; the file's order is not the log's")
                }
                fold(through: record.version)
                plan.passedOver.append((line, .alreadyStored(position: record.position)))
                continue
            }
            let atEnd = lastStoredLine.map { index > $0 } ?? true
            if atEnd {
                fold(through: Int64(stored.count) - 1)
            } else if let next = lines[(index + 1)...].lazy.compactMap({ storedByID[$0.data.eventID] }).first {
                // A line before stored ones came in the state the stored events before the next of them left.
                fold(through: next.version - 1)
            }
            if let type = line.event.eventType, Decide.botPlatformTypes.contains(type) {
                do {
                    if try Decide.decide(line.event, state: state).isEmpty {
                        plan.passedOver.append((line, .noOp))
                        continue
                    }
                } catch {
                    plan.passedOver.append((line, .refused(error)))
                    continue
                }
            }
            guard atEnd else {
                throw ReplayFailure(
                    "\(line.place): eventId: is not stored, but events after it in the file are; the log is "
                        + "append-only, so it cannot go before them")
            }
            let version = Int64(stored.count + plan.newEvents.count)
            state = SessionState.evolve(
                state,
                ConversationRecord(
                    position: 0, version: version, eventID: id, at: line.data.occurredAt, event: line.event))
            plan.newEvents.append(line.data)
        }
        return plan
    }

    /// The same content as the store compares it for an idempotent append: type, data, metadata and time to the
    /// millisecond.
    private static func sameContent(_ stored: RecordedEvent, _ event: EventData) -> Bool {
        stored.type == event.type && stored.data == event.data && stored.metadata == event.metadata
            && stored.occurredAt.millisecondsSince1970 == event.occurredAt.millisecondsSince1970
    }

    private static func sameContent(_ a: EventData, _ b: EventData) -> Bool {
        a.type == b.type && a.data == b.data && a.metadata == b.metadata
            && a.occurredAt.millisecondsSince1970 == b.occurredAt.millisecondsSince1970
    }

    /// Every stored event of the stream, oldest first.
    private static func storedEvents(of stream: StreamID, in store: SQLiteEventStore) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        while true {
            let page = try await store.readStream(stream, from: Int64(events.count), limit: SQLiteEventStore.maxPageSize)
            events += page
            if page.count < SQLiteEventStore.maxPageSize { return events }
        }
    }
}
