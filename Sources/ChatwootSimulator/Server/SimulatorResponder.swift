import HTTPTypes
import Hummingbird
import NIOCore

/// Turns Hummingbird requests into ``APIRequest``s, applies faults, and answers from the simulator.
struct SimulatorResponder: HTTPResponder {
    typealias Context = SimulatorRequestContext

    let simulator: ChatwootSimulator
    static let maximumBodySize = 16 << 20

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: Self.maximumBodySize)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            if let existing = headers[name] {
                headers[name] = existing + ", " + field.value
            } else {
                headers[name] = field.value
            }
        }
        let apiRequest = APIRequest(
            method: request.method.rawValue,
            path: request.uri.path,
            query: request.uri.query,
            headers: headers,
            body: Array(body.readableBytesView)
        )
        if apiRequest.path == "/__sim" || apiRequest.path.hasPrefix("/__sim/") {
            guard self.simulator.configuration.allowRemoteAdmin || Self.isLoopback(context.channel) else {
                return Self.render(.json(["error": "simulator admin routes are served to loopback peers only"], status: 403))
            }
            return Self.render(AdminAPI.respond(to: apiRequest, simulator: self.simulator))
        }
        guard let response = await self.simulator.respondToAPI(apiRequest) else {
            await Self.close(context.channel)
            // The connection is closed: Hummingbird's write of this placeholder fails and nothing goes out.
            return Response(status: .internalServerError)
        }
        return Self.render(response)
    }

    /// Closes the connection at once, before any response byte was written.
    static func close(_ channel: any Channel) async {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        channel.close(mode: .all, promise: promise)
        try? await promise.futureResult.get()
    }

    static func isLoopback(_ channel: any Channel) -> Bool {
        guard let address = channel.remoteAddress?.ipAddress else {
            // A Unix domain socket is local by construction.
            return channel.remoteAddress != nil
        }
        return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }

    static func render(_ response: APIResponse) -> Response {
        var fields = HTTPFields()
        if let contentType = response.contentType {
            fields[.contentType] = contentType
        }
        for (name, value) in response.headers {
            if let fieldName = HTTPField.Name(name) {
                fields.append(HTTPField(name: fieldName, value: value))
            }
        }
        return Response(
            status: HTTPResponse.Status(code: response.status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body))
        )
    }
}
