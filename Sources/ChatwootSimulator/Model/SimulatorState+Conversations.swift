#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The fields of `POST conversations` the simulator reads.
struct ConversationParams: Sendable {
    var sourceID: String?
    var inboxID: JSONValue?
    var contactID: JSONValue?
    var status: String?
    var assigneeID: Int?
    var teamID: Int?
    var snoozedUntil: Int?
    var customAttributes = JSONObject()
    var additionalAttributes = JSONObject()
    var message: MessageParams?
}

extension SimulatorState {
    /// `POST conversations`: resolves the contact inbox as `ConversationsController#ensure_contact_inbox`
    /// does, then always inserts a new conversation (the inbox does not lock to one conversation), with
    /// the optional first message.
    /// - Throws: 404 for an unknown inbox, contact or source id; 422 `source_id should be unique` when
    ///   another contact holds the source id; 500 for an invalid status (Rails' enum `ArgumentError`).
    mutating func createConversation(
        _ params: ConversationParams,
        poster: SimulatedAgent,
        now: Timestamp
    ) throws(ChatwootError) -> ConversationRecord {
        let contactInbox: ContactInboxRecord
        let hasInbox = !(params.inboxID?.scalarString ?? "").isEmpty
        let hasContact = !(params.contactID?.scalarString ?? "").isEmpty
        if hasInbox && hasContact {
            guard let inboxID = self.findInbox(params.inboxID) else { throw ChatwootError.notFound }
            guard let contactID = params.contactID?.integerValue, self.contact(contactID) != nil else {
                throw ChatwootError.notFound
            }
            switch self.findOrCreateContactInbox(
                contactID: contactID,
                inboxID: inboxID,
                sourceID: params.sourceID,
                now: now
            ) {
            case .found(let record), .created(let record): contactInbox = record
            case .conflict: throw ChatwootError.unprocessable("source_id should be unique")
            }
        } else {
            guard let sourceID = params.sourceID,
                let found = self.contactInboxes.first(where: { $0.sourceID == sourceID })
            else { throw ChatwootError.notFound }
            contactInbox = found
        }

        var status = ConversationStatus.open
        if let raw = params.status, !raw.isEmpty {
            guard let parsed = ConversationStatus(rawValue: raw) else { throw ChatwootError.rails(500) }
            status = parsed
        }
        let team = params.teamID.flatMap { self.setup.team($0) }
        var assignee = params.assigneeID.flatMap { self.setup.user($0) }
        if let team, let current = assignee, !current.teams.contains(team.id) {
            // AssignmentHandler#ensure_assignee_is_from_team
            assignee = nil
        }

        // Copy only when a first message might fail and need the conversation undone.
        let snapshot: SimulatorState? = params.message == nil ? nil : self
        let conversation = self.insertConversation { displayID in
            ConversationRecord(
                displayID: displayID,
                uuid: UUID().uuidString.lowercased(),
                contactID: contactInbox.contactID,
                contactInboxID: contactInbox.id,
                inboxID: contactInbox.inboxID,
                status: status,
                assigneeID: assignee?.id,
                teamID: team?.id,
                customAttributes: params.customAttributes,
                additionalAttributes: params.additionalAttributes,
                createdAt: now,
                updatedAt: now,
                lastActivityAt: now,
                waitingSince: nil,
                firstReplyCreatedAt: nil,
                snoozedUntil: status == .snoozed ? params.snoozedUntil : nil
            )
        }
        self.record(.conversationCreated(conversation: conversation.displayID))
        if let message = params.message {
            do throws(ChatwootError) {
                _ = try self.createMessage(in: conversation.displayID, message, poster: poster, now: now)
            } catch {
                // The conversation and its first message share one transaction.
                if let snapshot { self = snapshot }
                throw error
            }
        }
        return self.conversation(conversation.displayID) ?? conversation
    }

    /// `Conversations::AssignmentService`: a known user becomes the assignee; unknown or nil unassigns.
    /// - Returns: The assignee, or nil.
    @discardableResult
    mutating func assignAgent(
        _ displayID: Int,
        agentID: Int?,
        actor: ChangeActor,
        now: Timestamp
    ) -> SimulatedAgent? {
        let agent = agentID.flatMap { self.setup.user($0) }
        guard let conversation = self.conversation(displayID), conversation.assigneeID != agent?.id else { return agent }
        let previous = conversation.assigneeID
        self.updateConversation(displayID) {
            $0.assigneeID = agent?.id
            $0.updatedAt = now
        }
        self.record(
            .conversationUpdated(
                conversation: displayID,
                changes: [
                    ChangedAttribute(name: "assignee_id", previous: .optional(previous), current: .optional(agent?.id)),
                    self.updatedAtChange(from: conversation.updatedAt, to: now),
                ]
            )
        )
        let by = Self.actorName(actor)
        if let agent {
            self.addActivity(displayID, "Assigned to \(agent.name) by \(by)", now: now)
        } else {
            self.addActivity(displayID, "Conversation unassigned by \(by)", now: now)
        }
        return agent
    }

    /// `update!(team:)` with `AssignmentHandler`: a known team is set (an assignee outside it is
    /// unassigned); unknown or nil removes the team.
    /// - Returns: The team, or nil.
    @discardableResult
    mutating func assignTeam(
        _ displayID: Int,
        teamID: Int?,
        actor: ChangeActor,
        now: Timestamp
    ) -> TeamRecord? {
        let team = teamID.flatMap { self.setup.team($0) }
        guard let conversation = self.conversation(displayID), conversation.teamID != team?.id else { return team }
        var changes = [ChangedAttribute(name: "team_id", previous: .optional(conversation.teamID), current: .optional(team?.id))]
        var newAssignee = conversation.assigneeID
        if let team, let assigneeID = conversation.assigneeID,
            !(self.setup.user(assigneeID)?.teams.contains(team.id) ?? false)
        {
            newAssignee = nil
            changes.append(ChangedAttribute(name: "assignee_id", previous: .int(assigneeID), current: .null))
        }
        changes.append(self.updatedAtChange(from: conversation.updatedAt, to: now))
        self.updateConversation(displayID) {
            $0.teamID = team?.id
            $0.assigneeID = newAssignee
            $0.updatedAt = now
        }
        self.record(.conversationUpdated(conversation: displayID, changes: changes))
        let by = Self.actorName(actor)
        if let team {
            self.addActivity(displayID, "Assigned to \(team.name) by \(by)", now: now)
        } else if let previous = conversation.teamID.flatMap({ self.setup.team($0) }) {
            self.addActivity(displayID, "Unassigned from \(previous.name) by \(by)", now: now)
        }
        if newAssignee == nil, conversation.assigneeID != nil {
            self.addActivity(displayID, "Conversation unassigned by \(by)", now: now)
        }
        return team
    }

    /// Sets the status; the same status again changes nothing. Emits `conversation_status_changed`, then
    /// `conversation_updated` (status is one of its watched attributes), and an activity message.
    mutating func changeStatus(
        _ displayID: Int,
        to status: ConversationStatus,
        snoozedUntil: Int?,
        actor: ChangeActor,
        now: Timestamp
    ) {
        guard let conversation = self.conversation(displayID), conversation.status != status else { return }
        var changes = [ChangedAttribute(name: "status", previous: .string(conversation.status.rawValue), current: .string(status.rawValue))]
        let newSnooze = status == .snoozed ? snoozedUntil : nil
        if newSnooze != conversation.snoozedUntil {
            changes.append(ChangedAttribute(name: "snoozed_until", previous: .optional(conversation.snoozedUntil), current: .optional(newSnooze)))
        }
        if status == .resolved, let waiting = conversation.waitingSince {
            changes.append(ChangedAttribute(name: "waiting_since", previous: .string(waiting.iso8601), current: .null))
        }
        changes.append(self.updatedAtChange(from: conversation.updatedAt, to: now))
        self.updateConversation(displayID) {
            $0.status = status
            $0.snoozedUntil = newSnooze
            if status == .resolved { $0.waitingSince = nil }
            $0.updatedAt = now
        }
        self.record(.conversationStatusChanged(conversation: displayID))
        self.record(.conversationUpdated(conversation: displayID, changes: changes))
        let by = Self.actorName(actor)
        let text: String
        switch (status, actor) {
        case (.open, .system): text = "System reopened the conversation due to a new incoming message."
        case (.open, _): text = "Conversation was reopened by \(by)"
        case (.resolved, _): text = "Conversation was marked resolved by \(by)"
        case (.pending, _): text = "Conversation was marked as pending by \(by)"
        case (.snoozed, _): text = "Conversation was snoozed by \(by)"
        }
        self.addActivity(displayID, text, now: now)
    }

    /// `POST conversations/{cid}/custom_attributes`: replaces the whole hash.
    mutating func replaceCustomAttributes(_ displayID: Int, _ attributes: JSONObject, now: Timestamp) {
        guard let conversation = self.conversation(displayID), conversation.customAttributes != attributes else { return }
        self.updateConversation(displayID) {
            $0.customAttributes = attributes
            $0.updatedAt = now
        }
        self.record(
            .conversationUpdated(
                conversation: displayID,
                changes: [
                    ChangedAttribute(
                        name: "custom_attributes",
                        previous: .object(conversation.customAttributes),
                        current: .object(attributes)
                    ),
                    self.updatedAtChange(from: conversation.updatedAt, to: now),
                ]
            )
        )
    }

    /// Conversations whose contact inbox has this source id (the finder's `source_id` filter).
    func conversations(withSourceID sourceID: String) -> [ConversationRecord] {
        let ids = Set(self.contactInboxes.filter { $0.sourceID == sourceID }.map(\.id))
        return self.conversations.filter { ids.contains($0.contactInboxID) }
    }

    private func updatedAtChange(from previous: Timestamp, to current: Timestamp) -> ChangedAttribute {
        ChangedAttribute(name: "updated_at", previous: .string(previous.iso8601), current: .string(current.iso8601))
    }

    private static func actorName(_ actor: ChangeActor) -> String {
        switch actor {
        case .user(let user): user.name
        case .system: "System"
        }
    }
}
