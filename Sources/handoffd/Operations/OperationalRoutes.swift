import EventStore
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /health`, `GET /metrics` and `GET /openapi.yaml`: no token needed.
struct OperationalRoutes: Sendable {
    /// The store whose database must answer.
    let store: SQLiteEventStore
    /// The metrics to expose.
    let metrics: HandoffMetrics

    /// The Prometheus text format's media type.
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `GET /health`: 200 `{"status": "ok", "head": n}` when the database answers a read, else 503.
    func health(_ request: Request, context: some RequestContext) async throws -> Response {
        do {
            let head = try await store.headPosition()
            return JSONResponse.make(.object(["status": "ok", "head": .integer(head)]))
        } catch {
            throw Problem.storageUnavailable("the database does not answer (\(error.code))")
        }
    }

    /// `GET /metrics`: every metric in the Prometheus text format 0.0.4.
    func metrics(_ request: Request, context: some RequestContext) async throws -> Response {
        JSONResponse.text(Data(metrics.registry.render().utf8), contentType: Self.metricsContentType)
    }

    /// `GET /openapi.yaml`: this API's OpenAPI 3.1 document.
    func openAPI(_ request: Request, context: some RequestContext) async throws -> Response {
        JSONResponse.text(Data(OpenAPIDocument.yaml.utf8), contentType: OpenAPIDocument.contentType)
    }
}
