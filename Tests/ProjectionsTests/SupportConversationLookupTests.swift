import EventStore
import Foundation
import Projections
import Testing
import TestSupport

@Suite("Read models: finding a conversation by its support conversation id")
struct SupportConversationLookupTests {
    @Test("the conversation whose current session Chatwoot holds as a given conversation is found; others are not")
    func lookup() async throws {
        let (store, _dir) = try makeProjectionStore()
        let codec = EventCodec()
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        func append(_ conversation: String, _ events: [ConversationEvent]) async throws {
            let data = try events.map { try codec.encode($0, eventID: UUID(), occurredAt: at) }
            _ = try await store.append(data, to: try StreamID.conversation(conversation))
        }
        let cause = UUID()
        try await append("a", [.userMessage(UserMessage(messageId: "m-1", text: "hi"))])
        try await append("b", [
            .userMessage(UserMessage(messageId: "m-1", text: "hi")),
            .conversationOpened(ConversationOpened(conversationId: 1024, causationEventId: cause)),
        ])
        // c moves from support conversation 7 to 8 (a second session): only the latest is kept.
        try await append("c", [
            .conversationOpened(ConversationOpened(conversationId: 7, causationEventId: cause)),
            .conversationOpened(ConversationOpened(conversationId: 8, causationEventId: cause)),
        ])
        let runner = ProjectionRunner(store: store)
        try await runner.prepare()
        try await runner.run(until: try await store.headPosition())
        let models = ReadModels(store: store)
        #expect(try await models.conversationID(supportConversationID: 1024) == "b")
        #expect(try await models.conversationID(supportConversationID: 8) == "c")
        #expect(try await models.conversationID(supportConversationID: 7) == nil)
        #expect(try await models.conversationID(supportConversationID: 99) == nil)
        await store.close()
        _ = _dir
    }
}
