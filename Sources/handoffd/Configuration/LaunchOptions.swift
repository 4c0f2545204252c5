/// The command line of handoffd: `handoffd [--config FILE] [--help]`.
struct LaunchOptions: Sendable, Hashable {
    /// The configuration file named by `--config`, if any.
    var configFile: String?
    /// Whether `--help` (or `-h`) was given.
    var help = false

    /// The usage text printed by `--help`.
    static let usage = """
        USAGE: handoffd [--config FILE]

        Runs the handoff service: the ingestion API, Chatwoot's webhook receiver, the projections and the saga.
        Settings come from the environment, and from FILE (NAME=value lines) where the environment does not set them:
          HANDOFF_DB, HANDOFF_LISTEN, HANDOFF_TOKENS, HANDOFF_DURABILITY, CHATWOOT_URL, CHATWOOT_ACCOUNT_ID,
          CHATWOOT_INBOX_ID, CHATWOOT_API_TOKEN, CHATWOOT_WEBHOOK_SECRETS, HANDOFF_BOT_CALLBACK_URL
        HANDOFF_CONFIG names the file when --config is not given.
        """

    /// Parses the arguments after the program name.
    /// - Throws: ``ConfigurationError`` for an unknown argument or `--config` without a file.
    init(arguments: [String]) throws(ConfigurationError) {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--config":
                guard let file = remaining.popFirst(), !file.isEmpty else {
                    throw ConfigurationError("--config", "expects a file name")
                }
                configFile = file
            case _ where argument.hasPrefix("--config="):
                let file = String(argument.dropFirst("--config=".count))
                guard !file.isEmpty else { throw ConfigurationError("--config", "expects a file name") }
                configFile = file
            case "--help", "-h":
                help = true
            default:
                throw ConfigurationError(argument, "unknown argument (try --help)")
            }
        }
    }
}
