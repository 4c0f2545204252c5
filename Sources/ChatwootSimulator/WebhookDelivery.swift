/// One webhook the simulator sent or dropped.
public struct WebhookDelivery: Sendable {
    /// The `event` of the payload (`message_created`, `conversation_updated`, ...).
    public var event: String
    /// The `X-Chatwoot-Delivery` header value (a UUID).
    public var deliveryID: String
    /// The `X-Chatwoot-Timestamp` header value (Unix seconds).
    public var timestamp: Int
    /// The `X-Chatwoot-Signature` header value, when a secret is configured.
    public var signature: String?
    /// The exact body bytes.
    public var body: [UInt8]
    /// True when dropped on purpose (``ChatwootSimulator/dropWebhooks(next:)``): never sent.
    public var dropped: Bool
    /// The receiver's HTTP status, once answered.
    public var statusCode: Int?
    /// Why the delivery failed (connection error, timeout), if it did.
    public var error: String?

    /// True once the delivery was answered, failed or dropped.
    public var isFinished: Bool {
        self.dropped || self.statusCode != nil || self.error != nil
    }
}
