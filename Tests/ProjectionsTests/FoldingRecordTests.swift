import EventStore
import Foundation
import Projections
import Testing

@Suite("Decoding stored events as the runner applies them")
struct FoldingRecordTests {
    private func record(_ type: String, _ data: String) throws -> RecordedEvent {
        RecordedEvent(
            position: 7, streamID: try StreamID("conversation-f"), version: 3, eventID: UUID(), type: type,
            data: Data(data.utf8), metadata: Data(#"{"schemaVersion":1}"#.utf8),
            occurredAt: Date(timeIntervalSince1970: 1_795_000_000), recordedAt: Date(timeIntervalSince1970: 1_795_000_000))
    }

    @Test("a message is applied by its type, even when its payload does not decode")
    func typeOnly() throws {
        let folding = try ConversationRecord(folding: try record("user.message", #"{"messageId":"m"}"#))
        guard case .userMessage = folding.event else {
            Issue.record("expected a user message, got \(folding.event)")
            return
        }
        #expect(folding.position == 7 && folding.version == 3)
        #expect(throws: EventCodingError.self) { try ConversationRecord(try record("user.message", #"{"messageId":"m"}"#)) }
    }

    @Test("an event whose payload a read model reads is decoded in full, and refused when it does not decode")
    func fullDecode() throws {
        let routed = try ConversationRecord(
            folding: record("handoff.routed", #"{"team":3,"rule":"default","routingVersion":1}"#))
        #expect(routed.event == .handoffRouted(HandoffRouted(team: 3, rule: "default", routingVersion: 1)))
        #expect(throws: EventCodingError.self) {
            try ConversationRecord(folding: try record("handoff.routed", #"{"team":"three"}"#))
        }
    }
}
