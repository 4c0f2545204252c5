/// A failure of the simulator's own API (start, simulated agent actions).
public struct SimulatorError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case conversationNotFound, agentNotFound, teamNotFound, invalidStatus, invalidRequest
            case alreadyStarted, startFailed
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// No conversation has that display id.
        public static let conversationNotFound = Code(.conversationNotFound)
        /// No simulated user has that id.
        public static let agentNotFound = Code(.agentNotFound)
        /// No team has that id.
        public static let teamNotFound = Code(.teamNotFound)
        /// The status is not open, resolved, pending or snoozed.
        public static let invalidStatus = Code(.invalidStatus)
        /// The action's input is invalid (e.g. the message was refused).
        public static let invalidRequest = Code(.invalidRequest)
        /// ``ChatwootSimulator/start()`` was called twice.
        public static let alreadyStarted = Code(.alreadyStarted)
        /// The server could not start (e.g. the port is taken).
        public static let startFailed = Code(.startFailed)

        public var description: String {
            switch self.value {
            case .conversationNotFound: "conversationNotFound"
            case .agentNotFound: "agentNotFound"
            case .teamNotFound: "teamNotFound"
            case .invalidStatus: "invalidStatus"
            case .invalidRequest: "invalidRequest"
            case .alreadyStarted: "alreadyStarted"
            case .startFailed: "startFailed"
            }
        }
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong, with the ids involved.
    public let message: String
    /// The underlying error, if any.
    public let cause: (any Error)?

    init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(self.code): \(self.message) (cause: \(cause))" }
        return "\(self.code): \(self.message)"
    }
}
