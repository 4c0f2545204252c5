import EventStore
import Foundation

/// Wire-form events for requests, as the bot platform writes them.
enum Wire {
    /// One event: `{"eventId", "type", "at", "data", "metadata"}`.
    static func event(
        _ type: String, _ data: [String: JSONValue], id: UUID = UUID(), at: String = "2026-11-24T10:00:00Z"
    ) -> JSONValue {
        .object([
            "eventId": .string(id.uuidString.lowercased()), "type": .string(type), "at": .string(at),
            "data": .object(data), "metadata": ["actor": "bot-platform"],
        ])
    }

    static func started(id: UUID = UUID()) -> JSONValue {
        event("conversation.started", ["channel": "web", "userId": "u-1"], id: id)
    }

    static func userMessage(_ text: String = "hello", id: UUID = UUID()) -> JSONValue {
        event("user.message", ["messageId": .string("m-\(id.uuidString.prefix(8))"), "text": .string(text)], id: id)
    }

    static func botMessage(_ text: String = "how can I help?", id: UUID = UUID()) -> JSONValue {
        event("bot.message", ["messageId": .string("b-\(id.uuidString.prefix(8))"), "text": .string(text)], id: id)
    }

    static func handoff(id: UUID = UUID()) -> JSONValue { event("handoff.requested", ["reason": "user_asked"], id: id) }

    static func closed(id: UUID = UUID()) -> JSONValue { event("session.closed", ["by": "bot"], id: id) }
}

/// The positions in an append answer, nil for no-ops.
func positions(_ answer: Answer) -> [Int64?] {
    guard case .array(let values)? = answer["positions"] else { return [] }
    return values.map { value in
        if case .integer(let position) = value { return position }
        return nil
    }
}

/// A JSON integer member as Int64.
func integer(_ value: JSONValue?) -> Int64? {
    if case .integer(let number)? = value { return number }
    return nil
}

/// A JSON string member.
func string(_ value: JSONValue?) -> String? {
    if case .string(let text)? = value { return text }
    return nil
}
