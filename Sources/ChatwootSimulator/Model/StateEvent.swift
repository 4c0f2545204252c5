/// Something that happened to the state and that Chatwoot's API inbox reports by webhook.
enum StateEvent: Sendable {
    case conversationCreated(conversation: Int)
    case conversationUpdated(conversation: Int, changes: [ChangedAttribute])
    case conversationStatusChanged(conversation: Int)
    case messageCreated(message: Int, conversation: Int)
}
