/// Conversation and message JSON as the REST views render them.
extension SimulatorState {
    /// The `_conversation` partial: `meta` (sender, channel, assignee and team when set, hmac_verified),
    /// `id` = display id, the recent messages, and timestamps as Chatwoot types them.
    func conversationJSON(_ conversation: ConversationRecord) -> JSONValue {
        var meta = JSONObject()
        if let contact = self.contact(conversation.contactID) {
            meta.append("sender", self.contactJSON(contact, includeContactInboxes: false))
        }
        meta.append("channel", "Channel::Api")
        if let assignee = conversation.assigneeID.flatMap({ self.setup.user($0) }) {
            meta.append("assignee", self.agentJSON(assignee))
            meta.append("assignee_type", "User")
        }
        if let team = conversation.teamID.flatMap({ self.setup.team($0) }) {
            meta.append("team", self.teamJSON(team))
        }
        meta.append("hmac_verified", false)

        let messages = self.messages(of: conversation.displayID)
        let unread = self.unreadIncomingCount(conversation.displayID)
        let recent: [MessageRecord]
        if messages.isEmpty {
            recent = []
        } else if unread == 0 {
            recent = Array(messages.suffix(1))
        } else {
            recent = Array(messages.suffix(10))
        }
        let lastNonActivity = messages.last { $0.messageType != .activity }

        return [
            "meta": .object(meta),
            "id": .int(conversation.displayID),
            "messages": .array(recent.map { self.messagePushData($0) }),
            "account_id": .int(self.setup.accountID),
            "uuid": .string(conversation.uuid),
            "additional_attributes": .object(conversation.additionalAttributes),
            "agent_last_seen_at": .int(conversation.agentLastSeenAt?.unix ?? 0),
            "assignee_last_seen_at": 0,
            "can_reply": true,
            "contact_last_seen_at": 0,
            "custom_attributes": .object(conversation.customAttributes),
            "inbox_id": .int(conversation.inboxID),
            "labels": [],
            "muted": false,
            "snoozed_until": .optional(conversation.snoozedUntil.map { Timestamp(seconds: Double($0)).iso8601 }),
            "status": .string(conversation.status.rawValue),
            "created_at": .int(conversation.createdAt.unix),
            "updated_at": .double(conversation.updatedAt.float),
            "timestamp": .int(conversation.lastActivityAt.unix),
            "first_reply_created_at": .optional(conversation.firstReplyCreatedAt?.iso8601),
            "unread_count": .int(unread),
            "last_non_activity_message": lastNonActivity.map { self.messagePushData($0) } ?? .null,
            "last_activity_at": .int(conversation.lastActivityAt.unix),
            "priority": nil,
            "waiting_since": .int(conversation.waitingSince?.unix ?? 0),
            "sla_policy_id": nil,
        ]
    }

    /// Incoming messages created after an agent last had the conversation open.
    func unreadIncomingCount(_ displayID: Int) -> Int {
        let seen = self.conversation(displayID)?.agentLastSeenAt
        return self.messages(of: displayID).reduce(0) { count, message in
            let unread = message.messageType == .incoming && seen.map { message.createdAt > $0 } ?? true
            return count + (unread ? 1 : 0)
        }
    }

    /// The `_message` partial: `message_type` as an integer, `created_at` in Unix seconds, `echo_id` only
    /// when given (the create answer), `sender` only when there is one.
    func messageJSON(_ message: MessageRecord, echoID: String? = nil) -> JSONValue {
        var object: JSONObject = [
            "id": .int(message.id),
            "content": .optional(message.content),
            "inbox_id": .int(message.inboxID),
        ]
        if let echoID { object.append("echo_id", .string(echoID)) }
        object.append("conversation_id", .int(message.conversationID))
        object.append("message_type", .int(message.messageType.rawValue))
        object.append("content_type", .string(message.contentType))
        object.append("status", .string(message.status))
        object.append("content_attributes", .object(message.contentAttributes))
        object.append("created_at", .int(message.createdAt.unix))
        object.append("private", .bool(message.isPrivate))
        object.append("source_id", .optional(message.sourceID))
        if let sender = self.senderPushData(message.sender) {
            object.append("sender", sender)
        }
        return .object(object)
    }

    /// `Message#push_event_data`: the form inside a conversation's `messages`.
    func messagePushData(_ message: MessageRecord) -> JSONValue {
        let conversation = self.conversation(message.conversationID)
        let sourceID = conversation.flatMap { self.contactInbox($0.contactInboxID) }?.sourceID
        var object: JSONObject = [
            "id": .int(message.id),
            "content": .optional(message.content),
            "account_id": .int(self.setup.accountID),
            "inbox_id": .int(message.inboxID),
            "conversation_id": .int(message.conversationID),
            "message_type": .int(message.messageType.rawValue),
            "created_at": .int(message.createdAt.unix),
            "updated_at": .string(message.updatedAt.iso8601),
            "private": .bool(message.isPrivate),
            "status": .string(message.status),
            "source_id": .optional(message.sourceID),
            "content_type": .string(message.contentType),
            "content_attributes": .object(message.contentAttributes),
            "sender_type": .optional(Self.senderType(message.sender)),
            "sender_id": .optional(Self.senderID(message.sender)),
            "external_source_ids": [:],
            "additional_attributes": [:],
            "processed_message_content": .optional(message.content),
            "sentiment": [:],
            "conversation": [
                "assignee_id": .optional(conversation?.assigneeID),
                "unread_count": .int(self.unreadIncomingCount(message.conversationID)),
                "last_activity_at": .int(conversation?.lastActivityAt.unix ?? message.createdAt.unix),
                "contact_inbox": ["source_id": .optional(sourceID)],
            ],
        ]
        if let sender = self.senderPushData(message.sender) {
            object.append("sender", sender)
        }
        return .object(object)
    }

    func senderPushData(_ sender: MessageSender?) -> JSONValue? {
        switch sender {
        case .contact(let id): self.contact(id).map { self.contactPushData($0) }
        case .user(let id): self.setup.user(id).map { self.userPushData($0) }
        case .agentBot(let id): self.setup.agentBot(id).map { self.botPushData($0) }
        case nil: nil
        }
    }

    static func senderType(_ sender: MessageSender?) -> String? {
        switch sender {
        case .contact: "Contact"
        case .user: "User"
        case .agentBot: "AgentBot"
        case nil: nil
        }
    }

    static func senderID(_ sender: MessageSender?) -> Int? {
        switch sender {
        case .contact(let id), .user(let id), .agentBot(let id): id
        case nil: nil
        }
    }
}
