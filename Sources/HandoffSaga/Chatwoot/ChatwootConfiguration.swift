/// Where a Chatwoot installation is, and how to call it.
///
/// The token is an administrator user's `api_access_token` (an agent-bot token cannot create contacts or list teams;
/// an agent token that opens a conversation assigns it to itself). The inbox is an API-channel inbox with no agent bot
/// attached (with one, Chatwoot forces new conversations to `pending`).
public struct ChatwootConfiguration: Sendable, CustomStringConvertible {
    /// The installation's base URL, for example `https://chat.example.com` (no trailing path).
    public var baseURL: String
    /// The account id in `/api/v1/accounts/{account_id}/...`.
    public var accountID: Int
    /// The API-channel inbox conversations are created in.
    public var inboxID: Int
    /// The `api_access_token`. Never printed.
    public var apiToken: String
    /// The longest one call may take, connection included.
    public var timeout: Duration

    /// Creates a configuration; `timeout` defaults to 10 seconds.
    public init(baseURL: String, accountID: Int, inboxID: Int, apiToken: String, timeout: Duration = .seconds(10)) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.accountID = accountID
        self.inboxID = inboxID
        self.apiToken = apiToken
        self.timeout = timeout
    }

    /// The configuration without its token.
    public var description: String {
        "Chatwoot \(baseURL) account \(accountID) inbox \(inboxID) (timeout \(timeout))"
    }
}
