#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Everything mutable about a running simulator, guarded by one lock in ``ChatwootSimulator``:
/// the state, the fault plan, the exchange and delivery logs and the counters. All of it is
/// synchronous; the only effect (queueing a webhook) is a non-blocking stream yield.
struct SimulatorCore: Sendable {
    var state: SimulatorState
    var faults: FaultInjector
    private(set) var exchanges: [RecordedExchange] = []
    private(set) var deliveries: [WebhookDelivery] = []
    private var deliveryPositions: [String: Int] = [:]
    private var dropNext = 0
    private var requests = 0
    private var creates = SimulatorStats.Creates()
    private var webhooksSent = 0
    private var webhooksDropped = 0
    /// Where webhooks are queued while the server runs.
    var outbox: AsyncStream<PendingDelivery>.Continuation?

    init(configuration: SimulatorConfiguration, now: Timestamp, clock: ContinuousClock.Instant) {
        self.state = SimulatorState(setup: AccountSetup(configuration: configuration, now: now))
        self.faults = FaultInjector(plan: configuration.faults, now: clock)
    }

    // MARK: API requests

    /// Counts an API request and picks its fault, if any.
    mutating func begin(_ request: APIRequest, clock: ContinuousClock.Instant) -> Fault? {
        self.requests += 1
        return self.faults.fault(method: request.method, path: request.path, now: clock)
    }

    /// Handles an API request against the state, counts creates and queues the webhooks it caused.
    mutating func handle(_ request: APIRequest, apiToken: String, now: Timestamp) -> APIResponse {
        let (response, created) = ApplicationAPI.respond(to: request, state: &self.state, apiToken: apiToken, now: now)
        switch created {
        case .contact: self.creates.contacts += 1
        case .contactInbox: self.creates.contactInboxes += 1
        case .conversation: self.creates.conversations += 1
        case .message: self.creates.messages += 1
        case nil: break
        }
        self.emitWebhooks(now: now)
        return response
    }

    /// Appends an exchange to the log; a nil response means the connection was closed without one.
    mutating func record(_ request: APIRequest, response: APIResponse?, fault: Fault?) {
        self.exchanges.append(
            RecordedExchange(
                sequence: self.exchanges.count + 1,
                method: request.method,
                path: request.path,
                query: request.query,
                headers: request.headers,
                requestBody: request.body,
                response: response.map { RecordedExchange.Response(status: $0.status, body: $0.body) },
                fault: fault?.kind
            )
        )
    }

    // MARK: Simulated agents

    /// The user performing a UI action when none is named: the assignee, else the first administrator.
    private func uiActor(for displayID: Int) -> ChangeActor {
        if let assignee = self.state.conversation(displayID)?.assigneeID.flatMap({ self.state.setup.user($0) }) {
            return .user(assignee)
        }
        let users = self.state.setup.users
        return .user(users.first { $0.role == .administrator } ?? users.first ?? self.state.setup.apiUser)
    }

    private func requireConversation(_ displayID: Int) throws(SimulatorError) {
        guard self.state.conversation(displayID) != nil else {
            throw SimulatorError(.conversationNotFound, "no conversation with display id \(displayID)")
        }
    }

    private func requireAgent(_ id: Int) throws(SimulatorError) -> SimulatedAgent {
        guard let agent = self.state.setup.user(id) else {
            throw SimulatorError(.agentNotFound, "no simulated agent with id \(id)")
        }
        return agent
    }

    /// An agent's reply (outgoing, sender type `user`) or private note.
    mutating func agentReply(
        conversation: Int,
        agent: Int,
        content: String,
        isPrivate: Bool,
        now: Timestamp
    ) throws(SimulatorError) -> MessageRecord {
        try self.requireConversation(conversation)
        let user = try self.requireAgent(agent)
        var params = MessageParams()
        params.content = content
        params.messageType = .string("outgoing")
        params.isPrivate = isPrivate
        self.markSeen(conversation, now: now)
        let message: MessageRecord
        do throws(ChatwootError) {
            message = try self.state.createMessage(in: conversation, params, poster: user, now: now)
        } catch {
            throw SimulatorError(
                .invalidRequest,
                "Chatwoot refused the reply: \(String(decoding: error.body, as: UTF8.self))",
                cause: error
            )
        }
        self.emitWebhooks(now: now)
        return message
    }

    /// The agent acting in the UI has the conversation open: its incoming messages are read.
    private mutating func markSeen(_ displayID: Int, now: Timestamp) {
        self.state.updateConversation(displayID) { $0.agentLastSeenAt = now }
    }

    /// An agent picks the conversation up (or, with nil, it is unassigned).
    mutating func assign(conversation: Int, agent: Int?, now: Timestamp) throws(SimulatorError) {
        try self.requireConversation(conversation)
        var actor = self.uiActor(for: conversation)
        if let agent {
            actor = .user(try self.requireAgent(agent))
        }
        self.markSeen(conversation, now: now)
        self.state.assignAgent(conversation, agentID: agent, actor: actor, now: now)
        self.emitWebhooks(now: now)
    }

    /// An agent transfers the conversation to a team (or, with nil, removes the team).
    mutating func transfer(conversation: Int, team: Int?, now: Timestamp) throws(SimulatorError) {
        try self.requireConversation(conversation)
        if let team, self.state.setup.team(team) == nil {
            throw SimulatorError(.teamNotFound, "no team with id \(team)")
        }
        self.markSeen(conversation, now: now)
        self.state.assignTeam(conversation, teamID: team, actor: self.uiActor(for: conversation), now: now)
        self.emitWebhooks(now: now)
    }

    /// An agent resolves, re-opens, pends (hands back to the bot) or snoozes the conversation.
    mutating func setStatus(conversation: Int, status: String, now: Timestamp) throws(SimulatorError) {
        try self.requireConversation(conversation)
        guard let parsed = ConversationStatus(rawValue: status) else {
            throw SimulatorError(.invalidStatus, "status \"\(status)\" is not one of open, resolved, pending, snoozed")
        }
        self.markSeen(conversation, now: now)
        self.state.changeStatus(conversation, to: parsed, snoozedUntil: nil, actor: self.uiActor(for: conversation), now: now)
        self.emitWebhooks(now: now)
    }

    // MARK: Webhooks

    /// Drops the next `count` deliveries on purpose.
    mutating func dropWebhooks(next count: Int) {
        self.dropNext = max(0, count)
    }

    /// Turns the state's events into deliveries: rendered, signed, then dropped or queued.
    mutating func emitWebhooks(now: Timestamp) {
        let events = self.state.drainEvents()
        guard let url = self.state.setup.webhookURL, !events.isEmpty else { return }
        for event in events {
            guard let (name, payload) = self.state.webhookPayload(for: event) else { continue }
            let body = JSONSerializer.bytes(payload)
            let deliveryID = UUID().uuidString.lowercased()
            let timestamp = Timestamp.now().unix
            var headers = [
                ("Content-Type", "application/json"),
                ("Accept", "application/json"),
                ("X-Chatwoot-Delivery", deliveryID),
            ]
            var signature: String?
            if let secret = self.state.setup.webhookSecret, !secret.isEmpty {
                let value = WebhookSigner.signature(body: body, timestamp: timestamp, secret: secret)
                headers.append(("X-Chatwoot-Timestamp", String(timestamp)))
                headers.append(("X-Chatwoot-Signature", value))
                signature = value
            }
            let dropped = self.dropNext > 0
            if dropped {
                self.dropNext -= 1
                self.webhooksDropped += 1
            }
            self.deliveryPositions[deliveryID] = self.deliveries.count
            self.deliveries.append(
                WebhookDelivery(
                    event: name,
                    deliveryID: deliveryID,
                    timestamp: timestamp,
                    signature: signature,
                    body: body,
                    dropped: dropped
                )
            )
            guard !dropped else { continue }
            self.webhooksSent += 1
            let pending = PendingDelivery(deliveryID: deliveryID, event: name, url: url, headers: headers, body: body)
            if let outbox = self.outbox {
                outbox.yield(pending)
            } else {
                self.finishDelivery(deliveryID, status: nil, error: "simulator not running")
            }
        }
    }

    /// Records a delivery's outcome.
    mutating func finishDelivery(_ deliveryID: String, status: Int?, error: String?) {
        guard let position = self.deliveryPositions[deliveryID] else { return }
        self.deliveries[position].statusCode = status
        self.deliveries[position].error = error
    }

    // MARK: Reports

    /// Counters and duplicate source ids.
    func stats() -> SimulatorStats {
        var duplicateMessages: [SimulatorStats.DuplicateMessageSourceID] = []
        for conversation in self.state.conversations {
            var counts: [String: Int] = [:]
            var order: [String] = []
            for message in self.state.messages(of: conversation.displayID) {
                guard let sourceID = message.sourceID else { continue }
                if counts[sourceID] == nil { order.append(sourceID) }
                counts[sourceID, default: 0] += 1
            }
            for sourceID in order {
                if let count = counts[sourceID], count > 1 {
                    duplicateMessages.append(.init(conversation: conversation.displayID, sourceID: sourceID, count: count))
                }
            }
        }
        var byContactInbox: [Int: [Int]] = [:]
        var order: [Int] = []
        for conversation in self.state.conversations {
            if byContactInbox[conversation.contactInboxID] == nil { order.append(conversation.contactInboxID) }
            byContactInbox[conversation.contactInboxID, default: []].append(conversation.displayID)
        }
        let duplicateConversations: [SimulatorStats.DuplicateConversationSourceID] = order.compactMap { id in
            guard let conversations = byContactInbox[id], conversations.count > 1,
                let contactInbox = self.state.contactInbox(id)
            else { return nil }
            return .init(sourceID: contactInbox.sourceID, count: conversations.count, conversations: conversations)
        }
        return SimulatorStats(
            requests: self.requests,
            creates: self.creates,
            duplicateMessageSourceIDs: duplicateMessages,
            duplicateConversationSourceIDs: duplicateConversations,
            faultsApplied: self.faults.faultsApplied,
            webhooksSent: self.webhooksSent,
            webhooksDropped: self.webhooksDropped
        )
    }

    /// A debugging view of contacts and conversations (`GET /__sim/state`).
    func stateJSON() -> JSONValue {
        let state = self.state
        return [
            "contacts": .array(
                state.contacts.map {
                    ["id": .int($0.id), "name": .string($0.name), "identifier": .optional($0.identifier)]
                }
            ),
            "conversations": .array(
                state.conversations.map { conversation in
                    [
                        "id": .int(conversation.displayID),
                        "status": .string(conversation.status.rawValue),
                        "teamId": .optional(conversation.teamID),
                        "assigneeId": .optional(conversation.assigneeID),
                        "contactId": .int(conversation.contactID),
                        "sourceId": .optional(state.contactInbox(conversation.contactInboxID)?.sourceID),
                        "customAttributes": .object(conversation.customAttributes),
                        "messages": .array(
                            state.messages(of: conversation.displayID).map { message in
                                [
                                    "id": .int(message.id),
                                    "type": .string(message.messageType.name),
                                    "private": .bool(message.isPrivate),
                                    "content": .optional(message.content),
                                    "sourceId": .optional(message.sourceID),
                                    "senderType": .optional(SimulatorState.senderType(message.sender)),
                                    "senderId": .optional(SimulatorState.senderID(message.sender)),
                                ]
                            }
                        ),
                    ]
                }
            ),
        ]
    }
}
