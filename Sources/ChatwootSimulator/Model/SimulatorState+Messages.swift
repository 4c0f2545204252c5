/// The fields of `POST conversations/{cid}/messages` (and of `message` in `POST conversations`).
struct MessageParams: Sendable {
    var content: String?
    var messageType: JSONValue?
    var isPrivate: Bool = false
    var contentType: JSONValue?
    var contentAttributes: JSONValue?
    var sourceID: String?
    var senderType: String?
    var senderID: Int?
    var externalCreatedAt: JSONValue?
}

extension SimulatorState {
    static let maximumContentLength = 150_000
    static let contentTypes = [
        "text", "input_text", "input_textarea", "input_email", "input_select", "cards", "form", "article",
        "incoming_email", "input_csat", "integrations", "sticker", "voice_call",
    ]

    /// Creates a message as `Messages::MessageBuilder` and `Message` callbacks do: sender by type, the
    /// flood guard, re-opening on incoming, activity and first-reply timestamps, and the webhook event.
    /// - Parameters:
    ///   - displayID: The conversation.
    ///   - params: What was posted.
    ///   - poster: The user whose token or UI action posts it (the sender of outgoing messages).
    ///   - now: The creation time.
    /// - Throws: 404 for an unknown conversation; 422 `{"error"}` for an invalid type, content type or
    ///   attributes, over-long content, or the flood guard.
    mutating func createMessage(
        in displayID: Int,
        _ params: MessageParams,
        poster: SimulatedAgent,
        now: Timestamp
    ) throws(ChatwootError) -> MessageRecord {
        guard let conversation = self.conversation(displayID) else { throw ChatwootError.notFound }

        var messageType = MessageType.outgoing
        if let raw = params.messageType, !raw.isNull {
            guard let parsed = MessageType(parameter: raw) else {
                throw ChatwootError.unprocessable("'\(raw.scalarString ?? "")' is not a valid message_type")
            }
            messageType = parsed
        }
        var contentType = "text"
        if let raw = params.contentType, !raw.isNull {
            guard let name = raw.scalarString, Self.contentTypes.contains(name) else {
                throw ChatwootError.unprocessable("'\(raw.scalarString ?? "")' is not a valid content_type")
            }
            contentType = name
        }
        var attributes = JSONObject()
        switch params.contentAttributes {
        case .object(let object):
            attributes = object
        case .string(let text):
            let parsed: JSONValue
            do {
                parsed = try JSONParser.parse(Array(text.utf8))
            } catch {
                throw ChatwootError.unprocessable("unexpected token at '\(text.prefix(50))'")
            }
            guard case .object(let object) = parsed else {
                throw ChatwootError.unprocessable("undefined method `with_indifferent_access'")
            }
            attributes = object
        default:
            break
        }
        if let external = params.externalCreatedAt, !external.isNull {
            attributes["external_created_at"] = external
        }
        if let content = params.content, content.count > Self.maximumContentLength {
            throw ChatwootError.unprocessable(
                "Validation failed: Content is too long (maximum is \(Self.maximumContentLength) characters)"
            )
        }
        try self.checkFlood(displayID, now: now)

        let sender: MessageSender
        switch messageType {
        case .incoming:
            sender = .contact(conversation.contactID)
        case .outgoing, .template, .activity:
            if params.senderType == "AgentBot", let botID = params.senderID, self.setup.agentBot(botID) != nil {
                sender = .agentBot(botID)
            } else {
                sender = .user(poster.id)
            }
        }

        let message = MessageRecord(
            id: self.makeMessageID(),
            conversationID: displayID,
            inboxID: conversation.inboxID,
            content: params.content,
            messageType: messageType,
            contentType: contentType,
            contentAttributes: attributes,
            isPrivate: params.isPrivate,
            sourceID: params.sourceID,
            sender: sender,
            status: "sent",
            createdAt: now,
            updatedAt: now
        )
        self.appendMessage(message)
        self.afterCreate(message, now: now)
        return message
    }

    /// Chatwoot's `prevent_message_flooding`: at most the limit per conversation in the last 60 s.
    private func checkFlood(_ displayID: Int, now: Timestamp) throws(ChatwootError) {
        let windowStart = now.adding(-60)
        let recent = self.messages(of: displayID).reversed().prefix { $0.createdAt >= windowStart }.count
        if recent >= self.setup.messagesPerMinuteLimit {
            throw ChatwootError.unprocessable("Validation failed: Too many messages")
        }
    }

    /// `Message#execute_after_create_commit_callbacks`: re-open, activity timestamps, then `message_created`.
    private mutating func afterCreate(_ message: MessageRecord, now: Timestamp) {
        let displayID = message.conversationID
        if message.messageType == .incoming, let conversation = self.conversation(displayID),
            conversation.status == .resolved || conversation.status == .snoozed
        {
            self.changeStatus(displayID, to: .open, snoozedUntil: nil, actor: .system, now: now)
        }
        if message.messageType != .activity {
            self.updateConversation(displayID) { conversation in
                conversation.lastActivityAt = now
                if message.messageType == .incoming, conversation.waitingSince == nil {
                    conversation.waitingSince = now
                }
                if message.messageType == .outgoing, !message.isPrivate, case .user = message.sender {
                    if conversation.firstReplyCreatedAt == nil {
                        conversation.firstReplyCreatedAt = now
                    }
                    conversation.waitingSince = nil
                }
            }
            if case .contact(let contactID) = message.sender {
                self.updateContact(contactID) { $0.lastActivityAt = now }
            }
            self.record(.messageCreated(message: message.id, conversation: displayID))
        }
    }

    /// An activity message (type 2, no sender), as `Conversations::ActivityMessageJob` writes; never sent by webhook.
    mutating func addActivity(_ displayID: Int, _ content: String, now: Timestamp) {
        guard let conversation = self.conversation(displayID) else { return }
        self.appendMessage(
            MessageRecord(
                id: self.makeMessageID(),
                conversationID: displayID,
                inboxID: conversation.inboxID,
                content: content,
                messageType: .activity,
                contentType: "text",
                contentAttributes: JSONObject(),
                isPrivate: false,
                sourceID: nil,
                sender: nil,
                status: "sent",
                createdAt: now,
                updatedAt: now
            )
        )
    }

    /// `MessageFinder`: no cursor → the last 20; `before` → 20 older; `after` → up to 100 newer; both → up to 1000.
    func findMessages(in displayID: Int, before: Int?, after: Int?) -> [MessageRecord] {
        let all = self.messages(of: displayID)
        switch (before, after) {
        case (let before?, let after?):
            return Array(all.filter { $0.id > after && $0.id < before }.prefix(1000))
        case (let before?, nil):
            return Array(all.filter { $0.id < before }.suffix(20))
        case (nil, let after?):
            return Array(all.filter { $0.id > after }.prefix(100))
        case (nil, nil):
            return Array(all.suffix(20))
        }
    }
}
