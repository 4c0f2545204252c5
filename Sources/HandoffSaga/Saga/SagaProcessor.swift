public import EventStore
import Foundation
public import Logging
import Projections

/// The process manager: reads the log in global order from its checkpoint and turns events into support commands.
///
/// - On `handoff.requested` it records `handoff.routed`: the routing table in force at the request's position decides
///   (or the team the bot or user named). The event's id is derived from the request, so a re-run records it once.
/// - On `handoff.routed` it enqueues: ensure the contact, ensure the conversation (in the routed team), post the
///   session's transcript (user messages incoming, bot messages outgoing), assign the team.
/// - While the routed session is open, each user or bot message is posted; a close by the bot, the user or a timeout
///   resolves the support conversation; an agent's message is delivered to the bot platform when a callback is set.
///
/// Commands go into the outbox in the same transaction as the checkpoint, and their ids are derived from their cause,
/// so processing a page again after a crash adds nothing.
public actor SagaProcessor {
    /// The checkpoint's name in the outbox's checkpoint table.
    public static let checkpointName = "saga"

    private let store: SQLiteEventStore
    private let outbox: Outbox
    private let relaysToBot: Bool
    private let codec = EventCodec()
    private let logger: Logger
    private let pageSize: Int
    private let onStep: @Sendable (SagaStep) -> Void
    private var routing = RoutingHistory()
    private var states: [StreamID: SessionState] = [:]
    private static let maxCachedStates = 50_000

    /// Creates the processor.
    /// - Parameters:
    ///   - store: the event store.
    ///   - outbox: the outbox on the same store (prepared).
    ///   - relaysToBot: whether agents' messages are delivered to a bot platform callback.
    ///   - pageSize: events read and committed together.
    ///   - onStep: told when a page's commands and checkpoint are committed (``SagaStep/outboxCommitted``).
    public init(
        store: SQLiteEventStore, outbox: Outbox, relaysToBot: Bool, pageSize: Int = 500,
        logger: Logger = Logger(label: "handoff.saga"), onStep: @escaping @Sendable (SagaStep) -> Void = { _ in }
    ) {
        self.onStep = onStep
        self.store = store
        self.outbox = outbox
        self.relaysToBot = relaysToBot
        self.pageSize = max(1, pageSize)
        self.logger = logger
    }

    /// Processes the log from the checkpoint: until `target` is processed, or, without a target, following new events
    /// until the task is cancelled or the store closes.
    /// - Returns: the checkpoint reached.
    @discardableResult
    public func run(until target: Int64? = nil) async throws -> Int64 {
        var checkpoint = try await outbox.checkpoint(Self.checkpointName)
        routing = try await loadRouting()
        if let target, checkpoint >= target { return checkpoint }
        var pages = store.pages(from: checkpoint + 1, limit: pageSize, pollInterval: .milliseconds(250)).makeAsyncIterator()
        while let page = try await pages.next() {
            var commands: [(command: SupportCommand, causePosition: Int64)] = []
            for record in page {
                commands += try await process(record)
            }
            guard let last = page.last?.position else { continue }
            try await outbox.enqueue(commands, checkpoint: (Self.checkpointName, last))
            onStep(.outboxCommitted)
            checkpoint = last
            if let target, checkpoint >= target { break }
        }
        return checkpoint
    }

    private func loadRouting() async throws -> RoutingHistory {
        var history = RoutingHistory()
        var version: Int64 = 0
        while true {
            let events = try await store.readStream(.routing, from: version, limit: 1000)
            for event in events { try history.apply(event) }
            guard let last = events.last, events.count == 1000 else { break }
            version = last.version + 1
        }
        return history
    }

    private func process(_ recorded: RecordedEvent) async throws -> [(command: SupportCommand, causePosition: Int64)] {
        if recorded.streamID == .routing {
            if recorded.position > routing.position { try routing.apply(recorded) }
            try await routeWaitingHandoffs(table: routing.inForce(atPosition: recorded.position))
            return []
        }
        guard let conversationID = recorded.streamID.conversationID else { return [] }
        let record: ConversationRecord
        do {
            record = try ConversationRecord(recorded, codec: codec)
        } catch {
            logger.warning(
                "saga skips an event it cannot read",
                metadata: ["position": "\(recorded.position)", "type": "\(recorded.type)", "error": "\(error)"])
            return []
        }
        let before = try await state(of: recorded.streamID, before: recorded.position)
        let after = SessionState.evolve(before, record)
        remember(after, for: recorded.streamID)

        if SagaPolicy.startsHandoff(before: before, after: after, record: record), let handoff = after.handoff {
            if try await !isRouted(stream: recorded.streamID, after: recorded.version) {
                let table = routing.inForce(atPosition: record.position)
                if try await !recordRouting(handoff, conversationID: conversationID, stream: recorded.streamID, table: table) {
                    logger.warning(
                        "handoff waits: no routing table is in force and the request names no team (PUT /v1/routing)",
                        metadata: ["conversation": "\(conversationID)", "position": "\(record.position)"])
                    try await outbox.waitForRouting(
                        .init(conversationID: conversationID, requestEventID: record.eventID, position: record.position))
                }
            }
        }
        var facts = SagaPolicy.Facts(conversationID: conversationID, relaysToBot: relaysToBot, userName: nil, transcript: [])
        if SagaPolicy.routes(before: before, after: after, record: record) {
            (facts.userName, facts.transcript) = try await transcript(of: recorded.streamID, session: after.session, before: recorded.position)
        }
        return SagaPolicy.commands(before: before, after: after, record: record, facts: facts).map { ($0, recorded.position) }
    }

    /// Records the routing decision of `handoff` under `table` (or the team it names); false when neither decides.
    /// The event's id is derived from the request and its time is the request's, so a repeat records it once.
    private func recordRouting(
        _ handoff: SessionHandoff, conversationID: String, stream: StreamID, table: RoutingTableVersion?
    ) async throws -> Bool {
        guard let routed = SagaPolicy.route(handoff, table: table) else { return false }
        let request = handoff.requestEventID.uuidString.lowercased()
        let metadata = EventMetadata(correlationId: nil, causationId: request, actor: "handoff-saga", source: "saga")
        let event = try codec.encode(
            .handoffRouted(routed), eventID: DeterministicID.uuid("routed/\(conversationID)/\(request)"),
            occurredAt: handoff.requestedAt, metadata: metadata)
        do {
            _ = try await store.append([event], to: stream, expected: .any)
        } catch {
            guard error.code == .duplicateEventID else { throw error }
            logger.warning("a different routing decision is already recorded for this request", metadata: ["conversation": "\(conversationID)"])
        }
        return true
    }

    /// Routes the handoffs that waited for a table with the one now in force: each still waiting in its session gets
    /// its decision recorded (the saga then carries it out when it reads it); the others are forgotten.
    private func routeWaitingHandoffs(table: RoutingTableVersion?) async throws {
        guard let table else { return }
        for waiting in try await outbox.unroutedHandoffs() {
            let stream = try StreamID.conversation(waiting.conversationID)
            var state = SessionState.initial
            try await forEachRecord(of: stream, before: .max) { state = SessionState.evolve(state, $0) }
            if state.mode == .routing, let handoff = state.handoff, handoff.requestEventID == waiting.requestEventID {
                _ = try await recordRouting(handoff, conversationID: waiting.conversationID, stream: stream, table: table)
                logger.notice(
                    "a waiting handoff is routed with the new routing table",
                    metadata: ["conversation": "\(waiting.conversationID)", "routing.version": "\(table.version)"])
            }
            try await outbox.forgetUnrouted(waiting.conversationID)
        }
    }

    /// Whether the handoff requested at `version` already has its routing decision in the stream (recorded by an
    /// earlier run, or imported with the conversation): the first `handoff.routed` after it, before the session closes.
    private func isRouted(stream: StreamID, after version: Int64) async throws -> Bool {
        var next = version + 1
        while true {
            let events = try await store.readStream(stream, from: next, limit: 100)
            for event in events {
                switch event.type {
                case EventType.handoffRouted.rawValue: return true
                case EventType.sessionClosed.rawValue: return false
                default: continue
                }
            }
            guard let last = events.last, events.count == 100 else { return false }
            next = last.version + 1
        }
    }

    /// The state of a stream before `position`: cached, or folded from the stream.
    private func state(of stream: StreamID, before position: Int64) async throws -> SessionState {
        if let cached = states[stream], cached.position < position { return cached }
        var state = SessionState.initial
        try await forEachRecord(of: stream, before: position) { state = SessionState.evolve(state, $0) }
        return state
    }

    private func remember(_ state: SessionState, for stream: StreamID) {
        if states.count >= Self.maxCachedStates, states[stream] == nil { states.removeAll(keepingCapacity: true) }
        states[stream] = state
    }

    /// The user's name and the messages of `session` before `position`.
    private func transcript(of stream: StreamID, session: Int, before position: Int64) async throws -> (String?, [ConversationRecord]) {
        var state = SessionState.initial
        var name: String?
        var messages: [ConversationRecord] = []
        try await forEachRecord(of: stream, before: position) { record in
            state = SessionState.evolve(state, record)
            if case .conversationStarted(let started) = record.event { name = started.user?.name ?? name }
            if state.session == session, SagaPolicy.messageToPost(record.event) != nil { messages.append(record) }
        }
        return (name, messages)
    }

    private func forEachRecord(of stream: StreamID, before position: Int64, _ body: (ConversationRecord) -> Void) async throws {
        var version: Int64 = 0
        while true {
            let events = try await store.readStream(stream, from: version, limit: 1000)
            for event in events where event.position < position {
                if let record = try? ConversationRecord(event, codec: codec) { body(record) }
            }
            guard let last = events.last, events.count == 1000, last.position < position else { return }
            version = last.version + 1
        }
    }
}
