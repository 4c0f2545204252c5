/// One fault rule: which requests it selects, what it does, and to how many.
public struct FaultRule: Sendable, Equatable {
    /// HTTP method to select (any case), or nil for every method.
    public var method: String?
    /// Path pattern to select, `*` matching one segment, or nil for every path.
    public var path: String?
    /// What happens to a selected request.
    public var fault: Fault
    /// How many selected requests it affects after the skipped ones; nil for every one. Not used by outages.
    public var count: Int?
    /// How many selected requests it lets through first. Not used by outages.
    public var skip: Int
    /// Affect only every `every`-th selected request after the skipped ones (the `every`-th, `2 * every`-th, ...),
    /// letting the others through; nil (or 1) for each one. Deterministic, for a steady fault rate: `every: 10` with
    /// `count: nil` fails 10% of the selected requests. Not used by outages.
    public var every: Int?

    /// Creates a rule.
    /// - Parameters:
    ///   - method: HTTP method to select, or nil for any.
    ///   - path: Path pattern (`*` = one segment), or nil for any.
    ///   - fault: What to do.
    ///   - count: How many selected requests to affect; nil for all.
    ///   - skip: How many selected requests to let through first.
    ///   - every: Affect only every n-th selected request after the skipped ones (at least 1); nil for each one.
    public init(
        method: String? = nil, path: String? = nil, fault: Fault, count: Int? = 1, skip: Int = 0, every: Int? = nil
    ) {
        self.method = method
        self.path = path
        self.fault = fault
        if case .outage = fault {
            // An outage applies to every request in its window; count and skip do not apply.
            self.count = nil
            self.skip = 0
            self.every = nil
        } else {
            self.count = count
            self.skip = skip
            self.every = every.map { max(1, $0) }
        }
    }

    private static let commonFields = ["method", "path", "fault", "count", "skip", "always", "every"]

    init(jsonValue value: JSONValue, index: Int) throws(FaultPlanError) {
        guard case .object(let object) = value else {
            throw FaultPlanError(.invalidValue, rule: index, "a rule must be an object")
        }
        func string(_ key: String) throws(FaultPlanError) -> String? {
            guard let value = object[key], !value.isNull else { return nil }
            guard case .string(let string) = value else {
                throw FaultPlanError(.invalidValue, rule: index, "\"\(key)\" must be a string")
            }
            return string
        }
        func nonNegativeInt(_ key: String) throws(FaultPlanError) -> Int? {
            guard let value = object[key], !value.isNull else { return nil }
            guard case .int(let int) = value, int >= 0 else {
                throw FaultPlanError(.invalidValue, rule: index, "\"\(key)\" must be a non-negative integer")
            }
            return int
        }
        func seconds() throws(FaultPlanError) -> Double {
            guard let value = object["seconds"], !value.isNull else {
                throw FaultPlanError(.missingValue, rule: index, "fault needs \"seconds\" (a non-negative number)")
            }
            let seconds: Double
            switch value {
            case .int(let int): seconds = Double(int)
            case .double(let double): seconds = double
            default: throw FaultPlanError(.invalidValue, rule: index, "\"seconds\" must be a number")
            }
            guard seconds >= 0, seconds.isFinite else {
                throw FaultPlanError(.invalidValue, rule: index, "\"seconds\" must be a non-negative number")
            }
            return seconds
        }

        guard let kind = try string("fault") else {
            throw FaultPlanError(.missingValue, rule: index, "missing \"fault\" (one of \(Fault.kinds.joined(separator: ", ")))")
        }
        let kindFields: [String]
        switch kind {
        case "status": kindFields = ["status"]
        case "rateLimit": kindFields = ["retryAfter"]
        case "delay", "commitThenDelay", "outage": kindFields = ["seconds"]
        case "resetBeforeWrite", "commitThenReset": kindFields = []
        default:
            throw FaultPlanError(
                .unknownFault,
                rule: index,
                "unknown fault \"\(kind)\" (known: \(Fault.kinds.joined(separator: ", ")))"
            )
        }
        let isOutage = kind == "outage"
        let allowed = (isOutage ? ["method", "path", "fault"] : Self.commonFields) + kindFields
        for key in object.keys where !allowed.contains(key) {
            let known = Self.commonFields + ["status", "retryAfter", "seconds"]
            if known.contains(key) {
                throw FaultPlanError(.unknownField, rule: index, "field \"\(key)\" does not apply to fault \"\(kind)\"")
            }
            throw FaultPlanError(
                .unknownField,
                rule: index,
                "unknown field \"\(key)\" (known: \(known.joined(separator: ", ")))"
            )
        }

        let fault: Fault
        switch kind {
        case "status":
            guard let status = try nonNegativeInt("status") else {
                throw FaultPlanError(.missingValue, rule: index, "fault \"status\" needs \"status\" (an HTTP status code)")
            }
            guard (100...599).contains(status) else {
                throw FaultPlanError(.invalidValue, rule: index, "\"status\" must be an HTTP status code (100-599)")
            }
            fault = .status(status)
        case "rateLimit": fault = .rateLimit(retryAfter: try nonNegativeInt("retryAfter"))
        case "delay": fault = .delay(seconds: try seconds())
        case "commitThenDelay": fault = .commitThenDelay(seconds: try seconds())
        case "outage": fault = .outage(seconds: try seconds())
        case "resetBeforeWrite": fault = .resetBeforeWrite
        default: fault = .commitThenReset  // the kinds were checked above
        }

        self.method = try string("method")
        self.path = try string("path")
        self.fault = fault
        self.skip = try nonNegativeInt("skip") ?? 0
        if let value = object["every"], !value.isNull {
            guard case .int(let every) = value, every >= 1 else {
                throw FaultPlanError(.invalidValue, rule: index, "\"every\" must be a positive integer")
            }
            self.every = every
        } else {
            self.every = nil
        }
        var always = false
        if let value = object["always"], !value.isNull {
            guard case .bool(let bool) = value else {
                throw FaultPlanError(.invalidValue, rule: index, "\"always\" must be true or false")
            }
            always = bool
        }
        if always || isOutage {
            if object["count"].map({ !$0.isNull }) == true {
                throw FaultPlanError(.invalidValue, rule: index, "give either \"count\" or \"always\": true, not both")
            }
            self.count = nil
        } else if object.contains("count") {
            self.count = try nonNegativeInt("count")
        } else {
            self.count = 1
        }
    }

    var jsonValue: JSONValue {
        var object = JSONObject()
        if let method { object.append("method", .string(method)) }
        if let path { object.append("path", .string(path)) }
        object.append("fault", .string(self.fault.kind))
        switch self.fault {
        case .status(let status): object.append("status", .int(status))
        case .rateLimit(let retryAfter): if let retryAfter { object.append("retryAfter", .int(retryAfter)) }
        case .delay(let seconds), .commitThenDelay(let seconds), .outage(let seconds):
            object.append("seconds", .double(seconds))
        case .resetBeforeWrite, .commitThenReset: break
        }
        if case .outage = self.fault { return .object(object) }
        if let count { object.append("count", .int(count)) } else { object.append("always", .bool(true)) }
        if self.skip > 0 { object.append("skip", .int(self.skip)) }
        if let every { object.append("every", .int(every)) }
        return .object(object)
    }
}
