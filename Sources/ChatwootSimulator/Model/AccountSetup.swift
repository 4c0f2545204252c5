/// The fixed parts of the simulated installation: one account, one API inbox, teams, users, bots.
struct AccountSetup: Sendable {
    let accountID: Int
    let accountName: String
    let inboxID: Int
    let inboxName: String
    let channelID: Int
    let teams: [TeamRecord]
    let users: [SimulatedAgent]
    let apiUser: SimulatedAgent
    let agentBots: [SimulatedAgentBot]
    /// Where the API inbox's webhooks go; an administrator may change it while the simulator runs.
    var webhookURL: String?
    let webhookSecret: String?
    let messagesPerMinuteLimit: Int
    let createdAt: Timestamp

    init(configuration: SimulatorConfiguration, now: Timestamp) {
        self.accountID = configuration.accountID
        self.accountName = configuration.accountName
        self.inboxID = configuration.inboxID
        self.inboxName = configuration.inboxName
        self.channelID = configuration.inboxID
        // Auto-assignment stays off (no online agent picks conversations up), so teams don't auto-assign.
        self.teams = configuration.teams.map {
            TeamRecord(id: $0, name: "Team \($0)", description: "", allowAutoAssign: false, createdAt: now)
        }
        self.users = configuration.accountUsers
        self.apiUser = configuration.apiUser
        self.agentBots = configuration.agentBots
        self.webhookURL = configuration.webhookURL
        self.webhookSecret = configuration.webhookSecret
        self.messagesPerMinuteLimit = configuration.messagesPerMinuteLimit
        self.createdAt = now
    }

    func user(_ id: Int) -> SimulatedAgent? {
        self.users.first { $0.id == id }
    }

    func team(_ id: Int) -> TeamRecord? {
        self.teams.first { $0.id == id }
    }

    func agentBot(_ id: Int) -> SimulatedAgentBot? {
        self.agentBots.first { $0.id == id }
    }
}
