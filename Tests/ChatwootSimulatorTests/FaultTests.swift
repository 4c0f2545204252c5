import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Testing

@testable import ChatwootSimulator

@Suite("Fault injection as a client sees it")
struct FaultTests {
    static let messagesPath = "/api/v1/accounts/1/conversations/*/messages"

    private func conversation(_ client: SimulatorClient) async throws -> Int {
        let contact = try await client.createContact(identifier: "u")
        return try await client.createConversation(contactID: contact, sourceID: "s")
    }

    private func messageCount(_ client: SimulatorClient, _ cid: Int) async throws -> Int {
        try await client.api(.GET, "conversations/\(cid)/messages").json["payload"]?.count ?? -1
    }

    @Test("status: the selected requests get that status with a Rails body and nothing is handled")
    func status() async throws {
        try await withSimulator { simulator, client in
            let cid = try await self.conversation(client)
            simulator.install(FaultPlan(rules: [FaultRule(method: "POST", path: Self.messagesPath, fault: .status(503), count: 2)]))
            let first = try await client.postMessage(cid, #"{"content": "a"}"#)
            let second = try await client.postMessage(cid, #"{"content": "a"}"#)
            let third = try await client.postMessage(cid, #"{"content": "a"}"#)
            #expect(first.status == 503)
            #expect(first.json == ["status": 503, "error": "Service Unavailable"])
            #expect(second.status == 503)
            #expect(third.status == 200)
            #expect(try await self.messageCount(client, cid) == 1)
            #expect(simulator.stats().faultsApplied == 2)
        }
    }

    @Test("skip lets the first matches through; method and path select; GETs are untouched")
    func selection() async throws {
        try await withSimulator { simulator, client in
            let cid = try await self.conversation(client)
            simulator.install(
                FaultPlan(rules: [FaultRule(method: "post", path: Self.messagesPath, fault: .status(500), count: 1, skip: 1)])
            )
            #expect(try await client.postMessage(cid, #"{"content": "1"}"#).status == 200)
            #expect(try await client.api(.GET, "conversations/\(cid)/messages").status == 200)
            #expect(try await client.postMessage(cid, #"{"content": "2"}"#).status == 500)
            #expect(try await client.postMessage(cid, #"{"content": "3"}"#).status == 200)
        }
    }

    @Test("rateLimit: 429 Retry later, with Retry-After only when configured")
    func rateLimit() async throws {
        try await withSimulator { simulator, client in
            simulator.install(FaultPlan(rules: [FaultRule(fault: .rateLimit(retryAfter: 2))]))
            let with = try await client.api(.GET, "teams")
            #expect(with.status == 429)
            #expect(with.text == "Retry later\n")
            #expect(with.headers.first(name: "Retry-After") == "2")

            simulator.install(FaultPlan(rules: [FaultRule(fault: .rateLimit(retryAfter: nil))]))
            let without = try await client.api(.GET, "teams")
            #expect(without.status == 429)
            #expect(without.headers.first(name: "Retry-After") == nil)
            #expect(try await client.api(.GET, "teams").status == 200)
        }
    }

    @Test("delay: the request is handled normally after the wait")
    func delay() async throws {
        try await withSimulator { simulator, client in
            let cid = try await self.conversation(client)
            simulator.install(FaultPlan(rules: [FaultRule(path: Self.messagesPath, fault: .delay(seconds: 0.2))]))
            let answer = try await client.postMessage(cid, #"{"content": "late"}"#)
            #expect(answer.status == 200)
            #expect(simulator.exchanges().last?.fault == "delay")
        }
    }

    @Test("resetBeforeWrite: the connection closes before any response and nothing is stored")
    func resetBeforeWrite() async throws {
        try await withSimulator { simulator, client in
            let cid = try await self.conversation(client)
            simulator.install(FaultPlan(rules: [FaultRule(method: "POST", path: Self.messagesPath, fault: .resetBeforeWrite)]))
            await #expect(throws: HTTPClientError.remoteConnectionClosed) {
                _ = try await client.postMessage(cid, #"{"content": "lost", "source_id": "m-1"}"#)
            }
            #expect(try await self.messageCount(client, cid) == 0)
            #expect(simulator.stats().creates.messages == 0)
            let exchange = try #require(simulator.exchanges().first { $0.fault == "resetBeforeWrite" })
            #expect(exchange.response == nil)
        }
    }

    @Test("commitThenReset: the client sees the connection closed, and the message exists afterwards")
    func commitThenReset() async throws {
        try await withSimulator { simulator, client in
            let cid = try await self.conversation(client)
            simulator.install(FaultPlan(rules: [FaultRule(method: "POST", path: Self.messagesPath, fault: .commitThenReset)]))
            await #expect(throws: HTTPClientError.remoteConnectionClosed) {
                _ = try await client.postMessage(cid, #"{"content": "committed", "source_id": "m-9"}"#)
            }
            let listed = try await client.api(.GET, "conversations/\(cid)/messages?after=0")
            #expect(listed.json["payload"]?.count == 1)
            #expect(listed.json["payload"]?[0]?["source_id"]?.string == "m-9")
            #expect(simulator.stats().creates.messages == 1)
            let exchange = try #require(simulator.exchanges().first { $0.fault == "commitThenReset" })
            #expect(exchange.response == nil)
            #expect(exchange.method == "POST")
        }
    }

    @Test("commitThenDelay: the write commits while a client with a shorter timeout gives up")
    func commitThenDelay() async throws {
        try await withSimulator { simulator, client in
            let cid = try await self.conversation(client)
            simulator.install(FaultPlan(rules: [FaultRule(path: Self.messagesPath, fault: .commitThenDelay(seconds: 1))]))
            await #expect(throws: HTTPClientError.deadlineExceeded) {
                _ = try await client.send(
                    .POST,
                    "/api/v1/accounts/1/conversations/\(cid)/messages",
                    json: #"{"content": "slow", "source_id": "m-3"}"#,
                    timeout: .milliseconds(200)
                )
            }
            #expect(try await self.messageCount(client, cid) == 1)
        }
    }

    @Test("outage: every request gets 503 for the window from installation, then service resumes")
    func outage() async throws {
        try await withSimulator { simulator, client in
            // A window long enough that a busy machine still sends the next requests inside it.
            simulator.install(FaultPlan(rules: [FaultRule(fault: .outage(seconds: 3))]))
            let during = try await client.api(.GET, "teams")
            #expect(during.status == 503)
            #expect(during.text.contains("503"))
            let contact = try await client.api(.POST, "contacts", json: #"{"identifier": "during-outage"}"#)
            #expect(contact.status == 503)
            // Admin routes are never faulted.
            #expect(try await client.send(.GET, "/__sim/stats").status == 200)
            try await Task.sleep(for: .milliseconds(3200))
            #expect(try await client.api(.GET, "teams").status == 200)
            #expect(simulator.stats().creates.contacts == 0)
        }
    }

    @Test("PUT /__sim/faults installs a plan; unknown kinds and fields are 422 naming them; DELETE clears")
    func adminFaults() async throws {
        try await withSimulator { _, client in
            let installed = try await client.send(.PUT, "/__sim/faults", json: #"{"rules": [{"fault": "status", "status": 502, "always": true}]}"#)
            #expect(installed.status == 200)
            #expect(try await client.api(.GET, "teams").status == 502)
            #expect(try await client.api(.GET, "agents").status == 502)

            let unknownKind = try await client.send(.PUT, "/__sim/faults", json: #"{"rules": [{"fault": "explode"}]}"#)
            #expect(unknownKind.status == 422)
            #expect(unknownKind.json["error"]?.string?.contains("\"explode\"") == true)
            let unknownField = try await client.send(.PUT, "/__sim/faults", json: #"{"rules": [{"fault": "delay", "secs": 1}]}"#)
            #expect(unknownField.status == 422)
            #expect(unknownField.json["error"]?.string?.contains("\"secs\"") == true)

            #expect(try await client.send(.DELETE, "/__sim/faults").status == 200)
            #expect(try await client.api(.GET, "teams").status == 200)
        }
    }
}
