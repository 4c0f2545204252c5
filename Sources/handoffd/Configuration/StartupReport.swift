import EventStore

/// What handoffd tells its operator at start: the features that are off and why, and how to connect Chatwoot.
enum StartupReport {
    /// The lines printed once the server listens at `port` (the configured one, or the one picked for port 0).
    static func banner(_ configuration: HandoffConfiguration, port: Int) -> [String] {
        let host = configuration.listen.host
        let shownHost =
            ["0.0.0.0", "::"].contains(host) ? "<this machine's address>" : host.contains(":") ? "[\(host)]" : host
        let base = "http://\(shownHost):\(port)"
        var lines = [
            "handoffd is listening on \(base) (database \(configuration.databasePath), durability \(configuration.durability.rawValue))",
            "  API:     \(base)/v1/conversations/{id}/events with Authorization: Bearer <a token of HANDOFF_TOKENS>",
            "  OpenAPI: \(base)/openapi.yaml   health: \(base)/health   metrics: \(base)/metrics",
            "  Chatwoot webhook URL: \(base)/v1/webhooks/chatwoot",
        ]
        if configuration.chatwoot == nil || !configuration.webhooksEnabled {
            lines += [
                "  To connect Chatwoot: create an API-channel inbox (no agent bot), set its webhook URL to the one above,",
                "    then set CHATWOOT_URL, CHATWOOT_ACCOUNT_ID, CHATWOOT_INBOX_ID, CHATWOOT_API_TOKEN (an administrator's",
                "    access token) and CHATWOOT_WEBHOOK_SECRETS (the inbox's webhook secret), and restart handoffd.",
                "    Chatwoot 4.14+ sends webhooks to private or loopback addresses only if its server sets",
                "    SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true.",
                "  No Chatwoot at hand? `swift run chatwoot-sim` runs a simulated one; point its webhook at the URL above.",
            ]
        }
        return lines
    }
}
