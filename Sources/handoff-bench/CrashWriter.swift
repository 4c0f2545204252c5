import ArgumentParser
import EventStore
import Foundation

/// `handoff-bench crash-writer`: appends until killed, printing each acknowledged event, for the crash test.
struct CrashWriter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-writer",
        abstract: "Append events until killed, printing 'ack <event id> <position>' after each acknowledged append.",
        discussion: """
            Used by the crash test: kill it with SIGKILL at any moment, reopen the database, and every printed \
            event must be there exactly once. Appends come from several tasks, so group commits are exercised.

            Example: handoff-bench crash-writer --db crash.sqlite --appenders 4
            """,
        shouldDisplay: false
    )

    @Option(help: "The database file.") var db: String
    @Option(help: "Concurrent appending tasks.") var appenders = 4
    @Option(help: "full or normal.") var durability = "full"

    func run() async throws {
        let mode = SQLiteEventStore.Durability(rawValue: durability) ?? .full
        let store = try SQLiteEventStore(path: db, configuration: .init(durability: mode))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for appender in 0..<appenders {
                group.addTask {
                    var count = 0
                    while true {
                        count += 1
                        let event = EventData(
                            eventID: UUID(), type: "user.message",
                            data: Data(#"{"messageId":"m-\#(count)","text":"crash test \#(appender)"}"#.utf8),
                            occurredAt: Date())
                        let stream = try StreamID.conversation("crash-\(appender)-\(count % 3)")
                        let result = try await store.append([event], to: stream)
                        // One write(2) per line: lines from several tasks never interleave.
                        let line = "ack \(event.eventID.uuidString.lowercased()) \(result.positions[0])\n"
                        FileHandle.standardOutput.write(Data(line.utf8))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
