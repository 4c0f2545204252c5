import EventStore
import Foundation
import HandoffSaga
import TestSupport
import Testing

@testable import handoffd

@Suite("Configuration")
struct ConfigurationTests {
    @Test("with nothing set: the defaults, every optional feature off, one notice for each")
    func defaults() throws {
        let configuration = try HandoffConfiguration.load(arguments: [], environment: [:])
        #expect(configuration.databasePath == "./handoff.sqlite")
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(configuration.durability == .full)
        #expect(configuration.apiTokens.isEmpty)
        #expect(configuration.chatwoot == nil)
        #expect(configuration.webhookSecrets.isEmpty)
        #expect(!configuration.webhooksEnabled)
        #expect(configuration.botCallbackURL == nil)
        let notices = configuration.notices
        #expect(notices.count == 4)
        #expect(notices.contains { $0.hasPrefix("HANDOFF_TOKENS is not set") })
        #expect(notices.contains { $0.hasPrefix("Chatwoot is not configured") && $0.contains("handoffs wait in the outbox") })
        #expect(notices.contains { $0.hasPrefix("CHATWOOT_WEBHOOK_SECRETS is not set") })
        #expect(notices.contains { $0.hasPrefix("HANDOFF_BOT_CALLBACK_URL is not set") })
    }

    @Test("every setting from the environment; lists trimmed; secrets kept out of the description")
    func everything() throws {
        let configuration = try HandoffConfiguration.load(
            arguments: [],
            environment: [
                "HANDOFF_DB": "/var/lib/handoff/events.sqlite", "HANDOFF_LISTEN": "0.0.0.0:9000",
                "HANDOFF_TOKENS": " alpha-token , beta-token ,", "HANDOFF_DURABILITY": "normal",
                "CHATWOOT_URL": "https://chat.example.com/", "CHATWOOT_ACCOUNT_ID": "3", "CHATWOOT_INBOX_ID": "7",
                "CHATWOOT_API_TOKEN": "secret-api-token", "CHATWOOT_WEBHOOK_SECRETS": "new-secret,old-secret",
                "HANDOFF_BOT_CALLBACK_URL": "https://bot.example.com/agent-messages?key=hidden", "UNRELATED": "x",
            ])
        #expect(configuration.databasePath == "/var/lib/handoff/events.sqlite")
        #expect(configuration.listen == ListenAddress(host: "0.0.0.0", port: 9000))
        #expect(configuration.apiTokens == ["alpha-token", "beta-token"])
        #expect(configuration.durability == .normal)
        let chatwoot = try #require(configuration.chatwoot)
        #expect(chatwoot.baseURL == "https://chat.example.com")
        #expect(chatwoot.accountID == 3)
        #expect(chatwoot.inboxID == 7)
        #expect(chatwoot.apiToken == "secret-api-token")
        #expect(configuration.webhookSecrets == ["new-secret", "old-secret"])
        #expect(configuration.webhooksEnabled)
        #expect(configuration.botCallbackURL?.host == "bot.example.com")
        #expect(configuration.notices.isEmpty)
        let description = configuration.description
        for secret in ["alpha-token", "beta-token", "secret-api-token", "new-secret", "old-secret", "hidden"] {
            #expect(!description.contains(secret), "\(secret)")
        }
        for line in StartupReport.banner(configuration, port: 9000) {
            for secret in ["alpha-token", "secret-api-token", "new-secret"] { #expect(!line.contains(secret)) }
        }
    }

    @Test("a configuration file sets the same names; the environment wins over it")
    func fileAndEnvironment() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("handoffd.conf")
        try """
            # handoffd settings
            HANDOFF_LISTEN=127.0.0.1:9100
            HANDOFF_TOKENS="file-token"
              HANDOFF_DURABILITY = normal

            CHATWOOT_ACCOUNT_ID='4'
            CHATWOOT_WEBHOOK_SECRETS=file-secret
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try HandoffConfiguration.load(arguments: ["--config", file], environment: [:])
        #expect(fromFile.listen.port == 9100)
        #expect(fromFile.apiTokens == ["file-token"])
        #expect(fromFile.durability == .normal)
        #expect(fromFile.chatwootAccountID == 4)
        #expect(fromFile.webhooksEnabled)
        #expect(fromFile.chatwoot == nil)
        #expect(fromFile.notices.contains { $0.contains("CHATWOOT_URL, CHATWOOT_INBOX_ID, CHATWOOT_API_TOKEN missing") })

        let overridden = try HandoffConfiguration.load(
            arguments: ["--config=\(file)"], environment: ["HANDOFF_LISTEN": "127.0.0.1:9200", "HANDOFF_TOKENS": ""])
        #expect(overridden.listen.port == 9200)
        // An empty variable counts as unset: the file's value stays.
        #expect(overridden.apiTokens == ["file-token"])
        let viaVariable = try HandoffConfiguration.load(arguments: [], environment: ["HANDOFF_CONFIG": file])
        #expect(viaVariable.listen.port == 9100)
    }

    /// Malformed settings, and the name the refusal must carry.
    static let malformed: [(setting: String, value: String)] = [
        ("HANDOFF_LISTEN", "8080"), ("HANDOFF_LISTEN", "localhost:http"), ("HANDOFF_LISTEN", "127.0.0.1:70000"),
        ("HANDOFF_LISTEN", ":8080"), ("HANDOFF_LISTEN", "[::1]8080"), ("HANDOFF_DURABILITY", "paranoid"),
        ("CHATWOOT_ACCOUNT_ID", "one"), ("CHATWOOT_ACCOUNT_ID", "0"), ("CHATWOOT_INBOX_ID", "7.5"),
        ("CHATWOOT_URL", "chat.example.com"), ("CHATWOOT_URL", "ftp://chat.example.com"),
        ("HANDOFF_BOT_CALLBACK_URL", "/callback"),
    ]

    @Test("a malformed setting refuses the start with a message naming it", arguments: malformed.indices)
    func refusals(_ index: Int) throws {
        let (setting, value) = Self.malformed[index]
        let error = try #require(throws: ConfigurationError.self) {
            try HandoffConfiguration.load(arguments: [], environment: [setting: value])
        }
        #expect(error.setting == setting)
        #expect(error.description.hasPrefix("\(setting): "))
    }

    @Test("IPv6 listening addresses and port 0 are accepted")
    func listenForms() throws {
        #expect(try ListenAddress(parsing: "[::1]:8080") == ListenAddress(host: "::1", port: 8080))
        #expect(try ListenAddress(parsing: "localhost:0") == ListenAddress(host: "localhost", port: 0))
        #expect(ListenAddress(host: "::1", port: 80).description == "[::1]:80")
    }

    @Test("the configuration file and the command line refuse what they do not know")
    func fileAndArgumentErrors() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("bad.conf")
        try "HANDOFF_TOKEN=typo\n".write(toFile: file, atomically: true, encoding: .utf8)
        let unknown = try #require(throws: ConfigurationError.self) {
            try HandoffConfiguration.load(arguments: ["--config", file], environment: [:])
        }
        #expect(unknown.message.contains("line 1"))
        #expect(unknown.message.contains("HANDOFF_TOKEN"))
        try "just words\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) {
            try HandoffConfiguration.load(arguments: ["--config", file], environment: [:])
        }
        #expect(throws: ConfigurationError.self) {
            try HandoffConfiguration.load(arguments: ["--config", directory.path("missing.conf")], environment: [:])
        }
        #expect(throws: ConfigurationError.self) { try LaunchOptions(arguments: ["--config"]) }
        #expect(throws: ConfigurationError.self) { try LaunchOptions(arguments: ["--verbose"]) }
        #expect(try LaunchOptions(arguments: ["-h"]).help)
    }

    @Test("webhook secrets without the account id leave the webhook route refusing, and say so")
    func secretsWithoutAccount() throws {
        let configuration = try HandoffConfiguration.load(
            arguments: [], environment: ["CHATWOOT_WEBHOOK_SECRETS": "s"])
        #expect(!configuration.webhooksEnabled)
        #expect(configuration.notices.contains { $0.hasPrefix("CHATWOOT_ACCOUNT_ID is not set") })
    }

    @Test("the start banner names the webhook URL and how to connect Chatwoot or the simulator")
    func banner() {
        let configuration = HandoffConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 0))
        let text = StartupReport.banner(configuration, port: 8123).joined(separator: "\n")
        #expect(text.contains("http://127.0.0.1:8123/v1/webhooks/chatwoot"))
        #expect(text.contains("swift run chatwoot-sim"))
        #expect(text.contains("SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true"))
    }
}
