import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// Reading request bodies within a size limit, and parsing them as JSON with errors that say where.
enum RequestBody {
    /// The most bytes an API body may have (64 KiB).
    static let apiLimit = 64 * 1024

    /// The body's bytes.
    /// - Throws: ``Problem`` 413 when the body is larger than `limit` (by its `Content-Length` or as it arrives).
    static func collect(_ request: Request, limit: Int) async throws -> Data {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw Problem.bodyTooLarge(limit: limit)
        }
        do {
            var buffer = try await request.body.collect(upTo: limit)
            return buffer.readData(length: buffer.readableBytes) ?? Data()
        } catch is NIOTooManyBytesError {
            throw Problem.bodyTooLarge(limit: limit)
        }
    }

    /// Parses JSON strictly: a key repeated in one object is refused, since parsers disagree on which one wins.
    /// - Throws: ``Problem`` 400 for bytes that are not JSON (or not UTF-8), naming the byte; 422 for a repeated key,
    ///   naming its path.
    static func json(_ data: Data) throws -> JSONValue {
        do {
            return try JSONValue(jsonData: data, rejectingRepeatedKeys: true)
        } catch let error as EventCodingError where error.message == JSONValue.repeatedKeyMessage {
            throw Problem.invalid("the key appears twice in the same object", field: error.field)
        } catch let error as EventCodingError {
            throw Problem.malformedJSON("the body \(error.message)")
        }
    }
}
