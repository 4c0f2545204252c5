import EventStore
import Foundation
import HandoffSaga

/// Everything handoffd is configured with, parsed and checked (DESIGN §8).
///
/// Read from the environment and an optional configuration file that sets the same names (the environment wins).
/// A missing setting disables its feature (see ``notices``); a malformed one refuses the start with a
/// ``ConfigurationError`` naming it. The saga's wiring reads ``chatwoot``, ``webhookSecrets`` and
/// ``botCallbackURL`` from here.
struct HandoffConfiguration: Sendable, CustomStringConvertible {
    /// `HANDOFF_DB`: the SQLite file.
    var databasePath: String
    /// `HANDOFF_LISTEN`: where the HTTP server listens.
    var listen: ListenAddress
    /// `HANDOFF_TOKENS`: the bearer tokens the API accepts (several, for rotation); empty: the API refuses every
    /// request.
    var apiTokens: [String]
    /// `HANDOFF_DURABILITY`: `full` (the default) or `normal`.
    var durability: SQLiteEventStore.Durability
    /// The Chatwoot installation, when `CHATWOOT_URL`, `CHATWOOT_ACCOUNT_ID`, `CHATWOOT_INBOX_ID` and
    /// `CHATWOOT_API_TOKEN` are all set; nil: handoffs wait in the outbox.
    var chatwoot: ChatwootConfiguration?
    /// `CHATWOOT_ACCOUNT_ID` alone: the account whose ids webhook events are derived from (set even when the rest of
    /// the Chatwoot settings are missing).
    var chatwootAccountID: Int?
    /// `CHATWOOT_WEBHOOK_SECRETS`: the webhook signing secrets, newest first; empty: the webhook route refuses every
    /// delivery.
    var webhookSecrets: [String]
    /// `HANDOFF_BOT_CALLBACK_URL`: where agent messages are delivered for the bot platform; nil: it polls or streams.
    var botCallbackURL: URL?

    /// The default database file.
    static let defaultDatabasePath = "./handoff.sqlite"
    /// The default listening address.
    static let defaultListen = ListenAddress(host: "127.0.0.1", port: 8080)

    /// Creates a configuration; every feature but the API is off unless set.
    init(
        databasePath: String = defaultDatabasePath, listen: ListenAddress = defaultListen, apiTokens: [String] = [],
        durability: SQLiteEventStore.Durability = .full, chatwoot: ChatwootConfiguration? = nil,
        chatwootAccountID: Int? = nil, webhookSecrets: [String] = [], botCallbackURL: URL? = nil
    ) {
        self.databasePath = databasePath
        self.listen = listen
        self.apiTokens = apiTokens
        self.durability = durability
        self.chatwoot = chatwoot
        self.chatwootAccountID = chatwootAccountID ?? chatwoot?.accountID
        self.webhookSecrets = webhookSecrets
        self.botCallbackURL = botCallbackURL
    }

    /// Whether the webhook route can accept deliveries: secrets to verify them with and the account their event
    /// ids derive from.
    var webhooksEnabled: Bool { !webhookSecrets.isEmpty && chatwootAccountID != nil }

    // MARK: Loading

    /// The configuration of a process: the file named by `--config FILE` (or `HANDOFF_CONFIG`), overridden by the
    /// environment.
    /// - Parameters:
    ///   - arguments: the command-line arguments after the program name.
    ///   - environment: the environment variables.
    /// - Throws: ``ConfigurationError`` naming the setting or option that is wrong.
    static func load(arguments: [String], environment: [String: String]) throws(ConfigurationError)
        -> HandoffConfiguration
    {
        let options = try LaunchOptions(arguments: arguments)
        var settings: [String: String] = [:]
        if let path = options.configFile ?? environment[SettingName.configFile].flatMap(nonEmpty) {
            settings = try ConfigurationFile.load(path: path)
        }
        for name in SettingName.allCases {
            if let value = environment[name.rawValue].flatMap(nonEmpty) { settings[name.rawValue] = value }
        }
        return try HandoffConfiguration(settings: settings)
    }

    /// Parses settings by name; an empty value counts as unset.
    /// - Throws: ``ConfigurationError`` for the first malformed setting, in the order of ``SettingName``.
    init(settings: [String: String]) throws(ConfigurationError) {
        func value(_ name: SettingName) -> String? { settings[name.rawValue].flatMap(Self.nonEmpty) }

        databasePath = value(.database) ?? Self.defaultDatabasePath
        listen = try value(.listen).map { text throws(ConfigurationError) in try ListenAddress(parsing: text) }
            ?? Self.defaultListen
        apiTokens = Self.list(value(.tokens))
        switch value(.durability)?.lowercased() {
        case nil, "full": durability = .full
        case "normal": durability = .normal
        case let other?:
            throw ConfigurationError(SettingName.durability.rawValue, "must be full or normal, got \"\(other)\"")
        }
        let url = try value(.chatwootURL).map { text throws(ConfigurationError) in
            try Self.httpURL(text, setting: .chatwootURL)
        }
        let accountID = try value(.chatwootAccountID).map { text throws(ConfigurationError) in
            try Self.positiveInteger(text, setting: .chatwootAccountID)
        }
        let inboxID = try value(.chatwootInboxID).map { text throws(ConfigurationError) in
            try Self.positiveInteger(text, setting: .chatwootInboxID)
        }
        let apiToken = value(.chatwootAPIToken)
        webhookSecrets = Self.list(value(.webhookSecrets))
        botCallbackURL = try value(.botCallbackURL).map { text throws(ConfigurationError) in
            try Self.httpURL(text, setting: .botCallbackURL)
        }
        chatwootAccountID = accountID
        if let url, let accountID, let inboxID, let apiToken {
            chatwoot = ChatwootConfiguration(
                baseURL: url.absoluteString, accountID: accountID, inboxID: inboxID, apiToken: apiToken)
        } else {
            chatwoot = nil
        }
        missingChatwootSettings = [
            (SettingName.chatwootURL, url == nil), (.chatwootAccountID, accountID == nil),
            (.chatwootInboxID, inboxID == nil), (.chatwootAPIToken, apiToken == nil),
        ].filter(\.1).map(\.0.rawValue)
    }

    /// The Chatwoot settings that were not given (empty when Chatwoot is configured, or when it was built in code).
    private(set) var missingChatwootSettings: [String] = []

    // MARK: Reporting

    /// One line for each feature that is off because a setting is missing, saying what happens instead.
    var notices: [String] {
        var notices: [String] = []
        if apiTokens.isEmpty {
            notices.append(
                "HANDOFF_TOKENS is not set: the API refuses every request (401) until bearer tokens are configured")
        }
        if chatwoot == nil {
            let missing = missingChatwootSettings.isEmpty ? "CHATWOOT_*" : missingChatwootSettings.joined(separator: ", ")
            notices.append("Chatwoot is not configured (\(missing) missing): handoffs wait in the outbox until it is")
        }
        if webhookSecrets.isEmpty {
            notices.append("CHATWOOT_WEBHOOK_SECRETS is not set: the webhook route refuses every delivery (401)")
        } else if chatwootAccountID == nil {
            notices.append(
                "CHATWOOT_ACCOUNT_ID is not set: webhook event ids derive from it, so the webhook route refuses every "
                    + "delivery (401)")
        }
        if botCallbackURL == nil {
            notices.append(
                "HANDOFF_BOT_CALLBACK_URL is not set: agent messages are not pushed; the bot platform polls or streams "
                    + "GET /v1/conversations/{id}/events")
        }
        return notices
    }

    /// The configuration without secrets: tokens and secrets by count only.
    var description: String {
        var parts = [
            "db \(databasePath)", "listen \(listen)", "durability \(durability.rawValue)",
            "\(apiTokens.count) API token(s)", "\(webhookSecrets.count) webhook secret(s)",
        ]
        parts.append(chatwoot.map(\.description) ?? "Chatwoot not configured")
        if let botCallbackURL { parts.append("bot callback \(Self.redacted(botCallbackURL))") }
        return parts.joined(separator: ", ")
    }

    // MARK: Values

    private static func nonEmpty(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A comma-separated list, trimmed, empty entries dropped.
    private static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static func positiveInteger(_ text: String, setting: SettingName) throws(ConfigurationError) -> Int {
        guard let number = Int(text), number > 0 else {
            throw ConfigurationError(setting.rawValue, "must be a positive integer, got \"\(text)\"")
        }
        return number
    }

    /// An absolute `http` or `https` URL with a host.
    private static func httpURL(_ text: String, setting: SettingName) throws(ConfigurationError) -> URL {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            let url = components.url
        else {
            throw ConfigurationError(
                setting.rawValue,
                "must be an absolute http:// or https:// URL with a host, such as https://chat.example.com")
        }
        return url
    }

    /// A URL without its user, password and query, for logs.
    private static func redacted(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "(url)" }
        components.user = nil
        components.password = nil
        components.query = nil
        return components.string ?? "(url)"
    }
}
