public import EventStore
import Foundation
public import Logging
import Projections

/// How one attempt ended, for metrics.
public enum DispatchOutcome: String, Sendable, Hashable, CaseIterable {
    /// The command took effect; its outcome is in the log.
    case done
    /// It failed and will be tried again.
    case retry
    /// It was parked as dead; `support.command_failed` is in the log.
    case dead
}

/// Delivers outbox commands: per conversation strictly in order, conversations in parallel up to a bound, with
/// backoff and a circuit breaker, and appends each outcome to the log as the catalogue's `support.*` event.
///
/// A command whose earlier attempt may have taken effect (an unknown outcome, a 5xx, a crash mid-attempt) is carried
/// out with `uncertain` set, so the support system looks for what that attempt created before creating again.
public actor Dispatcher {
    /// Settings.
    public struct Configuration: Sendable {
        /// How failures are retried.
        public var retry: RetryPolicy
        /// Conversations served at once.
        public var concurrency: Int
        /// Outage failures in a row that open the circuit.
        public var breakerThreshold: Int
        /// While the circuit is open, one probe per this interval.
        public var breakerInterval: Duration
        /// How often the outbox is looked at when there was nothing to do.
        public var idleInterval: Duration

        /// Creates settings.
        public init(
            retry: RetryPolicy = RetryPolicy(), concurrency: Int = 8, breakerThreshold: Int = 5,
            breakerInterval: Duration = .seconds(30), idleInterval: Duration = .milliseconds(50)
        ) {
            self.retry = retry
            self.concurrency = max(1, concurrency)
            self.breakerThreshold = breakerThreshold
            self.breakerInterval = breakerInterval
            self.idleInterval = idleInterval
        }
    }

    private let store: SQLiteEventStore
    private let outbox: Outbox
    private let support: (any SupportSystem)?
    private let bot: BotCallback?
    private let configuration: Configuration
    private let logger: Logger
    private let onOutcome: @Sendable (SupportAction.Kind, DispatchOutcome) -> Void
    private let onStep: @Sendable (SagaStep) -> Void
    private let codec = EventCodec()
    private var breaker: CircuitBreaker

    /// Creates a dispatcher. Without a support system, only bot deliveries go out and support commands wait.
    /// `onOutcome` is told how each attempt ended; `onStep` when commands are claimed (``SagaStep/claimed``) and when
    /// their answers are in but not yet recorded (``SagaStep/answered``).
    public init(
        store: SQLiteEventStore, outbox: Outbox, support: (any SupportSystem)?, bot: BotCallback?,
        configuration: Configuration = Configuration(), logger: Logger = Logger(label: "handoff.dispatcher"),
        onOutcome: @escaping @Sendable (SupportAction.Kind, DispatchOutcome) -> Void = { _, _ in },
        onStep: @escaping @Sendable (SagaStep) -> Void = { _ in }
    ) {
        self.onStep = onStep
        self.store = store
        self.outbox = outbox
        self.support = support
        self.bot = bot
        self.configuration = configuration
        self.logger = logger
        self.onOutcome = onOutcome
        self.breaker = CircuitBreaker(threshold: configuration.breakerThreshold, interval: configuration.breakerInterval)
    }

    /// Whether the circuit to the support system is open.
    public var circuitOpen: Bool { breaker.isOpen }

    /// Delivers commands until the task is cancelled.
    public func run() async throws {
        while !Task.isCancelled {
            let handled = try await runOnce()
            if handled == 0 { try? await Task.sleep(for: configuration.idleInterval) }
        }
    }

    /// Runs `processor` and this dispatcher in turns until the log is processed and no command waits (due now, due
    /// later or in flight), or `limit` passes: for tools and tests that want the work done rather than a service.
    /// - Returns: whether everything was done within the limit.
    @discardableResult
    public func runUntilIdle(processor: SagaProcessor, within limit: Duration? = nil) async throws -> Bool {
        let deadline = limit.map { ContinuousClock.now + $0 }
        while deadline.map({ ContinuousClock.now < $0 }) ?? true {
            let head = try await store.headPosition()
            try await processor.run(until: head)
            let attempted = try await runOnce()
            let depth = try await outbox.depth()
            if attempted == 0, depth[.pending, default: 0] == 0, depth[.inFlight, default: 0] == 0,
                try await store.headPosition() == head
            {
                return true
            }
            if attempted == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        return false
    }

    /// Takes the commands due now (one per conversation, up to the concurrency bound and what the circuit admits),
    /// carries them out in parallel and records their outcomes.
    /// - Returns: how many commands were attempted.
    @discardableResult
    public func runOnce() async throws -> Int {
        let admitted = breaker.admit(now: .now)
        let limit = min(configuration.concurrency, admitted)
        let rows = try await outbox.claim(limit: limit, kinds: deliverableKinds)
        guard !rows.isEmpty else { return 0 }
        onStep(.claimed)
        let results = await withTaskGroup(of: (OutboxRow, Result<SupportResult, SupportFailure>).self) { group in
            for row in rows {
                group.addTask { (row, await self.attempt(row)) }
            }
            var results: [(OutboxRow, Result<SupportResult, SupportFailure>)] = []
            for await result in group { results.append(result) }
            return results
        }
        onStep(.answered)
        // The outcomes are appended concurrently (the store commits them as one group), then the round's rows are
        // settled in one transaction: a crash in between leaves them in flight, to be looked up on restart.
        let settlements = try await withThrowingTaskGroup(of: Outbox.Settlement.self) { group in
            for (row, result) in results {
                group.addTask { try await self.record(result, of: row) }
            }
            var settlements: [Outbox.Settlement] = []
            for try await settlement in group { settlements.append(settlement) }
            return settlements
        }
        try await outbox.settle(settlements)
        return rows.count
    }

    private var deliverableKinds: Set<SupportAction.Kind>? {
        var kinds = Set(SupportAction.Kind.allCases)
        if support == nil { kinds = kinds.filter { $0 == .deliverToBot } }
        if bot == nil { kinds.remove(.deliverToBot) }
        return kinds.count == SupportAction.Kind.allCases.count ? nil : kinds
    }

    private func attempt(_ row: OutboxRow) async -> Result<SupportResult, SupportFailure> {
        let command = row.command
        do {
            if case .deliverToBot(let reply) = command.action {
                guard let bot else { throw SupportFailure(.retry(retryAfter: nil, mayHaveTakenEffect: false), "no bot callback is configured") }
                try await bot.deliver(reply, command: command)
                return .success(.deliveredToBot)
            }
            guard let support else { throw SupportFailure(.retry(retryAfter: nil, mayHaveTakenEffect: false), "no support system is configured") }
            let ledger = try await ledger(of: command.conversationID)
            return .success(try await support.perform(command, context: ledger.context(session: command.session), uncertain: row.uncertain))
        } catch let failure as SupportFailure {
            return .failure(failure)
        } catch {
            return .failure(SupportFailure(.retry(retryAfter: nil, mayHaveTakenEffect: false), "reading the log failed: \(error)"))
        }
    }

    private func ledger(of conversationID: String) async throws -> SupportLedger {
        let stream = try StreamID.conversation(conversationID)
        var ledger = SupportLedger()
        var version: Int64 = 0
        while true {
            let events = try await store.readStream(stream, from: version, limit: 1000)
            for event in events {
                if let record = try? ConversationRecord(event, codec: codec) { ledger.apply(record) }
            }
            guard let last = events.last, events.count == 1000 else { return ledger }
            version = last.version + 1
        }
    }

    /// Appends a command's outcome (or its failure) and says what becomes of its row.
    private func record(_ result: Result<SupportResult, SupportFailure>, of row: OutboxRow) async throws -> Outbox.Settlement {
        let command = row.command
        let kind = command.action.kind
        switch result {
        case .success(let outcome):
            if kind != .deliverToBot { breaker.recordSuccess() }
            if let event = Self.outcomeEvent(outcome, command: command) {
                try await append(event, id: DeterministicID.uuid("outcome/\(command.id.uuidString.lowercased())"), command: command)
            }
            onOutcome(kind, .done)
            return .done(row)
        case .failure(let failure):
            if failure.isOutage, kind != .deliverToBot { breaker.recordOutage(now: .now) }
            let attempts = row.attempts + 1
            let giveUp: Bool
            switch failure.disposition {
            case .permanent: giveUp = true
            case .retry: giveUp = attempts >= configuration.retry.maxAttempts
            }
            if giveUp {
                logger.error(
                    "support command parked as dead",
                    metadata: ["conversation": "\(command.conversationID)", "command": "\(kind.rawValue)", "attempts": "\(attempts)", "error": "\(failure.message)"])
                let failed = ConversationEvent.commandFailed(
                    CommandFailed(command: kind.rawValue, attempts: attempts, lastError: failure.message, causationEventId: command.causationEventID))
                try await append(failed, id: DeterministicID.uuid("failed/\(command.id.uuidString.lowercased())"), command: command)
                onOutcome(kind, .dead)
                return .dead(row, attempts: attempts, error: failure.message)
            } else {
                var retryAfter: Duration?
                var uncertain = row.uncertain
                var unknownOutcome = false
                if case .retry(let after, let mayHaveTakenEffect) = failure.disposition {
                    retryAfter = after
                    uncertain = uncertain || mayHaveTakenEffect
                    unknownOutcome = mayHaveTakenEffect
                }
                var delay = configuration.retry.delay(afterFailures: attempts, retryAfter: retryAfter)
                if unknownOutcome { delay = max(delay, configuration.retry.unknownOutcomeWait) }
                logger.notice(
                    "support command will be retried",
                    metadata: ["conversation": "\(command.conversationID)", "command": "\(kind.rawValue)", "attempts": "\(attempts)", "in": "\(delay)", "error": "\(failure.message)"])
                onOutcome(kind, .retry)
                return .retry(row, at: Date().addingTimeInterval(delay.seconds), uncertain: uncertain, error: failure.message)
            }
        }
    }

    /// The `support.*` event recording an outcome; a delivery to the bot has none.
    static func outcomeEvent(_ outcome: SupportResult, command: SupportCommand) -> ConversationEvent? {
        let cause = command.causationEventID
        switch outcome {
        case .contactReady(let id, let sourceID):
            return .contactReady(ContactReady(contactId: id, contactSourceId: sourceID, causationEventId: cause))
        case .conversationOpened(let id):
            return .conversationOpened(ConversationOpened(conversationId: id, causationEventId: cause))
        case .messagePosted(let id):
            var sourceMessageID: String?
            if case .postMessage(let message) = command.action { sourceMessageID = message.messageID }
            return .messagePosted(MessagePosted(messageId: id, sourceMessageId: sourceMessageID, causationEventId: cause))
        case .teamAssigned(let team):
            return .teamAssigned(TeamAssigned(team: team, causationEventId: cause))
        case .conversationResolved(let id, let status):
            return .conversationResolved(ConversationResolved(conversationId: id, status: status, causationEventId: cause))
        case .deliveredToBot:
            return nil
        }
    }

    /// Appends an outcome once: a second append after a crash finds the same id and writes nothing (or, if the second
    /// attempt saw other ids, keeps the first record).
    private func append(_ event: ConversationEvent, id: UUID, command: SupportCommand) async throws {
        let metadata = EventMetadata(
            causationId: command.causationEventID.uuidString.lowercased(), actor: "handoff-saga", source: "dispatcher",
            extra: ["commandId": .string(command.id.uuidString.lowercased())])
        let data = try codec.encode(event, eventID: id, occurredAt: Date(), metadata: metadata)
        do {
            _ = try await store.append([data], to: try StreamID.conversation(command.conversationID), expected: .any)
        } catch {
            guard error.code == .duplicateEventID else { throw error }
            logger.debug("outcome already recorded", metadata: ["command": "\(command.id)"])
        }
    }
}
