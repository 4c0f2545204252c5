/// An error answer exactly as Chatwoot 4.15.1 renders it (status, content type and body).
struct ChatwootError: Error, Sendable {
    let status: Int
    let body: [UInt8]
    let contentType: String
    var headers: [(String, String)] = []

    init(status: Int, json: JSONValue) {
        self.status = status
        self.body = JSONSerializer.bytes(json)
        self.contentType = "application/json; charset=utf-8"
    }

    init(status: Int, text: String, contentType: String = "text/plain") {
        self.status = status
        self.body = Array(text.utf8)
        self.contentType = contentType
    }

    /// `RecordNotFound` → 404 `{"error":"Resource could not be found"}`.
    static let notFound = ChatwootError(status: 404, json: ["error": "Resource could not be found"])

    /// No token: devise's 401.
    static let missingToken = ChatwootError(
        status: 401,
        json: ["errors": ["You need to sign in or sign up before continuing."]]
    )

    /// A token that matches no user.
    static let invalidToken = ChatwootError(status: 401, json: ["error": "Invalid Access Token"])

    /// The token owner is not a user of the account in the path.
    static let notAuthorizedForAccount = ChatwootError(
        status: 401,
        json: ["error": "You are not authorized to access this account"]
    )

    /// A 422 with `{"error": message}` (parameter, filter and message-create errors).
    static func unprocessable(_ message: String) -> ChatwootError {
        ChatwootError(status: 422, json: ["error": .string(message)])
    }

    /// A validation failure (`RecordInvalid`): `{"message": "A, B", "attributes": ["a", "b"]}`.
    static func invalidRecord(_ failures: [(attribute: String, message: String)]) -> ChatwootError {
        var attributes: [String] = []
        for failure in failures where !attributes.contains(failure.attribute) {
            attributes.append(failure.attribute)
        }
        return ChatwootError(
            status: 422,
            json: [
                "message": .string(failures.map(\.message).joined(separator: ", ")),
                "attributes": .array(attributes.map { .string($0) }),
            ]
        )
    }

    /// What Rails' public exceptions app renders for JSON requests: `{"status": 500, "error": "Internal Server Error"}`.
    static func rails(_ status: Int) -> ChatwootError {
        ChatwootError(status: status, json: ["status": .int(status), "error": .string(Self.reasonPhrase(status))])
    }

    /// A routing error (unknown path or method): Rails' 404 for a JSON request.
    static let routeNotFound = rails(404)

    /// Rack::Attack's throttled answer, optionally with a `Retry-After` header.
    static func throttled(retryAfter: Int?) -> ChatwootError {
        var error = ChatwootError(status: 429, text: "Retry later\n")
        if let retryAfter { error.headers.append(("Retry-After", String(retryAfter))) }
        return error
    }

    /// A reverse proxy's answer while the application is down.
    static let outage = ChatwootError(
        status: 503,
        text: "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
            + "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n",
        contentType: "text/html"
    )

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: status < 500 ? "Client Error" : "Server Error"
        }
    }
}
