import EventStore
import HandoffSaga
import Logging
import Projections
import ServiceLifecycle

/// Runs the ``SagaProcessor``: it follows the log from its checkpoint and writes the commands each event calls for
/// into the outbox, in the same transaction as the checkpoint, until graceful shutdown.
struct SagaService: Service {
    let processor: SagaProcessor
    let logger: Logger

    func run() async throws {
        var delay = Duration.seconds(1)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let checkpoint = try await cancelWhenGracefulShutdown { try await processor.run() }
                logger.info("saga stopped", metadata: ["saga.checkpoint": .stringConvertible(checkpoint)])
                if !Task.isShuttingDownGracefully && !Task.isCancelled {
                    // The log ended under the saga (the store closed): it resumes from its checkpoint at the next
                    // start; until then the service stays up and answers.
                    logger.error("saga stopped before shutdown; handoffs are planned again at the next start")
                    try? await gracefulShutdown()
                }
                return
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled || error is CancellationError { return }
                if let error = error as? EventStoreError, error.code == .closed {
                    // The store closed under the saga: it resumes from its checkpoint at the next start.
                    logger.error("saga stopped: the store is closed; handoffs are planned again at the next start")
                    try? await gracefulShutdown()
                    return
                }
                // Nothing is lost: the saga resumes from its checkpoint, after a pause.
                logger.error(
                    "saga failed, resuming from its checkpoint",
                    metadata: ["error": "\(error)", "saga.retryIn": "\(delay)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(30))
            }
        }
    }
}

/// Runs the ``Dispatcher`` (the outbox's commands to Chatwoot and the bot platform) and keeps the outbox-depth
/// gauge of `GET /metrics` current, until graceful shutdown. A command in flight when shutdown starts is finished
/// or, if cut short, found again as uncertain at the next start (its marker is looked up before any retry).
struct DispatchService: Service {
    let dispatcher: Dispatcher
    let outbox: Outbox
    let metrics: HandoffMetrics
    let gaugeInterval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await runDispatcher() }
                group.addTask {
                    while !Task.isCancelled {
                        await reportDepth()
                        try? await Task.sleep(for: gaugeInterval)
                    }
                }
                await group.waitForAll()
            }
        }
        logger.info("dispatcher stopped")
    }

    /// Runs the dispatcher until cancelled; after a failure (the database busy or full, say) it resumes after a
    /// pause, with the commands it had in flight returned to the queue as uncertain (looked up before any retry).
    private func runDispatcher() async {
        var delay = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                try await dispatcher.run()
                return
            } catch {
                if error is CancellationError || Task.isCancelled { return }
                if let error = error as? EventStoreError, error.code == .closed {
                    // Commands stay in the outbox; the next start delivers them.
                    logger.error("dispatcher stopped: the store is closed; commands are delivered at the next start")
                    return
                }
                logger.error(
                    "dispatcher failed, resuming", metadata: ["error": "\(error)", "dispatcher.retryIn": "\(delay)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(30))
                // Nothing else claims in this process: the rows the failed round left in flight go back to the queue.
                try? await outbox.requeueInFlight()
            }
        }
    }

    private func reportDepth() async {
        guard let depth = try? await outbox.depth() else { return }
        for state in OutboxState.allCases {
            metrics.setOutboxDepth(depth[state] ?? 0, state: state.rawValue)
        }
    }
}

/// Runs the ``Reconciler``: every interval it compares open handoffs with what Chatwoot holds and appends what
/// webhooks missed.
struct ReconcilerService: Service {
    let reconciler: Reconciler

    func run() async throws {
        await cancelWhenGracefulShutdown { await reconciler.run() }
    }
}

extension HandoffService {
    /// The saga's services for this configuration: the processor always (handoffs are planned and wait in the
    /// outbox while Chatwoot is not configured), the dispatcher always (bot deliveries go out even without
    /// Chatwoot), the reconciler only with Chatwoot.
    static func sagaServices(
        store: SQLiteEventStore, outbox: Outbox, configuration: HandoffConfiguration, metrics: HandoffMetrics,
        logger: Logger
    ) -> [any Service] {
        let bot = configuration.botCallbackURL.map { BotCallback(url: "\($0)") }
        let processor = SagaProcessor(
            store: store, outbox: outbox, relaysToBot: bot != nil, logger: logger)
        let support = configuration.chatwoot.map { ChatwootSupportSystem(client: ChatwootClient(configuration: $0)) }
        let dispatcher = Dispatcher(
            store: store, outbox: outbox, support: support, bot: bot, logger: logger,
            onOutcome: { _, outcome in metrics.recordDispatch(outcome: outcome.rawValue) })
        var services: [any Service] = [
            SagaService(processor: processor, logger: logger),
            DispatchService(
                dispatcher: dispatcher, outbox: outbox, metrics: metrics, gaugeInterval: .seconds(5), logger: logger),
        ]
        if let client = support?.client {
            services.append(
                ReconcilerService(reconciler: Reconciler(store: store, client: client, logger: logger)))
        }
        return services
    }
}
