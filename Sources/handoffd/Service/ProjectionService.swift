import EventStore
import Logging
import Projections
import ServiceLifecycle

/// Runs the ``ProjectionRunner`` as a service: it follows the log, keeping the read models and their checkpoint,
/// until graceful shutdown, then flushes and stores its checkpoint.
struct ProjectionService: Service {
    /// The runner, prepared before the group starts.
    let runner: ProjectionRunner
    let logger: Logger

    func run() async throws {
        let progress = try await cancelWhenGracefulShutdown { try await runner.run() }
        logger.info(
            "projections stopped",
            metadata: [
                "projections.checkpoint": .stringConvertible(progress.to),
                "projections.applied": .stringConvertible(progress.applied),
            ])
        if !Task.isShuttingDownGracefully && !Task.isCancelled {
            // The store closed under the runner: the read models stay at their checkpoint until the next start.
            logger.warning("projections stopped before shutdown; the read models stop following the log")
            try? await gracefulShutdown()
        }
    }
}
