import ArgumentParser
import EventStore
import Foundation
import Projections

/// `replay import file.jsonl...`: writes.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import events in the wire form (JSON lines) into the log. Writes.",
        discussion: """
            Each line is one event in the wire form with its conversationId. Every line of every file is checked \
            first; a bad line stops the import before anything is written, naming the file, the line and the \
            field. Events the bot platform sends go through the same rules as ingestion (a bot message while \
            people own the session is refused, a second handoff request changes nothing); routing decisions, \
            support outcomes and agent actions are stored as they are. Events already stored are passed over, so \
            importing a file twice writes nothing the second time. Each conversation's new events are appended \
            in one atomic append, in the order conversations first appear. Creates the database when it does not \
            exist. This command writes; the read models catch up when handoffd runs, or with `replay projections \
            rebuild`.

            Example: replay import conversations.jsonl --db handoff.sqlite
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("JSON-lines files of events in the wire form.", valueName: "file.jsonl"))
    var files: [String]

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file to import") }
    }

    func run() async throws {
        var lines: [ImportLine] = []
        for file in files { lines += try ImportLine.read(file) }
        var order: [String] = []
        var byConversation: [String: [ImportLine]] = [:]
        for line in lines {
            if byConversation[line.conversationID] == nil { order.append(line.conversationID) }
            byConversation[line.conversationID, default: []].append(line)
        }
        let (store, created) = try self.store.openForWriting(creating: true)
        var plans: [ConversationImport] = []
        for conversationID in order {
            plans.append(
                try await ConversationImport.plan(conversationID, lines: byConversation[conversationID] ?? [], store: store))
        }
        var results: [ImportJSON.Conversation] = []
        for plan in plans {
            results.append(try await Self.append(plan, to: store, done: results))
        }
        await store.close()
        let result = ImportJSON(database: store.path, created: created, conversations: results, plans: plans)
        if json {
            try Output.json(result)
        } else {
            Output.lines(Self.lines(result))
        }
    }

    /// Appends a conversation's new events in one append.
    private static func append(
        _ plan: ConversationImport, to store: SQLiteEventStore, done: [ImportJSON.Conversation]
    ) async throws -> ImportJSON.Conversation {
        var positions: [Int64] = []
        if !plan.newEvents.isEmpty {
            do {
                positions = try await store.append(
                    plan.newEvents, to: try StreamID.conversation(plan.conversationID), expected: plan.expected
                ).positions
            } catch {
                let written = done.map(\.written).reduce(0, +)
                throw ReplayFailure(
                    "\(plan.conversationID): nothing of it was imported: \(error.message)"
                        + (error.code == .wrongExpectedVersion ? " (another writer changed it meanwhile)" : "")
                        + "; \(done.count) conversations before it were imported (\(written) events); "
                        + "importing again passes over what is stored")
            }
        }
        return ImportJSON.Conversation(plan, positions: positions)
    }

    private static func lines(_ result: ImportJSON) -> [String] {
        var lines = [
            (result.created ? "created \(result.database) and wrote to it" : "wrote to \(result.database)")
                + ": \(result.written) new events in \(result.conversations.filter { $0.written > 0 }.count) "
                + "conversations (\(result.alreadyStored) already stored, \(result.repeated.count) repeated, "
                + "\(result.refused.count) refused, \(result.noOps.count) changing nothing)", "",
        ]
        var table = TextTable(
            ["conversation", "new", "positions", "already stored", "repeated", "refused", "no-op"],
            alignments: [.left, .right, .left, .right, .right, .right, .right])
        for conversation in result.conversations {
            table.add([
                conversation.conversationId, String(conversation.written),
                conversation.positions.map { "\($0.first)-\($0.last)" } ?? "-", String(conversation.alreadyStored),
                String(conversation.repeated), String(conversation.refused), String(conversation.noOps),
            ])
        }
        lines += table.lines()
        func list(_ title: String, _ items: [ImportJSON.Line]) {
            guard !items.isEmpty else { return }
            lines += ["", title] + items.map { "  \($0.line): \($0.type): \($0.why)" }
        }
        list("refused by the ingestion rules (not stored):", result.refused)
        list("changing nothing (not stored):", result.noOps)
        list("repeated lines (stored once):", result.repeated)
        return lines
    }
}

/// The JSON of `import`.
struct ImportJSON: Encodable {
    /// One conversation's outcome.
    struct Conversation: Encodable {
        struct Range: Encodable {
            let first: Int64
            let last: Int64
        }
        let conversationId: String
        let written: Int
        /// The positions of the events written; nil when none was.
        let positions: Range?
        let alreadyStored: Int
        let repeated: Int
        let refused: Int
        let noOps: Int

        init(_ plan: ConversationImport, positions: [Int64]) {
            conversationId = plan.conversationID
            written = positions.count
            self.positions = positions.first.flatMap { first in positions.last.map { Range(first: first, last: $0) } }
            var counts = (stored: 0, repeated: 0, refused: 0, noOps: 0)
            for (_, outcome) in plan.passedOver {
                switch outcome {
                case .alreadyStored: counts.stored += 1
                case .repeated: counts.repeated += 1
                case .refused: counts.refused += 1
                case .noOp: counts.noOps += 1
                }
            }
            (alreadyStored, repeated, refused, noOps) = counts
        }
    }

    /// A line that was not stored, and why.
    struct Line: Encodable {
        /// `file.jsonl:5`.
        let line: String
        let conversationId: String
        let type: String
        let why: String
    }

    let database: String
    let created: Bool
    let written: Int
    let alreadyStored: Int
    let conversations: [Conversation]
    let refused: [Line]
    let noOps: [Line]
    let repeated: [Line]

    init(database: String, created: Bool, conversations: [Conversation], plans: [ConversationImport]) {
        self.database = database
        self.created = created
        self.conversations = conversations
        written = conversations.map(\.written).reduce(0, +)
        alreadyStored = conversations.map(\.alreadyStored).reduce(0, +)
        var refused: [Line] = []
        var noOps: [Line] = []
        var repeated: [Line] = []
        for plan in plans {
            for (line, outcome) in plan.passedOver {
                func item(_ why: String) -> Line {
                    Line(line: line.place, conversationId: line.conversationID, type: line.data.type, why: why)
                }
                switch outcome {
                case .alreadyStored: break
                case .refused(let refusal): refused.append(item("\(refusal.code): \(refusal.message)"))
                case .noOp: noOps.append(item("accepted as changing nothing in the state it came in"))
                case .repeated(let first): repeated.append(item("the same event as \(first)"))
                }
            }
        }
        (self.refused, self.noOps, self.repeated) = (refused, noOps, repeated)
    }
}
