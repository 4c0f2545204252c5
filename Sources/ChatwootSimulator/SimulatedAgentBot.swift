/// An account agent bot that outgoing messages may name as their sender (`sender_type: "AgentBot"`).
///
/// It is not attached to the inbox, so new conversations are not forced to `pending`.
public struct SimulatedAgentBot: Sendable, Hashable, Codable {
    /// The bot id (`sender_id`).
    public var id: Int
    /// The bot name shown as the message sender.
    public var name: String

    /// Creates a simulated agent bot.
    public init(id: Int, name: String) {
        self.id = id
        self.name = name
    }
}
