import ArgumentParser
import EventStore
import Foundation
import Projections

/// `handoff-bench projections`: rebuild every read model from position 0 on a realistic conversation log.
struct ProjectionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "Measure the projection runner rebuilding its read models from position 0.",
        discussion: """
            Writes a log of --events events over --conversations conversations (sessions with user and bot \
            messages, skills, handoffs with routing decisions, agents, transfers and closes; appended ten events \
            per conversation at a time, so conversations interleave), then times the runner's rebuild from 0: \
            reading the log, decoding each event, folding session state, audit segments and handoffs, and writing \
            the read-model tables with their checkpoint. With --db the log is kept (and reused when the file \
            already holds one), for example as a large log for `replay`.

            Example: swift run -c release handoff-bench projections --events 1000000 --json
            """
    )

    @Option(help: "Events in the log.") var events = 1_000_000
    @Option(help: "Conversations the events are spread over.") var conversations = 10_000
    @Option(help: "Keep the log in this database file (reused when it already holds events).") var db: String?
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func validate() throws {
        guard events > 0, conversations > 0, events % conversations == 0, events / conversations >= 2 else {
            throw ValidationError("--events must be a multiple of --conversations, at least 2 per conversation")
        }
    }

    func run() async throws {
        let folder = try BenchFolder(db.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
        defer { folder.removeIfTemporary() }
        let path = db ?? folder.url.appendingPathComponent("projections.sqlite").path
        let store = try SQLiteEventStore(path: path, configuration: .init(durability: .normal))
        var loadSeconds: Double?
        if try await store.headPosition() == 0 {
            loadSeconds = try await measure { try await load(into: store) }
        }
        let head = try await store.headPosition()
        let (progress, seconds) = try await measure(returning: { try await ProjectionRunner(store: store).rebuild() })
        let applied = progress.applied
        let rate = Double(head) / seconds
        let readModels = ReadModels(store: store)
        let rows = try await readModels.conversations().count
        await store.close()
        if json {
            var fields = [
                "\"events\":\(head)", "\"conversations\":\(rows)", "\"applied\":\(applied)",
                "\"rebuildSeconds\":\(rounded(seconds))", "\"eventsPerSecond\":\(Int(rate))",
            ]
            if let loadSeconds { fields.append("\"loadSeconds\":\(rounded(loadSeconds))") }
            print("{" + fields.joined(separator: ",") + "}")
        } else {
            if let loadSeconds { print("log written: \(head) events in \(rounded(loadSeconds)) s") }
            print("rebuild: \(head) events (\(applied) applied, \(rows) conversations) in \(rounded(seconds)) s")
            print("         \(Int(rate)) events/s")
        }
    }

    /// Writes the log: ten events per conversation per append, conversations round-robin, 16 appenders at once.
    private func load(into store: SQLiteEventStore) async throws {
        var log = ConversationLog()
        let scripts = try log.conversations(conversations, perConversation: events / conversations)
        let chunk = 10
        let rounds = (events / conversations + chunk - 1) / chunk
        let appenders = 16
        try await withThrowingTaskGroup(of: Void.self) { group in
            for appender in 0..<appenders {
                group.addTask {
                    for round in 0..<rounds {
                        for index in stride(from: appender, to: scripts.count, by: appenders) {
                            let (stream, events) = scripts[index]
                            let start = round * chunk
                            guard start < events.count else { continue }
                            let slice = Array(events[start..<min(start + chunk, events.count)])
                            _ = try await store.append(
                                slice, to: stream, expected: start == 0 ? .noStream : .exact(Int64(start - 1)))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    private func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
