/// Counters and duplicate reports, also served as JSON at `GET /__sim/stats`.
///
/// ```json
/// {"requests": 12, "creates": {"contacts": 1, "contactInboxes": 0, "conversations": 1, "messages": 4},
///  "duplicateMessageSourceIDs": [{"conversation": 1, "sourceID": "m-1", "count": 2}],
///  "duplicateConversationSourceIDs": [], "faultsApplied": 1, "webhooksSent": 6, "webhooksDropped": 0}
/// ```
public struct SimulatorStats: Sendable, Equatable, Codable {
    /// Successful creates, by endpoint.
    public struct Creates: Sendable, Equatable, Codable {
        /// `POST contacts`.
        public var contacts: Int
        /// `POST contacts/{id}/contact_inboxes`.
        public var contactInboxes: Int
        /// `POST conversations`.
        public var conversations: Int
        /// `POST conversations/{cid}/messages` (not first messages of `POST conversations`, nor agent replies).
        public var messages: Int

        /// Creates counters.
        public init(contacts: Int = 0, contactInboxes: Int = 0, conversations: Int = 0, messages: Int = 0) {
            self.contacts = contacts
            self.contactInboxes = contactInboxes
            self.conversations = conversations
            self.messages = messages
        }
    }

    /// A `source_id` carried by more than one message of one conversation.
    public struct DuplicateMessageSourceID: Sendable, Equatable, Codable {
        /// The conversation's display id.
        public var conversation: Int
        /// The repeated source id.
        public var sourceID: String
        /// How many messages carry it.
        public var count: Int

        /// Creates a report line.
        public init(conversation: Int, sourceID: String, count: Int) {
            self.conversation = conversation
            self.sourceID = sourceID
            self.count = count
        }
    }

    /// A contact-inbox `source_id` shared by more than one conversation.
    public struct DuplicateConversationSourceID: Sendable, Equatable, Codable {
        /// The repeated source id.
        public var sourceID: String
        /// How many conversations share it.
        public var count: Int
        /// Their display ids, in creation order.
        public var conversations: [Int]

        /// Creates a report line.
        public init(sourceID: String, count: Int, conversations: [Int]) {
            self.sourceID = sourceID
            self.count = count
            self.conversations = conversations
        }
    }

    /// API requests received (admin routes not counted).
    public var requests: Int
    /// Successful creates by endpoint.
    public var creates: Creates
    /// Message source ids repeated within a conversation.
    public var duplicateMessageSourceIDs: [DuplicateMessageSourceID]
    /// Contact-inbox source ids with more than one conversation.
    public var duplicateConversationSourceIDs: [DuplicateConversationSourceID]
    /// Requests that got a fault.
    public var faultsApplied: Int
    /// Webhook deliveries attempted.
    public var webhooksSent: Int
    /// Webhook deliveries dropped on purpose.
    public var webhooksDropped: Int

    /// Creates a stats value.
    public init(
        requests: Int = 0,
        creates: Creates = Creates(),
        duplicateMessageSourceIDs: [DuplicateMessageSourceID] = [],
        duplicateConversationSourceIDs: [DuplicateConversationSourceID] = [],
        faultsApplied: Int = 0,
        webhooksSent: Int = 0,
        webhooksDropped: Int = 0
    ) {
        self.requests = requests
        self.creates = creates
        self.duplicateMessageSourceIDs = duplicateMessageSourceIDs
        self.duplicateConversationSourceIDs = duplicateConversationSourceIDs
        self.faultsApplied = faultsApplied
        self.webhooksSent = webhooksSent
        self.webhooksDropped = webhooksDropped
    }

    var jsonValue: JSONValue {
        [
            "requests": .int(self.requests),
            "creates": [
                "contacts": .int(self.creates.contacts),
                "contactInboxes": .int(self.creates.contactInboxes),
                "conversations": .int(self.creates.conversations),
                "messages": .int(self.creates.messages),
            ],
            "duplicateMessageSourceIDs": .array(
                self.duplicateMessageSourceIDs.map {
                    ["conversation": .int($0.conversation), "sourceID": .string($0.sourceID), "count": .int($0.count)]
                }
            ),
            "duplicateConversationSourceIDs": .array(
                self.duplicateConversationSourceIDs.map {
                    [
                        "sourceID": .string($0.sourceID), "count": .int($0.count),
                        "conversations": .array($0.conversations.map { .int($0) }),
                    ]
                }
            ),
            "faultsApplied": .int(self.faultsApplied),
            "webhooksSent": .int(self.webhooksSent),
            "webhooksDropped": .int(self.webhooksDropped),
        ]
    }
}
