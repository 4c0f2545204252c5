public import Foundation
import Crypto

/// The marks this service leaves on what it creates in a support system, so a create can be found again after an
/// unknown outcome and its webhook echo is not mistaken for an agent's action.
public enum SupportMarker {
    /// Every message `source_id` this service writes starts with this.
    public static let prefix = "handoff:"
    /// The conversation custom attribute holding this service's conversation id.
    public static let conversationAttribute = "handoff_conversation_id"
    /// The conversation custom attribute holding the session number.
    public static let sessionAttribute = "handoff_session"
    /// The conversation custom attribute holding the id of the command that created it.
    public static let commandAttribute = "handoff_command_id"
    /// The message content attribute holding the id of the command that posted it.
    public static let messageCommandAttribute = "handoff_command_id"

    /// The `source_id` of a message posted by a command.
    public static func messageSourceID(commandID: UUID) -> String {
        prefix + commandID.uuidString.lowercased()
    }

    /// The contact inbox `source_id` of one session of a conversation: one per session, so each session gets its own
    /// support conversation and a retried create finds the same one.
    public static func sessionSourceID(conversationID: String, session: Int) -> String {
        "\(prefix)\(conversationID):\(session)"
    }

    /// Whether a `source_id` was written by this service.
    public static func isOurs(_ sourceID: String?) -> Bool {
        sourceID?.hasPrefix(prefix) ?? false
    }
}

/// Name-based UUIDs (RFC 9562 version 5): the same name always gives the same id, so an event or command derived from
/// the same fact twice has the same id, and the store's idempotency writes it once.
public enum DeterministicID {
    /// This service's namespace.
    public static let namespace = UUID(uuid: (
        0x6b, 0x1d, 0x3c, 0x52, 0x8e, 0x0f, 0x4a, 0x61, 0x9b, 0x27, 0x5c, 0x80, 0xd4, 0x13, 0xa9, 0xe7
    ))

    /// The id of a name within a namespace.
    public static func uuid(_ name: String, namespace: UUID = namespace) -> UUID {
        var bytes = Data()
        withUnsafeBytes(of: namespace.uuid) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(name.utf8))
        var digest = Array(Insecure.SHA1.hash(data: bytes).prefix(16))
        digest[6] = (digest[6] & 0x0f) | 0x50
        digest[8] = (digest[8] & 0x3f) | 0x80
        return UUID(uuid: (
            digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
            digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]
        ))
    }
}
