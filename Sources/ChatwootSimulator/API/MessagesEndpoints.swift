/// `conversations/{cid}/messages` endpoints (`MessagesController`, `MessageFinder`).
extension ApplicationAPI {
    /// Reads the message fields `Messages::MessageBuilder` uses.
    static func messageParams(_ params: JSONObject) -> MessageParams {
        var message = MessageParams()
        message.content = self.string(params, "content")
        message.messageType = params["message_type"]
        message.isPrivate = params["private"]?.booleanValue ?? false
        message.contentType = params["content_type"]
        message.contentAttributes = params["content_attributes"]
        message.sourceID = self.string(params, "source_id").flatMap { $0.isEmpty ? nil : $0 }
        message.senderType = self.string(params, "sender_type")
        message.senderID = params["sender_id"]?.integerValue
        message.externalCreatedAt = params["external_created_at"]
        return message
    }

    /// Creates a message; `echo_id` is only echoed in this answer, never stored.
    static func createMessage(
        _ cid: String,
        _ params: JSONObject,
        state: inout SimulatorState,
        now: Timestamp
    ) throws(ChatwootError) -> APIResponse {
        let conversation = try self.findConversation(cid, state: state)
        let message = try state.createMessage(
            in: conversation.displayID,
            self.messageParams(params),
            poster: state.setup.apiUser,
            now: now
        )
        let echoID = self.string(params, "echo_id").flatMap { $0.isEmpty ? nil : $0 }
        return .json(state.messageJSON(message, echoID: echoID))
    }

    /// Lists messages by `before`/`after` message id cursors, in id order.
    static func listMessages(_ cid: String, _ params: JSONObject, state: SimulatorState) throws(ChatwootError) -> APIResponse {
        let conversation = try self.findConversation(cid, state: state)
        let before = params["before"]?.integerValue
        let after = params["after"]?.integerValue
        let messages = state.findMessages(in: conversation.displayID, before: before, after: after)
        var meta: JSONObject = [
            "labels": [],
            "additional_attributes": .object(conversation.additionalAttributes),
            "contact": state.contact(conversation.contactID).map { state.contactPushData($0) } ?? .null,
        ]
        if let assignee = conversation.assigneeID.flatMap({ state.setup.user($0) }) {
            meta.append("assignee", state.userPushData(assignee))
        }
        meta.append("agent_last_seen_at", .optional(conversation.agentLastSeenAt?.iso8601))
        meta.append("assignee_last_seen_at", .null)
        return .json(["meta": .object(meta), "payload": .array(messages.map { state.messageJSON($0) })])
    }
}
