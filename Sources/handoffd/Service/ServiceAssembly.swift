import EventStore
import HandoffSaga
import Hummingbird
import Logging
import NIOCore
import Projections
import ServiceLifecycle
import UnixSignals

/// handoffd put together: the store, the services that run on it, and the HTTP server, in one `ServiceGroup`.
///
/// The group starts the services in order and, on SIGINT/SIGTERM (or ``shutdown()``), shuts them down in reverse:
/// first the HTTP server (it stops accepting and finishes the requests in flight, so no acknowledged append is cut
/// short; event streams end), then the background services (the projection runner stores its checkpoint), and last
/// the store, which commits what is queued and closes the database.
///
/// ```swift
/// let service = try await HandoffService.assemble(configuration: configuration, logger: logger)
/// try await service.run()
/// ```
struct HandoffService: Sendable {
    /// What the service was configured with.
    let configuration: HandoffConfiguration
    /// The event store (read models and checkpoints live in the same file).
    let store: SQLiteEventStore
    /// The metrics `GET /metrics` exposes; the saga reports outbox depth and dispatch outcomes here.
    let metrics: HandoffMetrics
    /// Resolves once the HTTP server listens.
    let readiness: ServerReadiness
    /// The group that runs everything.
    let group: ServiceGroup

    /// Opens the store, prepares the read models and assembles the service group (nothing runs until ``run()``).
    /// - Parameters:
    ///   - configuration: the parsed configuration.
    ///   - logger: the logger every part logs to.
    ///   - gracefulShutdownSignals: the signals that start a graceful shutdown (none in tests).
    /// - Throws: the store's error when the database cannot be opened or prepared.
    static func assemble(
        configuration: HandoffConfiguration, logger: Logger,
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint]
    ) async throws -> HandoffService {
        let store = try SQLiteEventStore(
            path: configuration.databasePath, configuration: .init(durability: configuration.durability))
        let runner = ProjectionRunner(store: store)
        let outbox = Outbox(store: store)
        do {
            try await runner.prepare()
            try await outbox.prepare()
        } catch {
            await store.close()
            throw error
        }
        let metrics = HandoffMetrics()
        let readiness = ServerReadiness()
        let api = HandoffAPI(store: store, configuration: configuration, metrics: metrics)
        let server = Application(
            router: api.router(),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.listen.host, port: configuration.listen.port),
                serverName: "handoffd"),
            onServerRunning: { channel in readiness.listening(port: channel.localAddress?.port ?? 0) },
            logger: logger)
        var services: [any Service] = [StoreService(store: store, logger: logger)]
        services += backgroundServices(
            store: store, runner: runner, outbox: outbox, configuration: configuration, metrics: metrics,
            logger: logger)
        services.append(server)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
        return HandoffService(
            configuration: configuration, store: store, metrics: metrics, readiness: readiness, group: group)
    }

    /// The services that run beside the HTTP server, in start order; they are shut down after the server and
    /// before the store.
    ///
    /// The projection runner first, then the saga (see ``sagaServices(store:outbox:configuration:metrics:logger:)``).
    static func backgroundServices(
        store: SQLiteEventStore, runner: ProjectionRunner, outbox: Outbox, configuration: HandoffConfiguration,
        metrics: HandoffMetrics, logger: Logger
    ) -> [any Service] {
        [ProjectionService(runner: runner, logger: logger)]
            + sagaServices(
                store: store, outbox: outbox, configuration: configuration, metrics: metrics, logger: logger)
    }

    /// Runs every service until a signal or ``shutdown()`` stops them gracefully.
    /// - Throws: the first error a service failed with (the others are then cancelled).
    func run() async throws {
        do {
            try await group.run()
        } catch {
            readiness.failed(error)
            throw error
        }
        readiness.failed(CancellationError())
    }

    /// Starts the graceful shutdown ``run()`` returns from.
    func shutdown() async {
        await group.triggerGracefulShutdown()
    }
}
