/// A message's type; REST answers give the integer, webhooks the name.
enum MessageType: Int, Sendable, CaseIterable {
    case incoming = 0
    case outgoing = 1
    case activity = 2
    case template = 3

    /// The enum name (`"incoming"`, ...).
    var name: String {
        switch self {
        case .incoming: "incoming"
        case .outgoing: "outgoing"
        case .activity: "activity"
        case .template: "template"
        }
    }

    /// Parses a name or the integer, as Rails enum assignment accepts either.
    init?(parameter value: JSONValue) {
        if case .int(let int) = value {
            self.init(rawValue: int)
            return
        }
        guard let name = value.scalarString else { return nil }
        if let match = Self.allCases.first(where: { $0.name == name }) {
            self = match
        } else if let int = Int(name), let match = MessageType(rawValue: int) {
            self = match
        } else {
            return nil
        }
    }
}

/// Who sent a message.
enum MessageSender: Sendable, Equatable {
    case contact(Int)
    case user(Int)
    case agentBot(Int)
}

/// A message (`messages` row). Ids are global; `conversationID` is the conversation's display id.
struct MessageRecord: Sendable {
    let id: Int
    let conversationID: Int
    let inboxID: Int
    var content: String?
    let messageType: MessageType
    let contentType: String
    var contentAttributes: JSONObject
    let isPrivate: Bool
    let sourceID: String?
    let sender: MessageSender?
    var status: String
    let createdAt: Timestamp
    var updatedAt: Timestamp
}
