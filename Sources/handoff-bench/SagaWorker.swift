import ArgumentParser
import EventStore
import Foundation
import HandoffSaga
import Logging
import Synchronization

/// `handoff-bench saga-worker`: the saga and its dispatcher against a Chatwoot, until the work is done or a crash
/// point is reached, for the saga's crash test.
struct SagaWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saga-worker",
        abstract: "Run the saga and its dispatcher until the log is processed and the outbox is empty, then exit 0.",
        discussion: """
            Used by the saga's crash test. With --crash-at the process kills itself with SIGKILL the Nth time it \
            passes that step (\(SagaStep.allCases.map(\.rawValue).joined(separator: ", "))); the test also kills it \
            at random moments. A restart must complete every handoff with nothing duplicated in Chatwoot. Retries \
            are quick and the wait after an unknown outcome is short: the simulator commits before it answers.

            Example: handoff-bench saga-worker --db saga.sqlite --chatwoot-url http://127.0.0.1:3000 \
            --api-token sim-token --crash-at after-claim --crash-after 3
            """,
        shouldDisplay: false
    )

    @Option(help: "The database file (events, outbox and checkpoints).") var db: String
    @Option(help: "Chatwoot's base URL (loopback only in tests).") var chatwootURL: String
    @Option(help: "Chatwoot's API access token.") var apiToken: String
    @Option(help: "Chatwoot account id.") var account = 1
    @Option(help: "Chatwoot inbox id.") var inbox = 1
    @Option(help: "The step at which to kill this process.") var crashAt: String?
    @Option(help: "Kill at the Nth time the step is passed.") var crashAfter = 1
    @Option(help: "Events the saga reads and commits together.") var pageSize = 20
    @Option(help: "Conversations the dispatcher serves at once.") var concurrency = 4

    func validate() throws {
        if let crashAt, SagaStep(rawValue: crashAt) == nil {
            throw ValidationError("--crash-at must be one of \(SagaStep.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard crashAfter >= 1 else { throw ValidationError("--crash-after must be at least 1") }
        guard pageSize >= 1, concurrency >= 1 else { throw ValidationError("--page-size and --concurrency must be positive") }
    }

    func run() async throws {
        let crash = CrashPoint(step: crashAt.flatMap(SagaStep.init(rawValue:)), after: crashAfter)
        let store = try SQLiteEventStore(path: db)
        let outbox = Outbox(store: store)
        try await outbox.prepare()
        let client = ChatwootClient(
            configuration: ChatwootConfiguration(
                baseURL: chatwootURL, accountID: account, inboxID: inbox, apiToken: apiToken, timeout: .seconds(2)))
        var quiet = Logger(label: "handoff.saga-worker")
        quiet.logLevel = .critical
        let processor = SagaProcessor(
            store: store, outbox: outbox, relaysToBot: false, pageSize: pageSize, logger: quiet, onStep: crash.pass)
        let dispatcher = Dispatcher(
            store: store, outbox: outbox, support: ChatwootSupportSystem(client: client), bot: nil,
            configuration: Dispatcher.Configuration(
                retry: RetryPolicy(
                    maxAttempts: 20, baseDelay: .milliseconds(10), maxDelay: .milliseconds(200),
                    unknownOutcomeWait: .milliseconds(50)),
                concurrency: concurrency, breakerThreshold: 1000, idleInterval: .milliseconds(5)),
            logger: quiet, onStep: crash.pass)

        try await dispatcher.runUntilIdle(processor: processor)
        let depth = try await outbox.depth()
        print("idle done=\(depth[.done, default: 0]) dead=\(depth[.dead, default: 0])")
        await store.close()
    }
}

/// Kills the process with SIGKILL the Nth time its step is passed.
private final class CrashPoint: Sendable {
    private let step: SagaStep?
    private let after: Int
    private let passes = Mutex(0)

    init(step: SagaStep?, after: Int) {
        self.step = step
        self.after = after
    }

    /// Called at every step; kills the process at the chosen one.
    @Sendable func pass(_ reached: SagaStep) {
        guard reached == step else { return }
        let count = passes.withLock { count in
            count += 1
            return count
        }
        if count >= after { kill(getpid(), SIGKILL) }
    }
}
