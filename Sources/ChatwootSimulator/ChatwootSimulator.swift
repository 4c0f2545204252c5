import AsyncHTTPClient
import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import UnixSignals

/// A Chatwoot SIMULATOR (not Chatwoot): an HTTP server that answers the subset of Chatwoot 4.15.1's
/// Application API an external handoff service uses, sends the API inbox's signed webhooks, lets
/// simulated agents reply, assign, transfer and resolve, and injects faults.
///
/// ```swift
/// let simulator = ChatwootSimulator(configuration: SimulatorConfiguration(apiToken: "token"))
/// let port = try await simulator.start()
/// // ... point a client at simulator.baseURL, account 1, inbox 1 ...
/// let messageID = try await simulator.agentReply(conversation: 1, agent: 1, content: "Hello")
/// await simulator.stop()
/// ```
///
/// All methods are safe to call from any task. The synchronous ones need no `await`.
public final class ChatwootSimulator: Sendable {
    /// The configuration it was created with.
    public let configuration: SimulatorConfiguration
    let logger: Logger
    let core: Mutex<SimulatorCore>
    private let lifecycle = Mutex(Lifecycle())

    private struct Lifecycle: Sendable {
        var port: Int?
        var group: ServiceGroup?
        var task: Task<Result<Void, any Error>, Never>?
    }

    /// Creates a simulator; nothing listens until ``start()``.
    /// - Parameters:
    ///   - configuration: Account, inbox, teams, agents, webhook target and faults.
    ///   - logger: Where the simulator logs (requests at debug, webhook failures at info).
    public init(
        configuration: SimulatorConfiguration,
        logger: Logger = Logger(label: "chatwoot-simulator")
    ) {
        self.configuration = configuration
        self.logger = logger
        self.core = Mutex(SimulatorCore(configuration: configuration, now: .now(), clock: .now))
    }

    // MARK: Lifecycle

    /// Starts listening in the background until ``stop()``.
    /// - Returns: The bound port (the ephemeral one when the configured port is 0).
    /// - Throws: ``SimulatorError`` `.alreadyStarted`, or `.startFailed` with the cause (e.g. the port is taken).
    @discardableResult
    public func start() async throws -> Int {
        let running = self.lifecycle.withLock { $0.group != nil }
        if running {
            throw SimulatorError(.alreadyStarted, "the simulator is already running on port \(self.port ?? 0)")
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(
            configuration: .init(
                services: self.makeServices { port in
                    portContinuation.yield(port)
                    portContinuation.finish()
                },
                logger: self.logger
            )
        )
        let task = Task { () -> Result<Void, any Error> in
            defer { portContinuation.finish() }
            do {
                try await group.run()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        self.lifecycle.withLock {
            $0.group = group
            $0.task = task
        }
        for await port in ports {
            self.lifecycle.withLock { $0.port = port }
            self.logStarted(port: port)
            return port
        }
        let result = await task.value
        self.lifecycle.withLock { $0 = Lifecycle() }
        self.core.withLock { $0.outbox = nil }
        switch result {
        case .failure(let error):
            throw SimulatorError(.startFailed, "could not listen on \(self.configuration.host):\(self.configuration.port)", cause: error)
        case .success:
            throw SimulatorError(.startFailed, "the server stopped before it listened")
        }
    }

    /// Stops listening and sending webhooks (queued deliveries are abandoned). The state is kept: a
    /// later ``start()`` serves the same contacts and conversations.
    public func stop() async {
        let (group, task) = self.lifecycle.withLock { lifecycle in
            defer { lifecycle = Lifecycle() }
            return (lifecycle.group, lifecycle.task)
        }
        guard let group, let task else { return }
        await group.triggerGracefulShutdown()
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { _ = await task.value }
            tasks.addTask {
                do {
                    try await Task.sleep(for: .seconds(5))
                    task.cancel()
                } catch {
                    // Cancelled because the server finished first.
                }
            }
            await tasks.next()
            tasks.cancelAll()
        }
        _ = await task.value
        self.core.withLock {
            $0.outbox?.finish()
            $0.outbox = nil
        }
    }

    /// Runs until SIGINT or SIGTERM, then stops gracefully (for the `chatwoot-sim` executable).
    /// - Parameter onStarted: Called with the bound port once the server listens.
    public func runUntilShutdownSignal(onStarted: @escaping @Sendable (_ port: Int) -> Void = { _ in }) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: self.makeServices { port in
                    self.lifecycle.withLock { $0.port = port }
                    self.logStarted(port: port)
                    onStarted(port)
                },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: self.logger
            )
        )
        do {
            try await group.run()
        } catch {
            throw SimulatorError(.startFailed, "the simulator stopped with an error", cause: error)
        }
    }

    /// The bound port while running.
    public var port: Int? {
        self.lifecycle.withLock { $0.port }
    }

    /// `http://<host>:<port>`, the value for `CHATWOOT_URL`.
    public var baseURL: String {
        let port = self.port ?? self.configuration.port
        var host = self.configuration.host
        if host == "0.0.0.0" || host.isEmpty { host = "127.0.0.1" }
        if host == "::" { host = "::1" }
        if host.contains(":") { host = "[\(host)]" }
        return "http://\(host):\(port)"
    }

    private func makeServices(
        onRunning: @escaping @Sendable (Int) -> Void
    ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let (deliveries, outbox) = AsyncStream.makeStream(of: PendingDelivery.self)
        self.core.withLock { $0.outbox = outbox }
        let configuredPort = self.configuration.port
        let application = Application(
            responder: SimulatorResponder(simulator: self),
            configuration: ApplicationConfiguration(
                address: .hostname(self.configuration.host, port: configuredPort)
            ),
            onServerRunning: { channel in
                onRunning(channel.localAddress?.port ?? configuredPort)
            },
            logger: self.logger
        )
        let dispatcher = WebhookDispatcher(
            deliveries: deliveries,
            client: HTTPClient.shared,
            logger: self.logger
        ) { [weak self] deliveryID, status, error in
            self?.core.withLock { $0.finishDelivery(deliveryID, status: status, error: error) }
        }
        return [.init(service: application), .init(service: dispatcher)]
    }

    private func logStarted(port: Int) {
        self.logger.notice(
            "Chatwoot SIMULATOR started: not a real Chatwoot",
            metadata: [
                "simulator.url": .string(self.baseURL),
                "simulator.port": .stringConvertible(port),
                "simulator.account": .stringConvertible(self.configuration.accountID),
                "simulator.inbox": .stringConvertible(self.configuration.inboxID),
            ]
        )
    }

    // MARK: Faults, stats, logs

    /// Replaces the active fault plan; its counters and outage windows start now.
    public func install(_ plan: FaultPlan) {
        self.core.withLock { $0.faults.install(plan, now: .now) }
    }

    /// The fault plan in force.
    public func faultPlan() -> FaultPlan {
        self.core.withLock { $0.faults.plan }
    }

    /// Counters, creates by endpoint and duplicate source ids (also at `GET /__sim/stats`).
    public func stats() -> SimulatorStats {
        self.core.withLock { $0.stats() }
    }

    /// Every API request received, in order, with what was answered (nil when a fault closed the connection).
    public func exchanges() -> [RecordedExchange] {
        self.core.withLock { $0.exchanges }
    }

    /// Drops the next `count` webhook deliveries on purpose (they count as dropped, never reach the receiver).
    public func dropWebhooks(next count: Int) {
        self.core.withLock { $0.dropWebhooks(next: count) }
    }

    /// Points the API inbox's webhooks at `url` (nil: none) from now on, as an administrator editing the inbox in
    /// Chatwoot does; deliveries already queued keep their target. For a receiver whose address is only known once
    /// it listens, such as a server started on port 0 with this simulator's URL in its configuration.
    public func setWebhookURL(_ url: String?) {
        self.core.withLock { $0.state.setWebhookURL(url) }
    }

    /// Every webhook delivery so far: event, delivery id, signature, body, status code or error, dropped flag.
    public func webhookDeliveries() -> [WebhookDelivery] {
        self.core.withLock { $0.deliveries }
    }

    // MARK: Simulated agents

    /// A simulated agent replies in the UI (or writes a private note): an outgoing message whose sender
    /// is the user, followed by a `message_created` webhook.
    /// - Returns: The message id.
    /// - Throws: ``SimulatorError`` for an unknown conversation or agent, or a refused message (flood guard).
    @discardableResult
    public func agentReply(conversation: Int, agent: Int, content: String, isPrivate: Bool = false) async throws -> Int {
        let now = Timestamp.now()
        return try self.core.withLock { core throws(SimulatorError) in
            try core.agentReply(conversation: conversation, agent: agent, content: content, isPrivate: isPrivate, now: now).id
        }
    }

    /// A simulated agent assigns the conversation to `agent`, or unassigns it with nil
    /// (`conversation_updated` with `assignee_id` in `changed_attributes`).
    /// - Throws: ``SimulatorError`` for an unknown conversation or agent.
    public func assign(conversation: Int, agent: Int?) async throws {
        try self.performAssign(conversation: conversation, agent: agent)
    }

    /// A simulated agent transfers the conversation to `team`, or removes its team with nil
    /// (`conversation_updated` with `team_id`; an assignee outside the team is unassigned).
    /// - Throws: ``SimulatorError`` for an unknown conversation or team.
    public func transfer(conversation: Int, team: Int?) async throws {
        try self.performTransfer(conversation: conversation, team: team)
    }

    /// A simulated agent sets the status: `resolved`, `pending` (hand back to the bot), `open` or `snoozed`
    /// (`conversation_status_changed`, then `conversation_updated`).
    /// - Throws: ``SimulatorError`` for an unknown conversation or status.
    public func setStatus(conversation: Int, status: String) async throws {
        try self.performSetStatus(conversation: conversation, status: status)
    }

    // MARK: Internal entry points (HTTP and admin routes)

    func performAgentReply(conversation: Int, agent: Int, content: String, isPrivate: Bool) throws(SimulatorError) -> JSONValue {
        let now = Timestamp.now()
        return try self.core.withLock { core throws(SimulatorError) in
            let message = try core.agentReply(
                conversation: conversation,
                agent: agent,
                content: content,
                isPrivate: isPrivate,
                now: now
            )
            return core.state.messageJSON(message)
        }
    }

    func performAssign(conversation: Int, agent: Int?) throws(SimulatorError) {
        let now = Timestamp.now()
        try self.core.withLock { core throws(SimulatorError) in
            try core.assign(conversation: conversation, agent: agent, now: now)
        }
    }

    func performTransfer(conversation: Int, team: Int?) throws(SimulatorError) {
        let now = Timestamp.now()
        try self.core.withLock { core throws(SimulatorError) in
            try core.transfer(conversation: conversation, team: team, now: now)
        }
    }

    func performSetStatus(conversation: Int, status: String) throws(SimulatorError) {
        let now = Timestamp.now()
        try self.core.withLock { core throws(SimulatorError) in
            try core.setStatus(conversation: conversation, status: status, now: now)
        }
    }

    func conversationJSON(_ displayID: Int) -> JSONValue {
        self.core.withLock { core in
            core.state.conversation(displayID).map { core.state.conversationJSON($0) } ?? .null
        }
    }

    func stateJSON() -> JSONValue {
        self.core.withLock { $0.stateJSON() }
    }

    /// Answers an API request with its fault applied; nil means: close the connection without answering.
    func respondToAPI(_ request: APIRequest) async -> APIResponse? {
        let fault = self.core.withLock { $0.begin(request, clock: .now) }
        self.logger.debug(
            "Chatwoot API request",
            metadata: [
                "http.method": .string(request.method),
                "http.path": .string(request.path),
                "simulator.fault": .string(fault?.kind ?? "none"),
            ]
        )
        switch fault {
        case nil:
            return self.handle(request, fault: nil)
        case .status(let status):
            return self.answer(request, with: APIResponse(.rails(status)), fault: fault)
        case .rateLimit(let retryAfter):
            return self.answer(request, with: APIResponse(.throttled(retryAfter: retryAfter)), fault: fault)
        case .outage:
            return self.answer(request, with: APIResponse(.outage), fault: fault)
        case .delay(let seconds):
            await Self.sleep(seconds)
            return self.handle(request, fault: fault)
        case .resetBeforeWrite:
            self.core.withLock { $0.record(request, response: nil, fault: fault) }
            return nil
        case .commitThenReset:
            let now = Timestamp.now()
            let token = self.configuration.apiToken
            self.core.withLock {
                _ = $0.handle(request, apiToken: token, now: now)
                $0.record(request, response: nil, fault: fault)
            }
            return nil
        case .commitThenDelay(let seconds):
            let response = self.handle(request, fault: fault)
            await Self.sleep(seconds)
            return response
        }
    }

    private func handle(_ request: APIRequest, fault: Fault?) -> APIResponse {
        let now = Timestamp.now()
        let token = self.configuration.apiToken
        return self.core.withLock {
            let response = $0.handle(request, apiToken: token, now: now)
            $0.record(request, response: response, fault: fault)
            return response
        }
    }

    private func answer(_ request: APIRequest, with response: APIResponse, fault: Fault?) -> APIResponse {
        self.core.withLock { $0.record(request, response: response, fault: fault) }
        return response
    }

    private static func sleep(_ seconds: Double) async {
        try? await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded())))
    }
}
