/// The metrics handoffd exposes at `GET /metrics`, and the calls that move them.
///
/// The saga's wiring reports through ``setOutboxDepth(_:state:)`` and ``recordDispatch(outcome:)``; the HTTP layer
/// and ingestion move the rest. Label values are bounded words (sources, states, outcomes, route templates).
struct HandoffMetrics: Sendable {
    /// The registry every metric lives in; ``MetricsRegistry/render()`` gives the `/metrics` body.
    let registry: MetricsRegistry

    /// `handoff_events_appended_total{source}`: events written to the log (not idempotent retries, not no-ops).
    let eventsAppended: Counter
    /// `handoff_append_duration_seconds{source}`: how long one append to the store took.
    let appendDuration: Histogram
    /// `handoff_outbox_depth{state}`: outbox rows by state (`pending`, `in_flight`, `done`, `dead`), set by the saga.
    let outboxDepth: Gauge
    /// `handoff_dispatch_outcomes_total{outcome}`: what each dispatch of an outbox command ended in, counted by the
    /// saga.
    let dispatchOutcomes: Counter
    /// `handoff_webhook_verifications_failed_total{reason}`: webhook deliveries refused before anything was read.
    let webhookVerificationsFailed: Counter
    /// `handoff_http_requests_total{method,route,status}`: answered requests by route template.
    let httpRequests: Counter

    /// The bucket bounds of the append latency histogram, in seconds.
    static let appendBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    /// Creates the metrics in a new registry.
    init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        eventsAppended = registry.counter(
            "handoff_events_appended_total", help: "Events appended to the log, by source (api, webhook, routing).")
        appendDuration = registry.histogram(
            "handoff_append_duration_seconds", help: "Time taken by one append to the event store, by source.",
            buckets: Self.appendBuckets)
        outboxDepth = registry.gauge("handoff_outbox_depth", help: "Outbox commands by state.")
        dispatchOutcomes = registry.counter(
            "handoff_dispatch_outcomes_total", help: "Dispatches of outbox commands to the support system, by outcome.")
        webhookVerificationsFailed = registry.counter(
            "handoff_webhook_verifications_failed_total",
            help: "Chatwoot webhook deliveries refused by signature verification, by reason.")
        httpRequests = registry.counter(
            "handoff_http_requests_total", help: "HTTP requests answered, by method, route template and status.")
    }

    /// Sets the number of outbox rows in `state` (for the saga).
    /// - Parameters:
    ///   - count: the rows in that state now.
    ///   - state: `pending`, `in_flight`, `done` or `dead`.
    func setOutboxDepth(_ count: Int, state: String) {
        outboxDepth.set(Double(count), labels: ["state": state])
    }

    /// Counts one dispatch outcome (for the saga), for example `delivered`, `retried`, `dead`.
    func recordDispatch(outcome: String) {
        dispatchOutcomes.increment(labels: ["outcome": outcome])
    }

    /// Records one append: its duration, and the events it wrote.
    func recordAppend(source: String, written: Int, duration: Duration) {
        appendDuration.observe(duration, labels: ["source": source])
        if written > 0 { eventsAppended.increment(by: Double(written), labels: ["source": source]) }
    }
}
