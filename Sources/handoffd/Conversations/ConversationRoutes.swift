import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The handlers of the `/v1/conversations/{id}` routes.
struct ConversationRoutes: Sendable {
    /// Reads and folds conversation streams.
    let log: ConversationLog
    /// Decides and appends.
    let ingestor: Ingestor

    /// The default and the largest page of `GET .../events`.
    static let defaultLimit = 100
    static let maxLimit = 1000

    /// `POST /v1/conversations/{id}/events`: 201 when events were written, 200 when nothing new was (a retry of
    /// stored events, or only no-ops), with a position per event (null for a no-op).
    func append(_ request: Request, context: some RequestContext) async throws -> Response {
        let (id, stream) = try Self.conversation(context)
        let body = try await RequestBody.collect(request, limit: RequestBody.apiLimit)
        let ingest = try IngestRequest(json: try RequestBody.json(body), conversationID: id)
        let result = try await ingestor.ingest(ingest, conversationID: id, stream: stream, logger: context.logger)
        return JSONResponse.make(result.json, status: result.wroteAny ? .created : .ok)
    }

    /// `GET /v1/conversations/{id}`: the state folded from the log.
    func state(_ request: Request, context: some RequestContext) async throws -> Response {
        let (id, stream) = try Self.conversation(context)
        let snapshot = try await log.snapshot(id, stream: stream)
        guard snapshot.exists else { throw Problem.unknownConversation(id) }
        return JSONResponse.make(ConversationViews.state(snapshot))
    }

    /// `GET /v1/conversations/{id}/events?after=P&limit=N`, or the server-sent event stream.
    func events(_ request: Request, context: some RequestContext) async throws -> Response {
        let (id, stream) = try Self.conversation(context)
        let query = request.uri.queryParameters
        let after = try Self.integer(query["after"].map(String.init), name: "after", minimum: 0) ?? 0
        guard try await log.store.streamVersion(stream) != nil else { throw Problem.unknownConversation(id) }
        if EventStream.isRequested(request) {
            let resume = try Self.integer(request.headers.first(named: "Last-Event-ID"), name: "Last-Event-ID", minimum: 0)
            return try await EventStream.response(
                store: log.store, log: log, stream: stream, after: resume ?? after, logger: context.logger)
        }
        let limit =
            try Self.integer(query["limit"].map(String.init), name: "limit", minimum: 1, maximum: Int64(Self.maxLimit))
            ?? Int64(Self.defaultLimit)
        let records = try await log.events(in: stream, after: after, limit: Int(limit))
        let events = try records.map { try WireEvent(record: $0).json }
        return JSONResponse.make(
            .object([
                "conversationId": .string(id),
                "events": .array(events),
                "nextAfter": .integer(records.last?.position ?? after),
            ]))
    }

    /// `GET /v1/conversations/{id}/audit`: who handled it, segment by segment.
    func audit(_ request: Request, context: some RequestContext) async throws -> Response {
        let (id, stream) = try Self.conversation(context)
        guard let audit = try await log.audit(id, stream: stream) else { throw Problem.unknownConversation(id) }
        return JSONResponse.make(ConversationViews.audit(audit))
    }

    /// The conversation id of the path and its stream.
    /// - Throws: ``Problem`` 400 when `conversation-<id>` is not a valid stream id.
    static func conversation(_ context: some RequestContext) throws -> (String, StreamID) {
        let id = context.parameters.get("id") ?? ""
        do {
            return (id, try StreamID.conversation(id))
        } catch {
            throw Problem.invalidConversationID(error)
        }
    }

    /// An optional integer parameter within bounds.
    static func integer(_ text: String?, name: String, minimum: Int64, maximum: Int64 = .max) throws(Problem) -> Int64? {
        guard let text else { return nil }
        guard let value = Int64(text.trimmingCharacters(in: .whitespaces)), value >= minimum, value <= maximum else {
            let range = maximum == .max ? "\(minimum) or more" : "\(minimum) to \(maximum)"
            throw Problem.invalidParameter(name, "\(name) must be an integer of \(range)")
        }
        return value
    }
}
