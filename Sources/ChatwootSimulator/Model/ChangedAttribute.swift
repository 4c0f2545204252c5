/// One attribute change carried by `conversation_updated` as `{"name": {"previous_value", "current_value"}}`.
struct ChangedAttribute: Sendable {
    let name: String
    let previous: JSONValue
    let current: JSONValue
}
