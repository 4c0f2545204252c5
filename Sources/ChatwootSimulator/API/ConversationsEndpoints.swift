/// `conversations` endpoints (`ConversationsController`, `ConversationFinder`, `AssignmentsController`).
extension ApplicationAPI {
    static let conversationsPerPage = 25

    static func createConversation(
        _ params: JSONObject,
        state: inout SimulatorState,
        now: Timestamp
    ) throws(ChatwootError) -> APIResponse {
        var conversationParams = ConversationParams()
        conversationParams.sourceID = self.string(params, "source_id").flatMap { $0.isEmpty ? nil : $0 }
        conversationParams.inboxID = params["inbox_id"]
        conversationParams.contactID = params["contact_id"]
        conversationParams.status = self.string(params, "status")
        conversationParams.assigneeID = params["assignee_id"]?.integerValue
        conversationParams.teamID = params["team_id"]?.integerValue
        conversationParams.snoozedUntil = params["snoozed_until"]?.integerValue
        conversationParams.customAttributes = self.object(params, "custom_attributes")
        conversationParams.additionalAttributes = self.object(params, "additional_attributes")
        if let message = params["message"]?.objectValue {
            conversationParams.message = self.messageParams(message)
        }
        let conversation = try state.createConversation(conversationParams, poster: state.setup.apiUser, now: now)
        return .json(state.conversationJSON(conversation))
    }

    /// `ConversationFinder`: status (default open, `all` for any), inbox, team, source id, then
    /// `assignee_type`; newest activity first; 25 a page; counts before the assignee filter.
    static func listConversations(_ params: JSONObject, state: SimulatorState) -> APIResponse {
        let (counts, scoped) = self.findConversations(params, state: state)
        let page = self.page(params)
        let slice = scoped.dropFirst((page - 1) * self.conversationsPerPage).prefix(self.conversationsPerPage)
        return .json([
            "data": [
                "meta": counts,
                "payload": .array(slice.map { state.conversationJSON($0) }),
            ]
        ])
    }

    static func conversationMeta(_ params: JSONObject, state: SimulatorState) -> APIResponse {
        .json(["meta": self.findConversations(params, state: state).counts])
    }

    private static func findConversations(
        _ params: JSONObject,
        state: SimulatorState
    ) -> (counts: JSONValue, conversations: [ConversationRecord]) {
        var conversations = state.conversations
        if let inbox = params["inbox_id"]?.integerValue {
            conversations = conversations.filter { $0.inboxID == inbox }
        }
        if let sourceID = self.string(params, "source_id"), !sourceID.isEmpty {
            let ids = Set(state.conversations(withSourceID: sourceID).map(\.displayID))
            conversations = conversations.filter { ids.contains($0.displayID) }
        }
        let status = self.string(params, "status").flatMap { $0.isEmpty ? nil : $0 } ?? "open"
        if status != "all" {
            conversations = conversations.filter { $0.status.rawValue == status }
        }
        if let team = params["team_id"]?.integerValue {
            conversations = conversations.filter { $0.teamID == team }
        }
        let mine = state.setup.apiUser.id
        let counts: JSONValue = [
            "mine_count": .int(conversations.count { $0.assigneeID == mine }),
            "assigned_count": .int(conversations.count { $0.assigneeID != nil }),
            "unassigned_count": .int(conversations.count { $0.assigneeID == nil }),
            "all_count": .int(conversations.count),
        ]
        switch self.string(params, "assignee_type") {
        case "me": conversations = conversations.filter { $0.assigneeID == mine }
        case "unassigned": conversations = conversations.filter { $0.assigneeID == nil }
        case "assigned": conversations = conversations.filter { $0.assigneeID != nil }
        default: break
        }
        conversations.sort { ($0.lastActivityAt, $0.displayID) > ($1.lastActivityAt, $1.displayID) }
        return (counts, conversations)
    }

    /// `POST conversations/filter`: `{"meta": counts, "payload": [...]}`, 25 a page.
    static func filterConversations(_ params: JSONObject, state: SimulatorState) throws(ChatwootError) -> APIResponse {
        let filter = try RecordFilter.parse(params, keys: RecordFilter.conversationKeys, customAttributes: true)
        var matches = state.conversations.filter { conversation in
            filter.matches { RecordFilter.conversationField(conversation, $0) }
        }
        matches.sort { ($0.lastActivityAt, $0.displayID) > ($1.lastActivityAt, $1.displayID) }
        let page = self.page(params)
        let mine = state.setup.apiUser.id
        let slice = matches.dropFirst((page - 1) * self.conversationsPerPage).prefix(self.conversationsPerPage)
        return .json([
            "meta": [
                "mine_count": .int(matches.count { $0.assigneeID == mine }),
                "assigned_count": .int(matches.count { $0.assigneeID != nil }),
                "unassigned_count": .int(matches.count { $0.assigneeID == nil }),
                "all_count": .int(matches.count),
            ],
            "payload": .array(slice.map { state.conversationJSON($0) }),
        ])
    }

    /// `POST conversations/{cid}/assignments`: an `assignee_id` key (even null) assigns or unassigns an
    /// agent and wins over `team_id`; else a `team_id` key sets or (unknown, null) removes the team;
    /// neither answers `null`.
    static func assignments(
        _ cid: String,
        _ params: JSONObject,
        state: inout SimulatorState,
        now: Timestamp
    ) throws(ChatwootError) -> APIResponse {
        let conversation = try self.findConversation(cid, state: state)
        let actor = ChangeActor.user(state.setup.apiUser)
        if params.contains("assignee_id") {
            let agent = state.assignAgent(
                conversation.displayID,
                agentID: params["assignee_id"]?.integerValue,
                actor: actor,
                now: now
            )
            return .json(agent.map { state.agentJSON($0) } ?? .null)
        }
        if params.contains("team_id") {
            let team = state.assignTeam(
                conversation.displayID,
                teamID: params["team_id"]?.integerValue,
                actor: actor,
                now: now
            )
            return .json(team.map { state.teamRecordJSON($0) } ?? .null)
        }
        return .json(.null)
    }

    /// `POST conversations/{cid}/toggle_status`: an explicit status is set (again: still success);
    /// without one, open ↔ resolved and pending or snoozed → open.
    static func toggleStatus(
        _ cid: String,
        _ params: JSONObject,
        state: inout SimulatorState,
        now: Timestamp
    ) throws(ChatwootError) -> APIResponse {
        let conversation = try self.findConversation(cid, state: state)
        let target: ConversationStatus
        if let raw = self.string(params, "status"), !raw.isEmpty {
            guard let status = ConversationStatus(rawValue: raw) else { throw ChatwootError.rails(500) }
            target = status
        } else {
            target = conversation.status == .open ? .resolved : .open
        }
        state.changeStatus(
            conversation.displayID,
            to: target,
            snoozedUntil: params["snoozed_until"]?.integerValue,
            actor: .user(state.setup.apiUser),
            now: now
        )
        let updated = state.conversation(conversation.displayID) ?? conversation
        return .json([
            "meta": [:],
            "payload": [
                "success": true,
                "conversation_id": .int(updated.displayID),
                "current_status": .string(updated.status.rawValue),
                "snoozed_until": .optional(updated.snoozedUntil.map { Timestamp(seconds: Double($0)).iso8601 }),
            ],
        ])
    }

    /// `POST conversations/{cid}/custom_attributes`: replaces the hash.
    static func customAttributes(
        _ cid: String,
        _ params: JSONObject,
        state: inout SimulatorState,
        now: Timestamp
    ) throws(ChatwootError) -> APIResponse {
        let conversation = try self.findConversation(cid, state: state)
        guard let attributes = params["custom_attributes"]?.objectValue else {
            throw ChatwootError.unprocessable("param is missing or the value is empty: custom_attributes")
        }
        state.replaceCustomAttributes(conversation.displayID, attributes, now: now)
        return .json(["custom_attributes": .object(attributes)])
    }
}
