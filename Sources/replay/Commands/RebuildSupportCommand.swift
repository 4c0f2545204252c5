import ArgumentParser
import EventStore
import Foundation
import HandoffSaga

/// `replay rebuild-support`: what Chatwoot must hold, from the log alone; then, unless `--dry-run`, the saga's
/// outbox carries it out idempotently.
struct RebuildSupportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild-support",
        abstract: "Plan, then rebuild, what Chatwoot must hold for the handoffs in the log. Writes (not with --dry-run).",
        discussion: """
            For each handoff session chosen (all, those requested in a period, or those still open) the plan lists \
            the Chatwoot conversation it needs: the contact, the conversation in the team routed to, the \
            transcript, and whether it must be resolved. Without --dry-run the plan's commands go into the \
            saga's outbox, each marked to look for its marker in Chatwoot before it creates anything, and are \
            carried out here with a progress bar on standard error: against a Chatwoot that kept its data, nothing \
            is created twice; against one that lost it, or a new installation, everything is created again and \
            the log records the new ids. Running it again is safe.

            Chatwoot is named by the same environment variables as handoffd: CHATWOOT_URL, CHATWOOT_ACCOUNT_ID, \
            CHATWOOT_INBOX_ID and CHATWOOT_API_TOKEN. A running handoffd may deliver some of the commands itself; \
            that is safe too.

            Example: replay rebuild-support --dry-run --open-only --db handoff.sqlite
            Example: replay rebuild-support --since 2026-11-24 --db handoff.sqlite
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var period: PeriodOptions

    @Flag(help: "Show the plan and stop; nothing is written or sent.")
    var dryRun = false

    @Flag(help: "Only the sessions whose handoff is still open.")
    var openOnly = false

    @Option(help: ArgumentHelp("Give up waiting for the plan after this many seconds.", valueName: "seconds"))
    var timeout: Int = 600

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        let selection = RebuildSelection(since: period.since, until: period.until, openOnly: openOnly)
        let generation = "rebuild-\(WireTimestamp.format(Date()))"
        if dryRun {
            let store = try self.store.openForReading()
            let plan: RebuildPlan
            do {
                plan = try await SupportRebuild(store: store, outbox: Outbox(store: store)).plan(selection, generation: generation)
            } catch {
                await store.close()
                throw ReplayFailure("cannot plan the rebuild: \(error)")
            }
            await store.close()
            try report(plan, progress: nil)
            return
        }
        let chatwoot = try Self.chatwootFromEnvironment()
        let (store, _) = try self.store.openForWriting(creating: false)
        let outcome: (RebuildPlan, [OutboxState: Int])
        do {
            outcome = try await rebuild(store: store, chatwoot: chatwoot, selection: selection, generation: generation)
        } catch {
            await store.close()
            throw (error as? ReplayFailure) ?? ReplayFailure("the rebuild failed (what is done stays done; run it again): \(error)")
        }
        await store.close()
        try report(outcome.0, progress: outcome.1)
        if (outcome.1[.dead] ?? 0) > 0 {
            throw ReplayFailure(
                "\(outcome.1[.dead] ?? 0) command(s) failed for good (support.command_failed is in the log); "
                    + "fix the cause and run the rebuild again")
        }
    }

    private func rebuild(
        store: SQLiteEventStore, chatwoot: ChatwootConfiguration, selection: RebuildSelection, generation: String
    ) async throws -> (RebuildPlan, [OutboxState: Int]) {
        let outbox = Outbox(store: store)
        try await outbox.prepare()
        let engine = SupportRebuild(store: store, outbox: outbox)
        let plan = try await engine.plan(selection, generation: generation)
        if !json { Output.lines(planLines(plan)) }
        try await engine.enqueue(plan)
        let dispatcher = Dispatcher(
            store: store, outbox: outbox, support: ChatwootSupportSystem(client: ChatwootClient(configuration: chatwoot)),
            bot: nil)
        let total = plan.commands.count
        let bar = ProgressBar(total: total)
        let deadline = ContinuousClock.now + .seconds(timeout)
        var progress = try await engine.progress(plan)
        while (progress[.pending] ?? 0) + (progress[.inFlight] ?? 0) > 0 {
            guard ContinuousClock.now < deadline else {
                bar.finish()
                throw ReplayFailure(
                    "\((progress[.pending] ?? 0) + (progress[.inFlight] ?? 0)) of \(total) command(s) still waiting "
                        + "after \(timeout) s (Chatwoot unreachable?); they stay in the outbox: run the rebuild again "
                        + "or let handoffd deliver them")
            }
            if try await dispatcher.runOnce() == 0 { try await Task.sleep(for: .milliseconds(100)) }
            progress = try await engine.progress(plan)
            bar.show(done: (progress[.done] ?? 0) + (progress[.dead] ?? 0))
        }
        bar.finish()
        return (plan, progress)
    }

    private func report(_ plan: RebuildPlan, progress: [OutboxState: Int]?) throws {
        if json {
            try Output.json(
                Result(
                    generation: plan.generation, dryRun: progress == nil,
                    items: plan.items.map {
                        Result.Item(
                            conversationId: $0.conversationID, session: $0.session, requestedAt: $0.requestedAt,
                            team: $0.team, messages: $0.messages, resolved: $0.resolved, commands: $0.commands.count)
                    },
                    commands: plan.commands.count, done: progress?[.done], dead: progress?[.dead]))
            return
        }
        if let progress {
            Output.lines([
                "rebuilt: \(progress[.done] ?? 0) of \(plan.commands.count) command(s) done, \(progress[.dead] ?? 0) failed"
            ])
        } else {
            Output.lines(planLines(plan) + ["dry run: nothing was written or sent"])
        }
    }

    private func planLines(_ plan: RebuildPlan) -> [String] {
        let scope = [openOnly ? "open handoffs" : "handoffs", period.text].filter { !$0.isEmpty }.joined(separator: " ")
        var lines = ["\(plan.items.count) \(scope) to rebuild, \(plan.commands.count) command(s)"]
        guard !plan.items.isEmpty else { return lines }
        var table = TextTable(
            ["conversation", "session", "requested", "team", "messages", "status"],
            alignments: [.left, .right, .left, .left, .right, .left])
        for item in plan.items {
            table.add([
                item.conversationID, "\(item.session)", Format.time(item.requestedAt),
                item.team.map { "team \($0)" } ?? "-", "\(item.messages)", item.resolved ? "resolved" : "open",
            ])
        }
        lines += [""] + table.lines()
        return lines
    }

    /// Chatwoot's settings, from the variables handoffd reads.
    static func chatwootFromEnvironment() throws(ReplayFailure) -> ChatwootConfiguration {
        let environment = ProcessInfo.processInfo.environment
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let missing = ["CHATWOOT_URL", "CHATWOOT_ACCOUNT_ID", "CHATWOOT_INBOX_ID", "CHATWOOT_API_TOKEN"].filter {
            value($0) == nil
        }
        guard missing.isEmpty else {
            throw ReplayFailure(
                "Chatwoot is not configured: set \(missing.joined(separator: ", ")) (as for handoffd), or use --dry-run")
        }
        guard let url = value("CHATWOOT_URL"), url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ReplayFailure("CHATWOOT_URL must start with http:// or https://")
        }
        guard let account = value("CHATWOOT_ACCOUNT_ID").flatMap(Int.init), account > 0 else {
            throw ReplayFailure("CHATWOOT_ACCOUNT_ID must be a positive integer")
        }
        guard let inbox = value("CHATWOOT_INBOX_ID").flatMap(Int.init), inbox > 0 else {
            throw ReplayFailure("CHATWOOT_INBOX_ID must be a positive integer")
        }
        return ChatwootConfiguration(baseURL: url, accountID: account, inboxID: inbox, apiToken: value("CHATWOOT_API_TOKEN") ?? "")
    }

    /// The JSON of `rebuild-support`.
    struct Result: Encodable {
        struct Item: Encodable {
            let conversationId: String
            let session: Int
            let requestedAt: Date
            let team: Int?
            let messages: Int
            let resolved: Bool
            let commands: Int
        }

        let generation: String
        let dryRun: Bool
        let items: [Item]
        let commands: Int
        /// Commands done and failed for good (absent in a dry run).
        let done: Int?
        let dead: Int?
    }
}

/// A one-line progress bar on standard error, redrawn in place on a terminal and printed at 10 % steps elsewhere.
final class ProgressBar {
    private let total: Int
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastShown = -1

    init(total: Int) {
        self.total = max(total, 1)
    }

    func show(done: Int) {
        let percent = min(100, done * 100 / total)
        guard isTerminal ? percent != lastShown : percent / 10 != lastShown / 10 || lastShown < 0 else { return }
        lastShown = percent
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "[\(bar)] \(percent)% (\(done)/\(total) commands)"
        FileHandle.standardError.write(Data((isTerminal ? "\r\(line)" : "\(line)\n").utf8))
    }

    func finish() {
        if isTerminal && lastShown >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
