/// Who performed a change, for activity messages ("... by Alice Agent").
enum ChangeActor: Sendable {
    /// A user: the API token's owner or a simulated agent.
    case user(SimulatedAgent)
    /// Chatwoot itself (e.g. re-opening on a new incoming message).
    case system
}
