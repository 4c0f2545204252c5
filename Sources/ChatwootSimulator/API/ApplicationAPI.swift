/// The Application API: authentication as Chatwoot orders it (route, token, account), then the endpoint.
enum ApplicationAPI {
    /// Answers one request against the state.
    /// - Returns: The answer, and the record the call created, if any.
    static func respond(
        to request: APIRequest,
        state: inout SimulatorState,
        apiToken: String,
        now: Timestamp
    ) -> (APIResponse, CreatedRecord?) {
        guard let (account, route) = APIRoute.match(method: request.method, segments: request.segments) else {
            return (APIResponse(.routeNotFound), nil)
        }
        let token = request.headers["api_access_token"] ?? ""
        guard !token.isEmpty else { return (APIResponse(.missingToken), nil) }
        guard token == apiToken else { return (APIResponse(.invalidToken), nil) }
        guard Int(account) == state.setup.accountID else { return (APIResponse(.notAuthorizedForAccount), nil) }
        do throws(ChatwootError) {
            let params = try request.params()
            var created: CreatedRecord?
            let response = try self.dispatch(route, params: params, state: &state, now: now, created: &created)
            return (response, created)
        } catch {
            return (APIResponse(error), nil)
        }
    }

    private static func dispatch(
        _ route: APIRoute,
        params: JSONObject,
        state: inout SimulatorState,
        now: Timestamp,
        created: inout CreatedRecord?
    ) throws(ChatwootError) -> APIResponse {
        switch route {
        case .listContacts: return self.listContacts(params, state: state)
        case .createContact:
            let response = try self.createContact(params, state: &state, now: now)
            created = .contact
            return response
        case .searchContacts: return try self.searchContacts(params, state: state)
        case .filterContacts: return try self.filterContacts(params, state: state)
        case .showContact(let id): return try self.showContact(id, state: state)
        case .createContactInbox(let id):
            let response = try self.createContactInbox(id, params, state: &state, now: now)
            created = .contactInbox
            return response
        case .contactConversations(let id): return try self.contactConversations(id, state: state)
        case .listConversations: return self.listConversations(params, state: state)
        case .createConversation:
            let response = try self.createConversation(params, state: &state, now: now)
            created = .conversation
            return response
        case .filterConversations: return try self.filterConversations(params, state: state)
        case .conversationMeta: return self.conversationMeta(params, state: state)
        case .showConversation(let cid):
            return .json(state.conversationJSON(try self.findConversation(cid, state: state)))
        case .listMessages(let cid): return try self.listMessages(cid, params, state: state)
        case .createMessage(let cid):
            let response = try self.createMessage(cid, params, state: &state, now: now)
            created = .message
            return response
        case .assignments(let cid): return try self.assignments(cid, params, state: &state, now: now)
        case .toggleStatus(let cid): return try self.toggleStatus(cid, params, state: &state, now: now)
        case .customAttributes(let cid): return try self.customAttributes(cid, params, state: &state, now: now)
        case .listTeams: return .json(.array(state.setup.teams.map { state.teamJSON($0) }))
        case .listAgents: return .json(.array(state.setup.users.map { state.agentJSON($0) }))
        case .listInboxes: return .json(["payload": [state.inboxJSON]])
        }
    }

    /// `Current.account.conversations.find_by!(display_id:)`.
    static func findConversation(_ cid: String, state: SimulatorState) throws(ChatwootError) -> ConversationRecord {
        guard let displayID = Int(cid), let conversation = state.conversation(displayID) else {
            throw ChatwootError.notFound
        }
        return conversation
    }

    /// The 1-based `page` parameter.
    static func page(_ params: JSONObject) -> Int {
        max(1, params["page"]?.integerValue ?? 1)
    }

    /// A string param; numbers and booleans become their text, like Rails params.
    static func string(_ params: JSONObject, _ key: String) -> String? {
        params[key]?.scalarString
    }

    /// An object param (`additional_attributes`, `custom_attributes`); anything else is dropped.
    static func object(_ params: JSONObject, _ key: String) -> JSONObject {
        params[key]?.objectValue ?? JSONObject()
    }
}
