import EventStore
import Foundation

/// The parts of Chatwoot's webhook bodies this service reads (`Message#webhook_data` and
/// `Conversations::EventDataPresenter#webhook_data` in Chatwoot's source); everything else is ignored.
struct WebhookPayload: Decodable {
    struct Named: Decodable {
        var id: Int
        var name: String?
    }

    struct Meta: Decodable {
        var assignee: Named?
        var team: Named?
    }

    struct Conversation: Decodable {
        var id: Int
        var status: String?
        var custom_attributes: [String: JSONValue]?
        var meta: Meta?
        var updated_at: JSONValue?
        var timestamp: JSONValue?
    }

    struct Sender: Decodable {
        var id: Int
        var name: String?
        var type: String?
    }

    struct Change: Decodable {
        var previous_value: JSONValue?
        var current_value: JSONValue?
    }

    var event: String
    // Conversation events: the conversation's fields at the top level.
    var id: Int?
    var status: String?
    var custom_attributes: [String: JSONValue]?
    var meta: Meta?
    var changed_attributes: [[String: Change]]?
    var updated_at: JSONValue?
    var timestamp: JSONValue?
    // Message events.
    var content: String?
    var message_type: String?
    var `private`: Bool?
    var source_id: String?
    var created_at: JSONValue?
    var sender: Sender?
    var conversation: Conversation?

    /// The changed attributes, flattened (Chatwoot sends a list of one-key objects).
    var changes: [String: Change] {
        var all: [String: Change] = [:]
        for entry in changed_attributes ?? [] {
            for (key, change) in entry { all[key] = change }
        }
        return all
    }
}

extension JSONValue {
    /// A time from a Unix number (seconds, possibly fractional) or an ISO-8601 string.
    var webhookDate: Date? {
        switch self {
        case .integer(let seconds): return Date(timeIntervalSince1970: TimeInterval(seconds))
        case .double(let seconds): return Date(timeIntervalSince1970: seconds)
        case .string(let text):
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: text) { return date }
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.date(from: text)
        default: return nil
        }
    }

    /// The value as written, for deriving ids.
    var idText: String {
        switch self {
        case .integer(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): value
        case .bool(let value): String(value)
        case .null: "null"
        default: (try? canonicalString()) ?? "?"
        }
    }

    var intValue: Int? {
        switch self {
        case .integer(let value): Int(exactly: value)
        case .double(let value): Int(exactly: value)
        case .string(let value): Int(value)
        default: nil
        }
    }
}
