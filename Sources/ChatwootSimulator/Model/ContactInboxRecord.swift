/// A contact's presence in an inbox (`contact_inboxes` row); `(inboxID, sourceID)` is unique.
struct ContactInboxRecord: Sendable {
    let id: Int
    let contactID: Int
    let inboxID: Int
    let sourceID: String
    let pubsubToken: String
    let createdAt: Timestamp
}
