import ArgumentParser
import ChatwootSimulator
import Foundation
import Logging

/// Runs the Chatwoot SIMULATOR until SIGINT or SIGTERM.
@main
struct ChatwootSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chatwoot-sim",
        abstract: "Run a Chatwoot SIMULATOR (not Chatwoot) with fault injection, for trying a handoff service.",
        discussion: """
            Serves the part of Chatwoot 4.15.1's Application API a handoff service uses and sends the API \
            inbox's signed webhooks.

            One account (1) with one API-channel inbox (1), teams "Team <id>", agents Alice (1), Bob (2) and \
            Carol (3), and an administrator token. Simulated agents and faults are driven through the \
            /__sim/ admin routes (loopback only), e.g. POST /__sim/conversations/1/reply \
            {"agentId": 1, "content": "Hi"}.

            Examples:
              chatwoot-sim
              chatwoot-sim --port 3000 --api-token sim-token --teams 1,4,7,9
              chatwoot-sim --webhook-url http://127.0.0.1:8080/v1/webhooks/chatwoot \\
                --webhook-secret s3cret --faults plan.json

            A fault plan file (plan.json):
              {"rules": [
                {"method": "POST", "fault": "commitThenReset",
                 "path": "/api/v1/accounts/1/conversations/*/messages"},
                {"fault": "rateLimit", "retryAfter": 2, "skip": 10}]}
            """
    )

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to bind (0 for any free port).")
    var port: Int = 3000

    @Option(name: .customLong("api-token"), help: "The api_access_token clients must send.")
    var apiToken: String = "sim-token"

    @Option(help: "Comma-separated team ids; team <id> is named \"Team <id>\".")
    var teams: String = "1,4,7,9"

    @Option(help: "A JSON fault plan file to install at start.")
    var faults: String?

    @Option(name: .customLong("webhook-url"), help: "The API inbox's webhook URL (no webhooks without it).")
    var webhookURL: String?

    @Option(name: .customLong("webhook-secret"), help: "The API inbox's signing secret (unsigned without it).")
    var webhookSecret: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65535).contains(self.port) else {
            throw ValidationError("--port must be between 0 and 65535")
        }
        guard !self.apiToken.isEmpty else {
            throw ValidationError("--api-token must not be empty")
        }
        _ = try self.teamIDs()
        guard Logger.Level(rawValue: self.logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    private func teamIDs() throws -> [Int] {
        let parts = self.teams.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let ids = parts.compactMap { Int($0) }
        guard ids.count == parts.count, !ids.isEmpty, ids.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--teams must be comma-separated positive integers, e.g. 1,4,7,9")
        }
        return ids
    }

    private func faultPlan() throws -> FaultPlan {
        guard let path = self.faults else { return FaultPlan() }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ValidationError("cannot read --faults \(path): \(error.localizedDescription)")
        }
        do {
            return try FaultPlan(jsonBytes: bytes)
        } catch {
            throw ValidationError("invalid --faults \(path): \(error.description)")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: self.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var configuration = SimulatorConfiguration(
            apiToken: self.apiToken,
            host: self.host,
            port: self.port,
            teams: try self.teamIDs(),
            webhookURL: self.webhookURL,
            webhookSecret: self.webhookSecret,
            faults: try self.faultPlan()
        )
        configuration.allowRemoteAdmin = false
        let simulator = ChatwootSimulator(configuration: configuration, logger: Logger(label: "chatwoot-sim"))
        let token = self.apiToken
        try await simulator.runUntilShutdownSignal { _ in
            let url = simulator.baseURL
            let line =
                "This is a Chatwoot SIMULATOR, not Chatwoot: listening at \(url) (account 1, API inbox 1). "
                + "Set CHATWOOT_URL=\(url) CHATWOOT_ACCOUNT_ID=1 CHATWOOT_INBOX_ID=1 CHATWOOT_API_TOKEN=\(token)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}
