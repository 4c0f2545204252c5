/// Webhook bodies as Chatwoot's API inbox sends them (`Message#webhook_data`,
/// `Conversations::EventDataPresenter#webhook_data`), field order included.
extension SimulatorState {
    /// The event name and JSON body for a state event, rendered from the current state.
    func webhookPayload(for event: StateEvent) -> (event: String, body: JSONValue)? {
        switch event {
        case .conversationCreated(let displayID):
            guard var object = self.conversationWebhookData(displayID) else { return nil }
            object.append("event", "conversation_created")
            return ("conversation_created", .object(object))
        case .conversationUpdated(let displayID, let changes):
            guard var object = self.conversationWebhookData(displayID) else { return nil }
            object.append("event", "conversation_updated")
            object.append(
                "changed_attributes",
                .array(changes.map { .object(JSONObject([(key: $0.name, value: ["previous_value": $0.previous, "current_value": $0.current])])) })
            )
            return ("conversation_updated", .object(object))
        case .conversationStatusChanged(let displayID):
            guard var object = self.conversationWebhookData(displayID) else { return nil }
            object.append("event", "conversation_status_changed")
            object.append("changed_attributes", .null)
            return ("conversation_status_changed", .object(object))
        case .messageCreated(let messageID, let displayID):
            guard let message = self.messages(of: displayID).last(where: { $0.id == messageID }),
                var object = self.messageWebhookData(message)
            else { return nil }
            object.append("event", "message_created")
            return ("message_created", .object(object))
        }
    }

    /// `Conversations::EventDataPresenter#webhook_data` without `event`.
    func conversationWebhookData(_ displayID: Int) -> JSONObject? {
        guard let conversation = self.conversation(displayID),
            let contactInbox = self.contactInbox(conversation.contactInboxID)
        else { return nil }
        let contact = self.contact(conversation.contactID)
        let lastChat = self.messages(of: displayID).last { $0.messageType != .activity && !$0.isPrivate }
        let assignee = conversation.assigneeID.flatMap { self.setup.user($0) }
        let team = conversation.teamID.flatMap { self.setup.team($0) }
        return [
            "additional_attributes": .object(conversation.additionalAttributes),
            "can_reply": true,
            "channel": "Channel::Api",
            "contact_inbox": [
                "id": .int(contactInbox.id),
                "contact_id": .int(contactInbox.contactID),
                "inbox_id": .int(contactInbox.inboxID),
                "source_id": .string(contactInbox.sourceID),
                "created_at": .string(contactInbox.createdAt.iso8601),
                "updated_at": .string(contactInbox.createdAt.iso8601),
                "hmac_verified": false,
                "pubsub_token": .string(contactInbox.pubsubToken),
            ],
            "id": .int(conversation.displayID),
            "inbox_id": .int(conversation.inboxID),
            "messages": .array(lastChat.map { [self.messagePushData($0)] } ?? []),
            "labels": [],
            "meta": [
                "sender": contact.map { self.contactPushData($0) } ?? .null,
                "assignee": assignee.map { self.userPushData($0) } ?? .null,
                "assignee_type": assignee == nil ? .null : "User",
                "team": team.map { ["id": .int($0.id), "name": .string($0.name)] } ?? .null,
                "hmac_verified": false,
            ],
            "status": .string(conversation.status.rawValue),
            "custom_attributes": .object(conversation.customAttributes),
            "snoozed_until": .optional(conversation.snoozedUntil.map { Timestamp(seconds: Double($0)).iso8601 }),
            "unread_count": .int(self.unreadIncomingCount(displayID)),
            "first_reply_created_at": .optional(conversation.firstReplyCreatedAt?.iso8601),
            "priority": nil,
            "waiting_since": .int(conversation.waitingSince?.unix ?? 0),
            "agent_last_seen_at": .int(conversation.agentLastSeenAt?.unix ?? 0),
            "contact_last_seen_at": 0,
            "last_activity_at": .int(conversation.lastActivityAt.unix),
            "timestamp": .int(conversation.lastActivityAt.unix),
            "created_at": .int(conversation.createdAt.unix),
            "updated_at": .double(conversation.updatedAt.float),
            "account": self.accountWebhookJSON,
        ]
    }

    /// `Message#webhook_data` without `event`: `message_type` as a string, the conversation nested.
    func messageWebhookData(_ message: MessageRecord) -> JSONObject? {
        guard let conversation = self.conversationWebhookData(message.conversationID) else { return nil }
        let sender: JSONValue
        switch message.sender {
        case .contact(let id): sender = self.contact(id).map { self.contactWebhookData($0) } ?? .null
        case .user(let id): sender = self.setup.user(id).map { self.userWebhookData($0) } ?? .null
        case .agentBot(let id): sender = self.setup.agentBot(id).map { self.botWebhookData($0) } ?? .null
        case nil: sender = .null
        }
        return [
            "account": self.accountWebhookJSON,
            "additional_attributes": [:],
            "content_attributes": .object(message.contentAttributes),
            "content_type": .string(message.contentType),
            "content": .optional(message.content),
            "conversation": .object(conversation),
            "created_at": .string(message.createdAt.iso8601),
            "id": .int(message.id),
            "inbox": ["id": .int(self.setup.inboxID), "name": .string(self.setup.inboxName)],
            "message_type": .string(message.messageType.name),
            "private": .bool(message.isPrivate),
            "sender": sender,
            "source_id": .optional(message.sourceID),
        ]
    }
}
