/// The Application API routes the simulator serves, under `/api/v1/accounts/{account_id}/`.
enum APIRoute: Sendable, Equatable {
    case listContacts
    case createContact
    case searchContacts
    case filterContacts
    case showContact(String)
    case createContactInbox(String)
    case contactConversations(String)
    case listConversations
    case createConversation
    case filterConversations
    case conversationMeta
    case showConversation(String)
    case listMessages(String)
    case createMessage(String)
    case assignments(String)
    case toggleStatus(String)
    case customAttributes(String)
    case listTeams
    case listAgents
    case listInboxes

    /// The route and the raw account id segment, or nil when Rails would raise a routing error (404).
    static func match(method: String, segments: [String]) -> (account: String, route: APIRoute)? {
        guard segments.count >= 5, segments[0] == "api", segments[1] == "v1", segments[2] == "accounts" else {
            return nil
        }
        let account = segments[3]
        let rest = Array(segments[4...])
        let route: APIRoute?
        switch (method, rest.count) {
        case ("GET", 1) where rest[0] == "contacts": route = .listContacts
        case ("POST", 1) where rest[0] == "contacts": route = .createContact
        case ("GET", 2) where rest[0] == "contacts" && rest[1] == "search": route = .searchContacts
        case ("POST", 2) where rest[0] == "contacts" && rest[1] == "filter": route = .filterContacts
        case ("GET", 2) where rest[0] == "contacts": route = .showContact(rest[1])
        case ("POST", 3) where rest[0] == "contacts" && rest[2] == "contact_inboxes": route = .createContactInbox(rest[1])
        case ("GET", 3) where rest[0] == "contacts" && rest[2] == "conversations": route = .contactConversations(rest[1])
        case ("GET", 1) where rest[0] == "conversations": route = .listConversations
        case ("POST", 1) where rest[0] == "conversations": route = .createConversation
        case ("POST", 2) where rest[0] == "conversations" && rest[1] == "filter": route = .filterConversations
        case ("GET", 2) where rest[0] == "conversations" && rest[1] == "meta": route = .conversationMeta
        case ("GET", 2) where rest[0] == "conversations": route = .showConversation(rest[1])
        case ("GET", 3) where rest[0] == "conversations" && rest[2] == "messages": route = .listMessages(rest[1])
        case ("POST", 3) where rest[0] == "conversations" && rest[2] == "messages": route = .createMessage(rest[1])
        case ("POST", 3) where rest[0] == "conversations" && rest[2] == "assignments": route = .assignments(rest[1])
        case ("POST", 3) where rest[0] == "conversations" && rest[2] == "toggle_status": route = .toggleStatus(rest[1])
        case ("POST", 3) where rest[0] == "conversations" && rest[2] == "custom_attributes":
            route = .customAttributes(rest[1])
        case ("GET", 1) where rest[0] == "teams": route = .listTeams
        case ("GET", 1) where rest[0] == "agents": route = .listAgents
        case ("GET", 1) where rest[0] == "inboxes": route = .listInboxes
        default: route = nil
        }
        return route.map { (account, $0) }
    }
}
