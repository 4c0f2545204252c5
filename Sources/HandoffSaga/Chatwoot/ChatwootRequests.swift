public import EventStore

/// The body of `POST contacts`.
///
/// Chatwoot's document requires `inbox_id`; give it with the same `source_id` the conversation will be created with,
/// so the contact gets one contact inbox, not two. Leave email and phone out unless needed: each is unique per
/// account and a second contact with the same one is refused.
public struct ChatwootNewContact: Sendable, Hashable, Encodable {
    /// The inbox the contact starts in.
    public var inboxID: Int
    /// The contact inbox's `source_id`; Chatwoot makes one up when absent.
    public var sourceID: String?
    /// The display name.
    public var name: String?
    /// The external identifier: unique per account, the key this service finds a contact by.
    public var identifier: String?
    /// The email address.
    public var email: String?
    /// The phone number (E.164, with `+`).
    public var phoneNumber: String?
    /// Custom attributes.
    public var customAttributes: [String: JSONValue]?
    /// Additional attributes.
    public var additionalAttributes: [String: JSONValue]?

    /// Creates the body.
    public init(
        inboxID: Int, sourceID: String? = nil, name: String? = nil, identifier: String? = nil, email: String? = nil,
        phoneNumber: String? = nil, customAttributes: [String: JSONValue]? = nil,
        additionalAttributes: [String: JSONValue]? = nil
    ) {
        self.inboxID = inboxID
        self.sourceID = sourceID
        self.name = name
        self.identifier = identifier
        self.email = email
        self.phoneNumber = phoneNumber
        self.customAttributes = customAttributes
        self.additionalAttributes = additionalAttributes
    }

    enum CodingKeys: String, CodingKey {
        case name, identifier, email
        case inboxID = "inbox_id"
        case sourceID = "source_id"
        case phoneNumber = "phone_number"
        case customAttributes = "custom_attributes"
        case additionalAttributes = "additional_attributes"
    }
}

/// The body of `POST conversations`. Chatwoot always creates a new conversation for it.
///
/// Always give both ``inboxID`` and ``contactID`` with a stable ``sourceID``: Chatwoot then finds or creates the
/// contact inbox for the triple, and the conversation can be found again by `source_id`.
public struct ChatwootNewConversation: Sendable, Hashable, Encodable {
    /// The contact inbox's `source_id` (required by the document).
    public var sourceID: String
    /// The inbox.
    public var inboxID: Int
    /// The contact.
    public var contactID: Int
    /// The status asked for; the inbox may override it (read it back).
    public var status: ChatwootStatus?
    /// The team.
    public var teamID: Int?
    /// Custom attributes, for example this service's marker.
    public var customAttributes: [String: JSONValue]?
    /// Additional attributes.
    public var additionalAttributes: [String: JSONValue]?

    /// Creates the body.
    public init(
        sourceID: String, inboxID: Int, contactID: Int, status: ChatwootStatus? = nil, teamID: Int? = nil,
        customAttributes: [String: JSONValue]? = nil, additionalAttributes: [String: JSONValue]? = nil
    ) {
        self.sourceID = sourceID
        self.inboxID = inboxID
        self.contactID = contactID
        self.status = status
        self.teamID = teamID
        self.customAttributes = customAttributes
        self.additionalAttributes = additionalAttributes
    }

    enum CodingKeys: String, CodingKey {
        case status
        case sourceID = "source_id"
        case inboxID = "inbox_id"
        case contactID = "contact_id"
        case teamID = "team_id"
        case customAttributes = "custom_attributes"
        case additionalAttributes = "additional_attributes"
    }
}

/// The body of `POST conversations/{cid}/messages`. Chatwoot has no idempotency key: a second post is a second
/// message, so ``sourceID`` carries the marker a lookup finds it by.
public struct ChatwootNewMessage: Sendable, Hashable, Encodable {
    /// Which way the message goes. Only these two can be posted to an API inbox by this service.
    public enum Direction: String, Sendable, Hashable, Encodable {
        /// From the contact (API inboxes only).
        case incoming
        /// To the contact, written by the token's owner (or ``ChatwootNewMessage/senderAgentBotID``).
        case outgoing
    }

    /// The text (at most 150,000 characters).
    public var content: String
    /// Incoming or outgoing.
    public var messageType: Direction
    /// Whether it is a private note.
    public var isPrivate: Bool
    /// The `source_id` marker: stored and echoed in webhooks, not unique.
    public var sourceID: String?
    /// Content attributes, for example this service's marker.
    public var contentAttributes: [String: JSONValue]?
    /// When set, the message is shown as written by this agent bot (an outgoing message posted with a user token).
    public var senderAgentBotID: Int?

    /// Creates the body.
    public init(
        content: String, messageType: Direction, isPrivate: Bool = false, sourceID: String? = nil,
        contentAttributes: [String: JSONValue]? = nil, senderAgentBotID: Int? = nil
    ) {
        self.content = content
        self.messageType = messageType
        self.isPrivate = isPrivate
        self.sourceID = sourceID
        self.contentAttributes = contentAttributes
        self.senderAgentBotID = senderAgentBotID
    }

    enum CodingKeys: String, CodingKey {
        case content
        case messageType = "message_type"
        case isPrivate = "private"
        case contentType = "content_type"
        case sourceID = "source_id"
        case contentAttributes = "content_attributes"
        case senderType = "sender_type"
        case senderID = "sender_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(content, forKey: .content)
        try container.encode(messageType, forKey: .messageType)
        try container.encode(isPrivate, forKey: .isPrivate)
        try container.encode("text", forKey: .contentType)
        try container.encodeIfPresent(sourceID, forKey: .sourceID)
        try container.encodeIfPresent(contentAttributes, forKey: .contentAttributes)
        if let senderAgentBotID, messageType == .outgoing {
            try container.encode("AgentBot", forKey: .senderType)
            try container.encode(senderAgentBotID, forKey: .senderID)
        }
    }
}

/// One condition of `POST contacts/filter` or `POST conversations/filter`.
public struct ChatwootFilterCondition: Sendable, Hashable, Encodable {
    /// The attribute, for example `identifier` or `status`.
    public var attributeKey: String
    /// The operator, for example `equal_to`.
    public var filterOperator: String
    /// The values compared with.
    public var values: [String]
    /// How it joins the next condition (`AND` or `OR`); nil on the last one.
    public var queryOperator: String?

    /// Creates a condition.
    public init(attributeKey: String, filterOperator: String = "equal_to", values: [String], queryOperator: String? = nil) {
        self.attributeKey = attributeKey
        self.filterOperator = filterOperator
        self.values = values
        self.queryOperator = queryOperator
    }

    enum CodingKeys: String, CodingKey {
        case values
        case attributeKey = "attribute_key"
        case filterOperator = "filter_operator"
        case queryOperator = "query_operator"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(attributeKey, forKey: .attributeKey)
        try container.encode(filterOperator, forKey: .filterOperator)
        try container.encode(values, forKey: .values)
        // Left out on the last condition: the document types it as a string, and Chatwoot joins nothing after it.
        try container.encodeIfPresent(queryOperator, forKey: .queryOperator)
    }
}

/// The query of `GET conversations`.
public struct ChatwootConversationQuery: Sendable, Hashable {
    /// A status, or nil for every status (`status=all`; Chatwoot's default is `open`).
    public var status: ChatwootStatus?
    /// The contact inbox's `source_id` (read by Chatwoot's finder, not in its document).
    public var sourceID: String?
    /// The inbox.
    public var inboxID: Int?
    /// The team.
    public var teamID: Int?
    /// The page, 1-based.
    public var page: Int

    /// Creates a query.
    public init(status: ChatwootStatus? = nil, sourceID: String? = nil, inboxID: Int? = nil, teamID: Int? = nil, page: Int = 1) {
        self.status = status
        self.sourceID = sourceID
        self.inboxID = inboxID
        self.teamID = teamID
        self.page = page
    }

    var items: [(String, String)] {
        var items = [("status", status?.rawValue ?? "all"), ("assignee_type", "all")]
        if let sourceID { items.append(("source_id", sourceID)) }
        if let inboxID { items.append(("inbox_id", String(inboxID))) }
        if let teamID { items.append(("team_id", String(teamID))) }
        items.append(("page", String(page)))
        return items
    }
}
