public import EventStore
public import Foundation
import Projections

/// Which handoffs a rebuild re-creates.
public struct RebuildSelection: Sendable, Hashable {
    /// Handoffs requested at or after this time.
    public var since: Date?
    /// Handoffs requested before this time.
    public var until: Date?
    /// Only handoffs whose session people still own.
    public var openOnly: Bool

    /// Creates a selection; the default takes every handoff.
    public init(since: Date? = nil, until: Date? = nil, openOnly: Bool = false) {
        self.since = since
        self.until = until
        self.openOnly = openOnly
    }
}

/// What the support system must hold for one handoff (one session of a conversation).
public struct RebuildItem: Sendable, Hashable {
    /// This service's conversation id.
    public var conversationID: String
    /// The session.
    public var session: Int
    /// When the handoff was requested.
    public var requestedAt: Date
    /// The team it must end with (the last team the session had).
    public var team: Int?
    /// Messages of the session to be present, in order (user, bot and agents').
    public var messages: Int
    /// Whether the support conversation must end resolved (the session was closed).
    public var resolved: Bool
    /// The commands that make it so.
    public var commands: [SupportCommand]
}

/// The plan of a rebuild: from the log alone, what the support system must hold.
public struct RebuildPlan: Sendable, Hashable {
    /// The rebuild's generation: part of every command id, so its commands are new outbox rows.
    public var generation: String
    /// One item per handoff, by conversation and session.
    public var items: [RebuildItem]

    /// Every command of the plan, in order.
    public var commands: [SupportCommand] { items.flatMap(\.commands) }
}

/// The engine behind `replay rebuild-support`: plans, from the log alone, what Chatwoot must hold for the chosen
/// handoffs, and carries the plan out through the outbox, idempotently.
///
/// Every command of a rebuild is enqueued as *uncertain*, so it looks before it creates: against a Chatwoot that
/// still holds the data it finds the contact, the conversation (by the session's `source_id`) and each message (by
/// its marker, which a rebuild shares with the original command) and creates nothing; against a Chatwoot that lost
/// its data, or a new installation, it creates them, and the log records the new ids.
public struct SupportRebuild: Sendable {
    private let store: SQLiteEventStore
    private let outbox: Outbox
    private let codec = EventCodec()

    /// Creates the engine on a store and its (prepared) outbox.
    public init(store: SQLiteEventStore, outbox: Outbox) {
        self.store = store
        self.outbox = outbox
    }

    /// Plans the rebuild of the selected handoffs, reading the log (every conversation stream once).
    public func plan(_ selection: RebuildSelection, generation: String) async throws -> RebuildPlan {
        var items: [RebuildItem] = []
        for stream in try await conversationStreams() {
            guard let conversationID = stream.conversationID else { continue }
            items += try await plan(conversationID, stream: stream, selection: selection, generation: generation)
        }
        return RebuildPlan(generation: generation, items: items)
    }

    /// Enqueues the plan's commands, each to look before it creates.
    /// - Returns: how many were new rows (a plan enqueued twice adds nothing the second time).
    @discardableResult
    public func enqueue(_ plan: RebuildPlan) async throws -> Int {
        try await outbox.enqueue(plan.commands.map { ($0, 0) }, checkpoint: nil, uncertain: true)
    }

    /// How many of the plan's commands are in each state.
    public func progress(_ plan: RebuildPlan) async throws -> [OutboxState: Int] {
        try await outbox.states(of: plan.commands.map(\.id))
    }

    private func conversationStreams() async throws -> [StreamID] {
        var streams: Set<StreamID> = []
        var position: Int64 = 1
        while true {
            let page = try await store.readAll(from: position, limit: 5000)
            for event in page where event.streamID.conversationID != nil { streams.insert(event.streamID) }
            guard let last = page.last else { break }
            position = last.position + 1
        }
        return streams.sorted()
    }

    private struct SessionPlan {
        var session: Int
        var routedEventID: UUID
        var requestedAt: Date
        var team: Int?
        var messages: [(UUID, MessageToPost)] = []
        var closeEventID: UUID?
        var open = true
    }

    private func plan(
        _ conversationID: String, stream: StreamID, selection: RebuildSelection, generation: String
    ) async throws -> [RebuildItem] {
        var state = SessionState.initial
        var userName: String?
        var sessions: [Int: SessionPlan] = [:]
        var sessionMessages: [Int: [(UUID, MessageToPost)]] = [:]
        var version: Int64 = 0
        while true {
            let events = try await store.readStream(stream, from: version, limit: 1000)
            for event in events {
                guard let record = try? ConversationRecord(event, codec: codec) else { continue }
                let before = state
                state = SessionState.evolve(state, record)
                let session = state.session
                switch record.event {
                case .conversationStarted(let started):
                    userName = started.user?.name ?? userName
                case .userMessage, .botMessage:
                    // A bot's message after a close belongs to no session's Chatwoot conversation (the saga never
                    // posts it); a user's message there opens the next session.
                    if state.mode != .closed, let post = SagaPolicy.messageToPost(record.event) {
                        sessionMessages[session, default: []].append((record.eventID, post))
                    }
                case .agentMessage(let message) where state.mode != .closed:
                    sessionMessages[session, default: []].append(
                        (record.eventID, MessageToPost(author: .agent, text: message.text, messageID: String(message.messageId))))
                case .handoffRouted:
                    if SagaPolicy.routes(before: before, after: state, record: record), let handoff = state.handoff {
                        sessions[session] = SessionPlan(session: session, routedEventID: record.eventID, requestedAt: handoff.requestedAt)
                    }
                case .sessionClosed:
                    if before.mode != .closed, sessions[before.session] != nil {
                        sessions[before.session]?.closeEventID = record.eventID
                        sessions[before.session]?.open = false
                    }
                default:
                    break
                }
                if sessions[session]?.open == true { sessions[session]?.team = state.team }
            }
            guard let last = events.last, events.count == 1000 else { break }
            version = last.version + 1
        }
        return sessions.values.sorted { $0.session < $1.session }.compactMap { plan -> RebuildItem? in
            if let since = selection.since, plan.requestedAt < since { return nil }
            if let until = selection.until, plan.requestedAt >= until { return nil }
            if selection.openOnly, !plan.open { return nil }
            func command(_ action: SupportAction, _ cause: UUID) -> SupportCommand {
                SupportCommand(
                    conversationID: conversationID, session: plan.session, causationEventID: cause, action: action,
                    generation: generation)
            }
            var commands = [
                command(.ensureContact(ContactDetails(identifier: state.userID ?? conversationID, name: userName)), plan.routedEventID),
                command(.ensureConversation(team: plan.team), plan.routedEventID),
            ]
            let messages = sessionMessages[plan.session] ?? []
            commands += messages.map { command(.postMessage($0.1), $0.0) }
            if let team = plan.team { commands.append(command(.assignTeam(team: team), plan.routedEventID)) }
            if let close = plan.closeEventID { commands.append(command(.resolveConversation, close)) }
            return RebuildItem(
                conversationID: conversationID, session: plan.session, requestedAt: plan.requestedAt, team: plan.team,
                messages: messages.count, resolved: !plan.open, commands: commands)
        }
    }
}
