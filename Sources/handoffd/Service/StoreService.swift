import EventStore
import Logging
import ServiceLifecycle

/// Keeps the event store open for the life of the service group and closes it last: it is the first service of
/// the group, so it is shut down after every service that uses the store (the HTTP server has finished its
/// in-flight appends, the projection runner has stored its checkpoint).
struct StoreService: Service {
    /// The store to close.
    let store: SQLiteEventStore
    let logger: Logger

    func run() async throws {
        // Returns on graceful shutdown; throws when the group is cancelled. Either way the store is closed.
        try? await gracefulShutdown()
        await store.close()
        logger.info("event store closed")
    }
}
