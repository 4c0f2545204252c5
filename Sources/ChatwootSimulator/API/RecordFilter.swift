/// The `payload` of `contacts/filter` and `conversations/filter`: conditions joined by their
/// `query_operator` (AND binds tighter than OR, as in the SQL Chatwoot builds).
struct RecordFilter: Sendable {
    struct Condition: Sendable {
        let key: String
        let filterOperator: String
        let values: [JSONValue]
        let joinsNextWithOr: Bool
    }

    /// A record's value for a filter key.
    enum Field {
        case text(String?)
        case number(Int?)
        case flag(Bool)
    }

    let conditions: [Condition]

    static let textOperators = ["equal_to", "not_equal_to", "contains", "does_not_contain"]
    static let idOperators = ["equal_to", "not_equal_to", "is_present", "is_not_present"]

    /// Contact keys the simulator filters on, with their operators (`lib/filters/filter_keys.yml`).
    static let contactKeys: [(key: String, operators: [String])] = [
        ("name", textOperators),
        ("email", textOperators),
        ("phone_number", textOperators + ["starts_with"]),
        ("identifier", ["equal_to", "not_equal_to"]),
        ("blocked", ["equal_to", "not_equal_to"]),
        ("city", textOperators),
        ("country_code", ["equal_to", "not_equal_to"]),
    ]

    /// Conversation keys the simulator filters on; any other key is taken as a custom attribute.
    static let conversationKeys: [(key: String, operators: [String])] = [
        ("status", ["equal_to", "not_equal_to"]),
        ("assignee_id", idOperators),
        ("inbox_id", ["equal_to", "not_equal_to"]),
        ("team_id", idOperators),
        ("contact_id", ["equal_to", "not_equal_to"]),
        ("display_id", ["equal_to", "not_equal_to"]),
        ("priority", ["equal_to", "not_equal_to"]),
    ]

    static let customAttributeOperators = textOperators + ["is_present", "is_not_present"]

    /// Reads and checks the conditions.
    /// - Throws: 422 `{"error"}` for a missing payload, an unknown key or a wrong operator.
    static func parse(
        _ params: JSONObject,
        keys: [(key: String, operators: [String])],
        customAttributes: Bool
    ) throws(ChatwootError) -> RecordFilter {
        guard let payload = params["payload"]?.arrayValue, !payload.isEmpty else {
            throw ChatwootError.unprocessable("param is missing or the value is empty: payload")
        }
        var conditions: [Condition] = []
        for element in payload {
            guard let object = element.objectValue, let key = object["attribute_key"]?.scalarString else {
                throw ChatwootError.unprocessable("Invalid attribute key - []")
            }
            let filterOperator = object["filter_operator"]?.scalarString ?? ""
            let allowed: [String]
            if let known = keys.first(where: { $0.key == key }) {
                allowed = known.operators
            } else if customAttributes {
                allowed = self.customAttributeOperators
            } else {
                let names = keys.map(\.key).joined(separator: ",")
                throw ChatwootError.unprocessable(
                    "Invalid attribute key - [\(key)]. The allowed keys for attribute_key are [\(names)]."
                )
            }
            guard allowed.contains(filterOperator) else {
                throw ChatwootError.unprocessable(
                    "Invalid operator. The allowed operators for \(key) are [\(allowed.joined(separator: ","))]."
                )
            }
            let values: [JSONValue]
            switch object["values"] {
            case .array(let array): values = array
            case .some(let value) where !value.isNull: values = [value]
            default: values = []
            }
            if values.isEmpty, !["is_present", "is_not_present"].contains(filterOperator) {
                throw ChatwootError.unprocessable("Invalid value. The values provided for \(key) are invalid")
            }
            let join = object["query_operator"]?.scalarString?.lowercased()
            conditions.append(Condition(key: key, filterOperator: filterOperator, values: values, joinsNextWithOr: join == "or"))
        }
        return RecordFilter(conditions: conditions)
    }

    /// Evaluates the conditions for one record.
    func matches(_ field: (String) -> Field) -> Bool {
        var anyGroup = false
        var group = true
        for (index, condition) in self.conditions.enumerated() {
            group = group && Self.evaluate(condition, field(condition.key))
            let last = index == self.conditions.count - 1
            if last || condition.joinsNextWithOr {
                anyGroup = anyGroup || group
                group = true
            }
        }
        return anyGroup
    }

    private static func evaluate(_ condition: Condition, _ field: Field) -> Bool {
        let present: Bool
        let text: String?
        switch field {
        case .text(let value):
            text = value?.lowercased()
            present = !(value ?? "").isEmpty
        case .number(let value):
            text = value.map(String.init)
            present = value != nil
        case .flag(let value):
            text = value ? "true" : "false"
            present = true
        }
        let wanted = condition.values.compactMap { $0.scalarString?.lowercased() }
        switch condition.filterOperator {
        case "equal_to": return text.map { wanted.contains($0) } ?? false
        case "not_equal_to": return !(text.map { wanted.contains($0) } ?? false)
        case "contains": return text.map { value in wanted.contains { value.contains($0) } } ?? false
        case "does_not_contain": return !(text.map { value in wanted.contains { value.contains($0) } } ?? false)
        case "starts_with": return text.map { value in wanted.contains { value.hasPrefix($0) } } ?? false
        case "is_present": return present
        case "is_not_present": return !present
        default: return false
        }
    }

    static func contactField(_ contact: ContactRecord, _ key: String) -> Field {
        switch key {
        case "name": .text(contact.name)
        case "email": .text(contact.email)
        case "phone_number": .text(contact.phoneNumber)
        case "identifier": .text(contact.identifier)
        case "blocked": .flag(contact.blocked)
        case "city", "country_code": .text(contact.additionalAttributes[key]?.scalarString)
        default: .text(nil)
        }
    }

    static func conversationField(_ conversation: ConversationRecord, _ key: String) -> Field {
        switch key {
        case "status": .text(conversation.status.rawValue)
        case "assignee_id": .number(conversation.assigneeID)
        case "inbox_id": .number(conversation.inboxID)
        case "team_id": .number(conversation.teamID)
        case "contact_id": .number(conversation.contactID)
        case "display_id": .number(conversation.displayID)
        case "priority": .text(nil)
        default: .text(conversation.customAttributes[key]?.scalarString)
        }
    }
}
