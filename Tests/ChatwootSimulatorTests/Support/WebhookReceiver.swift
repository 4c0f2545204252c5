import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

@testable import ChatwootSimulator

/// A tiny loopback HTTP server that records the raw webhook deliveries it gets.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        /// Header names lower-cased.
        let headers: [String: String]
        /// The exact body bytes received.
        let body: [UInt8]

        var json: JSONValue { (try? JSONParser.parse(self.body)) ?? .null }
        var event: String? { self.json["event"]?.string }
    }

    private let received = Mutex<[Delivery]>([])
    private let running = Mutex<(group: ServiceGroup, task: Task<Void, Never>)?>(nil)
    /// The status the receiver answers with.
    let status: HTTPResponse.Status

    init(status: Int = 200) {
        self.status = HTTPResponse.Status(code: status)
    }

    /// Starts listening on 127.0.0.1 and returns the URL to configure as the webhook URL.
    func start() async throws -> String {
        let router = Router()
        router.post("hooks") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers {
                headers[field.name.canonicalName] = field.value
            }
            let delivery = Delivery(headers: headers, body: Array(body.readableBytesView))
            self.received.withLock { $0.append(delivery) }
            return Response(status: self.status)
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }
        )
        let logger = Logger(label: "webhook-receiver")
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let task = Task {
            try? await group.run()
            continuation.finish()
        }
        self.running.withLock { $0 = (group, task) }
        for await port in ports {
            return "http://127.0.0.1:\(port)/hooks"
        }
        throw HarnessError("the webhook receiver did not start")
    }

    func stop() async {
        guard let running = self.running.withLock({ $0 }) else { return }
        await running.group.triggerGracefulShutdown()
        await running.task.value
    }

    var deliveries: [Delivery] {
        self.received.withLock { $0 }
    }

    /// Waits until `count` deliveries arrived (failing after 10 s, which only a broken simulator hits).
    @discardableResult
    func waitFor(count: Int) async throws -> [Delivery] {
        for _ in 0..<500 {
            let current = self.deliveries
            if current.count >= count { return current }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("expected \(count) webhook deliveries, got \(self.deliveries.count)")
    }
}

/// Starts a receiver and a simulator that sends webhooks to it with `secret`, runs `body`, stops both.
func withWebhooks<T>(
    secret: String? = "test-secret",
    _ body: (ChatwootSimulator, SimulatorClient, WebhookReceiver) async throws -> T
) async throws -> T {
    let receiver = WebhookReceiver()
    let url = try await receiver.start()
    do {
        let result = try await withSimulator(configure: {
            $0.webhookURL = url
            $0.webhookSecret = secret
        }) { simulator, client in
            try await body(simulator, client, receiver)
        }
        await receiver.stop()
        return result
    } catch {
        await receiver.stop()
        throw error
    }
}
