import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Testing

/// 100 handoffs under each fault the simulator injects: every one ends in Chatwoot with exactly its transcript,
/// nothing duplicated and nothing missing.
@Suite("100 handoffs under each fault kind")
struct FaultMatrixTests {
    /// The fault rule applied to every create (contacts, conversations, messages): it lets 3 requests of its path
    /// through, then hits the next 15, spreading the faults over many handoffs.
    static let faults: [(name: String, rule: String)] = [
        ("5xx", #""fault": "status", "status": 502"#),
        ("429 with Retry-After", #""fault": "rateLimit", "retryAfter": 1"#),
        ("429 without Retry-After", #""fault": "rateLimit""#),
        ("timeout", #""fault": "delay", "seconds": 0.6"#),
        ("reset before the write", #""fault": "resetBeforeWrite""#),
        ("write, then reset", #""fault": "commitThenReset""#),
        ("write, then a late reply", #""fault": "commitThenDelay", "seconds": 0.6"#),
        ("outage of 30 s", ""),
    ]

    static let handoffs = 100

    @Test("duplicates 0, missing 0", .timeLimit(.minutes(3)), arguments: faults.map(\.name))
    func hundredHandoffs(_ fault: String) async throws {
        let rule = try #require(Self.faults.first { $0.name == fault }?.rule)
        // A short client timeout makes the 0.6 s delays unknown outcomes, and the next attempt waits 1 s before it
        // looks the marker up (the delayed write has committed by then); an outage opens the circuit (one probe
        // each 2 s), and a command gets enough attempts to outlive it.
        let harness = try await SagaHarness.start(
            retry: RetryPolicy(
                maxAttempts: 40, baseDelay: .milliseconds(20), maxDelay: .milliseconds(500),
                unknownOutcomeWait: .seconds(1)),
            breakerThreshold: 5, breakerInterval: .seconds(2), timeout: .milliseconds(300))
        let plan: String
        if rule.isEmpty {
            plan = #"{"rules": [{"fault": "outage", "seconds": 30}]}"#
        } else {
            let paths = ["contacts", "conversations", "conversations/*/messages"]
            plan = #"{"rules": ["# + paths.map {
                #"{"method": "POST", "path": "/api/v1/accounts/1/\#($0)", "skip": 3, "count": 15, \#(rule)}"#
            }.joined(separator: ", ") + "]}"
        }
        harness.chatwoot.simulator.install(try faultPlan(plan))
        for index in 0..<Self.handoffs {
            try await conversationUpToHandoff(harness, "c-\(index)", userID: "user-\(index)")
        }
        let drained = try await harness.settle(within: .seconds(150))
        let left = try await harness.outbox.depth()
        #expect(drained, "the outbox did not drain within 150 s: \(left)")

        let stats = harness.chatwoot.simulator.stats()
        #expect(stats.duplicateMessageSourceIDs.isEmpty)
        #expect(stats.duplicateConversationSourceIDs.isEmpty)
        #expect(try await harness.outbox.depth()[.dead] == 0)
        var conversations: [ChatwootConversation] = []
        var page = 1
        while true {
            let batch = try await harness.chatwoot.client.conversations(ChatwootConversationQuery(page: page)).conversations
            conversations += batch
            guard !batch.isEmpty else { break }
            page += 1
        }
        #expect(conversations.count == Self.handoffs)
        let owners = conversations.compactMap { $0.customAttributes[SupportMarker.conversationAttribute] }
        #expect(Set(owners).count == Self.handoffs)
        var wrong: [String] = []
        for conversation in conversations {
            let messages = try await transcript(harness, conversation: conversation.id)
            if messages != ["incoming: My invoice is wrong", "outgoing: Which invoice?", "incoming: I want a human"] {
                wrong.append("\(conversation.id): \(messages)")
            }
            if conversation.team?.id != 4 { wrong.append("\(conversation.id): team \(String(describing: conversation.team?.id))") }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        for index in [0, Self.handoffs / 2, Self.handoffs - 1] {
            #expect(try await harness.chatwoot.client.findContacts(identifier: "user-\(index)").count == 1)
        }
        await harness.stop()
    }
}
