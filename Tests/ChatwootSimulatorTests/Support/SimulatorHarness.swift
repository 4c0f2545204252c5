import AsyncHTTPClient
import NIOCore
import NIOHTTP1

@testable import ChatwootSimulator

/// An HTTP answer as a client saw it.
struct HTTPAnswer: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    var text: String { String(decoding: self.body, as: UTF8.self) }

    /// The body parsed as JSON (null when it is not JSON, which fails the expectations that use it).
    var json: JSONValue {
        (try? JSONParser.parse(self.body)) ?? .null
    }
}

/// A client for one running simulator.
struct SimulatorClient: Sendable {
    let baseURL: String
    let token: String?
    var accountID = 1

    static let defaultToken = "test-token"

    /// Sends a request; `path` is absolute (`/api/...`, `/__sim/...`).
    func send(
        _ method: HTTPMethod,
        _ path: String,
        json: String? = nil,
        token: String?? = .none,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: self.baseURL + path)
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let chosenToken: String? = token ?? self.token
        if let chosenToken {
            request.headers.add(name: "api_access_token", value: chosenToken)
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 16 << 20)
        return HTTPAnswer(status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
    }

    /// Sends to `/api/v1/accounts/{account}/<path>`.
    func api(_ method: HTTPMethod, _ path: String, json: String? = nil, token: String?? = .none) async throws -> HTTPAnswer {
        try await self.send(method, "/api/v1/accounts/\(self.accountID)/\(path)", json: json, token: token)
    }

    // MARK: Shortcuts for setting up records

    /// Creates a contact and returns its id.
    func createContact(identifier: String, name: String = "Jane Doe") async throws -> Int {
        let answer = try await self.api(.POST, "contacts", json: #"{"name": "\#(name)", "identifier": "\#(identifier)"}"#)
        guard answer.status == 200, let id = answer.json["payload"]?["contact"]?["id"]?.int else {
            throw HarnessError("contact create failed: \(answer.status) \(answer.text)")
        }
        return id
    }

    /// Creates a conversation for the contact in inbox 1 and returns its display id.
    func createConversation(contactID: Int, sourceID: String, extra: String = "") async throws -> Int {
        let answer = try await self.api(
            .POST,
            "conversations",
            json: #"{"inbox_id": 1, "contact_id": \#(contactID), "source_id": "\#(sourceID)"\#(extra)}"#
        )
        guard answer.status == 200, let id = answer.json["id"]?.int else {
            throw HarnessError("conversation create failed: \(answer.status) \(answer.text)")
        }
        return id
    }

    /// Posts a message and returns the answer.
    func postMessage(_ conversation: Int, _ json: String) async throws -> HTTPAnswer {
        try await self.api(.POST, "conversations/\(conversation)/messages", json: json)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts a simulator on 127.0.0.1 with an ephemeral port, runs `body`, and stops it.
func withSimulator<T>(
    configure: (inout SimulatorConfiguration) -> Void = { _ in },
    _ body: (ChatwootSimulator, SimulatorClient) async throws -> T
) async throws -> T {
    var configuration = SimulatorConfiguration(apiToken: SimulatorClient.defaultToken)
    configure(&configuration)
    let simulator = ChatwootSimulator(configuration: configuration)
    try await simulator.start()
    do {
        let result = try await body(simulator, SimulatorClient(baseURL: simulator.baseURL, token: SimulatorClient.defaultToken))
        await simulator.stop()
        return result
    } catch {
        await simulator.stop()
        throw error
    }
}

extension JSONValue {
    /// Member names in order, for shape checks.
    var keys: [String] {
        self.objectValue?.keys ?? []
    }

    /// The integer value, if this is one.
    var int: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The string value, if this is one.
    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The boolean value, if this is one.
    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The array's element count, or nil.
    var count: Int? {
        self.arrayValue?.count
    }

    /// The element at `index` of an array.
    subscript(index: Int) -> JSONValue? {
        guard let array = self.arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}
