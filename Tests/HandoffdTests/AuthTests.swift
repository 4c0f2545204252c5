import EventStore
import Foundation
import HTTPTypes
import NIOHTTP1
import Testing

@testable import handoffd

@Suite("Bearer tokens on every API route")
struct AuthTests {
    /// The ways to fail: no header, another scheme, a wrong token, an empty token, a token of the wrong case.
    static let failures: [(name: String, header: String?)] = [
        ("no token", nil), ("basic scheme", "Basic dGVzdDp0ZXN0"), ("token without scheme", TestServer.token),
        ("wrong token", "Bearer not-the-token"), ("empty token", "Bearer "), ("bare scheme", "Bearer"),
        ("a prefix of the token", "Bearer test-token"), ("the token and more", "Bearer \(TestServer.token)x"),
    ]

    /// A request for each API route that would write (or read) if it were authorized.
    static func requests() throws -> [(APIRoute, String, Data?)] {
        let events = try JSONValue.object(["events": [Wire.userMessage()]]).canonicalData()
        let table = Data(#"{"defaultTeam": 1, "teams": []}"#.utf8)
        return APIRoute.allCases.filter(\.requiresToken).map { route in
            let path = route.path.replacingOccurrences(of: "{id}", with: "c-auth")
            switch route {
            case .appendEvents: return (route, path, events)
            case .setRouting: return (route, path, table)
            default: return (route, path, nil)
            }
        }
    }

    @Test("every API route refuses a missing, foreign, wrong or empty token with 401 and WWW-Authenticate: Bearer")
    func refusals() async throws {
        let server = try await TestServer.start()
        _ = try await server.append("c-auth", [Wire.userMessage()])
        let head = try await server.store.headPosition()
        for (route, path, body) in try Self.requests() {
            for failure in Self.failures {
                let answer = try await server.request(
                    HTTPMethod(rawValue: route.method.rawValue), path, body: body, token: nil,
                    headers: failure.header.map { [("Authorization", $0)] } ?? [])
                #expect(answer.status == 401, "\(route) \(failure.name)")
                #expect(answer.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(route) \(failure.name)")
                #expect(answer.contentType == "application/problem+json", "\(route) \(failure.name)")
                #expect(string(answer["type"]) == "urn:handoff:problem:unauthorized")
            }
        }
        #expect(try await server.store.headPosition() == head)
        #expect(try await server.get("/v1/routing").status == 404)
        try await server.stop()
    }

    @Test("each configured token is accepted (rotation), and the scheme is case-insensitive")
    func rotation() async throws {
        let server = try await TestServer.start()
        #expect(try await server.append("c-rot", [Wire.userMessage()]).status == 201)
        #expect(try await server.get("/v1/conversations/c-rot", token: TestServer.secondToken).status == 200)
        let lower = try await server.get("/v1/conversations/c-rot", token: nil, headers: [("Authorization", "bearer \(TestServer.token)")])
        #expect(lower.status == 200)
        try await server.stop()
    }

    @Test("with no token configured the API refuses every request and says so")
    func noTokens() async throws {
        let server = try await TestServer.start { $0.apiTokens = [] }
        let answer = try await server.append("c-none", [Wire.userMessage()])
        #expect(answer.status == 401)
        #expect(string(answer["detail"])?.contains("HANDOFF_TOKENS") == true)
        #expect(try await server.store.headPosition() == 0)
        // The open routes stay open.
        #expect(try await server.get("/health", token: nil).status == 200)
        try await server.stop()
    }

    @Test("the open routes need no token; the webhook ignores bearer tokens and wants its signature")
    func openRoutes() async throws {
        let server = try await TestServer.start()
        for route in APIRoute.allCases where !route.requiresToken && route.method == .get {
            #expect(try await server.get(route.path, token: nil).status == 200, "\(route)")
        }
        let webhook = try await server.request(.POST, "/v1/webhooks/chatwoot", body: Data("{}".utf8))
        #expect(webhook.status == 401)
        try await server.stop()
    }

    @Test("tokens are compared whole")
    func comparison() {
        let tokens = BearerTokens(["abc", "longer-token"])
        #expect(tokens.accepts(Array("abc".utf8)))
        #expect(tokens.accepts(Array("longer-token".utf8)))
        #expect(!tokens.accepts(Array("ab".utf8)))
        #expect(!tokens.accepts(Array("abcd".utf8)))
        #expect(!tokens.accepts([]))
        #expect(!BearerTokens([]).accepts([]))
        #expect(!BearerTokens([""]).isConfigured)
    }
}
