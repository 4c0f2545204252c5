import EventStore
import Foundation
import HandoffSaga
import Projections
import TestSupport

/// Plays a fixture conversation (`fixtures/conversations/<name>.jsonl`) against a running server: the bot
/// platform's events through `POST /v1/conversations/{id}/events`, one request per event, and the events the saga
/// and Chatwoot would record (routing decisions, support outcomes, agent actions) straight into the store, as the
/// saga and the webhook receiver do. End to end, through a simulated Chatwoot whose agents act and whose webhooks
/// bring their actions back, the fixtures are played by ``ChatwootWorld/play(_:)``.
struct FixtureTraffic {
    /// The answers of the API requests, by line, and the lines appended directly.
    var answers: [Int: Answer] = [:]
    var direct: [Int] = []
    var conversationID = ""

    /// The fixture's events.
    static func events(_ name: String) throws -> [WireEvent] {
        let text = try String(
            contentsOf: fixturesFolder().appendingPathComponent("conversations/\(name).jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try WireEvent.decode(Data($0.utf8)) }
    }

    /// Plays fixture `name` against `server`.
    static func play(_ name: String, on server: TestServer) async throws -> FixtureTraffic {
        var traffic = FixtureTraffic()
        for (line, wire) in try events(name).enumerated() {
            let conversationID = wire.conversationID ?? name
            traffic.conversationID = conversationID
            if let type = EventType(rawValue: wire.type), Decide.botPlatformTypes.contains(type) {
                var event = wire
                event.conversationID = nil
                traffic.answers[line] = try await server.append(conversationID, [event.json])
            } else {
                let stream = try StreamID.conversation(conversationID)
                // handoffd's saga records routing decisions itself: let it catch up, and keep its decision when it
                // made one (the same team, by the same rule) instead of storing a second.
                try await sagaCaughtUp(server)
                if wire.type == EventType.handoffRouted.rawValue, try await routedSinceLastRequest(stream, server) {
                    traffic.direct.append(line)
                    continue
                }
                _ = try await server.store.append([try wire.eventData()], to: stream)
                traffic.direct.append(line)
            }
        }
        return traffic
    }

    /// Waits until the saga has read the log up to its head.
    private static func sagaCaughtUp(_ server: TestServer) async throws {
        let outbox = Outbox(store: server.store)
        let deadline = ContinuousClock.now + .seconds(10)
        while try await outbox.checkpoint(SagaProcessor.checkpointName) < server.store.headPosition() {
            guard ContinuousClock.now < deadline else { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Whether the stream's latest handoff request already has a `handoff.routed` after it.
    private static func routedSinceLastRequest(_ stream: StreamID, _ server: TestServer) async throws -> Bool {
        let types = try await server.store.readStream(stream, from: 0, limit: 10_000).map(\.type)
        guard let request = types.lastIndex(of: EventType.handoffRequested.rawValue) else { return false }
        return types[(request + 1)...].contains(EventType.handoffRouted.rawValue)
    }
}
