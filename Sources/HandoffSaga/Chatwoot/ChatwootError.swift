public import Foundation

/// What went wrong on one call to Chatwoot's API.
///
/// The cases keep apart what a caller must treat differently: a clear answer from Chatwoot (``rejected``), a request
/// that certainly never reached it (``notSent``), and a request whose outcome nobody knows (``outcomeUnknown``: it may
/// have been processed, so a create must be looked up before it is retried).
public enum ChatwootError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Chatwoot answered with a status outside 2xx.
    case rejected(ChatwootRejection)
    /// The request may or may not have been processed: the connection closed before the answer, or the answer did not
    /// come in time.
    case outcomeUnknown(endpoint: String, reason: String)
    /// The request certainly was not processed: no connection could be made, or the request could not be built.
    case notSent(endpoint: String, reason: String)
    /// Chatwoot answered 2xx, but the body is not what its API returns.
    case invalidResponse(endpoint: String, status: Int, reason: String)

    /// The call, for example `POST /api/v1/accounts/1/conversations`.
    public var endpoint: String {
        switch self {
        case .rejected(let rejection): rejection.endpoint
        case .outcomeUnknown(let endpoint, _), .notSent(let endpoint, _), .invalidResponse(let endpoint, _, _): endpoint
        }
    }

    /// The HTTP status, when Chatwoot answered.
    public var status: Int? {
        switch self {
        case .rejected(let rejection): rejection.status
        case .invalidResponse(_, let status, _): status
        case .outcomeUnknown, .notSent: nil
        }
    }

    /// Whether the request may have changed Chatwoot's state although it failed: no answer, or a server error (Chatwoot
    /// can answer 5xx after a committed write). A create that failed this way must be looked up before a retry.
    public var mayHaveTakenEffect: Bool {
        switch self {
        case .outcomeUnknown: true
        case .rejected(let rejection): rejection.status >= 500
        case .invalidResponse: true
        case .notSent: false
        }
    }

    public var description: String {
        switch self {
        case .rejected(let rejection): rejection.description
        case .outcomeUnknown(let endpoint, let reason): "\(endpoint): outcome unknown: \(reason)"
        case .notSent(let endpoint, let reason): "\(endpoint): not sent: \(reason)"
        case .invalidResponse(let endpoint, let status, let reason): "\(endpoint): unexpected \(status) answer: \(reason)"
        }
    }
}

/// A non-2xx answer from Chatwoot, with its body as Chatwoot wrote it.
public struct ChatwootRejection: Sendable, Hashable, CustomStringConvertible {
    /// The call, for example `POST /api/v1/accounts/1/contacts`.
    public var endpoint: String
    /// The HTTP status.
    public var status: Int
    /// The body, read in Chatwoot's shapes.
    public var body: ChatwootErrorBody
    /// The server's `Retry-After`, when it sent one (Chatwoot's own throttle sends none).
    public var retryAfter: Duration?

    /// Creates a rejection.
    public init(endpoint: String, status: Int, body: ChatwootErrorBody, retryAfter: Duration? = nil) {
        self.endpoint = endpoint
        self.status = status
        self.body = body
        self.retryAfter = retryAfter
    }

    /// Whether the request was throttled (429).
    public var isRateLimited: Bool { status == 429 }

    public var description: String {
        var text = "\(endpoint): HTTP \(status)"
        if let message = body.message { text += ": \(message)" }
        if !body.attributes.isEmpty { text += " (\(body.attributes.joined(separator: ", ")))" }
        if let retryAfter { text += ", retry after \(retryAfter)" }
        return text
    }
}

/// An error body in the shapes Chatwoot's Rails controllers write.
///
/// `{"error": "..."}` (authentication, not found, most 422s), `{"errors": ["..."]}` (Devise), `{"message": "...",
/// "attributes": [...]}` (validation failures), or plain text (the throttle's `Retry later`). The document's error
/// schema is not what Chatwoot returns, so the raw text is kept as well.
public struct ChatwootErrorBody: Sendable, Hashable {
    /// The message, from whichever shape the body has.
    public var message: String?
    /// The attributes a validation failure names, for example `["identifier"]`.
    public var attributes: [String]
    /// The body as text (at most 2 KiB).
    public var raw: String

    /// Creates a body.
    public init(message: String?, attributes: [String] = [], raw: String) {
        self.message = message
        self.attributes = attributes
        self.raw = raw
    }

    /// Reads a body in any of Chatwoot's shapes.
    public init(bytes: Data) {
        let raw = String(decoding: bytes.prefix(2048), as: UTF8.self)
        let object = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any]
        var message: String?
        var attributes: [String] = []
        if let object {
            if let error = object["error"] as? String {
                message = error
            } else if let errors = object["errors"] as? [String] {
                message = errors.joined(separator: "; ")
            } else if let text = object["message"] as? String {
                message = text
            } else if let description = object["description"] as? String {
                message = description
            }
            attributes = object["attributes"] as? [String] ?? []
        } else {
            let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            message = text.isEmpty ? nil : text
        }
        self.init(message: message, attributes: attributes, raw: raw)
    }

    /// Whether a validation failure says the value is already taken (a contact's identifier, email or phone).
    public var saysAlreadyTaken: Bool {
        message?.localizedCaseInsensitiveContains("already been taken") ?? false
    }
}
