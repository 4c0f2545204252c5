import EventStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Projections

/// The outermost middleware: turns every error into a problem document (never a bare 500 or a dropped
/// connection), and counts each answer by method, route template and status.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HandoffMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let problem = Self.problem(for: error, logger: context.logger)
            response = try problem.response(from: request, context: context)
        }
        let route = context.endpointPath ?? "unmatched"
        metrics.httpRequests.increment(
            labels: ["method": request.method.rawValue, "route": route, "status": String(response.status.code)])
        context.logger.debug(
            "request answered",
            metadata: [
                "http.method": .string(request.method.rawValue), "http.route": .string(route),
                "http.status": .stringConvertible(response.status.code),
            ])
        return response
    }

    /// The problem document for any error a handler or the router threw.
    static func problem(for error: any Error, logger: Logger) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as EventStoreError:
            return problem(for: error, logger: logger)
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                return Problem("not-found", "No such route", status: .notFound, detail: "no route matches this path")
            case .methodNotAllowed:
                return Problem(
                    "method-not-allowed", "Method not allowed", status: .methodNotAllowed,
                    detail: "this path does not take this method")
            default:
                return Problem(
                    "http-error", error.status.reasonPhrase, status: error.status,
                    detail: error.body ?? error.status.reasonPhrase)
            }
        case is NIOTooManyBytesError:
            return Problem.bodyTooLarge(limit: RequestBody.apiLimit)
        case let error as ReadModelError:
            logger.warning("read models unavailable", metadata: ["error": .string(error.description)])
            return Problem.storageUnavailable("the read models cannot be read now")
        case is CancellationError:
            return Problem.storageUnavailable("the server is shutting down")
        default:
            logger.error("unexpected error", metadata: ["error.type": .string(String(reflecting: type(of: error)))])
            return Problem(
                "internal", "Internal error", status: .internalServerError,
                detail: "the server failed unexpectedly; the error is in its log")
        }
    }

    /// Store errors: unavailability as 503 with `Retry-After`, the rest as the client's problem.
    static func problem(for error: EventStoreError, logger: Logger) -> Problem {
        switch error.code {
        case .storage, .busy, .closed, .readOnly, .schemaTooNew:
            logger.warning(
                "event store unavailable",
                metadata: ["store.code": .string(error.code.description), "store.sqlite": .string(error.sqliteCode.map(String.init) ?? "-")])
            return Problem.storageUnavailable("the event store cannot serve this request now (\(error.code))")
        case .invalidStreamID:
            return Problem.invalidConversationID(error)
        case .wrongExpectedVersion:
            return Problem(
                "wrong-expected-version", "The stream is not at the expected version", status: .conflict,
                detail: error.message, currentVersion: error.actualVersion)
        case .duplicateEventID, .idempotencyConflict:
            return Problem(
                "event-id-conflict", "An event id is already stored with other content", status: .conflict,
                detail: error.message, field: nil)
        default:
            return Problem(
                "invalid-append", "The store refused the events", status: .unprocessableContent, detail: error.message)
        }
    }
}
