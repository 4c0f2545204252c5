import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Testing
import TestSupport

/// The saga runs in a child process (`handoff-bench saga-worker`) that is killed with SIGKILL at its named steps and
/// at random moments while handoffs keep arriving; restarted each time, it must complete every handoff, with
/// nothing duplicated and nothing missing in Chatwoot.
@Suite("Saga crash safety", .serialized)
struct SagaCrashTests {
    /// One wave of new work appended before each run of the worker: new handoffs, and a follow-up user message in a
    /// handoff of an earlier wave (posted while agents own the session).
    static let handoffsPerWave = 3

    @Test("SIGKILL after the outbox commit, after the claim, after Chatwoot's answer, and at 30 random moments",
          .timeLimit(.minutes(5)))
    func killedAndRestarted() async throws {
        let executable = try benchExecutable()
        let harness = try await SagaHarness.start()
        let database = harness.folder.path("events.sqlite")
        let arguments = [
            "saga-worker", "--db", database, "--chatwoot-url", harness.chatwoot.client.configuration.baseURL,
            "--api-token", SimulatorHarness.token, "--page-size", "7",
        ]
        var generator = SystemRandomNumberGenerator()
        var expected: [String: [String]] = [:]
        var wave = 0

        func appendWave() async throws {
            for index in 0..<Self.handoffsPerWave {
                let conversation = "crash-\(wave)-\(index)"
                try await conversationUpToHandoff(harness, conversation, userID: "user-\(wave)-\(index)")
                expected[conversation] = ["incoming: My invoice is wrong", "outgoing: Which invoice?", "incoming: I want a human"]
            }
            if wave > 0 {
                let earlier = "crash-\(wave - 1)-0"
                try await harness.append(earlier, [.userMessage(UserMessage(messageId: "m-late-\(wave)", text: "Still there?"))])
                expected[earlier, default: []].append("incoming: Still there?")
            }
            wave += 1
        }

        // At each named step, four times, at its 1st to 4th passing.
        var killedAtSteps = 0
        for step in SagaStep.allCases {
            for _ in 0..<4 {
                try await appendWave()
                let run = try await runChildProcess(
                    executable, arguments + ["--crash-at", step.rawValue, "--crash-after", "\(Int.random(in: 1...4, using: &generator))"])
                if run.killed { killedAtSteps += 1 }
            }
        }
        #expect(killedAtSteps >= 10, "the worker reached its crash point in only \(killedAtSteps) of 12 runs")

        // At random moments.
        var killedAtRandom = 0
        for _ in 0..<30 {
            try await appendWave()
            let run = try await runChildProcess(
                executable, arguments, killAfter: .milliseconds(Int.random(in: 20...400, using: &generator)))
            if run.killed { killedAtRandom += 1 }
        }
        #expect(killedAtRandom >= 20, "the worker was killed mid-work in only \(killedAtRandom) of 30 runs")

        // A last run to the end.
        let last = try await runChildProcess(executable, arguments)
        #expect(!last.killed && last.status == 0, "the last run failed: \(last.status) \(last.output)")
        #expect(last.output.contains("dead=0"), "\(last.output)")

        let stats = harness.chatwoot.simulator.stats()
        #expect(stats.duplicateMessageSourceIDs.isEmpty)
        #expect(stats.duplicateConversationSourceIDs.isEmpty)
        var wrong: [String] = []
        for (conversation, messages) in expected.sorted(by: { $0.key < $1.key }) {
            let found = try await harness.chatwoot.client.conversations(
                ChatwootConversationQuery(sourceID: SupportMarker.sessionSourceID(conversationID: conversation, session: 1))
            ).conversations
            guard found.count == 1, let chatwoot = found.first else {
                wrong.append("\(conversation): \(found.count) Chatwoot conversations")
                continue
            }
            if chatwoot.team?.id != 4 { wrong.append("\(conversation): team \(String(describing: chatwoot.team?.id))") }
            let posted = try await transcript(harness, conversation: chatwoot.id)
            if posted != messages { wrong.append("\(conversation): \(posted)") }
            if !(try await harness.types(conversation)).contains(EventType.teamAssigned.rawValue) {
                wrong.append("\(conversation): no support.team_assigned in the log")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) handoffs differ: \(wrong.prefix(5))")
        #expect(try await harness.chatwoot.client.findContacts(identifier: "user-0-0").count == 1)
        await harness.stop()
    }
}
