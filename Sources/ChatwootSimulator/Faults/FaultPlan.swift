/// Failures the simulator injects into API requests (never into `/__sim/` routes).
///
/// Rules are checked in order for each request; the first rule that selects the request and has
/// budget left takes it. A rule selects by `method` (optional, any case) and `path` (optional; `*`
/// matches one path segment; the query is ignored). It lets its first `skip` selected requests through,
/// then affects the next `count` (1 by default; `nil` in Swift, `"count": null` or `"always": true` in
/// JSON for every one). With `every: n` it affects only each n-th selected request after the skipped ones
/// and lets the others through (to later rules), for a steady, reproducible rate: `"every": 10,
/// "always": true` is 10%. An outage rule instead applies to every selected request during `seconds`
/// from the moment the plan is installed.
///
/// JSON form (`--faults plan.json`, `PUT /__sim/faults`):
/// ```json
/// {"rules": [
///   {"method": "POST", "path": "/api/v1/accounts/1/conversations/*/messages", "fault": "status", "status": 503, "count": 2},
///   {"fault": "rateLimit", "retryAfter": 2},
///   {"fault": "delay", "seconds": 0.5},
///   {"fault": "commitThenReset", "skip": 1},
///   {"method": "POST", "path": "/api/v1/accounts/1/contacts", "fault": "status", "status": 500, "every": 10, "always": true},
///   {"fault": "outage", "seconds": 10}
/// ]}
/// ```
public struct FaultPlan: Sendable, Equatable, Codable {
    /// The rules, checked in order.
    public var rules: [FaultRule]

    /// Creates a plan; an empty plan injects nothing.
    public init(rules: [FaultRule] = []) {
        self.rules = rules
    }

    /// Parses the JSON form, refusing unknown kinds and fields with a message that names them.
    /// - Throws: ``FaultPlanError``.
    public init(json: String) throws(FaultPlanError) {
        try self.init(jsonBytes: Array(json.utf8))
    }

    /// Parses the JSON form from raw bytes.
    /// - Throws: ``FaultPlanError``.
    public init(jsonBytes: [UInt8]) throws(FaultPlanError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(jsonBytes)
        } catch {
            throw FaultPlanError(.invalidJSON, rule: nil, "not JSON: \(error)")
        }
        self = try FaultPlan(jsonValue: value)
    }

    init(jsonValue value: JSONValue) throws(FaultPlanError) {
        guard case .object(let object) = value else {
            throw FaultPlanError(.invalidJSON, rule: nil, #"expected an object {"rules": [...]}"#)
        }
        for key in object.keys where key != "rules" {
            throw FaultPlanError(.unknownField, rule: nil, "unknown field \"\(key)\" (the plan has only \"rules\")")
        }
        guard let rulesValue = object["rules"] else {
            throw FaultPlanError(.missingValue, rule: nil, "missing \"rules\" (an array of rules)")
        }
        guard case .array(let elements) = rulesValue else {
            throw FaultPlanError(.invalidValue, rule: nil, "\"rules\" must be an array")
        }
        var rules: [FaultRule] = []
        for (index, element) in elements.enumerated() {
            rules.append(try FaultRule(jsonValue: element, index: index))
        }
        self.rules = rules
    }

    /// The JSON form, as accepted by ``init(json:)``.
    public func jsonString() -> String {
        JSONSerializer.string(self.jsonValue)
    }

    var jsonValue: JSONValue {
        ["rules": .array(self.rules.map(\.jsonValue))]
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let value = try container.decode(JSONValueCodable.self).value
        self = try FaultPlan(jsonValue: value)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(JSONValueCodable(value: self.jsonValue))
    }
}
