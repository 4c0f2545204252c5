import EventStore
import Foundation
import Projections

/// The saga's rules: which commands one event calls for, given the conversation's state before and after it. Pure.
enum SagaPolicy {
    /// What the policy needs to know about the conversation beyond its state.
    struct Facts {
        /// This service's conversation id.
        var conversationID: String
        /// Whether agents' replies are delivered to the bot platform.
        var relaysToBot: Bool
        /// The user's display name, from `conversation.started`.
        var userName: String?
        /// The messages of the session before the handoff was routed, oldest first (read only for `handoff.routed`).
        var transcript: [ConversationRecord]
    }

    /// Whether a record starts a handoff that now needs a routing decision.
    static func startsHandoff(before: SessionState, after: SessionState, record: ConversationRecord) -> Bool {
        guard case .handoffRequested = record.event else { return false }
        return after.mode == .routing && after.handoff?.requestEventID == record.eventID
    }

    /// Whether a record is a routing decision that took effect (so the handoff's commands are due).
    static func routes(before: SessionState, after: SessionState, record: ConversationRecord) -> Bool {
        guard case .handoffRouted = record.event else { return false }
        return before.mode == .routing && after.mode == .queued
    }

    /// The commands `record` calls for.
    static func commands(before: SessionState, after: SessionState, record: ConversationRecord, facts: Facts) -> [SupportCommand] {
        let conversation = facts.conversationID
        let command = { (action: SupportAction, cause: UUID, session: Int) in
            SupportCommand(conversationID: conversation, session: session, causationEventID: cause, action: action)
        }
        let cause = record.eventID
        let session = after.session
        // A session whose handoff is routed and still open: its messages go to the support conversation as they come.
        let liveHandoff =
            after.session == before.session && after.humanOwnsSession && after.handoff?.routedTeam != nil
        switch record.event {
        case .handoffRouted(let routed) where routes(before: before, after: after, record: record):
            var commands = [
                command(.ensureContact(ContactDetails(identifier: after.userID ?? conversation, name: facts.userName)), cause, session),
                command(.ensureConversation(team: routed.team), cause, session),
            ]
            for message in facts.transcript {
                if let post = messageToPost(message.event) {
                    commands.append(command(.postMessage(post), message.eventID, session))
                }
            }
            commands.append(command(.assignTeam(team: routed.team), cause, session))
            return commands
        case .userMessage, .botMessage:
            guard liveHandoff, let post = messageToPost(record.event) else { return [] }
            return [command(.postMessage(post), cause, session)]
        case .sessionClosed(let closed):
            guard closed.by != .agent, before.mode != .closed, before.handoff?.routedTeam != nil else { return [] }
            return [command(.resolveConversation, cause, before.session)]
        case .agentMessage(let message):
            guard facts.relaysToBot else { return [] }
            return [
                command(
                    .deliverToBot(
                        AgentReply(
                            messageID: message.messageId, agentID: message.agentId, agentName: message.agentName,
                            text: message.text)), cause, session)
            ]
        default:
            return []
        }
    }

    static func messageToPost(_ event: ConversationEvent) -> MessageToPost? {
        switch event {
        case .userMessage(let message): MessageToPost(author: .user, text: message.text, messageID: message.messageId)
        case .botMessage(let message): MessageToPost(author: .bot, text: message.text, messageID: message.messageId)
        default: nil
        }
    }

    /// The routing decision for a handoff: the bot's or user's team wins, else the table in force, else nothing (a
    /// handoff with no team named and no routing table waits; handoffd says so at start).
    static func route(_ handoff: SessionHandoff, table: RoutingTableVersion?) -> HandoffRouted? {
        let request = RoutingRequest(handoff)
        if let table {
            return table.table.route(request).event(routingVersion: table.version)
        }
        guard let team = request.requestedTeam else { return nil }
        let rule: RoutingRule = request.chosenBy == .user ? .userChoice : .explicit
        return RoutingDecision(team: team, rule: rule).event(routingVersion: 0)
    }
}
