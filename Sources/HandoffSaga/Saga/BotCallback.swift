public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Delivers agents' replies to the bot platform's callback URL.
///
/// The POST body is `{"conversationId", "session", "eventId", "messageId", "agentId", "agentName", "text"}` and the
/// `Idempotency-Key` header is the command id: a retry after an unknown outcome carries the same key, so the bot
/// platform can drop the second delivery.
public struct BotCallback: Sendable {
    /// Where replies go.
    public let url: String
    /// The longest one delivery may take.
    public let timeout: Duration
    private let httpClient: HTTPClient

    /// Creates the callback.
    public init(url: String, timeout: Duration = .seconds(10), httpClient: HTTPClient = .shared) {
        self.url = url
        self.timeout = timeout
        self.httpClient = httpClient
    }

    struct Body: Encodable {
        var conversationId: String
        var session: Int
        var eventId: String
        var messageId: Int
        var agentId: Int?
        var agentName: String?
        var text: String
    }

    /// Delivers one reply.
    public func deliver(_ reply: AgentReply, command: SupportCommand) async throws(SupportFailure) {
        let endpoint = "POST bot callback"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: command.id.uuidString.lowercased())
        let body = Body(
            conversationId: command.conversationID, session: command.session,
            eventId: command.causationEventID.uuidString.lowercased(), messageId: reply.messageID,
            agentId: reply.agentID, agentName: reply.agentName, text: reply.text)
        do {
            request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        } catch {
            throw SupportFailure(.permanent, "\(endpoint): the body could not be encoded")
        }
        let status: Int
        do {
            let response = try await httpClient.execute(request, timeout: TimeAmount(timeout))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            status = Int(response.status.code)
        } catch {
            let classified = TransportFailure.classify(error, endpoint: endpoint)
            throw SupportFailure(
                .retry(retryAfter: nil, mayHaveTakenEffect: classified.mayHaveTakenEffect), "\(classified)")
        }
        switch status {
        case 200..<300: return
        case 408, 429, 500...:
            throw SupportFailure(.retry(retryAfter: nil, mayHaveTakenEffect: status >= 500), "\(endpoint): HTTP \(status)")
        default:
            throw SupportFailure(.permanent, "\(endpoint): the bot platform refused the reply with HTTP \(status)")
        }
    }
}
