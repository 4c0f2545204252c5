/// The names handoffd reads from the environment and from a configuration file (DESIGN §8).
enum SettingName: String, CaseIterable, Sendable {
    case database = "HANDOFF_DB"
    case listen = "HANDOFF_LISTEN"
    case tokens = "HANDOFF_TOKENS"
    case durability = "HANDOFF_DURABILITY"
    case chatwootURL = "CHATWOOT_URL"
    case chatwootAccountID = "CHATWOOT_ACCOUNT_ID"
    case chatwootInboxID = "CHATWOOT_INBOX_ID"
    case chatwootAPIToken = "CHATWOOT_API_TOKEN"
    case webhookSecrets = "CHATWOOT_WEBHOOK_SECRETS"
    case botCallbackURL = "HANDOFF_BOT_CALLBACK_URL"

    /// The environment variable naming a configuration file (`--config` wins over it).
    static let configFile = "HANDOFF_CONFIG"

    /// Settings whose values are secrets: never logged or printed.
    var isSecret: Bool { self == .tokens || self == .chatwootAPIToken || self == .webhookSecrets }
}
