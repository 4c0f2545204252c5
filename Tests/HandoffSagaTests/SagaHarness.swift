import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Projections
import TestSupport

/// An event store, the saga and its dispatcher wired to a simulator, for tests.
struct SagaHarness {
    let folder: TemporaryDirectory
    let store: SQLiteEventStore
    let outbox: Outbox
    let processor: SagaProcessor
    let dispatcher: Dispatcher
    let chatwoot: SimulatorHarness
    let codec = EventCodec()

    /// Fast retries, so tests that exhaust them take milliseconds.
    /// Quick retries; writes the simulator commits before it answers (or resets) are visible at once, so the wait
    /// after an unknown outcome can be short.
    static let fastRetries = RetryPolicy(
        maxAttempts: 8, baseDelay: .milliseconds(5), maxDelay: .milliseconds(40), unknownOutcomeWait: .milliseconds(20))

    static func start(
        retry: RetryPolicy = fastRetries, breakerThreshold: Int = 1000, breakerInterval: Duration = .seconds(30),
        timeout: Duration = .seconds(5), routing: String? = #"{"defaultTeam": 1, "teams": [{"team": 4, "skills": ["acme.billing.*"]}, {"team": 7, "skills": ["acme.shop.Refund"]}]}"#
    ) async throws -> SagaHarness {
        let folder = try TemporaryDirectory()
        let store = try SQLiteEventStore(path: folder.path("events.sqlite"))
        let outbox = Outbox(store: store)
        try await outbox.prepare()
        let chatwoot = try await SimulatorHarness.start(timeout: timeout)
        let processor = SagaProcessor(store: store, outbox: outbox, relaysToBot: false)
        let dispatcher = Dispatcher(
            store: store, outbox: outbox, support: ChatwootSupportSystem(client: chatwoot.client(timeout: timeout)), bot: nil,
            configuration: Dispatcher.Configuration(
                retry: retry, concurrency: 4, breakerThreshold: breakerThreshold, breakerInterval: breakerInterval,
                idleInterval: .milliseconds(5)))
        let harness = SagaHarness(
            folder: folder, store: store, outbox: outbox, processor: processor, dispatcher: dispatcher, chatwoot: chatwoot)
        if let routing {
            let table = try RoutingTable(jsonData: Data(routing.utf8))
            _ = try await store.append(
                [table.eventData(eventID: UUID(), occurredAt: Date())], to: .routing, expected: .any)
        }
        return harness
    }

    func stop() async {
        await chatwoot.stop()
        await store.close()
    }

    /// Appends events to a conversation.
    @discardableResult
    func append(_ conversation: String, _ events: [ConversationEvent], at: Date = Date()) async throws -> [UUID] {
        let ids = events.map { _ in UUID() }
        let data = try zip(events, ids).map { try codec.encode($0, eventID: $1, occurredAt: at) }
        _ = try await store.append(data, to: try StreamID.conversation(conversation), expected: .any)
        return ids
    }

    /// Runs the saga and the dispatcher until the log is processed and no command waits (or `limit` passes).
    /// - Returns: whether everything was done.
    @discardableResult
    func settle(within limit: Duration = .seconds(30)) async throws -> Bool {
        try await dispatcher.runUntilIdle(processor: processor, within: limit)
    }

    /// The events of a conversation, decoded.
    func events(_ conversation: String) async throws -> [ConversationEvent] {
        try await store.readStream(try StreamID.conversation(conversation), from: 0, limit: 10_000).map {
            try codec.decode($0)
        }
    }

    /// The types of a conversation's events, in order.
    func types(_ conversation: String) async throws -> [String] {
        try await events(conversation).map(\.type)
    }
}
