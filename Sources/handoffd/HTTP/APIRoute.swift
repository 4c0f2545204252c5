import HTTPTypes
import Hummingbird

/// Every route of handoffd (DESIGN §8): the one list the router registers and the OpenAPI document is checked
/// against.
enum APIRoute: String, CaseIterable, Sendable {
    case appendEvents, conversation, events, audit, routing, setRouting, chatwootWebhook, health, metrics, openAPI

    /// The HTTP method.
    var method: HTTPRequest.Method {
        switch self {
        case .appendEvents, .chatwootWebhook: .post
        case .setRouting: .put
        case .conversation, .events, .audit, .routing, .health, .metrics, .openAPI: .get
        }
    }

    /// The path template, in the OpenAPI form (`{id}` for a parameter), which the router reads too.
    var path: String {
        switch self {
        case .appendEvents, .events: "/v1/conversations/{id}/events"
        case .conversation: "/v1/conversations/{id}"
        case .audit: "/v1/conversations/{id}/audit"
        case .routing, .setRouting: "/v1/routing"
        case .chatwootWebhook: "/v1/webhooks/chatwoot"
        case .health: "/health"
        case .metrics: "/metrics"
        case .openAPI: "/openapi.yaml"
        }
    }

    /// Whether the route needs a bearer token. The webhook is verified by its signature instead; the operational
    /// routes are open.
    var requiresToken: Bool {
        switch self {
        case .appendEvents, .conversation, .events, .audit, .routing, .setRouting: true
        case .chatwootWebhook, .health, .metrics, .openAPI: false
        }
    }
}
