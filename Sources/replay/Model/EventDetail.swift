import EventStore
import Foundation
import Projections

/// What an event says, in a few words for people: a summary, and the message text apart (it is user input, which
/// each output escapes its own way). Personal data (the user's name, email, phone) is left out.
struct EventDetail {
    /// The summary, unescaped: `reason bot_failed; unfinished acme.shop.Refund`.
    let summary: String
    /// A message's text, unescaped; nil for events that carry none.
    let message: String?

    /// The detail of a timeline entry.
    init(_ entry: ConversationHistory.Entry) {
        guard let event = entry.event else {
            self.init("does not decode", nil)
            return
        }
        self.init(event, eventID: entry.record.eventID, after: entry.state)
    }

    private init(_ summary: String, _ message: String?) {
        self.summary = summary
        self.message = message
    }

    /// The detail of `event` (stored with id `eventID`), whose state after it is `state`.
    init(_ event: ConversationEvent, eventID: UUID, after state: SessionState) {
        switch event {
        case .conversationStarted(let started):
            self.init(
                [started.channel.map { "channel \($0)" }, started.userId.map { "user \($0)" }].compactMap { $0 }
                    .joined(separator: ", "), nil)
        case .userMessage(let message):
            self.init("", message.text)
        case .botMessage(let message):
            self.init(message.skill.map { "in \($0)" } ?? "", message.text)
        case .skillStarted(let change), .skillCompleted(let change), .skillAbandoned(let change):
            self.init(change.skill, nil)
        case .handoffRequested(let request):
            var parts = ["reason \(request.reason)"]
            if let team = request.team { parts.append("team \(team) chosen by \(request.teamChosenBy?.rawValue ?? "bot")") }
            if let handoff = state.handoff, handoff.requestEventID == eventID {
                parts.append("unfinished " + Format.skills(handoff.unfinishedSkills))
            } else {
                parts.append("no effect: a handoff is already in progress")
            }
            self.init(parts.joined(separator: "; "), nil)
        case .handoffRouted(let routed):
            self.init(Format.recorded(team: routed.team, rule: routed.rule, version: routed.routingVersion), nil)
        case .contactReady(let ready):
            self.init("contact \(ready.contactId)", nil)
        case .conversationOpened(let opened):
            self.init("support conversation \(opened.conversationId)", nil)
        case .messagePosted(let posted):
            self.init("support message \(posted.messageId)" + (posted.sourceMessageId.map { " for \($0)" } ?? ""), nil)
        case .teamAssigned(let assigned):
            self.init("team \(assigned.team)", nil)
        case .conversationResolved(let resolved):
            self.init("support conversation \(resolved.conversationId) \(resolved.status)", nil)
        case .commandFailed(let failed):
            self.init("\(failed.command) failed after \(failed.attempts) attempts: \(failed.lastError)", nil)
        case .agentAssigned(let assigned):
            guard let agentID = assigned.agentId else {
                self.init("unassigned", nil)
                return
            }
            let agent = Format.agent(AgentRef(id: agentID, name: assigned.agentName))
            self.init(agent + (assigned.team.map { ", team \($0)" } ?? ""), nil)
        case .agentMessage(let message):
            let agent = message.agentId.map { Format.agent(AgentRef(id: $0, name: message.agentName)) } ?? "agent"
            self.init(agent, message.text)
        case .agentTeamChanged(let changed):
            let by = changed.agentId.map { " by " + Format.agent(AgentRef(id: $0, name: changed.agentName)) } ?? ""
            self.init("to " + Format.team(changed.team) + by, nil)
        case .sessionClosed(let closed):
            self.init("by \(closed.by.rawValue)" + (closed.reason.map { " (\($0))" } ?? ""), nil)
        case .unknown(let unknown):
            self.init("a type or schema version this build does not know (v\(unknown.schemaVersion)), kept", nil)
        }
    }
}
