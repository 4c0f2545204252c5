/// Why a fault plan was refused: an unknown fault kind or field, a missing or invalid value, or bad JSON.
public struct FaultPlanError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case invalidJSON, unknownField, unknownFault, missingValue, invalidValue
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The document is not JSON or not an object of the expected shape.
        public static let invalidJSON = Code(.invalidJSON)
        /// A field name that the plan format does not have, or that does not apply to the fault kind.
        public static let unknownField = Code(.unknownField)
        /// A `fault` value that is not one of the known kinds.
        public static let unknownFault = Code(.unknownFault)
        /// A field that the fault kind requires is absent.
        public static let missingValue = Code(.missingValue)
        /// A field has a value of the wrong type or range.
        public static let invalidValue = Code(.invalidValue)

        public var description: String {
            switch self.value {
            case .invalidJSON: "invalidJSON"
            case .unknownField: "unknownField"
            case .unknownFault: "unknownFault"
            case .missingValue: "missingValue"
            case .invalidValue: "invalidValue"
            }
        }
    }

    /// The kind of problem.
    public let code: Code
    /// The 0-based index of the offending rule, when the problem is inside one.
    public let rule: Int?
    /// What is wrong, naming the field or kind.
    public let message: String

    init(_ code: Code, rule: Int?, _ message: String) {
        self.code = code
        self.rule = rule
        self.message = message
    }

    public var description: String {
        if let rule { return "fault plan rule \(rule): \(self.message)" }
        return "fault plan: \(self.message)"
    }
}
