import AsyncHTTPClient
import EventStore
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import TestSupport

@testable import handoffd

/// handoffd started in-process on an ephemeral loopback port, with a database in a temporary folder: the real
/// service group (store, projection runner, HTTP server), spoken to over real HTTP.
///
/// ```swift
/// let server = try await TestServer.start()
/// let answer = try await server.post("/v1/conversations/c-1/events", json: body)
/// try await server.stop()
/// ```
final class TestServer: Sendable {
    /// The API token every test configuration accepts (with ``secondToken``).
    static let token = "test-token-1"
    /// A second accepted token, for rotation.
    static let secondToken = "test-token-2"
    /// The webhook signing secret of the test configuration.
    static let webhookSecret = "test-webhook-secret"
    /// The Chatwoot account of the test configuration.
    static let accountID = 1

    /// The running service.
    let service: HandoffService
    /// `http://127.0.0.1:<port>`.
    let baseURL: String
    /// The folder holding the database; removed with the server.
    let directory: TemporaryDirectory
    private let running: Task<Void, any Error>

    /// The store under the server.
    var store: SQLiteEventStore { service.store }
    /// The metrics the server exposes.
    var metrics: HandoffMetrics { service.metrics }

    private init(service: HandoffService, baseURL: String, directory: TemporaryDirectory, running: Task<Void, any Error>) {
        self.service = service
        self.baseURL = baseURL
        self.directory = directory
        self.running = running
    }

    /// The configuration tests start from: loopback, port 0, two tokens, one webhook secret, account 1,
    /// `synchronous=NORMAL`, the database in `directory`.
    static func configuration(in directory: TemporaryDirectory) -> HandoffConfiguration {
        HandoffConfiguration(
            databasePath: directory.path("handoff.sqlite"), listen: ListenAddress(host: "127.0.0.1", port: 0),
            apiTokens: [token, secondToken], durability: .normal, chatwootAccountID: accountID,
            webhookSecrets: [webhookSecret])
    }

    /// Starts handoffd with the test configuration, changed by `configure`, and returns once it listens.
    static func start(
        directory: TemporaryDirectory? = nil, configure: (inout HandoffConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let directory = try directory ?? TemporaryDirectory()
        var configuration = configuration(in: directory)
        configure(&configuration)
        return try await start(configuration: configuration, directory: directory)
    }

    /// Starts handoffd with exactly `configuration` (for end-to-end tests that bring their own, for example with a
    /// simulated Chatwoot) and returns once it listens.
    static func start(configuration: HandoffConfiguration, directory: TemporaryDirectory) async throws -> TestServer {
        let logger = Logger(label: "handoffd-test") { _ in SwiftLogNoOpLogHandler() }
        let service = try await HandoffService.assemble(
            configuration: configuration, logger: logger, gracefulShutdownSignals: [])
        let running = Task { try await service.run() }
        let port: Int
        do {
            port = try await service.readiness.port()
        } catch {
            running.cancel()
            throw error
        }
        return TestServer(
            service: service, baseURL: "http://127.0.0.1:\(port)", directory: directory, running: running)
    }

    /// Shuts the service down gracefully and waits until every service stopped.
    func stop() async throws {
        await service.shutdown()
        try await running.value
    }

    // MARK: HTTP

    /// Sends a request and collects the answer.
    /// - Parameters:
    ///   - method: the method.
    ///   - path: the path and query, from `/`.
    ///   - body: the body, if any.
    ///   - token: the bearer token to send; nil sends no `Authorization` header.
    ///   - headers: further headers (an `Authorization` here replaces the token's).
    func request(
        _ method: HTTPMethod, _ path: String, body: Data? = nil, token: String? = TestServer.token,
        headers: [(String, String)] = []
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers {
            if name.lowercased() == "authorization" { request.headers.remove(name: "Authorization") }
            request.headers.add(name: name, value: value)
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        var buffer = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Answer(
            status: Int(response.status.code), headers: response.headers,
            body: buffer.readData(length: buffer.readableBytes) ?? Data())
    }

    /// `GET path`.
    func get(_ path: String, token: String? = TestServer.token, headers: [(String, String)] = []) async throws -> Answer {
        try await request(.GET, path, token: token, headers: headers)
    }

    /// `POST path` with a JSON body.
    func post(_ path: String, json: JSONValue, token: String? = TestServer.token) async throws -> Answer {
        try await request(.POST, path, body: try json.canonicalData(), token: token)
    }

    /// `POST /v1/conversations/{id}/events` with these events.
    func append(
        _ conversationID: String, _ events: [JSONValue], expectedVersion: Int64? = nil
    ) async throws -> Answer {
        var body: [String: JSONValue] = ["events": .array(events)]
        if let expectedVersion { body["expectedVersion"] = .integer(expectedVersion) }
        return try await post("/v1/conversations/\(conversationID)/events", json: .object(body))
    }
}

/// A collected HTTP answer.
struct Answer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data

    /// The body as JSON, or nil when it is not JSON.
    var json: JSONValue? { try? JSONValue(jsonData: body) }
    /// The body as text.
    var text: String { String(decoding: body, as: UTF8.self) }
    /// The `Content-Type`.
    var contentType: String { headers.first(name: "Content-Type") ?? "" }

    /// Member `key` of the JSON body.
    subscript(key: String) -> JSONValue? { json?[key] }
}
