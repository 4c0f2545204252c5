import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error answer as an RFC 9457 problem document (`application/problem+json`): `type`, `title`, `status`,
/// `detail`, and the members this API adds: `field` (the offending field, such as `events[3].data.text`) and
/// `currentVersion` (on version conflicts).
///
/// Throw one from a handler; ``ProblemMiddleware`` turns every other error into one too.
struct Problem: Error, Sendable, HTTPResponseError, CustomStringConvertible {
    /// The kind of problem: a slug that makes the `type` URI (`urn:handoff:problem:<slug>`).
    var slug: String
    /// A short summary of the kind, the same for every occurrence.
    var title: String
    /// The HTTP status.
    var status: HTTPResponse.Status
    /// What went wrong this time, for people. Never message text or secrets.
    var detail: String
    /// The offending field, as a path into the request (`events[3].data.text`, `expectedVersion`, `id`).
    var field: String?
    /// The stream's version now, on a version conflict (-1: the conversation does not exist).
    var currentVersion: Int64?
    /// Further members (for example the routing table error's `code` and `entry`).
    var extra: [String: JSONValue] = [:]
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`).
    var headers: HTTPFields = [:]

    /// The media type of problem documents.
    static let contentType = "application/problem+json"

    /// The `type` URI.
    var type: String { "urn:handoff:problem:\(slug)" }

    /// Creates a problem.
    init(
        _ slug: String, _ title: String, status: HTTPResponse.Status, detail: String, field: String? = nil,
        currentVersion: Int64? = nil
    ) {
        self.slug = slug
        self.title = title
        self.status = status
        self.detail = detail
        self.field = field
        self.currentVersion = currentVersion
    }

    /// The problem document.
    var json: JSONValue {
        var members: [String: JSONValue] = extra
        members["type"] = .string(type)
        members["title"] = .string(title)
        members["status"] = .integer(Int64(status.code))
        members["detail"] = .string(detail)
        if let field { members["field"] = .string(field) }
        if let currentVersion { members["currentVersion"] = .integer(currentVersion) }
        return .object(members)
    }

    var description: String { "\(status.code) \(slug): \(detail)" + (field.map { " (\($0))" } ?? "") }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(json, status: status, contentType: Self.contentType)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension Problem {
    /// 400: the body is not JSON (or not UTF-8), with where it broke.
    static func malformedJSON(_ detail: String, field: String? = nil) -> Problem {
        Problem("malformed-json", "The body is not valid JSON", status: .badRequest, detail: detail, field: field)
    }

    /// 422: the JSON is well formed but does not have the shape this route needs.
    static func invalid(_ detail: String, field: String?) -> Problem {
        Problem("invalid-request", "The request does not have the expected shape", status: .unprocessableContent,
            detail: detail, field: field)
    }

    /// 400: a path or query parameter is invalid.
    static func invalidParameter(_ name: String, _ detail: String) -> Problem {
        Problem("invalid-parameter", "A parameter is invalid", status: .badRequest, detail: detail, field: name)
    }

    /// 400: the conversation id does not make a valid stream id.
    static func invalidConversationID(_ error: EventStoreError) -> Problem {
        let reason = error.message.replacingOccurrences(of: "invalid stream id: ", with: "")
        return Problem(
            "invalid-conversation-id", "The conversation id is invalid", status: .badRequest,
            detail: "conversation-<id> must be 1-200 characters of letters, digits and . _ : - (\(reason))",
            field: "id")
    }

    /// 404: no conversation with this id.
    static func unknownConversation(_ id: String) -> Problem {
        Problem(
            "unknown-conversation", "No such conversation", status: .notFound,
            detail: "the log holds no event of conversation \(id)", field: "id")
    }

    /// 413: the body is larger than the route accepts.
    static func bodyTooLarge(limit: Int) -> Problem {
        Problem(
            "body-too-large", "The body is too large", status: .contentTooLarge,
            detail: "the body must be at most \(limit) bytes")
    }

    /// 409: the client's expected version is not the stream's.
    static func wrongExpectedVersion(expected: Int64, current: Int64) -> Problem {
        Problem(
            "wrong-expected-version", "The conversation is not at the expected version", status: .conflict,
            detail: "expectedVersion is \(expected), but the conversation is at version \(current)",
            field: "expectedVersion", currentVersion: current)
    }

    /// 503 with `Retry-After`: the store cannot serve the request now.
    static func storageUnavailable(_ detail: String) -> Problem {
        var problem = Problem(
            "storage-unavailable", "The event store is unavailable", status: .serviceUnavailable, detail: detail)
        problem.headers[.retryAfter] = "1"
        return problem
    }
}
