import EventStore
import Foundation

/// The Chatwoot adapter of the ``SupportSystem`` port, exactly-once in effect.
///
/// Chatwoot has no idempotency key, so every create carries a marker derived from the command (the contact's
/// `identifier`, the session's contact-inbox `source_id` and a conversation custom attribute, the message `source_id`
/// and a content attribute), and creates are preceded by a lookup: always for contacts and conversations (one cheap
/// call), and for messages after an attempt that may have taken effect. Team and status calls set values and converge.
public struct ChatwootSupportSystem: SupportSystem {
    /// The client.
    public let client: ChatwootClient

    /// Creates the adapter.
    public init(client: ChatwootClient) {
        self.client = client
    }

    private var inboxID: Int { client.configuration.inboxID }

    public func perform(
        _ command: SupportCommand, context: SupportContext, uncertain: Bool
    ) async throws(SupportFailure) -> SupportResult {
        do {
            switch command.action {
            case .ensureContact(let details):
                return try await ensureContact(details, command: command)
            case .ensureConversation(let team):
                return try await ensureConversation(team: team, command: command, context: context)
            case .postMessage(let message):
                return try await post(message, command: command, context: context, uncertain: uncertain)
            case .assignTeam(let team):
                let conversation = try require(context.conversationID, "the session has no support conversation yet")
                guard let assigned = try await client.assignTeam(conversation: conversation, team: team), assigned.id == team
                else {
                    throw SupportFailure(
                        .permanent, "Chatwoot has no team \(team): it removed the conversation's team (check the routing table)")
                }
                return .teamAssigned(team: team)
            case .resolveConversation:
                let conversation = try require(context.conversationID, "the session has no support conversation")
                let change = try await client.setStatus(conversation: conversation, .resolved)
                return .conversationResolved(conversationID: change.conversationID, status: change.currentStatus.rawValue)
            case .deliverToBot:
                throw SupportFailure(.permanent, "deliverToBot goes to the bot platform, not the support system")
            }
        } catch let error as SupportFailure {
            throw error
        } catch let error as ChatwootError {
            throw Self.failure(error)
        } catch {
            throw SupportFailure(.retry(retryAfter: nil, mayHaveTakenEffect: true), "\(error)")
        }
    }

    private func ensureContact(_ details: ContactDetails, command: SupportCommand) async throws -> SupportResult {
        if let found = try await client.findContacts(identifier: details.identifier).first {
            return .contactReady(contactID: found.id, sourceID: nil)
        }
        let sourceID = SupportMarker.sessionSourceID(conversationID: command.conversationID, session: command.session)
        let attempt: Result<ChatwootCreatedContact, ChatwootError>
        do {
            attempt = .success(
                try await client.createContact(
                    ChatwootNewContact(inboxID: inboxID, sourceID: sourceID, name: details.name, identifier: details.identifier)))
        } catch {
            attempt = .failure(error)
        }
        switch attempt {
        case .success(let created):
            return .contactReady(contactID: created.contact.id, sourceID: created.sourceID)
        case .failure(.rejected(let rejection)) where rejection.status == 422 || rejection.status >= 500:
            // Taken: another attempt (or another service) created it since the lookup. Chatwoot does not say which
            // contact holds it, so look again.
            if let found = try await client.findContacts(identifier: details.identifier).first {
                return .contactReady(contactID: found.id, sourceID: nil)
            }
            if rejection.body.saysAlreadyTaken {
                throw SupportFailure(
                    .permanent,
                    "Chatwoot refuses the contact (\(rejection.body.attributes.joined(separator: ", ")) taken by another contact)")
            }
            throw ChatwootError.rejected(rejection)
        case .failure(let error):
            throw error
        }
    }

    private func ensureConversation(team: Int?, command: SupportCommand, context: SupportContext) async throws -> SupportResult {
        let contact = try require(context.contactID, "the user has no support contact yet")
        let sourceID = SupportMarker.sessionSourceID(conversationID: command.conversationID, session: command.session)
        let existing = try await client.conversations(ChatwootConversationQuery(sourceID: sourceID, inboxID: inboxID))
        if let found = existing.conversations.min(by: { $0.id < $1.id }) {
            return .conversationOpened(conversationID: found.id)
        }
        let created = try await client.createConversation(
            ChatwootNewConversation(
                sourceID: sourceID, inboxID: inboxID, contactID: contact, status: .open, teamID: team,
                customAttributes: [
                    SupportMarker.conversationAttribute: .string(command.conversationID),
                    SupportMarker.sessionAttribute: .integer(Int64(command.session)),
                    SupportMarker.commandAttribute: .string(command.markerID.uuidString.lowercased()),
                ]))
        return .conversationOpened(conversationID: created.id)
    }

    private func post(
        _ message: MessageToPost, command: SupportCommand, context: SupportContext, uncertain: Bool
    ) async throws -> SupportResult {
        let conversation = try require(context.conversationID, "the session has no support conversation yet")
        let marker = SupportMarker.messageSourceID(commandID: command.markerID)
        let direction: ChatwootNewMessage.Direction = message.author == .user ? .incoming : .outgoing
        if uncertain, let found = try await lookUp(marker: marker, message: message, direction: direction, conversation: conversation) {
            return .messagePosted(messageID: found)
        }
        let posted = try await client.createMessage(
            conversation: conversation,
            ChatwootNewMessage(
                content: message.text, messageType: direction, sourceID: marker,
                contentAttributes: [SupportMarker.messageCommandAttribute: .string(command.markerID.uuidString.lowercased())]))
        return .messagePosted(messageID: posted.id)
    }

    /// Looks for a message an earlier attempt (or the command this one rebuilds) may have posted: by its `source_id`,
    /// or, on Chatwoot versions that drop `source_id`, by direction and exact text among the unmarked messages. The
    /// whole conversation is read, 100 messages a call: an earlier attempt may sit before messages posted since.
    private func lookUp(
        marker: String, message: MessageToPost, direction: ChatwootNewMessage.Direction, conversation: Int
    ) async throws -> Int? {
        var cursor: Int?
        var candidates: [ChatwootMessage] = []
        while true {
            let page = try await client.messages(conversation: conversation, after: cursor ?? 0)
            candidates += page
            guard page.count >= 100, let last = page.last?.id else { break }
            cursor = last
        }
        if let marked = candidates.first(where: { $0.sourceID == marker }) { return marked.id }
        let type: ChatwootMessageType = direction == .incoming ? .incoming : .outgoing
        return candidates.first { $0.sourceID == nil && $0.messageType == type && $0.content == message.text }?.id
    }

    private func require(_ value: Int?, _ reason: String) throws(SupportFailure) -> Int {
        guard let value else { throw SupportFailure(.retry(retryAfter: nil, mayHaveTakenEffect: false), reason) }
        return value
    }

    /// How a client error is retried.
    static func failure(_ error: ChatwootError) -> SupportFailure {
        switch error {
        case .notSent:
            return SupportFailure(.retry(retryAfter: nil, mayHaveTakenEffect: false), "\(error)", isOutage: true)
        case .outcomeUnknown, .invalidResponse:
            return SupportFailure(.retry(retryAfter: nil, mayHaveTakenEffect: true), "\(error)", isOutage: true)
        case .rejected(let rejection):
            switch rejection.status {
            case 429:
                return SupportFailure(.retry(retryAfter: rejection.retryAfter, mayHaveTakenEffect: false), "\(error)", isOutage: true)
            case 500...:
                return SupportFailure(.retry(retryAfter: rejection.retryAfter, mayHaveTakenEffect: true), "\(error)", isOutage: true)
            case 401, 403, 408:
                // A token or permission problem an operator can fix: keep trying, slowly.
                return SupportFailure(.retry(retryAfter: nil, mayHaveTakenEffect: false), "\(error)")
            default:
                return SupportFailure(.permanent, "\(error)")
            }
        }
    }
}
