import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Sends webhooks one after another, each at most once, with Chatwoot's 5 s timeout and no retry.
struct WebhookDispatcher: Service {
    /// Receives the outcome of each delivery: its id, then the status code or the error text.
    typealias Report = @Sendable (_ deliveryID: String, _ status: Int?, _ error: String?) -> Void

    let deliveries: AsyncStream<PendingDelivery>
    let client: HTTPClient
    let logger: Logger
    let report: Report

    static let timeout = TimeAmount.seconds(5)

    func run() async throws {
        for await delivery in self.deliveries.cancelOnGracefulShutdown() {
            await self.send(delivery)
        }
    }

    private func send(_ delivery: PendingDelivery) async {
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        for (name, value) in delivery.headers {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: delivery.body))
        do {
            let response = try await self.client.execute(request, timeout: Self.timeout, logger: self.logger)
            _ = try await response.body.collect(upTo: 1 << 20)
            self.logger.debug(
                "Webhook delivered",
                metadata: [
                    "webhook.event": .string(delivery.event),
                    "webhook.delivery": .string(delivery.deliveryID),
                    "webhook.status": .stringConvertible(response.status.code),
                ]
            )
            self.report(delivery.deliveryID, Int(response.status.code), nil)
        } catch {
            self.logger.info(
                "Webhook delivery failed",
                metadata: [
                    "webhook.event": .string(delivery.event),
                    "webhook.delivery": .string(delivery.deliveryID),
                    "error": .string(String(describing: error)),
                ]
            )
            self.report(delivery.deliveryID, nil, String(describing: error))
        }
    }
}
