import EventStore
import HandoffSaga
import Hummingbird
import Projections

/// The HTTP API: every route's handler and what it needs, and the router that serves them.
struct HandoffAPI: Sendable {
    /// The bearer tokens of the API routes.
    let tokens: BearerTokens
    /// The conversation routes.
    let conversations: ConversationRoutes
    /// The routing table routes.
    let routing: RoutingRoutes
    /// The Chatwoot webhook route.
    let webhooks: WebhookReceiver
    /// Health, metrics, the OpenAPI document.
    let operations: OperationalRoutes
    /// The metrics the middleware counts answers in.
    let metrics: HandoffMetrics

    /// The API over `store`, configured by `configuration`.
    init(store: SQLiteEventStore, configuration: HandoffConfiguration, metrics: HandoffMetrics) {
        let log = ConversationLog(store: store)
        tokens = BearerTokens(configuration.apiTokens)
        conversations = ConversationRoutes(log: log, ingestor: Ingestor(log: log, metrics: metrics))
        routing = RoutingRoutes(store: store, metrics: metrics)
        webhooks = WebhookReceiver(
            verifier: WebhookVerifier(secrets: configuration.webhookSecrets),
            translator: configuration.webhooksEnabled
                ? configuration.chatwootAccountID.map { WebhookTranslator(accountID: $0) } : nil,
            log: log, readModels: ReadModels(store: store), metrics: metrics, deliveries: RecentDeliveries())
        operations = OperationalRoutes(store: store, metrics: metrics)
        self.metrics = metrics
    }

    /// The router: every ``APIRoute``, behind the problem middleware, with the token checked first where needed.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ProblemMiddleware(metrics: metrics))
        for route in APIRoute.allCases {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                if route.requiresToken { try tokens.authorize(request) }
                return try await respond(route, request, context)
            }
        }
        return router
    }

    private func respond(_ route: APIRoute, _ request: Request, _ context: BasicRequestContext) async throws
        -> Response
    {
        switch route {
        case .appendEvents: try await conversations.append(request, context: context)
        case .conversation: try await conversations.state(request, context: context)
        case .events: try await conversations.events(request, context: context)
        case .audit: try await conversations.audit(request, context: context)
        case .routing: try await routing.current(request, context: context)
        case .setRouting: try await routing.put(request, context: context)
        case .chatwootWebhook: try await webhooks.receive(request, context: context)
        case .health: try await operations.health(request, context: context)
        case .metrics: try await operations.metrics(request, context: context)
        case .openAPI: try await operations.openAPI(request, context: context)
        }
    }
}
