import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Testing

/// A fault plan from its JSON form (the same form `chatwoot-sim --faults` reads).
func faultPlan(_ json: String) throws -> FaultPlan {
    try JSONDecoder().decode(FaultPlan.self, from: Data(json.utf8))
}

/// Messages of a conversation carrying a `source_id`, read straight from the simulator through a plain client.
func messages(withSourceID sourceID: String, in conversation: Int, harness: SimulatorHarness) async throws -> [ChatwootMessage] {
    try await harness.client.messages(conversation: conversation).filter { $0.sourceID == sourceID }
}

@Suite("Chatwoot client under faults")
struct ChatwootFaultTests {
    static let messagesPath = "/api/v1/accounts/1/conversations/*/messages"

    /// Posts one marked message under a fault plan and returns the error and how many copies Chatwoot holds.
    func postUnder(_ plan: String, timeout: Duration = .seconds(5)) async throws -> (ChatwootError?, Int) {
        // Only the call under the fault gets the short timeout: the set-up must not time out on a busy machine.
        let harness = try await SimulatorHarness.start()
        let (_, conversation) = try await harness.contactAndConversation()
        harness.simulator.install(try faultPlan(plan))
        let marker = SupportMarker.messageSourceID(commandID: UUID())
        let client = harness.client(timeout: timeout)
        let error = await failure { () async throws(ChatwootError) in
            try await client.createMessage(
                conversation: conversation.id, ChatwootNewMessage(content: "hello", messageType: .incoming, sourceID: marker))
        }
        harness.simulator.install(try faultPlan(#"{"rules": []}"#))
        // Let a delayed handler finish before counting.
        try await Task.sleep(for: .milliseconds(2500))
        let copies = try await messages(withSourceID: marker, in: conversation.id, harness: harness).count
        await harness.stop()
        return (error, copies)
    }

    @Test("a 5xx is a rejection that may have taken effect")
    func serverError() async throws {
        let (error, copies) = try await postUnder(#"{"rules": [{"path": "\#(Self.messagesPath)", "fault": "status", "status": 503}]}"#)
        #expect(error?.status == 503)
        #expect(error?.mayHaveTakenEffect == true)
        #expect(copies == 0)
    }

    @Test("429 keeps Retry-After when sent, and has none when Chatwoot's throttle answers")
    func rateLimits() async throws {
        let (withHeader, _) = try await postUnder(#"{"rules": [{"path": "\#(Self.messagesPath)", "fault": "rateLimit", "retryAfter": 2}]}"#)
        guard case .rejected(let rejection)? = withHeader else {
            Issue.record("expected a rejection, got \(String(describing: withHeader))")
            return
        }
        #expect(rejection.isRateLimited)
        #expect(rejection.retryAfter == .seconds(2))
        #expect(rejection.body.message == "Retry later")
        #expect(withHeader?.mayHaveTakenEffect == false)

        let (without, _) = try await postUnder(#"{"rules": [{"path": "\#(Self.messagesPath)", "fault": "rateLimit"}]}"#)
        guard case .rejected(let plain)? = without else {
            Issue.record("expected a rejection, got \(String(describing: without))")
            return
        }
        #expect(plain.status == 429)
        #expect(plain.retryAfter == nil)
    }

    @Test("an answer slower than the timeout is an unknown outcome")
    func delayPastTimeout() async throws {
        let (error, _) = try await postUnder(
            #"{"rules": [{"path": "\#(Self.messagesPath)", "fault": "delay", "seconds": 2}]}"#, timeout: .milliseconds(300))
        guard case .outcomeUnknown? = error else {
            Issue.record("expected an unknown outcome, got \(String(describing: error))")
            return
        }
    }

    @Test("a connection reset before the write: unknown outcome, and nothing was stored")
    func resetBeforeWrite() async throws {
        let (error, copies) = try await postUnder(#"{"rules": [{"path": "\#(Self.messagesPath)", "fault": "resetBeforeWrite"}]}"#)
        guard case .outcomeUnknown? = error else {
            Issue.record("expected an unknown outcome, got \(String(describing: error))")
            return
        }
        #expect(copies == 0)
    }

    @Test("the write committed, then the connection reset: unknown outcome, and the message is there to be found")
    func commitThenReset() async throws {
        let (error, copies) = try await postUnder(#"{"rules": [{"path": "\#(Self.messagesPath)", "fault": "commitThenReset"}]}"#)
        guard case .outcomeUnknown? = error else {
            Issue.record("expected an unknown outcome, got \(String(describing: error))")
            return
        }
        #expect(copies == 1)
    }

    @Test("the write committed, then the answer came too late: unknown outcome, and the message is there")
    func commitThenDelay() async throws {
        let (error, copies) = try await postUnder(
            #"{"rules": [{"path": "\#(Self.messagesPath)", "fault": "commitThenDelay", "seconds": 2}]}"#,
            timeout: .milliseconds(300))
        guard case .outcomeUnknown? = error else {
            Issue.record("expected an unknown outcome, got \(String(describing: error))")
            return
        }
        #expect(copies == 1)
    }

    @Test("during an outage every call fails with 503, and afterwards calls succeed again")
    func outage() async throws {
        let harness = try await SimulatorHarness.start()
        harness.simulator.install(try faultPlan(#"{"rules": [{"fault": "outage", "seconds": 3}]}"#))
        let during = await failure { () async throws(ChatwootError) in try await harness.client.teams() }
        #expect(during?.status == 503)
        try await Task.sleep(for: .milliseconds(3300))
        #expect(try await harness.client.teams().count == 4)
        await harness.stop()
    }

    @Test("nothing listening: not sent, which certainly took no effect")
    func nothingListening() async throws {
        let harness = try await SimulatorHarness.start()
        let client = harness.client
        await harness.stop()
        let error = await failure { () async throws(ChatwootError) in try await client.teams() }
        guard case .notSent? = error else {
            Issue.record("expected not sent, got \(String(describing: error))")
            return
        }
        #expect(error?.mayHaveTakenEffect == false)
    }
}
