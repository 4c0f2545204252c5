import Foundation
import Synchronization

/// A small in-process metrics registry: counters, gauges and histograms with labels, rendered in the Prometheus
/// text exposition format 0.0.4.
///
/// Label values must come from bounded sets (event sources, outcomes, route templates, states): never ids, text
/// or raw URIs, so the number of series stays small.
///
/// ```swift
/// let registry = MetricsRegistry()
/// let appended = registry.counter("handoff_events_appended_total", help: "Events appended.")
/// appended.increment(by: 3, labels: ["source": "api"])
/// print(registry.render())
/// ```
final class MetricsRegistry: Sendable {
    /// The kind of a metric family, as the `# TYPE` line names it.
    enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// One family: its samples by label set.
    private struct Family {
        let name: String
        let help: String
        let kind: Kind
        /// Upper bounds of a histogram's buckets, ascending (the `+Inf` bucket is implied).
        let buckets: [Double]
        var series: [Labels: Series] = [:]
    }

    /// The values of one label set.
    private struct Series {
        var value: Double = 0
        var bucketCounts: [UInt64] = []
        var sum: Double = 0
        var count: UInt64 = 0
    }

    private struct State {
        var families: [String: Family] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())

    /// Creates an empty registry.
    init() {}

    /// A counter (a value that only goes up); registering the same name again returns the same family.
    func counter(_ name: String, help: String) -> Counter {
        register(name, help: help, kind: .counter, buckets: [])
        return Counter(registry: self, name: name)
    }

    /// A gauge (a value set from outside).
    func gauge(_ name: String, help: String) -> Gauge {
        register(name, help: help, kind: .gauge, buckets: [])
        return Gauge(registry: self, name: name)
    }

    /// A histogram with the given bucket upper bounds.
    func histogram(_ name: String, help: String, buckets: [Double]) -> Histogram {
        register(name, help: help, kind: .histogram, buckets: buckets.sorted())
        return Histogram(registry: self, name: name)
    }

    private func register(_ name: String, help: String, kind: Kind, buckets: [Double]) {
        state.withLock { state in
            guard state.families[name] == nil else { return }
            state.families[name] = Family(name: name, help: help, kind: kind, buckets: buckets)
            state.order.append(name)
        }
    }

    /// Changes one series of a family.
    private func update(_ name: String, labels: [String: String], _ change: (inout Series, [Double]) -> Void) {
        let key = Labels(labels)
        state.withLock { state in
            guard var family = state.families[name] else { return }
            var series = family.series[key] ?? Series(bucketCounts: Array(repeating: 0, count: family.buckets.count))
            change(&series, family.buckets)
            family.series[key] = series
            state.families[name] = family
        }
    }

    fileprivate func add(_ amount: Double, to name: String, labels: [String: String]) {
        update(name, labels: labels) { series, _ in series.value += amount }
    }

    fileprivate func set(_ value: Double, of name: String, labels: [String: String]) {
        update(name, labels: labels) { series, _ in series.value = value }
    }

    fileprivate func observe(_ value: Double, in name: String, labels: [String: String]) {
        update(name, labels: labels) { series, buckets in
            for (index, bound) in buckets.enumerated() where value <= bound { series.bucketCounts[index] += 1 }
            series.sum += value
            series.count += 1
        }
    }

    /// The current value of a counter or gauge series, or nil when it was never touched (for tests).
    func value(of name: String, labels: [String: String] = [:]) -> Double? {
        state.withLock { $0.families[name]?.series[Labels(labels)]?.value }
    }

    /// Every family in the Prometheus text format 0.0.4, in registration order. A family without labels and
    /// without samples renders as 0, so a scraper sees it from the start.
    func render() -> String {
        let families = state.withLock { state in state.order.compactMap { state.families[$0] } }
        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(Self.escapeHelp(family.help))\n"
            text += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            var series = family.series.sorted { $0.key.rendered < $1.key.rendered }
            if series.isEmpty, family.kind != .histogram {
                series = [(key: Labels([:]), value: Series())]
            }
            for (labels, values) in series {
                switch family.kind {
                case .counter, .gauge:
                    text += "\(family.name)\(labels.rendered) \(Self.format(values.value))\n"
                case .histogram:
                    for (index, bound) in family.buckets.enumerated() {
                        let le = labels.adding("le", Self.format(bound))
                        text += "\(family.name)_bucket\(le.rendered) \(values.bucketCounts[index])\n"
                    }
                    text += "\(family.name)_bucket\(labels.adding("le", "+Inf").rendered) \(values.count)\n"
                    text += "\(family.name)_sum\(labels.rendered) \(Self.format(values.sum))\n"
                    text += "\(family.name)_count\(labels.rendered) \(values.count)\n"
                }
            }
        }
        return text
    }

    /// A number as Prometheus reads it: integers without a fraction.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    private static func escapeHelp(_ help: String) -> String {
        help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// A label set, sorted by name, as one series key.
private struct Labels: Hashable, Sendable {
    let pairs: [Pair]

    struct Pair: Hashable, Sendable {
        let name: String
        let value: String
    }

    init(_ labels: [String: String]) {
        pairs = labels.map { Pair(name: $0.key, value: $0.value) }.sorted { $0.name < $1.name }
    }

    private init(pairs: [Pair]) { self.pairs = pairs }

    /// The set with one more label (for a histogram's `le`), placed last as Prometheus clients do.
    func adding(_ name: String, _ value: String) -> Labels { Labels(pairs: pairs + [Pair(name: name, value: value)]) }

    /// `{name="value",...}`, or nothing for an empty set.
    var rendered: String {
        guard !pairs.isEmpty else { return "" }
        return "{" + pairs.map { "\($0.name)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// A value that only goes up.
struct Counter: Sendable {
    let registry: MetricsRegistry
    let name: String

    /// Adds `amount` (at least 0) to the series of `labels`.
    func increment(by amount: Double = 1, labels: [String: String] = [:]) {
        registry.add(max(amount, 0), to: name, labels: labels)
    }
}

/// A value set from outside, such as a queue's depth.
struct Gauge: Sendable {
    let registry: MetricsRegistry
    let name: String

    /// Sets the series of `labels` to `value`.
    func set(_ value: Double, labels: [String: String] = [:]) {
        registry.set(value, of: name, labels: labels)
    }
}

/// Observations counted into buckets, with their sum and count.
struct Histogram: Sendable {
    let registry: MetricsRegistry
    let name: String

    /// Records one observation in the series of `labels`.
    func observe(_ value: Double, labels: [String: String] = [:]) {
        registry.observe(value, in: name, labels: labels)
    }

    /// Records a duration in seconds.
    func observe(_ duration: Duration, labels: [String: String] = [:]) {
        let (seconds, attoseconds) = duration.components
        observe(Double(seconds) + Double(attoseconds) / 1e18, labels: labels)
    }
}
