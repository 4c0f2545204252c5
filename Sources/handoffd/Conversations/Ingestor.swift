import EventStore
import Foundation
import HTTPTypes
import Logging
import Projections

/// What ingesting one request did, event by event.
struct IngestResult: Sendable {
    /// What happened to one event of the request.
    enum Outcome: String, Sendable {
        /// Written now.
        case appended
        /// Already stored by an earlier request with the same id and content: nothing written, its original position.
        case alreadyStored
        /// Acknowledged but not stored, because it changes nothing (a handoff request while one is in progress, a
        /// close of a closed session, a second start).
        case noOp
    }

    /// One per request event: its global position, nil for a no-op.
    var positions: [Int64?]
    /// One per request event.
    var outcomes: [Outcome]
    /// The conversation's version after the request (-1: still no event).
    var version: Int64

    /// Whether this request wrote anything (201) or not (200).
    var wroteAny: Bool { outcomes.contains(.appended) }

    /// `{"positions": [...], "version": n, "outcomes": [...]}`.
    var json: JSONValue {
        .object([
            "positions": .array(positions.map { $0.map(JSONValue.integer) ?? .null }),
            "version": .integer(version),
            "outcomes": .array(outcomes.map { .string($0.rawValue) }),
        ])
    }
}

/// The command side of the ingestion API (DESIGN §3, step 1): load the conversation's state, decide each event with
/// the projections' ``Decide`` rules, append what they accept with the version read, and on a concurrent change
/// read and decide again, a bounded number of times.
struct Ingestor: Sendable {
    /// Reads and folds conversation streams.
    let log: ConversationLog
    /// Counts appends.
    let metrics: HandoffMetrics
    /// Requests for the same conversation queue here rather than race.
    let locks = ConversationLocks()
    /// How many times a request is decided again after another writer changed the conversation.
    static let maxAttempts = 5

    /// Ingests a checked request.
    /// - Throws: ``Problem`` for a refusal (409 with the rule), a wrong expected version (409 with the current
    ///   version), an event id stored with other content (409), or lasting contention (503); the store's errors.
    func ingest(
        _ request: IngestRequest, conversationID: String, stream: StreamID, logger: Logger
    ) async throws -> IngestResult {
        try await locks.withLock(conversationID) {
            try await decideAndAppend(request, conversationID: conversationID, stream: stream, logger: logger)
        }
    }

    private func decideAndAppend(
        _ request: IngestRequest, conversationID: String, stream: StreamID, logger: Logger
    ) async throws -> IngestResult {
        let ids = Set(request.items.map(\.data.eventID))
        for _ in 1...Self.maxAttempts {
            let snapshot = try await log.snapshot(conversationID, stream: stream, watching: ids)
            if let expected = request.expectedVersion {
                // A retry of stored events is checked against where they were stored, as the store does.
                let base = snapshot.stored.values.map(\.version).min().map { $0 - 1 } ?? snapshot.version
                guard base == expected else {
                    throw Problem.wrongExpectedVersion(expected: expected, current: snapshot.version)
                }
            }
            var plan = try Self.plan(request, snapshot: snapshot)
            try await confirmStored(request, snapshot: snapshot, into: &plan, stream: stream)
            let fresh = plan.fresh.map { request.items[$0] }
            guard !fresh.isEmpty else {
                return IngestResult(positions: plan.positions, outcomes: plan.outcomes, version: snapshot.version)
            }
            let start = ContinuousClock.now
            guard
                let appended = try await log.store.appendUnlessMoved(
                    fresh.map(\.data), to: stream, expected: snapshot.expectedVersion)
            else {
                if let expected = request.expectedVersion {
                    let current = try await log.store.streamVersion(stream) ?? -1
                    throw Problem.wrongExpectedVersion(expected: expected, current: current)
                }
                logger.debug(
                    "conversation changed under the request, deciding again",
                    metadata: ["conversation.id": .string(conversationID)])
                continue
            }
            metrics.recordAppend(
                source: "api", written: appended.alreadyStored ? 0 : fresh.count, duration: ContinuousClock.now - start)
            for (slot, index) in plan.fresh.enumerated() {
                plan.positions[index] = appended.positions[slot]
                if appended.alreadyStored { plan.outcomes[index] = .alreadyStored }
            }
            logger.debug(
                "events appended",
                metadata: [
                    "conversation.id": .string(conversationID), "events.count": .stringConvertible(fresh.count),
                    "stream.version": .stringConvertible(appended.version),
                ])
            return IngestResult(positions: plan.positions, outcomes: plan.outcomes, version: appended.version)
        }
        var problem = Problem(
            "contention", "The conversation is changing too fast", status: .serviceUnavailable,
            detail: "other writers changed the conversation \(Self.maxAttempts) times while this request was decided")
        problem.headers[.retryAfter] = "1"
        throw problem
    }

    /// What to do with each event: already stored, a no-op, or to append; decided in order against the state as it
    /// will be after the events before it.
    private struct Plan {
        var positions: [Int64?]
        var outcomes: [IngestResult.Outcome]
        /// Indices of the events to append, in order.
        var fresh: [Int] = []
    }

    private static func plan(_ request: IngestRequest, snapshot: ConversationSnapshot) throws(Problem) -> Plan {
        var plan = Plan(
            positions: Array(repeating: nil, count: request.items.count),
            outcomes: Array(repeating: .noOp, count: request.items.count))
        var state = snapshot.state
        var version = snapshot.version
        for item in request.items {
            if snapshot.stored[item.data.eventID] != nil {
                plan.outcomes[item.index] = .alreadyStored
                continue
            }
            let accepted: [ConversationEvent]
            do {
                accepted = try Decide.decide(item.event, state: state)
            } catch {
                throw refusal(error, path: item.path)
            }
            guard !accepted.isEmpty else { continue }
            version += 1
            // A provisional record: only the state matters for the next decision, not its place in the log.
            state = SessionState.evolve(
                state,
                ConversationRecord(
                    position: state.position + 1, version: version, eventID: item.data.eventID,
                    at: item.data.occurredAt, event: item.event))
            plan.outcomes[item.index] = .appended
            plan.fresh.append(item.index)
        }
        return plan
    }

    /// The original positions of the events already stored, confirmed by appending them again: the store writes
    /// nothing and answers where they are, or refuses an id stored with other content.
    private func confirmStored(
        _ request: IngestRequest, snapshot: ConversationSnapshot, into plan: inout Plan, stream: StreamID
    ) async throws {
        let stored = request.items.filter { snapshot.stored[$0.data.eventID] != nil }
            .sorted { (snapshot.stored[$0.data.eventID]?.version ?? 0) < (snapshot.stored[$1.data.eventID]?.version ?? 0) }
        // The store confirms runs of consecutive versions; a retry is usually one run.
        var runs: [[IngestRequest.Item]] = []
        var lastVersion: Int64 = -2
        for item in stored {
            let version = snapshot.stored[item.data.eventID]?.version ?? -2
            if version == lastVersion + 1, !runs.isEmpty { runs[runs.count - 1].append(item) } else { runs.append([item]) }
            lastVersion = version
        }
        for run in runs {
            do {
                let result = try await log.store.append(run.map(\.data), to: stream, expected: .any)
                for (item, position) in zip(run, result.positions) { plan.positions[item.index] = position }
            } catch {
                guard error.code == .duplicateEventID || error.code == .idempotencyConflict else { throw error }
                let index = run.first { $0.data.eventID == error.eventID }?.index ?? run[0].index
                throw Problem(
                    "event-id-conflict", "The event id is already stored with other content", status: .conflict,
                    detail: "an event with this eventId is stored in this conversation with different content; "
                        + "a retry must resend the event exactly", field: "events[\(index)].eventId")
            }
        }
    }

    /// A decision refusal as a problem: a state-dependent refusal is a conflict (409) naming the rule; a type the
    /// bot platform may not send is unprocessable (422).
    private static func refusal(_ refusal: DecisionRefusal, path: String) -> Problem {
        var problem: Problem
        switch refusal.code {
        case .reservedType:
            problem = Problem(
                "reserved-event-type", "This event type is recorded by handoff itself", status: .unprocessableContent,
                detail: refusal.message, field: "\(path).type")
        case .unknownType:
            problem = Problem(
                "unknown-event-type", "Unknown event type", status: .unprocessableContent, detail: refusal.message,
                field: "\(path).type")
        case .humanOwnsSession:
            problem = Problem(
                "human-owns-session", "A human owns the session", status: .conflict, detail: refusal.message,
                field: path)
        default:
            problem = Problem("refused", "The event was refused", status: .conflict, detail: refusal.message, field: path)
        }
        problem.extra["rule"] = .string(refusal.code.description)
        return problem
    }
}
