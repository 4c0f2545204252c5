import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// Responses with JSON bodies, written as canonical JSON (keys sorted) through the catalogue's ``JSONValue``.
enum JSONResponse {
    /// A response carrying `value`.
    /// - Parameters:
    ///   - value: the body.
    ///   - status: the status, 200 by default.
    ///   - contentType: `application/json` unless given.
    static func make(
        _ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = "application/json"
    ) -> Response {
        // Every JSONValue built by this service holds finite numbers only; the fallback is never expected.
        let data = (try? value.canonicalData()) ?? Data("{}".utf8)
        return text(data, status: status, contentType: contentType)
    }

    /// A response carrying `data` as it is.
    static func text(_ data: Data, status: HTTPResponse.Status = .ok, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: data)))
    }
}

extension JSONValue {
    /// An optional integer as JSON: the number, or `null`.
    static func optional(_ value: Int?) -> JSONValue { value.map { .integer(Int64($0)) } ?? .null }
    /// An optional string as JSON: the string, or `null`.
    static func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
    /// An optional date as JSON: the wire form's timestamp, or `null`.
    static func optional(_ value: Date?) -> JSONValue { value.map { .string(WireTimestamp.format($0)) } ?? .null }
}
