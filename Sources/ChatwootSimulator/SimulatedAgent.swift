/// A Chatwoot user of the simulated account: an agent or administrator who can reply, assign and resolve.
public struct SimulatedAgent: Sendable, Hashable, Codable {
    /// The role of an account user.
    public enum Role: String, Sendable, Hashable, Codable {
        case administrator
        case agent
    }

    /// The user id (`assignee_id`, a message's `sender_id`).
    public var id: Int
    /// The full name shown to contacts and in webhooks.
    public var name: String
    /// The login email.
    public var email: String
    /// The account role.
    public var role: Role
    /// Ids of the teams the user is a member of.
    public var teams: [Int]

    /// Creates a simulated user.
    /// - Parameters:
    ///   - id: The user id.
    ///   - name: The full name.
    ///   - email: The email; derived from the first name when nil.
    ///   - role: The account role.
    ///   - teams: Ids of the teams the user belongs to.
    public init(id: Int, name: String, email: String? = nil, role: Role = .agent, teams: [Int] = []) {
        self.id = id
        self.name = name
        let firstName = name.split(separator: " ").first.map(String.init) ?? "agent\(id)"
        self.email = email ?? "\(firstName.lowercased())@example.com"
        self.role = role
        self.teams = teams
    }

    /// The first name, which Chatwoot shows as `available_name` when no display name is set.
    var availableName: String {
        self.name.split(separator: " ").first.map(String.init) ?? self.name
    }

    /// Alice (administrator, teams 1 and 4), Bob (agent, teams 4 and 7), Carol (agent, teams 7, 9 and 1).
    public static let defaults: [SimulatedAgent] = [
        SimulatedAgent(id: 1, name: "Alice Agent", role: .administrator, teams: [1, 4]),
        SimulatedAgent(id: 2, name: "Bob Agent", role: .agent, teams: [4, 7]),
        SimulatedAgent(id: 3, name: "Carol Agent", role: .agent, teams: [7, 9, 1]),
    ]

    /// The administrator who owns the API token by default: a dedicated service user in no team.
    public static let defaultAPIUser = SimulatedAgent(
        id: 100,
        name: "Handoff Service",
        email: "handoff-service@example.com",
        role: .administrator,
        teams: []
    )
}
