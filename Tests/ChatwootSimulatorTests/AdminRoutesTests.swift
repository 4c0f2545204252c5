import NIOCore
import NIOHTTP1
import Testing

@testable import ChatwootSimulator

@Suite("Admin routes under /__sim/")
struct AdminRoutesTests {
    private func conversation(_ client: SimulatorClient) async throws -> Int {
        let contact = try await client.createContact(identifier: "u")
        return try await client.createConversation(contactID: contact, sourceID: "s")
    }

    @Test("reply, assign, transfer and status act like agents in the UI and need no token")
    func actions() async throws {
        try await withSimulator { _, client in
            let cid = try await self.conversation(client)
            let admin = SimulatorClient(baseURL: client.baseURL, token: nil)

            let reply = try await admin.send(.POST, "/__sim/conversations/\(cid)/reply", json: #"{"agentId": 3, "content": "Hello from Carol"}"#)
            #expect(reply.status == 200)
            #expect(reply.json["message_type"]?.int == 1)
            #expect(reply.json["sender"]?["name"]?.string == "Carol Agent")

            let assign = try await admin.send(.POST, "/__sim/conversations/\(cid)/assign", json: #"{"agentId": 3}"#)
            #expect(assign.json["meta"]?["assignee"]?["id"]?.int == 3)
            let transfer = try await admin.send(.POST, "/__sim/conversations/\(cid)/transfer", json: #"{"teamId": 7}"#)
            #expect(transfer.json["meta"]?["team"]?["id"]?.int == 7)
            let status = try await admin.send(.POST, "/__sim/conversations/\(cid)/status", json: #"{"status": "pending"}"#)
            #expect(status.json["status"]?.string == "pending")
            let unassign = try await admin.send(.POST, "/__sim/conversations/\(cid)/assign", json: #"{"agentId": null}"#)
            #expect(unassign.json["meta"]?["assignee"] == nil)

            let shown = try await client.api(.GET, "conversations/\(cid)")
            #expect(shown.json["status"]?.string == "pending")
            #expect(shown.json["meta"]?["team"]?["id"]?.int == 7)
        }
    }

    @Test("unknown conversations, agents, teams and statuses are refused with an error")
    func errors() async throws {
        try await withSimulator { simulator, client in
            let cid = try await self.conversation(client)
            #expect(try await client.send(.POST, "/__sim/conversations/99/reply", json: #"{"agentId": 1, "content": "x"}"#).status == 404)
            #expect(try await client.send(.POST, "/__sim/conversations/\(cid)/assign", json: #"{"agentId": 77}"#).status == 404)
            #expect(try await client.send(.POST, "/__sim/conversations/\(cid)/transfer", json: #"{"teamId": 3}"#).status == 404)
            #expect(try await client.send(.POST, "/__sim/conversations/\(cid)/status", json: #"{"status": "closed"}"#).status == 422)
            #expect(try await client.send(.GET, "/__sim/nothing").status == 404)

            await #expect(throws: SimulatorError.self) {
                try await simulator.agentReply(conversation: 99, agent: 1, content: "x")
            }
            do {
                try await simulator.setStatus(conversation: cid, status: "closed")
                Issue.record("expected an error")
            } catch let error as SimulatorError {
                #expect(error.code == .invalidStatus)
            }
        }
    }

    @Test("GET /__sim/stats and /__sim/state report requests, creates and conversations")
    func reports() async throws {
        try await withSimulator { simulator, client in
            let cid = try await self.conversation(client)
            _ = try await client.postMessage(cid, #"{"content": "x", "source_id": "m"}"#)
            let stats = try await client.send(.GET, "/__sim/stats")
            #expect(
                stats.json.keys == [
                    "requests", "creates", "duplicateMessageSourceIDs", "duplicateConversationSourceIDs", "faultsApplied",
                    "webhooksSent", "webhooksDropped",
                ])
            #expect(stats.json["requests"]?.int == 3)
            #expect(stats.json["creates"] == ["contacts": 1, "contactInboxes": 0, "conversations": 1, "messages": 1])
            #expect(simulator.stats().requests == 3)

            let state = try await client.send(.GET, "/__sim/state")
            #expect(state.json["conversations"]?[0]?["id"]?.int == cid)
            #expect(state.json["conversations"]?[0]?["messages"]?[0]?["sourceId"]?.string == "m")

            let exchanges = simulator.exchanges()
            #expect(exchanges.count == 3)
            #expect(exchanges.map(\.method) == ["POST", "POST", "POST"])
            #expect(exchanges.last?.path == "/api/v1/accounts/1/conversations/\(cid)/messages")
            #expect(exchanges.last?.headers["api_access_token"] == SimulatorClient.defaultToken)
            #expect(exchanges.last?.responseStatus == 200)
            let lastBody = String(decoding: exchanges.last?.requestBody ?? [], as: UTF8.self)
            #expect(lastBody.contains("\"source_id\""))
        }
    }
}

@Suite("Simulator lifecycle")
struct LifecycleTests {
    @Test("start binds an ephemeral port, refuses a second start, and keeps the state across a restart")
    func lifecycle() async throws {
        let simulator = ChatwootSimulator(configuration: SimulatorConfiguration(apiToken: "t"))
        let port = try await simulator.start()
        #expect(port > 0)
        #expect(simulator.baseURL == "http://127.0.0.1:\(port)")
        do {
            try await simulator.start()
            Issue.record("a second start must fail")
        } catch let error as SimulatorError {
            #expect(error.code == .alreadyStarted)
        }
        let client = SimulatorClient(baseURL: simulator.baseURL, token: "t")
        _ = try await client.createContact(identifier: "kept")
        await simulator.stop()

        try await simulator.start()
        let again = SimulatorClient(baseURL: simulator.baseURL, token: "t")
        let search = try await again.api(.GET, "contacts/search?q=kept")
        #expect(search.json["payload"]?.count == 1)
        await simulator.stop()
    }

    @Test("a taken port fails start with startFailed")
    func portTaken() async throws {
        let first = ChatwootSimulator(configuration: SimulatorConfiguration(apiToken: "t"))
        let port = try await first.start()
        let second = ChatwootSimulator(configuration: SimulatorConfiguration(apiToken: "t", port: port))
        do {
            try await second.start()
            Issue.record("binding a taken port must fail")
            await second.stop()
        } catch let error as SimulatorError {
            #expect(error.code == .startFailed)
        }
        await first.stop()
    }
}
