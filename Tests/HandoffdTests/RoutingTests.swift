import EventStore
import Foundation
import NIOHTTP1
import Projections
import TestSupport
import Testing

@testable import handoffd

@Suite("Routing: GET and PUT /v1/routing")
struct RoutingTests {
    static func table(_ name: String) throws -> Data {
        try Data(contentsOf: fixturesFolder().appendingPathComponent("routing/\(name)"))
    }

    @Test("no table is 404; a put sets version 1, the same table again changes nothing, another sets version 2")
    func versions() async throws {
        let server = try await TestServer.start()
        let none = try await server.get("/v1/routing")
        #expect(none.status == 404)
        #expect(string(none["type"]) == "urn:handoff:problem:no-routing-table")

        let first = try await server.request(.PUT, "/v1/routing", body: try Self.table("default.json"))
        #expect(first.status == 200)
        #expect(integer(first["version"]) == 1)
        #expect(first["changed"] == true)
        let current = try await server.get("/v1/routing")
        #expect(current.status == 200)
        #expect(integer(current["version"]) == 1)
        #expect(integer(current["table"]?["defaultTeam"]) == 1)
        #expect(try RoutingTable(jsonData: try (current["table"] ?? .null).canonicalData())
            == RoutingTable(jsonData: try Self.table("default.json")))

        let same = try await server.request(.PUT, "/v1/routing", body: try Self.table("default.json"))
        #expect(same.status == 200)
        #expect(integer(same["version"]) == 1)
        #expect(same["changed"] == false)

        let second = try await server.request(.PUT, "/v1/routing", body: try Self.table("changed.json"))
        #expect(integer(second["version"]) == 2)
        #expect(integer(try await server.get("/v1/routing")["version"]) == 2)
        // The versions are routing.table_set events of the routing stream, as RoutingHistory reads them.
        let history = try RoutingHistory(events: try await server.store.readStream(.routing))
        #expect(history.versions.map(\.version) == [1, 2])
        #expect(history.current?.table == (try RoutingTable(jsonData: try Self.table("changed.json"))))
        try await server.stop()
    }

    /// Invalid tables and what the answer names: the status, the field (the entry's JSON path) and the rule.
    static let invalid: [(file: String, status: Int, field: String?, code: String?)] = [
        ("not-json.json", 400, nil, nil),
        ("missing-default-team.json", 422, "defaultTeam", "missingDefaultTeam"),
        ("skill-two-parts.json", 422, "teams[1].skills[0]", "invalidSkill"),
        ("duplicate-team.json", 422, "teams[2].team", "duplicateTeam"),
        ("unknown-field-in-team.json", 422, "teams[0].skill", "unknownField"),
        ("duplicate-field.json", 422, "defaultTeam", "duplicateField"),
        ("team-id-string.json", 422, "teams[0].team", "wrongType"),
    ]

    @Test("an invalid table is refused naming the entry, and no version is set", arguments: invalid.map(\.file))
    func refused(_ file: String) async throws {
        let expected = try #require(Self.invalid.first { $0.file == file })
        let server = try await TestServer.start()
        let answer = try await server.request(.PUT, "/v1/routing", body: try Self.table("invalid/\(file)"))
        #expect(answer.status == expected.status, "\(answer.text)")
        #expect(answer.contentType == "application/problem+json")
        #expect(string(answer["field"]) == expected.field)
        #expect(string(answer["code"]) == expected.code)
        if expected.status == 422 { #expect(string(answer["type"]) == "urn:handoff:problem:invalid-routing-table") }
        #expect(try await server.store.headPosition() == 0)
        try await server.stop()
    }
}
