import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Logging
import Projections
import Testing
import TestSupport

@testable import handoffd

@Suite("The dispatcher service")
struct DispatchServiceTests {
    @Test("after a failure of the database it resumes and delivers what waits, instead of stopping until a restart")
    func resumesAfterAFailure() async throws {
        let folder = try TemporaryDirectory()
        let store = try SQLiteEventStore(path: folder.path("events.sqlite"))
        let outbox = Outbox(store: store)
        try await outbox.prepare()
        let simulator = ChatwootSimulator(configuration: SimulatorConfiguration(apiToken: "t", teams: [1]))
        let port = try await simulator.start()
        let client = ChatwootClient(
            configuration: ChatwootConfiguration(
                baseURL: "http://127.0.0.1:\(port)", accountID: 1, inboxID: 1, apiToken: "t", timeout: .seconds(5)))
        let dispatcher = Dispatcher(
            store: store, outbox: outbox, support: ChatwootSupportSystem(client: client), bot: nil,
            configuration: Dispatcher.Configuration(idleInterval: .milliseconds(10)))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let service = DispatchService(
            dispatcher: dispatcher, outbox: outbox, metrics: HandoffMetrics(), gaugeInterval: .seconds(60),
            logger: logger)

        // The outbox table disappears under the dispatcher: its next claim fails.
        try await store.write { db in try db.execute("ALTER TABLE saga_outbox RENAME TO saga_outbox_away") }
        let running = Task { try await service.run() }
        try await Task.sleep(for: .milliseconds(300))
        try await store.write { db in try db.execute("ALTER TABLE saga_outbox_away RENAME TO saga_outbox") }

        // A handoff planned now must still reach Chatwoot.
        let table = try RoutingTable(jsonData: Data(#"{"defaultTeam": 1, "teams": []}"#.utf8))
        _ = try await store.append([table.eventData(eventID: UUID(), occurredAt: Date())], to: .routing, expected: .any)
        let codec = EventCodec()
        let events: [ConversationEvent] = [
            .userMessage(UserMessage(messageId: "m-1", text: "A person, please")),
            .handoffRequested(HandoffRequested(reason: "user_asked")),
        ]
        _ = try await store.append(
            try events.map { try codec.encode($0, eventID: UUID(), occurredAt: Date()) },
            to: try StreamID.conversation("c-resume"), expected: .any)
        let processor = SagaProcessor(store: store, outbox: outbox, relaysToBot: false, logger: logger)
        for _ in 0..<3 { try await processor.run(until: try await store.headPosition()) }

        let deadline = ContinuousClock.now + .seconds(15)
        var delivered: [ChatwootConversation] = []
        while ContinuousClock.now < deadline {
            delivered = try await client.conversations(ChatwootConversationQuery()).conversations
            if delivered.first?.team?.id == 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(delivered.count == 1)
        #expect(delivered.first?.team?.id == 1)
        running.cancel()
        _ = await running.result
        await simulator.stop()
        await store.close()
    }
}
