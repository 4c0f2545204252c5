import ArgumentParser
import EventStore
import Foundation

/// `replay export <conversation> --html out.html`.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a conversation's timeline as a page a person can read.",
        discussion: """
            Writes one self-contained HTML file (styles inline; it fetches nothing and runs no script): who had \
            the conversation over time, as bands for the bot, routing, each team's queue and each agent, with the \
            routing decisions marked; the handoffs; then every event with the owner after it, messages as they \
            were written. Everything from the log is escaped. Reads the log without writing to it; writes only \
            the HTML file (replacing it).

            Example: replay export c-1001 --html c-1001.html
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The conversation id.")
    var conversation: String

    @Option(help: ArgumentHelp("The HTML file to write.", valueName: "out.html"))
    var html: String

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        let store = try self.store.openForReading()
        let history = try await ConversationHistory.load(conversation, from: store)
        let page = TimelinePage(history).render()
        do {
            try Data(page.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
        } catch {
            throw ReplayFailure("cannot write \(html): \(error.localizedDescription)")
        }
        if json {
            try Output.json(Result(file: html, conversationId: history.conversationID, events: history.entries.count))
        } else {
            Output.lines(["wrote \(html): conversation \(history.conversationID), \(history.entries.count) events"])
        }
    }

    /// The JSON of `export`.
    struct Result: Encodable {
        let file: String
        let conversationId: String
        let events: Int
    }
}
