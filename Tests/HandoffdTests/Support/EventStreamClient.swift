import AsyncHTTPClient
import EventStore
import Foundation
import NIOCore
import NIOHTTP1

/// A server-sent events client over one streaming response, reading one message at a time.
final class EventStreamClient {
    /// One SSE message.
    struct Message: Sendable {
        var id: Int64?
        var data: String
        var json: JSONValue? { try? JSONValue(jsonData: Data(data.utf8)) }
    }

    /// The response's status and content type.
    let status: Int
    let contentType: String
    private var body: HTTPClientResponse.Body.AsyncIterator
    private var pending = ""

    /// Opens the stream of a conversation's events.
    init(server: TestServer, conversationID: String, lastEventID: Int64? = nil, after: Int64? = nil) async throws {
        var request = HTTPClientRequest(
            url: server.baseURL + "/v1/conversations/\(conversationID)/events" + (after.map { "?after=\($0)" } ?? ""))
        request.headers.add(name: "Authorization", value: "Bearer \(TestServer.token)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: String(lastEventID)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .minutes(5))
        status = Int(response.status.code)
        contentType = response.headers.first(name: "Content-Type") ?? ""
        body = response.body.makeAsyncIterator()
    }

    /// The next message (comments skipped), or nil when the stream ended.
    func next() async throws -> Message? {
        while true {
            if let end = pending.range(of: "\n\n") {
                let block = pending[..<end.lowerBound]
                pending = String(pending[end.upperBound...])
                var message = Message(id: nil, data: "")
                var isComment = true
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") {
                        message.id = Int64(line.dropFirst(4))
                        isComment = false
                    } else if line.hasPrefix("data: ") {
                        message.data += line.dropFirst(6)
                        isComment = false
                    }
                }
                if !isComment { return message }
                continue
            }
            guard let buffer = try await body.next() else { return nil }
            pending += String(buffer: buffer)
        }
    }
}
