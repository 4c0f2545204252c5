/// A contact of the account (`contacts` row).
struct ContactRecord: Sendable {
    let id: Int
    var name: String
    /// Lower-cased, as Chatwoot stores it.
    var email: String?
    var phoneNumber: String?
    var identifier: String?
    var blocked: Bool
    var additionalAttributes: JSONObject
    var customAttributes: JSONObject
    let createdAt: Timestamp
    var lastActivityAt: Timestamp?
}
