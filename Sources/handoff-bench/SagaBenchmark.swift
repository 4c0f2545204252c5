import ArgumentParser
import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Logging
import Projections
import Synchronization

/// `handoff-bench saga`: handoffs end to end, from `handoff.requested` in the log to the team assigned in a simulated
/// Chatwoot, through the saga processor, the outbox and the dispatcher the service runs.
struct SagaBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saga",
        abstract: "Measure handoffs from handoff.requested to the team assigned in Chatwoot (the simulator, on loopback).",
        discussion: """
            Starts a Chatwoot simulator in this process on 127.0.0.1 (an ephemeral port; no traffic leaves loopback), \
            an event store (synchronous=FULL unless --durability normal), the outbox, the saga processor and the \
            dispatcher, all with their own run loops as handoffd runs them. It writes a routing table (default team 1; \
            acme.billing.* to team 4, acme.shop.Refund to team 7), then --handoffs conversations of four events each \
            (conversation.started, user message, bot reply, user message), untimed. Then it appends one \
            handoff.requested per conversation, naming an unfinished skill that routes to team 4 or 7: all at once \
            (16 appenders, a backlog to drain) or, with --rate, spread evenly at that many a second. Each handoff \
            makes six commands (contact, conversation, three messages, team) and eight Chatwoot requests (a lookup \
            before the contact and the conversation creates), more after faults.

            Figures come from the log: a handoff's latency is the recordedAt of its support.team_assigned minus \
            that of its handoff.requested (milliseconds); the run's time is from the first handoff.requested to the \
            last support.team_assigned, and handoffs/s is --handoffs over that time. Requests, creates and \
            duplicates (extra copies of a message source_id or a conversation source_id) are the simulator's \
            stats; dead commands and retries are counted from the dispatcher's outcomes. Duplicates and dead \
            commands must be 0: the figures are printed, then the run fails if either is not.

            Settings are the service's defaults (dispatcher concurrency 8, 8 attempts, backoff from 500 ms with \
            jitter up to 300 s, circuit breaker after 5 outage failures for 30 s, outbox polled every 50 ms when \
            idle, Chatwoot timeout 10 s) except the wait before looking up the marker after an unknown outcome (a \
            5xx, a timeout): 30 s in the service, 50 ms here (--unknown-outcome-wait-ms), since the simulator \
            commits before it answers and a longer wait would only measure sleeping.

            --fault-rate 0.1 makes every 10th create request of each kind (POST contacts, conversations, messages \
            and assignments) answer 500 without committing, through the simulator's fault plan ("every": 10); the \
            rate is rounded to 1/n. Retries are create requests too, so they count towards every 10th.

            Example: swift run -c release handoff-bench saga --handoffs 1000 --fault-rate 0.1 --json
            """
    )

    @Option(help: "Handoffs (conversations) to run.") var handoffs = 1_000
    @Option(
        name: [.customLong("concurrency"), .customLong("conversations-in-parallel")],
        help: "Conversations the dispatcher serves at once (the service's default is 8).")
    var concurrency = 8
    @Option(help: "Share of Chatwoot create requests that answer 500 (0 to 0.5, rounded to 1/n).") var faultRate = 0.0
    @Option(help: "Handoff requests per second, spread evenly (default: all at once).") var rate: Double?
    @Option(help: "The dispatcher's first backoff in milliseconds (the service's default is 500).") var backoffMs = 500
    @Option(help: "The least wait before an uncertain command looks its marker up, in milliseconds (service: 30000).")
    var unknownOutcomeWaitMs = 50
    @Option(help: "full or normal (SQLite's synchronous).") var durability: String = "full"
    @Option(help: "Keep the log in this database file (it must not exist yet).") var db: String?
    @Option(help: "Give up after this many seconds of waiting for the team assignments.") var timeout = 600.0
    @Flag(help: "Print one JSON object instead of text.") var json = false

    /// The teams the routing table sends the benchmark's skills to, and the skills.
    private static let skills: [(skill: String, team: Int)] = [("acme.billing.Invoice", 4), ("acme.shop.Refund", 7)]
    private static let routing =
        #"{"defaultTeam": 1, "teams": [{"team": 4, "skills": ["acme.billing.*"]}, {"team": 7, "skills": ["acme.shop.Refund"]}]}"#
    private static let token = "bench-token"

    func validate() throws {
        guard handoffs > 0 else { throw ValidationError("--handoffs must be positive") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
        guard faultRate >= 0, faultRate <= 0.5 else { throw ValidationError("--fault-rate must be between 0 and 0.5") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
        guard backoffMs >= 0, unknownOutcomeWaitMs >= 0 else {
            throw ValidationError("--backoff-ms and --unknown-outcome-wait-ms must not be negative")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard SQLiteEventStore.Durability(rawValue: durability) != nil else {
            throw ValidationError("--durability must be full or normal")
        }
        if let db, FileManager.default.fileExists(atPath: db) {
            throw ValidationError("--db \(db) exists already: give the path of a new file")
        }
    }

    /// Every n-th create request fails; nil without faults.
    private var faultEvery: Int? { faultRate > 0 ? max(2, Int((1 / faultRate).rounded())) : nil }

    func run() async throws {
        let folder = try BenchFolder(db.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
        defer { folder.removeIfTemporary() }
        let path = db ?? folder.url.appendingPathComponent("saga.sqlite").path
        var logger = Logger(label: "handoff-bench.saga")
        logger.logLevel = .warning

        let store = try SQLiteEventStore(
            path: path, configuration: .init(durability: SQLiteEventStore.Durability(rawValue: durability) ?? .full))
        let outbox = Outbox(store: store)
        try await outbox.prepare()
        let simulator = ChatwootSimulator(
            configuration: SimulatorConfiguration(apiToken: Self.token, host: "127.0.0.1", port: 0, faults: faultPlan),
            logger: logger)
        let port: Int
        do {
            port = try await simulator.start()
        } catch {
            await store.close()
            throw BenchmarkError("the Chatwoot simulator did not start: \(error)")
        }
        let result: Result<SagaReport, any Error>
        do {
            result = .success(try await runHandoffs(store: store, outbox: outbox, simulator: simulator, port: port, logger: logger))
        } catch {
            result = .failure(error)
        }
        await simulator.stop()
        await store.close()
        let report = try result.get()

        try printReport(report, text: report.text, json: json)
        var problems: [String] = []
        if report.completed < report.handoffs { problems.append("\(report.handoffs - report.completed) handoffs never got their team") }
        if report.duplicates > 0 { problems.append("\(report.duplicates) duplicates in Chatwoot") }
        if report.dead > 0 { problems.append("\(report.dead) dead commands") }
        if report.misrouted > 0 { problems.append("\(report.misrouted) handoffs routed elsewhere than the table says") }
        if !problems.isEmpty { throw BenchmarkError("saga benchmark failed: " + problems.joined(separator: "; ")) }
    }

    /// Every n-th create of each kind answers 500, handling nothing.
    private var faultPlan: FaultPlan {
        guard let every = faultEvery else { return FaultPlan() }
        let paths = ["contacts", "conversations", "conversations/*/messages", "conversations/*/assignments"]
        return FaultPlan(
            rules: paths.map {
                FaultRule(method: "POST", path: "/api/v1/accounts/1/\($0)", fault: .status(500), count: nil, every: every)
            })
    }

    private func runHandoffs(
        store: SQLiteEventStore, outbox: Outbox, simulator: ChatwootSimulator, port: Int, logger: Logger
    ) async throws -> SagaReport {
        let counters = DispatchCounters()
        let processor = SagaProcessor(store: store, outbox: outbox, relaysToBot: false, logger: logger)
        let retry = RetryPolicy(
            baseDelay: .milliseconds(backoffMs), unknownOutcomeWait: .milliseconds(unknownOutcomeWaitMs))
        let client = ChatwootClient(
            configuration: ChatwootConfiguration(
                baseURL: "http://127.0.0.1:\(port)", accountID: 1, inboxID: 1, apiToken: Self.token),
            logger: logger)
        let dispatcher = Dispatcher(
            store: store, outbox: outbox, support: ChatwootSupportSystem(client: client), bot: nil,
            configuration: Dispatcher.Configuration(retry: retry, concurrency: concurrency), logger: logger,
            onOutcome: { kind, outcome in counters.record(kind, outcome) })

        let table = try RoutingTable(jsonData: Data(Self.routing.utf8))
        _ = try await store.append([table.eventData(eventID: UUID(), occurredAt: Date())], to: .routing, expected: .noStream)

        enum Finished: Sendable { case driver, stopped(String) }
        try await withThrowingTaskGroup(of: Finished.self) { group in
            group.addTask {
                _ = try await processor.run()
                return .stopped("the saga processor stopped")
            }
            group.addTask {
                try await dispatcher.run()
                return .stopped("the dispatcher stopped")
            }
            group.addTask {
                try await drive(store: store, outbox: outbox, counters: counters)
                return .driver
            }
            defer { group.cancelAll() }
            if case .stopped(let what) = try await group.next() {
                throw BenchmarkError("\(what) before the handoffs were done")
            }
        }
        return try await report(store: store, simulator: simulator, counters: counters)
    }

    /// Writes the transcripts, waits for the saga to catch up, appends the handoff requests and waits until every
    /// handoff has its team (or nothing is left to do, or the timeout passes).
    private func drive(store: SQLiteEventStore, outbox: Outbox, counters: DispatchCounters) async throws {
        progress("writing \(handoffs) conversations")
        let codec = EventCodec()
        let count = handoffs
        try await concurrently(count) { index in
            let id = Self.conversationID(index)
            let events: [ConversationEvent] = [
                .conversationStarted(
                    ConversationStarted(channel: "web", userId: "u-\(index)", user: UserProfile(name: "User \(index)"))),
                .userMessage(UserMessage(messageId: "m-1", text: "Hello, I have a question about my order")),
                .botMessage(BotMessage(messageId: "m-2", text: "Sure, which order is it?")),
                .userMessage(UserMessage(messageId: "m-3", text: "I would rather talk to a person")),
            ]
            let data = try events.map {
                try codec.encode(
                    $0, eventID: UUID(), occurredAt: Date(), metadata: EventMetadata(correlationId: id, actor: "bot-platform"))
            }
            _ = try await store.append(data, to: try StreamID.conversation(id), expected: .noStream)
        }
        try await waitForSaga(store: store, outbox: outbox)

        progress("requesting \(handoffs) handoffs" + (rate.map { " at \($0)/s" } ?? " at once"))
        let request: @Sendable (Int) async throws -> Void = { index in
            let id = Self.conversationID(index)
            let skill = Self.skills[index % Self.skills.count].skill
            let event = ConversationEvent.handoffRequested(HandoffRequested(reason: "user_asked", unfinishedSkills: [skill]))
            let data = try codec.encode(
                event, eventID: UUID(), occurredAt: Date(), metadata: EventMetadata(correlationId: id, actor: "bot-platform"))
            _ = try await store.append([data], to: try StreamID.conversation(id), expected: .exact(3))
        }
        let clock = ContinuousClock()
        let start = clock.now
        if let rate {
            for index in 0..<count {
                try await Task.sleep(until: start.advanced(by: .seconds(Double(index) / rate)), clock: clock)
                try await request(index)
            }
        } else {
            try await concurrently(count, request)
        }

        let deadline = start.advanced(by: .seconds(timeout))
        var lastCheck = clock.now
        while counters.assigned < count {
            try await Task.sleep(for: .milliseconds(10))
            guard clock.now < deadline else {
                throw BenchmarkError("timed out after \(timeout) s with \(counters.assigned) of \(count) teams assigned")
            }
            // With dead commands some handoffs may never get their team: stop once nothing is left to do.
            if counters.dead > 0, clock.now - lastCheck > .milliseconds(500) {
                lastCheck = clock.now
                let depth = try await outbox.depth()
                if (depth[.pending] ?? 0) + (depth[.inFlight] ?? 0) == 0,
                    try await outbox.checkpoint(SagaProcessor.checkpointName) >= store.headPosition()
                {
                    return
                }
            }
        }
    }

    /// Waits until the saga's checkpoint has reached the head of the log.
    private func waitForSaga(store: SQLiteEventStore, outbox: Outbox) async throws {
        let head = try await store.headPosition()
        let deadline = ContinuousClock.now.advanced(by: .seconds(timeout))
        while try await outbox.checkpoint(SagaProcessor.checkpointName) < head {
            guard ContinuousClock.now < deadline else { throw BenchmarkError("the saga did not catch up with the log") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Runs `body` for `0..<count` on 16 tasks, each taking every 16th index.
    private func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let appenders = 16
        try await withThrowingTaskGroup(of: Void.self) { group in
            for appender in 0..<appenders {
                group.addTask {
                    for index in stride(from: appender, to: count, by: appenders) { try await body(index) }
                }
            }
            try await group.waitForAll()
        }
    }

    /// The figures, from the log and the simulator's stats.
    private func report(store: SQLiteEventStore, simulator: ChatwootSimulator, counters: DispatchCounters) async throws
        -> SagaReport
    {
        let codec = EventCodec()
        var requested: [StreamID: Date] = [:]
        var assigned: [StreamID: Date] = [:]
        var misrouted = 0
        var next: Int64 = 1
        while true {
            let page = try await store.readAll(from: next, limit: 1000)
            guard let last = page.last else { break }
            next = last.position + 1
            for record in page {
                switch record.type {
                case "handoff.requested": requested[record.streamID] = record.recordedAt
                case "support.team_assigned": assigned[record.streamID] = assigned[record.streamID] ?? record.recordedAt
                case "handoff.routed":
                    if case .handoffRouted(let routed) = try codec.decode(record), routed.rule == "default" { misrouted += 1 }
                default: break
                }
            }
        }
        let latencies = requested.compactMap { stream, at in assigned[stream].map { $0.timeIntervalSince(at) * 1000 } }
            .sorted()
        let first = requested.values.min()
        let lastAssigned = assigned.values.max()
        let seconds = first.flatMap { first in lastAssigned.map { $0.timeIntervalSince(first) } } ?? 0
        let stats = simulator.stats()
        let duplicates =
            stats.duplicateMessageSourceIDs.reduce(0) { $0 + $1.count - 1 }
            + stats.duplicateConversationSourceIDs.reduce(0) { $0 + $1.count - 1 }
        return SagaReport(
            handoffs: handoffs, completed: latencies.count, concurrency: concurrency,
            faultRate: faultEvery.map { 1 / Double($0) } ?? 0, arrivalRate: rate, durability: durability,
            seconds: seconds, handoffsPerSecond: seconds > 0 ? Double(latencies.count) / seconds : 0,
            p50Ms: Self.percentile(latencies, 0.50), p99Ms: Self.percentile(latencies, 0.99), maxMs: latencies.last ?? 0,
            requests: stats.requests, faultsApplied: stats.faultsApplied, creates: stats.creates, duplicates: duplicates,
            dead: counters.dead, retries: counters.retries, misrouted: misrouted, backoffMs: backoffMs,
            unknownOutcomeWaitMs: unknownOutcomeWaitMs)
    }

    /// The nearest-rank percentile of sorted values; 0 for none.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func conversationID(_ index: Int) -> String { "bench-" + Workload.padded(index, 7) }

    private func progress(_ phase: String) {
        FileHandle.standardError.write(Data("handoff-bench: \(phase)\n".utf8))
    }
}

/// Counts the dispatcher's outcomes as they happen.
final class DispatchCounters: Sendable {
    private struct Counts {
        var assigned = 0
        var dead = 0
        var retries = 0
    }

    private let counts = Mutex(Counts())

    /// Team assignments done.
    var assigned: Int { counts.withLock { $0.assigned } }
    /// Commands parked as dead.
    var dead: Int { counts.withLock { $0.dead } }
    /// Attempts that failed and were scheduled again.
    var retries: Int { counts.withLock { $0.retries } }

    func record(_ kind: SupportAction.Kind, _ outcome: DispatchOutcome) {
        counts.withLock {
            switch outcome {
            case .done: if kind == .assignTeam { $0.assigned += 1 }
            case .dead: $0.dead += 1
            case .retry: $0.retries += 1
            }
        }
    }
}

/// The saga benchmark's figures; times in seconds unless named otherwise.
struct SagaReport: Encodable {
    var handoffs: Int
    /// Handoffs whose team assignment is in the log.
    var completed: Int
    var concurrency: Int
    /// The share of create requests that answered 500.
    var faultRate: Double
    /// Handoff requests per second, nil when all were appended at once.
    var arrivalRate: Double?
    var durability: String
    var seconds: Double
    var handoffsPerSecond: Double
    var p50Ms: Double
    var p99Ms: Double
    var maxMs: Double
    /// Chatwoot API requests, as the simulator counted them.
    var requests: Int
    var faultsApplied: Int
    var creates: SimulatorStats.Creates
    var duplicates: Int
    var dead: Int
    var retries: Int
    /// Handoffs the saga routed to the default team although their skill has a team.
    var misrouted: Int
    var backoffMs: Int
    var unknownOutcomeWaitMs: Int

    enum CodingKeys: String, CodingKey {
        case handoffs, completed, concurrency, faultRate, arrivalRate, durability, seconds, handoffsPerSecond, p50Ms
        case p99Ms, maxMs, requests, requestsPerHandoff, faultsApplied, creates, duplicates, dead, retries, misrouted
        case backoffMs, unknownOutcomeWaitMs
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(handoffs, forKey: .handoffs)
        try container.encode(completed, forKey: .completed)
        try container.encode(concurrency, forKey: .concurrency)
        try container.encode(rounded(faultRate, 4), forKey: .faultRate)
        try container.encodeIfPresent(arrivalRate, forKey: .arrivalRate)
        try container.encode(durability, forKey: .durability)
        try container.encode(rounded(seconds, 3), forKey: .seconds)
        try container.encode(rounded(handoffsPerSecond, 1), forKey: .handoffsPerSecond)
        try container.encode(rounded(p50Ms, 0), forKey: .p50Ms)
        try container.encode(rounded(p99Ms, 0), forKey: .p99Ms)
        try container.encode(rounded(maxMs, 0), forKey: .maxMs)
        try container.encode(requests, forKey: .requests)
        try container.encode(rounded(Double(requests) / Double(max(handoffs, 1)), 2), forKey: .requestsPerHandoff)
        try container.encode(faultsApplied, forKey: .faultsApplied)
        try container.encode(creates, forKey: .creates)
        try container.encode(duplicates, forKey: .duplicates)
        try container.encode(dead, forKey: .dead)
        try container.encode(retries, forKey: .retries)
        try container.encode(misrouted, forKey: .misrouted)
        try container.encode(backoffMs, forKey: .backoffMs)
        try container.encode(unknownOutcomeWaitMs, forKey: .unknownOutcomeWaitMs)
    }

    private func rounded(_ value: Double, _ places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }

    var text: String {
        let arrivals = arrivalRate.map { "requested at \($0)/s" } ?? "requested at once"
        return [
            "handoff-bench saga: \(handoffs) handoffs \(arrivals), dispatcher concurrency \(concurrency), "
                + "fault rate \(rounded(faultRate, 4)), synchronous=\(durability.uppercased())",
            "completed          \(completed) in \(rounded(seconds, 3)) s: \(rounded(handoffsPerSecond, 1)) handoffs/s",
            "latency            p50 \(Int(p50Ms.rounded())) ms, p99 \(Int(p99Ms.rounded())) ms, max \(Int(maxMs.rounded())) ms "
                + "(handoff.requested to support.team_assigned, recordedAt in the log)",
            "Chatwoot requests  \(requests) (\(faultsApplied) answered 500 by the fault plan); created "
                + "\(creates.contacts) contacts, \(creates.conversations) conversations, \(creates.messages) messages",
            "duplicates \(duplicates), dead commands \(dead), retries \(retries), misrouted \(misrouted)",
            "backoff from \(backoffMs) ms, unknown-outcome wait \(unknownOutcomeWaitMs) ms",
        ].joined(separator: "\n")
    }
}
