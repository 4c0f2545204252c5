/// How a ``ChatwootSimulator`` behaves: where it listens, its one account and API inbox, teams, users,
/// the inbox's webhook callback and the initial fault plan.
///
/// ```swift
/// var configuration = SimulatorConfiguration(apiToken: "test-token")
/// configuration.webhookURL = "http://127.0.0.1:8080/v1/webhooks/chatwoot"
/// configuration.webhookSecret = "secret"
/// let simulator = ChatwootSimulator(configuration: configuration)
/// let port = try await simulator.start()
/// ```
public struct SimulatorConfiguration: Sendable {
    /// Address to bind (default `127.0.0.1`).
    public var host: String
    /// Port to bind; 0 picks a free one (``ChatwootSimulator/start()`` returns it).
    public var port: Int
    /// The `api_access_token` of ``apiUser``, an administrator.
    public var apiToken: String
    /// The one account id in `/api/v1/accounts/{account_id}`.
    public var accountID: Int
    /// The account name shown in webhooks.
    public var accountName: String
    /// The id of the one API-channel inbox (no agent bot, `lock_to_single_conversation` false).
    public var inboxID: Int
    /// The inbox name.
    public var inboxName: String
    /// Team ids; team `n` is named "Team n".
    public var teams: [Int]
    /// Account users who act in the simulated UI.
    public var agents: [SimulatedAgent]
    /// The administrator who owns ``apiToken``: the sender of outgoing messages posted through the API.
    public var apiUser: SimulatedAgent
    /// Account agent bots that may be named as message senders.
    public var agentBots: [SimulatedAgentBot]
    /// The API inbox's webhook URL; no webhooks are sent when nil.
    public var webhookURL: String?
    /// The API inbox's secret; deliveries are signed only when it is set, as in Chatwoot.
    public var webhookSecret: String?
    /// The fault plan active from the start.
    public var faults: FaultPlan
    /// Chatwoot's `CONVERSATION_MESSAGE_PER_MINUTE_LIMIT` (default 200 messages per conversation in 60 s).
    public var messagesPerMinuteLimit: Int
    /// Serve `/__sim/` admin routes to non-loopback peers too (default false).
    public var allowRemoteAdmin: Bool

    /// Creates a configuration; every value but the token has a working default.
    /// - Parameters:
    ///   - apiToken: The `api_access_token` clients must send.
    ///   - host: Address to bind.
    ///   - port: Port to bind; 0 for an ephemeral port.
    ///   - accountID: The account id.
    ///   - inboxID: The API inbox id.
    ///   - teams: Team ids.
    ///   - agents: Simulated users.
    ///   - webhookURL: Where webhooks go, if anywhere.
    ///   - webhookSecret: The signing secret, if any.
    ///   - faults: The initial fault plan.
    public init(
        apiToken: String,
        host: String = "127.0.0.1",
        port: Int = 0,
        accountID: Int = 1,
        inboxID: Int = 1,
        teams: [Int] = [1, 4, 7, 9],
        agents: [SimulatedAgent] = SimulatedAgent.defaults,
        webhookURL: String? = nil,
        webhookSecret: String? = nil,
        faults: FaultPlan = FaultPlan()
    ) {
        self.host = host
        self.port = port
        self.apiToken = apiToken
        self.accountID = accountID
        self.accountName = "Simulated Account"
        self.inboxID = inboxID
        self.inboxName = "Handoff (API, simulated)"
        self.teams = teams
        self.agents = agents
        self.apiUser = SimulatedAgent.defaultAPIUser
        self.agentBots = [SimulatedAgentBot(id: 1, name: "Handoff Bot")]
        self.webhookURL = webhookURL
        self.webhookSecret = webhookSecret
        self.faults = faults
        self.messagesPerMinuteLimit = 200
        self.allowRemoteAdmin = false
    }

    /// All account users: the agents, then the API user unless an agent has its id.
    var accountUsers: [SimulatedAgent] {
        self.agents.contains { $0.id == self.apiUser.id } ? self.agents : self.agents + [self.apiUser]
    }
}
