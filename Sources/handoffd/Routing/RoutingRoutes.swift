import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Projections

/// The handlers of `GET /v1/routing` and `PUT /v1/routing`: the routing table in force, and setting a new version
/// (a `routing.table_set` event in the `routing` stream, DESIGN §6).
struct RoutingRoutes: Sendable {
    /// The store holding the `routing` stream.
    let store: SQLiteEventStore
    /// Counts appends.
    let metrics: HandoffMetrics

    /// How many times a put is retried when another put set a version at the same time.
    static let maxAttempts = 5

    /// `GET /v1/routing`: the latest table with its version; 404 before the first.
    func current(_ request: Request, context: some RequestContext) async throws -> Response {
        guard let current = try await history().current else {
            throw Problem(
                "no-routing-table", "No routing table is set", status: .notFound,
                detail: "no routing table was ever set; PUT /v1/routing sets the first version")
        }
        return JSONResponse.make(Self.view(current, changed: nil))
    }

    /// `PUT /v1/routing`: validates the table and appends it as the next version; the table in force again changes
    /// nothing and answers its version.
    func put(_ request: Request, context: some RequestContext) async throws -> Response {
        let body = try await RequestBody.collect(request, limit: RequestBody.apiLimit)
        let table: RoutingTable
        do {
            table = try RoutingTable(jsonData: body)
        } catch {
            throw Self.problem(error)
        }
        var metadata = EventMetadata(actor: "api", source: "PUT /v1/routing")
        metadata.correlationId = request.headers.first(named: "X-Request-ID")
        let metadataBytes = try metadata.jsonData()
        for _ in 1...Self.maxAttempts {
            let history = try await history()
            if let current = history.current, current.table == table {
                return JSONResponse.make(Self.view(current, changed: false))
            }
            let event = table.eventData(eventID: UUID(), occurredAt: Date(), metadata: metadataBytes)
            let start = ContinuousClock.now
            guard let result = try await store.appendUnlessMoved([event], to: .routing, expected: history.expectedVersion)
            else { continue }
            metrics.recordAppend(source: "routing", written: 1, duration: ContinuousClock.now - start)
            let version = RoutingHistory.routingVersion(streamVersion: result.version)
            context.logger.info("routing table set", metadata: ["routing.version": .stringConvertible(version)])
            let set = RoutingTableVersion(
                version: version, position: result.positions.first ?? 0, eventID: event.eventID,
                occurredAt: event.occurredAt, table: table)
            return JSONResponse.make(Self.view(set, changed: true))
        }
        var problem = Problem(
            "contention", "The routing table is changing too fast", status: .serviceUnavailable,
            detail: "other puts set a routing table \(Self.maxAttempts) times while this one was tried")
        problem.headers[.retryAfter] = "1"
        throw problem
    }

    /// Every version of the routing table, from the `routing` stream.
    private func history() async throws -> RoutingHistory {
        var history = RoutingHistory()
        var version: Int64 = 0
        while true {
            let page = try await store.readStream(.routing, from: version, limit: ConversationLog.pageSize)
            for event in page {
                do {
                    try history.apply(event)
                } catch {
                    throw Problem(
                        "routing-history-invalid", "The stored routing history cannot be read",
                        status: .internalServerError, detail: error.description)
                }
            }
            guard page.count == ConversationLog.pageSize, let last = page.last else { return history }
            version = last.version + 1
        }
    }

    /// `{"version", "position", "eventId", "setAt", "table", "changed"?}`.
    static func view(_ version: RoutingTableVersion, changed: Bool?) -> JSONValue {
        // The table's canonical bytes are JSON written by the table itself.
        let table = (try? JSONValue(jsonData: version.table.canonicalData())) ?? .null
        var members: [String: JSONValue] = [
            "version": .integer(version.version),
            "position": .integer(version.position),
            "eventId": .string(version.eventID.uuidString.lowercased()),
            "setAt": .optional(version.occurredAt),
            "table": table,
        ]
        if let changed { members["changed"] = .bool(changed) }
        return .object(members)
    }

    /// A table refused by validation: 400 for bytes that are not JSON, 422 naming the entry otherwise.
    static func problem(_ error: RoutingTableError) -> Problem {
        if error.code == .invalidJSON {
            return Problem.malformedJSON("the routing table \(error.message)")
        }
        var problem = Problem(
            "invalid-routing-table", "The routing table is invalid", status: .unprocessableContent,
            detail: error.description, field: error.path.isEmpty ? nil : error.path)
        problem.extra["code"] = .string(error.code.description)
        if let entry = error.entry { problem.extra["entry"] = .string(entry) }
        return problem
    }
}
