/// What happens to a request a rule selects.
public enum Fault: Sendable, Equatable {
    /// Answer this status with a Rails-like JSON body and handle nothing.
    case status(Int)
    /// Answer 429 with the text `Retry later`, with a `Retry-After` header only when given.
    case rateLimit(retryAfter: Int?)
    /// Wait, then handle the request normally.
    case delay(seconds: Double)
    /// Close the connection without handling or answering: nothing is committed.
    case resetBeforeWrite
    /// Handle the request (the write commits, webhooks go out), then close the connection without any reply.
    case commitThenReset
    /// Handle the request, then wait before answering.
    case commitThenDelay(seconds: Double)
    /// From the plan's installation, answer 503 to every selected request for this long, handling nothing.
    case outage(seconds: Double)

    /// The kind names of the JSON form.
    public static let kinds = [
        "status", "rateLimit", "delay", "resetBeforeWrite", "commitThenReset", "commitThenDelay", "outage",
    ]

    /// This fault's kind name in the JSON form.
    public var kind: String {
        switch self {
        case .status: "status"
        case .rateLimit: "rateLimit"
        case .delay: "delay"
        case .resetBeforeWrite: "resetBeforeWrite"
        case .commitThenReset: "commitThenReset"
        case .commitThenDelay: "commitThenDelay"
        case .outage: "outage"
        }
    }
}
