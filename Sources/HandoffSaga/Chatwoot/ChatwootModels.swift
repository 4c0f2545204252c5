public import EventStore

/// A Chatwoot contact, with the fields this service reads.
public struct ChatwootContact: Sendable, Hashable, Decodable {
    /// The contact id.
    public var id: Int
    /// The display name.
    public var name: String?
    /// The external identifier (unique per account).
    public var identifier: String?
    /// The contact's inboxes and their `source_id`s, when Chatwoot included them.
    public var contactInboxes: [ChatwootContactInbox]

    /// Creates a contact.
    public init(id: Int, name: String? = nil, identifier: String? = nil, contactInboxes: [ChatwootContactInbox] = []) {
        self.id = id
        self.name = name
        self.identifier = identifier
        self.contactInboxes = contactInboxes
    }

    enum CodingKeys: String, CodingKey {
        case id, name, identifier
        case contactInboxes = "contact_inboxes"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        identifier = try container.decodeIfPresent(String.self, forKey: .identifier)
        contactInboxes = try container.decodeIfPresent([ChatwootContactInbox].self, forKey: .contactInboxes) ?? []
    }
}

/// A contact's presence in an inbox: the `source_id` conversations of that inbox are created with.
public struct ChatwootContactInbox: Sendable, Hashable, Decodable {
    /// The `source_id`.
    public var sourceID: String
    /// The inbox id, when Chatwoot included the inbox.
    public var inboxID: Int?

    /// Creates a contact inbox.
    public init(sourceID: String, inboxID: Int?) {
        self.sourceID = sourceID
        self.inboxID = inboxID
    }

    enum CodingKeys: String, CodingKey {
        case sourceID = "source_id"
        case inbox
    }

    struct Inbox: Decodable {
        var id: Int
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sourceID = try container.decode(String.self, forKey: .sourceID)
        inboxID = try container.decodeIfPresent(Inbox.self, forKey: .inbox)?.id
    }
}

/// What `POST contacts` answers: the contact and, when an inbox was given, its contact inbox.
public struct ChatwootCreatedContact: Sendable, Hashable {
    /// The contact.
    public var contact: ChatwootContact
    /// The contact inbox's `source_id`, when one was created.
    public var sourceID: String?
}

/// A conversation's status in Chatwoot.
public enum ChatwootStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Agents work on it.
    case open
    /// Done.
    case resolved
    /// Waiting (in external mode: handed back to the bot).
    case pending
    /// Snoozed until a time or the next customer reply.
    case snoozed
}

/// A Chatwoot conversation, with the fields this service reads.
public struct ChatwootConversation: Sendable, Hashable, Decodable {
    /// The conversation's `display_id`, the `{cid}` of its paths.
    public var id: Int
    /// The inbox.
    public var inboxID: Int
    /// The status as Chatwoot holds it (an inbox can override the status asked for).
    public var status: ChatwootStatus
    /// The assigned agent, if any.
    public var assignee: ChatwootAgent?
    /// The team, if any.
    public var team: ChatwootTeam?
    /// The contact, when Chatwoot included it.
    public var contactID: Int?
    /// The custom attributes.
    public var customAttributes: [String: JSONValue]

    /// Creates a conversation.
    public init(
        id: Int, inboxID: Int, status: ChatwootStatus, assignee: ChatwootAgent? = nil, team: ChatwootTeam? = nil,
        contactID: Int? = nil, customAttributes: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.inboxID = inboxID
        self.status = status
        self.assignee = assignee
        self.team = team
        self.contactID = contactID
        self.customAttributes = customAttributes
    }

    enum CodingKeys: String, CodingKey {
        case id, status, meta
        case inboxID = "inbox_id"
        case customAttributes = "custom_attributes"
    }

    struct Meta: Decodable {
        struct Sender: Decodable { var id: Int }
        var sender: Sender?
        var assignee: ChatwootAgent?
        var team: ChatwootTeam?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        inboxID = try container.decode(Int.self, forKey: .inboxID)
        status = try container.decode(ChatwootStatus.self, forKey: .status)
        let meta = try container.decodeIfPresent(Meta.self, forKey: .meta)
        assignee = meta?.assignee
        team = meta?.team
        contactID = meta?.sender?.id
        customAttributes = try container.decodeIfPresent([String: JSONValue].self, forKey: .customAttributes) ?? [:]
    }
}

/// A page of conversations from `GET conversations` or `POST conversations/filter` (25 a page).
public struct ChatwootConversationPage: Sendable, Hashable {
    /// The conversations on this page.
    public var conversations: [ChatwootConversation]
    /// The page number (1-based).
    public var page: Int
    /// Whether a next page may exist (Chatwoot gives counts only, so a full page means "maybe").
    public var mayHaveMore: Bool { conversations.count >= ChatwootConversationPage.pageSize }

    /// Chatwoot's page size for conversations.
    public static let pageSize = 25
}

/// Who wrote a message, as Chatwoot tells it.
public enum ChatwootSenderType: String, Sendable, Hashable, Codable {
    /// The conversation's contact.
    case contact
    /// A human agent (a Chatwoot user).
    case user
    /// An agent bot.
    case agentBot = "agent_bot"
}

/// A message's sender.
public struct ChatwootSender: Sendable, Hashable, Decodable {
    /// The sender's id (a contact, user or agent-bot id, by ``type``).
    public var id: Int
    /// The sender's name.
    public var name: String?
    /// The kind of sender; contacts in webhooks carry no `type`, so nil there means a contact.
    public var type: ChatwootSenderType?

    /// Creates a sender.
    public init(id: Int, name: String?, type: ChatwootSenderType?) {
        self.id = id
        self.name = name
        self.type = type
    }
}

/// The kind of a message. The REST API writes it as an integer, webhooks as a string; both are read.
public enum ChatwootMessageType: Int, Sendable, Hashable, Decodable, CaseIterable {
    /// From the contact.
    case incoming = 0
    /// To the contact.
    case outgoing = 1
    /// A system note (status changes, assignments).
    case activity = 2
    /// A template message.
    case template = 3

    /// The name Chatwoot uses in request bodies and webhooks.
    public var name: String {
        switch self {
        case .incoming: "incoming"
        case .outgoing: "outgoing"
        case .activity: "activity"
        case .template: "template"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self), let value = ChatwootMessageType(rawValue: number) {
            self = value
            return
        }
        if let name = try? container.decode(String.self),
            let value = ChatwootMessageType.allCases.first(where: { $0.name == name })
        {
            self = value
            return
        }
        throw DecodingError.dataCorruptedError(
            in: container, debugDescription: "message_type must be 0-3 or incoming/outgoing/activity/template")
    }
}

/// A Chatwoot message, with the fields this service reads.
public struct ChatwootMessage: Sendable, Hashable, Decodable {
    /// The message id (global across the installation).
    public var id: Int
    /// The text; nil for attachments without text.
    public var content: String?
    /// Incoming, outgoing, activity or template.
    public var messageType: ChatwootMessageType
    /// Whether it is a private note (agents only).
    public var isPrivate: Bool
    /// The `source_id` the creator gave (stored, echoed, not unique).
    public var sourceID: String?
    /// The content attributes.
    public var contentAttributes: [String: JSONValue]
    /// The sender, when known.
    public var sender: ChatwootSender?

    /// Creates a message.
    public init(
        id: Int, content: String?, messageType: ChatwootMessageType, isPrivate: Bool = false, sourceID: String? = nil,
        contentAttributes: [String: JSONValue] = [:], sender: ChatwootSender? = nil
    ) {
        self.id = id
        self.content = content
        self.messageType = messageType
        self.isPrivate = isPrivate
        self.sourceID = sourceID
        self.contentAttributes = contentAttributes
        self.sender = sender
    }

    enum CodingKeys: String, CodingKey {
        case id, content, sender
        case messageType = "message_type"
        case isPrivate = "private"
        case sourceID = "source_id"
        case contentAttributes = "content_attributes"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        content = try container.decodeIfPresent(String.self, forKey: .content)
        messageType = try container.decode(ChatwootMessageType.self, forKey: .messageType)
        isPrivate = try container.decodeIfPresent(Bool.self, forKey: .isPrivate) ?? false
        sourceID = try container.decodeIfPresent(String.self, forKey: .sourceID)
        // Chatwoot accepts content attributes as an object or a JSON string; it answers with an object.
        contentAttributes = (try? container.decodeIfPresent([String: JSONValue].self, forKey: .contentAttributes)) ?? [:]
        sender = try? container.decodeIfPresent(ChatwootSender.self, forKey: .sender)
    }
}

/// A Chatwoot team.
public struct ChatwootTeam: Sendable, Hashable, Decodable {
    /// The team id.
    public var id: Int
    /// The team name.
    public var name: String?

    /// Creates a team.
    public init(id: Int, name: String? = nil) {
        self.id = id
        self.name = name
    }
}

/// A Chatwoot agent (a user of the account).
public struct ChatwootAgent: Sendable, Hashable, Decodable {
    /// The user id.
    public var id: Int
    /// The name.
    public var name: String?

    /// Creates an agent.
    public init(id: Int, name: String? = nil) {
        self.id = id
        self.name = name
    }
}

/// What `toggle_status` answers.
public struct ChatwootStatusChange: Sendable, Hashable {
    /// The conversation.
    public var conversationID: Int
    /// The status Chatwoot now holds.
    public var currentStatus: ChatwootStatus
}
