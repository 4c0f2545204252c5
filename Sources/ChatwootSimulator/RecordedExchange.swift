/// One API request the simulator received and what it answered.
public struct RecordedExchange: Sendable {
    /// The answer as sent.
    public struct Response: Sendable {
        /// HTTP status.
        public var status: Int
        /// Body bytes.
        public var body: [UInt8]
    }

    /// 1-based order of arrival.
    public var sequence: Int
    /// HTTP method.
    public var method: String
    /// Path without the query.
    public var path: String
    /// Raw query string, if any.
    public var query: String?
    /// Request headers, names lower-cased (`api_access_token`, `content-type`, ...).
    public var headers: [String: String]
    /// Request body bytes.
    public var requestBody: [UInt8]
    /// The answer; nil when a fault closed the connection without one.
    public var response: Response?
    /// The fault kind applied, if any (`"status"`, `"commitThenReset"`, ...).
    public var fault: String?

    /// The response status, or nil when none was sent.
    public var responseStatus: Int? { self.response?.status }
    /// The response body, or nil when none was sent.
    public var responseBody: [UInt8]? { self.response?.body }
}
