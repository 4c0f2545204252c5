import NIOCore
import NIOHTTP1
import Testing

@testable import ChatwootSimulator

@Suite("Authentication and error shapes")
struct AuthenticationTests {
    @Test("no token is devise's 401 with errors[]")
    func missingToken() async throws {
        try await withSimulator { _, client in
            let answer = try await client.api(.GET, "teams", token: .some(nil))
            #expect(answer.status == 401)
            #expect(answer.json == ["errors": ["You need to sign in or sign up before continuing."]])
        }
    }

    @Test("a wrong token is 401 Invalid Access Token")
    func wrongToken() async throws {
        try await withSimulator { _, client in
            let answer = try await client.api(.GET, "teams", token: "nope")
            #expect(answer.status == 401)
            #expect(answer.json == ["error": "Invalid Access Token"])
        }
    }

    @Test("another account id is 401, never 403")
    func wrongAccount() async throws {
        try await withSimulator { _, client in
            var other = client
            other.accountID = 2
            let answer = try await other.api(.GET, "teams")
            #expect(answer.status == 401)
            #expect(answer.json == ["error": "You are not authorized to access this account"])
        }
    }

    @Test("an unknown record is 404 Resource could not be found; an unknown route is 404 too")
    func notFound() async throws {
        try await withSimulator { _, client in
            let record = try await client.api(.GET, "conversations/77")
            #expect(record.status == 404)
            #expect(record.json == ["error": "Resource could not be found"])
            let route = try await client.api(.GET, "no_such_thing")
            #expect(route.status == 404)
            let wrongMethod = try await client.api(.DELETE, "conversations")
            #expect(wrongMethod.status == 404)
        }
    }

    @Test("GET teams and GET agents are plain arrays")
    func teamsAndAgents() async throws {
        try await withSimulator(configure: { $0.teams = [1, 4, 7, 9] }) { _, client in
            let teams = try await client.api(.GET, "teams")
            #expect(teams.status == 200)
            #expect(teams.json.count == 4)
            #expect(
                teams.json[1] == [
                    "id": 4, "name": "Team 4", "description": "", "allow_auto_assign": false, "account_id": 1, "is_member": false,
                ])
            let agents = try await client.api(.GET, "agents")
            let names = (agents.json.arrayValue ?? []).compactMap { $0["name"]?.string }
            #expect(names.starts(with: ["Alice Agent", "Bob Agent", "Carol Agent"]))
            #expect(
                agents.json[0]?.keys == [
                    "id", "account_id", "availability_status", "auto_offline", "confirmed", "email", "provider",
                    "available_name", "name", "role", "thumbnail",
                ])
        }
    }
}
