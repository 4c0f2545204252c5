/// A webhook ready to send: where, the signed headers and the exact body.
struct PendingDelivery: Sendable {
    let deliveryID: String
    let event: String
    let url: String
    let headers: [(String, String)]
    let body: [UInt8]
}
