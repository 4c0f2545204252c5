import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle

/// `GET /v1/conversations/{id}/events` with `Accept: text/event-stream`: a conversation's events as server-sent
/// events, first those stored after the starting position, then each new one as it is committed.
///
/// Each event is one SSE message: `id:` is its global position (so a client's `Last-Event-ID` resumes after it) and
/// `data:` its wire form on one line. The switch from stored to live cannot skip or repeat an event: the live part
/// follows the store's subscription from the head read before the catch-up, and only positions after the last one
/// sent go out. The stream ends when the server shuts down gracefully, or the store closes.
enum EventStream {
    /// The media type.
    static let contentType = "text/event-stream"

    /// Whether the request asks for server-sent events.
    static func isRequested(_ request: Request) -> Bool {
        request.headers[.accept]?.lowercased().contains(contentType) ?? false
    }

    /// The streaming response for `stream`, starting after position `after`.
    static func response(
        store: SQLiteEventStore, log: ConversationLog, stream: StreamID, after: Int64, logger: Logger
    ) async throws -> Response {
        let head = try await store.headPosition()
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-cache"
        let body = ResponseBody { writer in
            var last = after
            do {
                try await writer.write(ByteBuffer(string: ": conversation \(stream.conversationID ?? "")\n\n"))
                while true {
                    let page = try await log.events(in: stream, after: last, limit: ConversationLog.pageSize)
                    for record in page {
                        try await writer.write(try message(record))
                        last = record.position
                    }
                    if page.count < ConversationLog.pageSize { break }
                }
                for try await record in store.subscribe(from: head + 1).cancelOnGracefulShutdown()
                where record.streamID == stream && record.position > last {
                    try await writer.write(try message(record))
                    last = record.position
                }
            } catch let error as EventStoreError {
                logger.warning(
                    "event stream ended by the store",
                    metadata: ["store.code": .string(error.code.description), "stream.last": .stringConvertible(last)])
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// One SSE message: `id: <position>` and `data: <wire JSON on one line>`.
    static func message(_ record: RecordedEvent) throws -> ByteBuffer {
        let json = try WireEvent(record: record).jsonData()
        var buffer = ByteBuffer(string: "id: \(record.position)\ndata: ")
        buffer.writeData(json)
        buffer.writeString("\n\n")
        return buffer
    }
}
