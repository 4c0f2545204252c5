/// The fault plan in force and how far each rule has got: a pure state machine that picks the fault,
/// if any, for each API request.
struct FaultInjector: Sendable {
    private struct RuleState: Sendable {
        var skipped = 0
        var applied = 0
        /// Selected requests seen after the skipped ones, for `every`.
        var seen = 0
    }

    private(set) var plan: FaultPlan
    private var installedAt: ContinuousClock.Instant
    private var states: [RuleState]
    /// How many requests got a fault.
    private(set) var faultsApplied = 0

    init(plan: FaultPlan, now: ContinuousClock.Instant) {
        self.plan = plan
        self.installedAt = now
        self.states = Array(repeating: RuleState(), count: plan.rules.count)
    }

    /// Replaces the plan; counters and outage windows start again from `now`.
    mutating func install(_ plan: FaultPlan, now: ContinuousClock.Instant) {
        self.plan = plan
        self.installedAt = now
        self.states = Array(repeating: RuleState(), count: plan.rules.count)
    }

    /// The fault for a request, consuming the chosen rule's budget; nil lets it through untouched.
    mutating func fault(method: String, path: String, now: ContinuousClock.Instant) -> Fault? {
        for (index, rule) in self.plan.rules.enumerated() where Self.selects(rule, method: method, path: path) {
            if case .outage(let seconds) = rule.fault {
                if now < self.installedAt.advanced(by: .milliseconds(Int64((seconds * 1000).rounded()))) {
                    self.faultsApplied += 1
                    return rule.fault
                }
                continue
            }
            if self.states[index].skipped < rule.skip {
                self.states[index].skipped += 1
                continue
            }
            if let count = rule.count, self.states[index].applied >= count {
                continue
            }
            if let every = rule.every, every > 1 {
                self.states[index].seen += 1
                if self.states[index].seen % every != 0 { continue }
            }
            self.states[index].applied += 1
            self.faultsApplied += 1
            return rule.fault
        }
        return nil
    }

    /// True when the rule's method and path pattern select the request.
    static func selects(_ rule: FaultRule, method: String, path: String) -> Bool {
        if let ruleMethod = rule.method, ruleMethod.uppercased() != method.uppercased() {
            return false
        }
        guard let pattern = rule.path else { return true }
        let patternSegments = Self.segments(of: pattern)
        let pathSegments = Self.segments(of: path)
        guard patternSegments.count == pathSegments.count else { return false }
        return zip(patternSegments, pathSegments).allSatisfy { $0 == "*" || $0 == $1 }
    }

    /// Path segments, ignoring the query, empty segments and a trailing slash.
    static func segments(of path: String) -> [Substring] {
        let withoutQuery = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return withoutQuery.split(separator: "/", omittingEmptySubsequences: true)
    }
}
