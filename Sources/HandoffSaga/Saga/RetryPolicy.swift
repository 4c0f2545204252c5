import Foundation

/// How the dispatcher retries: exponential backoff with jitter, `Retry-After` honoured, and a cap on attempts.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts before a command is parked as dead (default 8).
    public var maxAttempts: Int
    /// The delay after the first failure (before jitter).
    public var baseDelay: Duration
    /// The longest delay between two attempts.
    public var maxDelay: Duration
    /// After an attempt whose outcome is unknown (no answer in time, a connection lost after the write), the least
    /// wait before the next attempt looks its marker up: a request Chatwoot is still working on must have committed
    /// by then, or the lookup misses it and the retry creates a second copy. Keep it well above the client timeout
    /// and the longest a Chatwoot request may run (default 30 s).
    public var unknownOutcomeWait: Duration

    /// Creates a policy.
    public init(
        maxAttempts: Int = 8, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(300),
        unknownOutcomeWait: Duration = .seconds(30)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.unknownOutcomeWait = unknownOutcomeWait
    }

    /// The delay before attempt `attempts + 1`, after `attempts` failures: `base * 2^(attempts-1)`, capped, with
    /// "equal jitter" (a uniform draw in its upper half), and never shorter than the server's `Retry-After`.
    public func delay(afterFailures attempts: Int, retryAfter: Duration?, random: Double = Double.random(in: 0...1)) -> Duration {
        let exponent = min(max(attempts - 1, 0), 30)
        let base = baseDelay.seconds * pow(2, Double(exponent))
        let capped = min(base, maxDelay.seconds)
        let jittered = capped / 2 + capped / 2 * min(max(random, 0), 1)
        let floor = retryAfter?.seconds ?? 0
        return .milliseconds(Int64((max(jittered, floor) * 1000).rounded(.up)))
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// A circuit breaker for one support system: after `threshold` outage failures in a row it opens, and while open it
/// lets one probe through per `interval`; a success closes it.
struct CircuitBreaker: Sendable {
    let threshold: Int
    let interval: Duration
    private(set) var consecutiveFailures = 0
    private(set) var openedAt: ContinuousClock.Instant?
    private var lastProbe: ContinuousClock.Instant?

    init(threshold: Int, interval: Duration) {
        self.threshold = max(1, threshold)
        self.interval = interval
    }

    var isOpen: Bool { openedAt != nil }

    /// How many commands may go now: all when closed; one probe per interval when open.
    mutating func admit(now: ContinuousClock.Instant) -> Int {
        guard isOpen else { return Int.max }
        if let lastProbe, now - lastProbe < interval { return 0 }
        lastProbe = now
        return 1
    }

    mutating func recordSuccess() {
        consecutiveFailures = 0
        openedAt = nil
        lastProbe = nil
    }

    mutating func recordOutage(now: ContinuousClock.Instant) {
        consecutiveFailures += 1
        if consecutiveFailures >= threshold, openedAt == nil {
            openedAt = now
            lastProbe = now
        }
    }
}
