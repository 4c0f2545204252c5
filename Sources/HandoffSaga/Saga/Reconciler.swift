public import EventStore
import Foundation
public import Logging
import Projections

/// Webhooks are delivered at most once and unordered, so the reconciler compares, for every open handoff, what the
/// log says Chatwoot should hold with what Chatwoot holds (status, team, assignee, agents' messages), and appends what
/// the webhooks missed. Its events have the ids a webhook would give the same fact where Chatwoot's ids allow it
/// (messages), and go through the same ``EffectiveChanges`` filter, so a late webhook adds nothing twice.
public actor Reconciler {
    /// What one pass did.
    public struct Report: Sendable, Hashable {
        /// Open handoffs compared.
        public var checked = 0
        /// Events appended.
        public var appended = 0
        /// Conversations that could not be compared (Chatwoot did not answer), for the log line.
        public var failed = 0
    }

    private let store: SQLiteEventStore
    private let client: ChatwootClient
    private let interval: Duration
    private let logger: Logger
    private let codec = EventCodec()

    /// Creates a reconciler that passes every `interval` (default one minute).
    public init(store: SQLiteEventStore, client: ChatwootClient, interval: Duration = .seconds(60), logger: Logger = Logger(label: "handoff.reconciler")) {
        self.store = store
        self.client = client
        self.interval = interval
        self.logger = logger
    }

    /// Passes every interval until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                let report = try await reconcileOnce()
                if report.appended > 0 || report.failed > 0 {
                    logger.info(
                        "reconciled open handoffs",
                        metadata: ["checked": "\(report.checked)", "appended": "\(report.appended)", "failed": "\(report.failed)"])
                }
            } catch {
                logger.warning("reconciliation pass failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// One pass over the open handoffs of the read models.
    public func reconcileOnce() async throws -> Report {
        var report = Report()
        for conversation in try await ReadModels(store: store).openHandoffs() {
            do {
                report.appended += try await reconcile(conversation)
                report.checked += 1
            } catch let error as ChatwootError {
                report.failed += 1
                logger.notice("could not compare with Chatwoot", metadata: ["conversation": "\(conversation)", "error": "\(error)"])
            }
        }
        return report
    }

    /// Compares one conversation and appends what is missing.
    /// - Returns: how many events were appended.
    public func reconcile(_ conversationID: String) async throws -> Int {
        let stream = try StreamID.conversation(conversationID)
        var ledger = SupportLedger()
        var stored: Set<UUID> = []
        var lastAgentMessage = 0
        var version: Int64 = 0
        while true {
            let events = try await store.readStream(stream, from: version, limit: 1000)
            for event in events {
                stored.insert(event.eventID)
                guard let record = try? ConversationRecord(event, codec: codec) else { continue }
                ledger.apply(record)
                if case .agentMessage(let message) = record.event { lastAgentMessage = max(lastAgentMessage, message.messageId) }
            }
            guard let last = events.last, events.count == 1000 else { break }
            version = last.version + 1
        }
        let state = ledger.state
        guard state.humanOwnsSession, let supportID = ledger.context(session: state.session).conversationID else { return 0 }

        let held = try await client.conversation(id: supportID)
        let account = client.configuration.accountID
        var found: [TranslatedEvent] = []
        let now = Date()
        // Agents' public messages after the last one recorded.
        var cursor = max(lastAgentMessage, 0)
        while true {
            let page = try await client.messages(conversation: supportID, after: cursor)
            for message in page
            where message.messageType == .outgoing && !message.isPrivate && message.sender?.type == .user
                && !SupportMarker.isOurs(message.sourceID) && !(message.content ?? "").isEmpty
            {
                found.append(
                    TranslatedEvent(
                        eventID: WebhookTranslator.messageEventID(accountID: account, messageID: message.id),
                        event: .agentMessage(
                            AgentMessage(messageId: message.id, agentId: message.sender?.id, agentName: message.sender?.name, text: message.content ?? "")),
                        occurredAt: now))
            }
            guard page.count >= 100, let last = page.last?.id else { break }
            cursor = last
        }
        let tag = "reconcile/\(account)/\(supportID)/v\(state.version)"
        if held.team?.id != state.team {
            found.append(
                TranslatedEvent(
                    eventID: DeterministicID.uuid("\(tag)/team/\(held.team.map { String($0.id) } ?? "none")"),
                    event: .agentTeamChanged(AgentTeamChanged(team: held.team?.id)), occurredAt: now))
        }
        if held.assignee?.id != state.agent?.id {
            found.append(
                TranslatedEvent(
                    eventID: DeterministicID.uuid("\(tag)/assignee/\(held.assignee.map { String($0.id) } ?? "none")"),
                    event: .agentAssigned(AgentAssigned(agentId: held.assignee?.id, agentName: held.assignee?.name, team: held.team?.id)),
                    occurredAt: now))
        }
        if held.status == .resolved || held.status == .pending {
            found.append(
                TranslatedEvent(
                    eventID: DeterministicID.uuid("\(tag)/status/\(held.status.rawValue)"),
                    event: .sessionClosed(SessionClosed(by: .agent, reason: held.status == .resolved ? "resolved" : "handed_back")),
                    occurredAt: now))
        }
        let missing = EffectiveChanges.filter(found, state: state, stored: stored, supportConversationID: supportID)
        guard !missing.isEmpty else { return 0 }
        let metadata = EventMetadata(actor: "handoff-reconciler", source: "chatwoot")
        let data = try missing.map { try codec.encode($0.event, eventID: $0.eventID, occurredAt: $0.occurredAt, metadata: metadata) }
        _ = try await store.append(data, to: stream, expected: .exact(state.version))
        logger.info("appended what webhooks missed", metadata: ["conversation": "\(conversationID)", "events": "\(data.count)"])
        return data.count
    }
}
