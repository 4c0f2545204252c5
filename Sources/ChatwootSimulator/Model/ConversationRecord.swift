/// A conversation status, as Chatwoot's enum names it.
enum ConversationStatus: String, Sendable, CaseIterable {
    case open
    case resolved
    case pending
    case snoozed
}

/// A conversation (`conversations` row); the simulator's only account makes `displayID` its key.
struct ConversationRecord: Sendable {
    let displayID: Int
    let uuid: String
    let contactID: Int
    let contactInboxID: Int
    let inboxID: Int
    var status: ConversationStatus
    var assigneeID: Int?
    var teamID: Int?
    var customAttributes: JSONObject
    var additionalAttributes: JSONObject
    let createdAt: Timestamp
    var updatedAt: Timestamp
    var lastActivityAt: Timestamp
    var waitingSince: Timestamp?
    var firstReplyCreatedAt: Timestamp?
    var snoozedUntil: Int?
    /// When an agent last had the conversation open in the UI (simulated agents' actions set it).
    var agentLastSeenAt: Timestamp? = nil
}
