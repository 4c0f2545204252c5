import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the connection, which the
/// connection-closing faults need.
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
