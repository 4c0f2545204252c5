public import EventStore
public import Foundation

/// One event a webhook delivery translates into, with an id derived from Chatwoot's own ids: a redelivery of the
/// same fact gives the same id, so the store writes it once.
public struct TranslatedEvent: Sendable, Hashable {
    /// The event id.
    public var eventID: UUID
    /// The event.
    public var event: ConversationEvent
    /// When it happened in Chatwoot.
    public var occurredAt: Date
}

/// What one webhook delivery means for this service.
public struct WebhookTranslation: Sendable, Hashable {
    /// Chatwoot's event name, for example `message_created`.
    public var chatwootEvent: String
    /// Chatwoot's conversation id (`display_id`), when the payload names one.
    public var chatwootConversationID: Int?
    /// This service's conversation id, from the conversation's custom attribute; nil when the conversation was not
    /// created by this service or the attribute was removed (the caller may know it from the log).
    public var conversationID: String?
    /// The events, in order; empty when the delivery means nothing here.
    public var events: [TranslatedEvent]
    /// Why nothing was translated, for the log line (never message text).
    public var ignoredBecause: String?
}

/// A webhook body that is not one of Chatwoot's.
public struct WebhookPayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    public var description: String { "webhook body: \(message)" }
}

/// Translates Chatwoot webhook deliveries into the events of the catalogue.
///
/// - `message_created`: an agent's public outgoing message becomes `agent.message`. Messages this service posted
///   (recognised by ``SupportMarker``), private notes, incoming messages and bot or template messages are ignored.
/// - `conversation_status_changed`, and `conversation_updated` with a `status` change: `resolved` becomes
///   `session.closed` by the agent with reason `resolved`; `pending` (handed back to the bot) becomes `session.closed`
///   with reason `handed_back`. Both deliveries of one change give the same event id.
/// - `conversation_updated` with `team_id` or `assignee_id` in `changed_attributes` (the only form Chatwoot sends team
///   transfers and assignments in; `assignee_changed` is accepted too): `agent.team_changed` and `agent.assigned`.
/// - Anything else is ignored with a reason, never an error.
public struct WebhookTranslator: Sendable {
    /// The Chatwoot account, part of every derived id.
    public let accountID: Int

    /// Creates a translator for one account.
    public init(accountID: Int) {
        self.accountID = accountID
    }

    /// Translates one verified body.
    /// - Throws: ``WebhookPayloadError`` when the body is not a JSON object with an `event`, or a known event lacks
    ///   the fields Chatwoot always sends with it.
    public func translate(_ body: Data, receivedAt: Date = Date()) throws(WebhookPayloadError) -> WebhookTranslation {
        let payload: WebhookPayload
        do {
            payload = try JSONDecoder().decode(WebhookPayload.self, from: body)
        } catch {
            throw WebhookPayloadError(message: "not a Chatwoot webhook payload (\(Self.describe(error)))")
        }
        switch payload.event {
        case "message_created":
            return try message(payload, receivedAt: receivedAt)
        case "conversation_status_changed", "conversation_updated", "assignee_changed":
            return try conversation(payload, receivedAt: receivedAt)
        default:
            return WebhookTranslation(
                chatwootEvent: payload.event, chatwootConversationID: payload.conversation?.id ?? payload.id,
                conversationID: nil, events: [], ignoredBecause: "event \(payload.event) is not used")
        }
    }

    private func message(_ payload: WebhookPayload, receivedAt: Date) throws(WebhookPayloadError) -> WebhookTranslation {
        guard let messageID = payload.id else { throw WebhookPayloadError(message: "message_created without id") }
        guard let conversation = payload.conversation else {
            throw WebhookPayloadError(message: "message_created without conversation")
        }
        var translation = WebhookTranslation(
            chatwootEvent: payload.event, chatwootConversationID: conversation.id,
            conversationID: Self.ourConversationID(conversation.custom_attributes), events: [], ignoredBecause: nil)
        if SupportMarker.isOurs(payload.source_id) {
            translation.ignoredBecause = "message \(messageID) was posted by this service"
        } else if payload.private == true {
            translation.ignoredBecause = "message \(messageID) is a private note"
        } else if payload.message_type != "outgoing" {
            translation.ignoredBecause = "message \(messageID) is \(payload.message_type ?? "untyped"), not outgoing"
        } else if payload.sender?.type != "user" {
            translation.ignoredBecause = "message \(messageID) was not written by an agent"
        } else if (payload.content ?? "").isEmpty {
            translation.ignoredBecause = "message \(messageID) has no text (attachments are not relayed)"
        } else {
            let event = ConversationEvent.agentMessage(
                AgentMessage(
                    messageId: messageID, agentId: payload.sender?.id, agentName: payload.sender?.name,
                    text: payload.content ?? ""))
            translation.events = [
                TranslatedEvent(
                    eventID: Self.messageEventID(accountID: accountID, messageID: messageID), event: event,
                    occurredAt: payload.created_at?.webhookDate ?? receivedAt)
            ]
        }
        return translation
    }

    private func conversation(_ payload: WebhookPayload, receivedAt: Date) throws(WebhookPayloadError) -> WebhookTranslation {
        guard let conversationID = payload.id else {
            throw WebhookPayloadError(message: "\(payload.event) without the conversation id")
        }
        let changes = payload.changes
        let version = (payload.updated_at ?? payload.timestamp)?.idText ?? "unknown"
        let occurredAt = (payload.updated_at ?? payload.timestamp)?.webhookDate ?? receivedAt
        let prefix = "conversation/\(conversationID)/\(version)"
        var events: [TranslatedEvent] = []

        let statusChanged = payload.event == "conversation_status_changed" || changes["status"] != nil
        if statusChanged, let status = payload.status ?? changes["status"]?.current_value?.idText {
            let reason: String? =
                switch status {
                case "resolved": "resolved"
                case "pending": "handed_back"
                default: nil
                }
            if let reason {
                events.append(
                    TranslatedEvent(
                        eventID: id("\(prefix)/status/\(status)"),
                        event: .sessionClosed(SessionClosed(by: .agent, reason: reason)), occurredAt: occurredAt))
            }
        }
        if let change = changes["team_id"] {
            let team = payload.meta?.team?.id ?? change.current_value?.intValue
            events.append(
                TranslatedEvent(
                    eventID: id("\(prefix)/team/\(team.map(String.init) ?? "none")"),
                    event: .agentTeamChanged(AgentTeamChanged(team: team)), occurredAt: occurredAt))
        }
        if changes["assignee_id"] != nil || payload.event == "assignee_changed" {
            let assignee = payload.meta?.assignee
            events.append(
                TranslatedEvent(
                    eventID: id("\(prefix)/assignee/\(assignee.map { String($0.id) } ?? "none")"),
                    event: .agentAssigned(
                        AgentAssigned(agentId: assignee?.id, agentName: assignee?.name, team: payload.meta?.team?.id)),
                    occurredAt: occurredAt))
        }
        return WebhookTranslation(
            chatwootEvent: payload.event, chatwootConversationID: conversationID,
            conversationID: Self.ourConversationID(payload.custom_attributes), events: events,
            ignoredBecause: events.isEmpty ? "\(payload.event) changes nothing this service follows" : nil)
    }

    /// The id of the `agent.message` event for a Chatwoot message: the same from a webhook and from the reconciler, so
    /// the message is recorded once whichever sees it first.
    public static func messageEventID(accountID: Int, messageID: Int) -> UUID {
        DeterministicID.uuid("chatwoot/\(accountID)/message/\(messageID)")
    }

    private func id(_ name: String) -> UUID {
        DeterministicID.uuid("chatwoot/\(accountID)/\(name)")
    }

    private static func ourConversationID(_ attributes: [String: JSONValue]?) -> String? {
        guard case .string(let id)? = attributes?[SupportMarker.conversationAttribute], !id.isEmpty else { return nil }
        return id
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: "not JSON"
        default: "unreadable"
        }
    }
}
