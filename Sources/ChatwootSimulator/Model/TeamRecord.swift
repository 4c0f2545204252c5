/// A team of the account (`teams` row).
struct TeamRecord: Sendable {
    let id: Int
    let name: String
    let description: String
    let allowAutoAssign: Bool
    let createdAt: Timestamp
}
