public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A client of Chatwoot's Application API (`/api/v1/accounts/{account_id}/...`) for the calls an external-mode handoff
/// needs: contacts, contact inboxes, conversations, messages, assignments, status and teams.
///
/// Every call has the configuration's timeout, and every failure is a ``ChatwootError`` that keeps Chatwoot's status
/// and body, or says that the outcome is unknown. Request bodies follow Chatwoot's published document field for field;
/// answers are read in the shapes its Rails source writes, where the two differ.
public struct ChatwootClient: Sendable {
    /// The installation and credentials.
    public let configuration: ChatwootConfiguration
    private let httpClient: HTTPClient
    private let logger: Logger

    /// The largest answer read, in bytes.
    static let maximumResponseBytes = 8 * 1024 * 1024

    /// Creates a client on an HTTP client the caller owns (and shuts down).
    public init(configuration: ChatwootConfiguration, httpClient: HTTPClient = .shared, logger: Logger = Logger(label: "handoff.chatwoot")) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
    }

    // MARK: Contacts

    /// `POST contacts`: creates a contact (and, with the inbox, its contact inbox).
    ///
    /// A taken identifier, email or phone answers ``ChatwootError/rejected(_:)`` with status 422 and
    /// ``ChatwootErrorBody/saysAlreadyTaken``; find the contact with ``findContacts(identifier:)``.
    public func createContact(_ contact: ChatwootNewContact) async throws(ChatwootError) -> ChatwootCreatedContact {
        struct Answer: Decodable {
            struct Payload: Decodable {
                var contact: ChatwootContact
                var contact_inbox: ChatwootContactInboxAnswer?
            }
            var payload: Payload
        }
        let answer: Answer = try await call(.POST, accountPath("contacts"), body: contact)
        return ChatwootCreatedContact(contact: answer.payload.contact, sourceID: answer.payload.contact_inbox?.source_id)
    }

    /// `GET contacts/{id}`.
    public func contact(id: Int) async throws(ChatwootError) -> ChatwootContact {
        struct Answer: Decodable { var payload: ChatwootContact }
        let answer: Answer = try await call(.GET, accountPath("contacts/\(id)"))
        return answer.payload
    }

    /// `POST contacts/filter` with `identifier equal_to`: the exact lookup by external identifier (case-insensitive in
    /// Chatwoot). Never matches by substring, email or phone.
    public func findContacts(identifier: String) async throws(ChatwootError) -> [ChatwootContact] {
        struct Body: Encodable { var payload: [ChatwootFilterCondition] }
        struct Answer: Decodable { var payload: [ChatwootContact] }
        let body = Body(payload: [ChatwootFilterCondition(attributeKey: "identifier", values: [identifier])])
        let answer: Answer = try await call(.POST, accountPath("contacts/filter"), query: [("page", "1")], body: body)
        return answer.payload
    }

    /// `GET contacts/search?q=`: Chatwoot's substring search over name, email, phone and identifier (15 a page,
    /// throttled to 100 a minute per account). For people, not for matching: use ``findContacts(identifier:)``.
    public func searchContacts(query: String, page: Int = 1) async throws(ChatwootError) -> [ChatwootContact] {
        struct Answer: Decodable { var payload: [ChatwootContact] }
        let answer: Answer = try await call(.GET, accountPath("contacts/search"), query: [("q", query), ("page", String(page))])
        return answer.payload
    }

    /// `POST contacts/{id}/contact_inboxes`: the contact's presence in the configured inbox with this `source_id`
    /// (the same triple again returns the same row).
    public func createContactInbox(contactID: Int, sourceID: String?) async throws(ChatwootError) -> ChatwootContactInbox {
        struct Body: Encodable {
            var inbox_id: Int
            var source_id: String?
        }
        return try await call(
            .POST, accountPath("contacts/\(contactID)/contact_inboxes"),
            body: Body(inbox_id: configuration.inboxID, source_id: sourceID))
    }

    // MARK: Conversations

    /// `POST conversations`: creates a conversation. Chatwoot has no idempotency here: every call creates one, so
    /// after an unknown outcome look it up with ``conversations(_:)`` by `source_id` before retrying.
    public func createConversation(_ conversation: ChatwootNewConversation) async throws(ChatwootError) -> ChatwootConversation {
        try await call(.POST, accountPath("conversations"), body: conversation)
    }

    /// `GET conversations/{cid}`.
    public func conversation(id: Int) async throws(ChatwootError) -> ChatwootConversation {
        try await call(.GET, accountPath("conversations/\(id)"))
    }

    /// `GET conversations`: one page (25) of conversations, every status unless the query names one.
    public func conversations(_ query: ChatwootConversationQuery) async throws(ChatwootError) -> ChatwootConversationPage {
        struct Answer: Decodable {
            struct Data: Decodable { var payload: [ChatwootConversation] }
            var data: Data
        }
        let answer: Answer = try await call(.GET, accountPath("conversations"), query: query.items)
        return ChatwootConversationPage(conversations: answer.data.payload, page: query.page)
    }

    /// `POST conversations/filter`: one page (25) of conversations matching every condition.
    public func filterConversations(
        _ conditions: [ChatwootFilterCondition], page: Int = 1
    ) async throws(ChatwootError) -> ChatwootConversationPage {
        struct Body: Encodable { var payload: [ChatwootFilterCondition] }
        struct Answer: Decodable { var payload: [ChatwootConversation] }
        let answer: Answer = try await call(
            .POST, accountPath("conversations/filter"), query: [("page", String(page))], body: Body(payload: conditions))
        return ChatwootConversationPage(conversations: answer.payload, page: page)
    }

    // MARK: Messages

    /// `POST conversations/{cid}/messages`. A second post is a second message: after an unknown outcome look for the
    /// `source_id` with ``messages(conversation:after:before:)`` before retrying. Post one at a time, in order.
    public func createMessage(conversation: Int, _ message: ChatwootNewMessage) async throws(ChatwootError) -> ChatwootMessage {
        try await call(.POST, accountPath("conversations/\(conversation)/messages"), body: message)
    }

    /// `GET conversations/{cid}/messages`: with `after`, up to 100 newer messages; with `before`, 20 older; with
    /// neither, the last 20. Oldest first.
    public func messages(conversation: Int, after: Int? = nil, before: Int? = nil) async throws(ChatwootError) -> [ChatwootMessage] {
        struct Answer: Decodable { var payload: [ChatwootMessage] }
        var query: [(String, String)] = []
        if let after { query.append(("after", String(after))) }
        if let before { query.append(("before", String(before))) }
        let answer: Answer = try await call(.GET, accountPath("conversations/\(conversation)/messages"), query: query)
        return answer.payload.sorted { $0.id < $1.id }
    }

    // MARK: Assignment and status

    /// `POST conversations/{cid}/assignments` with `team_id` alone (with an `assignee_id` key Chatwoot ignores the
    /// team). Returns the team, or nil when Chatwoot answered `null`: the team is unknown and Chatwoot removed the
    /// conversation's team.
    public func assignTeam(conversation: Int, team: Int) async throws(ChatwootError) -> ChatwootTeam? {
        struct Body: Encodable { var team_id: Int }
        let answer: ChatwootTeam? = try await call(
            .POST, accountPath("conversations/\(conversation)/assignments"), body: Body(team_id: team))
        return answer
    }

    /// `POST conversations/{cid}/assignments` with `assignee_id`; nil unassigns. Returns the agent, or nil when
    /// Chatwoot answered `null` (unassigned, or an unknown agent).
    public func assignAgent(conversation: Int, agent: Int?) async throws(ChatwootError) -> ChatwootAgent? {
        struct Body: Encodable {
            var assignee_id: Int?
            func encode(to encoder: any Encoder) throws {
                enum Keys: String, CodingKey { case assignee_id }
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(assignee_id, forKey: .assignee_id)
            }
        }
        let answer: ChatwootAgent? = try await call(
            .POST, accountPath("conversations/\(conversation)/assignments"), body: Body(assignee_id: agent))
        return answer
    }

    /// `POST conversations/{cid}/toggle_status` with an explicit status (never the bare toggle), so a repeat
    /// converges. Returns the status Chatwoot holds afterwards.
    public func setStatus(conversation: Int, _ status: ChatwootStatus) async throws(ChatwootError) -> ChatwootStatusChange {
        struct Body: Encodable { var status: ChatwootStatus }
        struct Answer: Decodable {
            struct Payload: Decodable {
                var conversation_id: Int
                var current_status: ChatwootStatus
            }
            var payload: Payload
        }
        let answer: Answer = try await call(
            .POST, accountPath("conversations/\(conversation)/toggle_status"), body: Body(status: status))
        return ChatwootStatusChange(conversationID: answer.payload.conversation_id, currentStatus: answer.payload.current_status)
    }

    // MARK: Account

    /// `GET teams`: every team of the account.
    public func teams() async throws(ChatwootError) -> [ChatwootTeam] {
        try await call(.GET, accountPath("teams"))
    }

    /// `GET agents`: every agent of the account.
    public func agents() async throws(ChatwootError) -> [ChatwootAgent] {
        try await call(.GET, accountPath("agents"))
    }

    // MARK: Transport

    private func accountPath(_ rest: String) -> String {
        "/api/v1/accounts/\(configuration.accountID)/\(rest)"
    }

    private func call<Answer: Decodable>(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = []
    ) async throws(ChatwootError) -> Answer {
        try await call(method, path, query: query, body: Optional<Never>.none)
    }

    private func call<Answer: Decodable, Body: Encodable>(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Body?
    ) async throws(ChatwootError) -> Answer {
        let endpoint = "\(method.rawValue) \(path)"
        var bodyBytes: Data?
        if let body {
            do {
                bodyBytes = try JSONEncoder().encode(body)
            } catch {
                throw .notSent(endpoint: endpoint, reason: "the request body could not be encoded: \(error)")
            }
        }
        let (status, bytes, headers) = try await send(method, path: path, query: query, body: bodyBytes, endpoint: endpoint)
        guard (200..<300).contains(status) else {
            throw .rejected(
                ChatwootRejection(
                    endpoint: endpoint, status: status, body: ChatwootErrorBody(bytes: bytes),
                    retryAfter: RetryAfter.parse(headers.first(name: "retry-after"))))
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: bytes)
        } catch {
            throw .invalidResponse(endpoint: endpoint, status: status, reason: "\(error)")
        }
    }

    private func send(
        _ method: HTTPMethod, path: String, query: [(String, String)], body: Data?, endpoint: String
    ) async throws(ChatwootError) -> (Int, Data, HTTPHeaders) {
        var components = URLComponents()
        components.path = path
        if !query.isEmpty {
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        }
        guard let pathAndQuery = components.string else {
            throw .notSent(endpoint: endpoint, reason: "the path cannot be written as a URL")
        }
        var request = HTTPClientRequest(url: configuration.baseURL + pathAndQuery)
        request.method = method
        request.headers.add(name: "api_access_token", value: configuration.apiToken)
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let timeout = TimeAmount(configuration.timeout)
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: Self.maximumResponseBytes)
            logger.debug("chatwoot call", metadata: ["endpoint": "\(endpoint)", "status": "\(response.status.code)"])
            return (Int(response.status.code), Data(buffer: bytes), response.headers)
        } catch {
            let classified = TransportFailure.classify(error, endpoint: endpoint)
            logger.debug("chatwoot call failed", metadata: ["endpoint": "\(endpoint)", "error": "\(classified)"])
            throw classified
        }
    }
}

/// `contact_inbox` in the answer to `POST contacts` (its inbox may be null).
struct ChatwootContactInboxAnswer: Decodable {
    var source_id: String?
}
