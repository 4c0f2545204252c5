#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The simulated Chatwoot database: contacts, contact inboxes, conversations and messages, with the
/// operations the API and the simulated agents perform. Pure and synchronous; each operation records
/// the webhook-worthy ``StateEvent``s it caused, which the caller drains.
struct SimulatorState: Sendable {
    private(set) var setup: AccountSetup
    private(set) var contacts: [ContactRecord] = []
    private var contactPositions: [Int: Int] = [:]
    private(set) var contactInboxes: [ContactInboxRecord] = []
    private var contactInboxPositions: [Int: Int] = [:]
    private var contactInboxKeys: [String: Int] = [:]
    /// Conversations by position `displayID - 1`.
    private(set) var conversations: [ConversationRecord] = []
    /// Messages of each conversation (by display id), in id order.
    private(set) var messages: [Int: [MessageRecord]] = [:]
    private var nextContactID = 101
    private var nextContactInboxID = 301
    private var nextMessageID = 1001
    private(set) var events: [StateEvent] = []

    init(setup: AccountSetup) {
        self.setup = setup
    }

    /// Returns and forgets the events recorded so far.
    mutating func drainEvents() -> [StateEvent] {
        defer { self.events.removeAll() }
        return self.events
    }

    mutating func record(_ event: StateEvent) {
        self.events.append(event)
    }

    /// Points the API inbox's webhooks at `url` (nil: none), as an administrator editing the inbox does.
    mutating func setWebhookURL(_ url: String?) {
        self.setup.webhookURL = url
    }

    // MARK: Lookups

    func contact(_ id: Int) -> ContactRecord? {
        self.contactPositions[id].map { self.contacts[$0] }
    }

    func contactInbox(_ id: Int) -> ContactInboxRecord? {
        self.contactInboxPositions[id].map { self.contactInboxes[$0] }
    }

    func contactInbox(inboxID: Int, sourceID: String) -> ContactInboxRecord? {
        self.contactInboxKeys[Self.key(inboxID, sourceID)].map { self.contactInboxes[$0] }
    }

    func contactInboxes(ofContact contactID: Int) -> [ContactInboxRecord] {
        self.contactInboxes.filter { $0.contactID == contactID }
    }

    func conversation(_ displayID: Int) -> ConversationRecord? {
        guard displayID >= 1, displayID <= self.conversations.count else { return nil }
        return self.conversations[displayID - 1]
    }

    func messages(of displayID: Int) -> [MessageRecord] {
        self.messages[displayID] ?? []
    }

    /// The inbox id when `value` names the simulated inbox (Chatwoot's `inboxes.find`).
    func findInbox(_ value: JSONValue?) -> Int? {
        guard let id = value?.integerValue, id == self.setup.inboxID else { return nil }
        return id
    }

    // MARK: Writes shared by the operations

    mutating func insertContact(_ contact: ContactRecord) {
        self.contactPositions[contact.id] = self.contacts.count
        self.contacts.append(contact)
    }

    mutating func updateContact(_ id: Int, _ change: (inout ContactRecord) -> Void) {
        guard let position = self.contactPositions[id] else { return }
        change(&self.contacts[position])
    }

    mutating func makeContactID() -> Int {
        defer { self.nextContactID += 1 }
        return self.nextContactID
    }

    mutating func makeMessageID() -> Int {
        defer { self.nextMessageID += 1 }
        return self.nextMessageID
    }

    mutating func insertConversation(_ make: (Int) -> ConversationRecord) -> ConversationRecord {
        let conversation = make(self.conversations.count + 1)
        self.conversations.append(conversation)
        return conversation
    }

    mutating func updateConversation(_ displayID: Int, _ change: (inout ConversationRecord) -> Void) {
        guard displayID >= 1, displayID <= self.conversations.count else { return }
        change(&self.conversations[displayID - 1])
    }

    mutating func appendMessage(_ message: MessageRecord) {
        self.messages[message.conversationID, default: []].append(message)
    }

    /// What `ContactInboxBuilder` does: the same (contact, inbox, source) is found again; a source id
    /// held by another contact in that inbox is a conflict (RecordNotUnique on API inboxes).
    enum ContactInboxOutcome {
        case found(ContactInboxRecord)
        case created(ContactInboxRecord)
        case conflict
    }

    /// Finds or creates the contact inbox; a nil source id means a new UUID, as for API inboxes.
    mutating func findOrCreateContactInbox(
        contactID: Int,
        inboxID: Int,
        sourceID: String?,
        now: Timestamp
    ) -> ContactInboxOutcome {
        let source = sourceID ?? UUID().uuidString.lowercased()
        if let existing = self.contactInbox(inboxID: inboxID, sourceID: source) {
            return existing.contactID == contactID ? .found(existing) : .conflict
        }
        let record = ContactInboxRecord(
            id: self.nextContactInboxID,
            contactID: contactID,
            inboxID: inboxID,
            sourceID: source,
            pubsubToken: Self.pubsubToken(),
            createdAt: now
        )
        self.nextContactInboxID += 1
        self.contactInboxPositions[record.id] = self.contactInboxes.count
        self.contactInboxKeys[Self.key(inboxID, source)] = self.contactInboxes.count
        self.contactInboxes.append(record)
        return .created(record)
    }

    private static func key(_ inboxID: Int, _ sourceID: String) -> String {
        "\(inboxID)\u{0}\(sourceID)"
    }

    private static func pubsubToken() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789")
        return String((0..<24).map { _ in alphabet.randomElement() ?? "x" })
    }
}
