import ArgumentParser
import CSQLite
import EventStore
import Foundation

/// `handoff-bench store`: the event store against plain SQLite on the same rows, schema and pragmas.
struct StoreBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Measure appends and reads of the SQLite event store, and the raw C-API baseline.",
        discussion: """
            Phases, each writing a fresh database: single-event appends (one transaction each, streams \
            interleaved), batches of 100 events per append, 16 concurrent single-event appenders (group commit). \
            The raw baseline (the same rows through sqlite3_step with the same schema and pragmas, one and 100 per \
            transaction) runs interleaved with the single and batched phases, slice by slice, so that both see the \
            same disk. Reads run on the database of the single-event phase: all events in global order, then whole \
            random streams.

            Example: swift run -c release handoff-bench store --events 100000 --streams 1000 --json
            """
    )

    @Option(help: "Events per phase.") var events = 100_000
    @Option(help: "Streams (conversations) the events are spread over.") var streams = 1_000
    @Option(help: "Events per append in the batched phase.") var batch = 100
    @Option(help: "Concurrent appenders in the group-commit phase.") var concurrency = 16
    @Option(help: "Random whole streams read in the stream-read phase.") var reads = 1_000
    @Option(help: "full or normal (SQLite's synchronous).") var durability: String = "full"
    @Option(help: "Folder for the databases (default: a new temporary folder, removed afterwards).") var dir: String?
    @Option(
        help: """
            Phases to run, comma-separated: single, read, batched, concurrent. 'read' alone re-reads the \
            single-phase database kept in --dir.
            """
    ) var phases = "single,read,batched,concurrent"
    @Flag(help: "Print one JSON object instead of text.") var json = false

    private var selected: Set<String> { Set(phases.split(separator: ",").map { String($0) }) }

    func validate() throws {
        guard events > 0, streams > 0, events % streams == 0 else {
            throw ValidationError("--events must be a positive multiple of --streams")
        }
        guard batch > 0, (events / streams) % batch == 0 || batch >= events / streams else {
            throw ValidationError("events per stream (\(events / streams)) must be a multiple of --batch")
        }
        guard concurrency > 0, reads > 0 else { throw ValidationError("--concurrency and --reads must be positive") }
        guard SQLiteEventStore.Durability(rawValue: durability) != nil else {
            throw ValidationError("--durability must be full or normal")
        }
        let known: Set<String> = ["single", "read", "batched", "concurrent"]
        guard selected.isSubset(of: known), !selected.isEmpty else {
            throw ValidationError("--phases takes a comma-separated list of: single, read, batched, concurrent")
        }
        if selected.contains("read") && !selected.contains("single") && dir == nil {
            throw ValidationError("reading without the single phase needs --dir with a database from an earlier run")
        }
    }

    func run() async throws {
        let mode = SQLiteEventStore.Durability(rawValue: durability) ?? .full
        let bench = try BenchFolder(dir)
        defer { bench.removeIfTemporary() }
        let folder = bench.url
        func database(_ name: String) -> String {
            let path = folder.appendingPathComponent(name + ".sqlite").path
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            return path
        }
        let workload = try Workload(events: events, streams: streams)
        var report = Report(events: workload.total, streams: streams, durability: mode.rawValue)

        let singlePath = selected.contains("single")
            ? database("single") : folder.appendingPathComponent("single.sqlite").path
        let singleStore = try SQLiteEventStore(path: singlePath, configuration: configuration)
        if selected.contains("single") {
            progress("single-event appends, interleaved with the raw baseline")
            let raw = try RawSQLite(path: database("raw-single"), mode: mode)
            var storeSeconds = 0.0
            var rawSeconds = 0.0
            // Ten slices, each run by the store and then by the raw baseline, so that the disk's drift over the run
            // weighs on both alike.
            for versions in Self.slices(of: workload.perStream) {
                storeSeconds += try await measure {
                    for version in versions {
                        for (s, stream) in workload.streams.enumerated() {
                            _ = try await singleStore.append(
                                [workload.events[s][version]], to: stream,
                                expected: Workload.expected(before: version))
                        }
                    }
                }
                let rows = versions.flatMap { v in workload.streams.indices.map { (stream: $0, version: v) } }
                rawSeconds += try raw.insert(rows, of: workload, perTransaction: 1)
            }
            report.single = Double(workload.total) / storeSeconds
            report.rawSingle = Double(workload.total) / rawSeconds
        }
        if selected.contains("read") { try await measureReads(singleStore, workload, into: &report) }
        await singleStore.close()
        if selected.contains("batched") {
            try await measureBatched(
                workload, database("batched"), raw: RawSQLite(path: database("raw-batched"), mode: mode),
                into: &report)
        }
        if selected.contains("concurrent") {
            try await measureConcurrent(workload, database("concurrent"), into: &report)
        }
        report.sqliteVersion = String(cString: sqlite3_libversion())
        report.payloadBytes = workload.events[0][0].data.count

        try printReport(report, text: report.text, json: json)
    }

    private var configuration: SQLiteEventStore.Configuration {
        .init(durability: SQLiteEventStore.Durability(rawValue: durability) ?? .full)
    }

    private func measureReads(_ store: SQLiteEventStore, _ workload: Workload, into report: inout Report) async throws {
        let singleStore = store
        progress("reading all events")
        let readAll = try await measure {
            var next: Int64 = 1
            var count = 0
            while true {
                let page = try await singleStore.readAll(from: next, limit: 1000)
                guard let last = page.last else { break }
                count += page.count
                next = last.position + 1
            }
            guard count == workload.total else { throw BenchmarkError("read \(count) of \(workload.total) events") }
        }
        report.readAll = Double(workload.total) / readAll

        progress("reading random streams")
        var generator = SeededGenerator(seed: 7)
        let picks = (0..<reads).map { _ in workload.streams[Int.random(in: 0..<workload.streams.count, using: &generator)] }
        let readStream = try await measure {
            for stream in picks {
                let records = try await singleStore.readStream(stream, limit: workload.perStream)
                guard records.count == workload.perStream else { throw BenchmarkError("short stream read") }
            }
        }
        report.readStream = Double(reads) / readStream
    }

    private func measureBatched(
        _ workload: Workload, _ path: String, raw: RawSQLite, into report: inout Report
    ) async throws {
        progress("batched appends, interleaved with the raw baseline")
        let batchedStore = try SQLiteEventStore(path: path, configuration: configuration)
        let step = min(batch, workload.perStream)
        var storeSeconds = 0.0
        var rawSeconds = 0.0
        for streams in Self.slices(of: workload.streams.count) {
            storeSeconds += try await measure {
                for s in streams {
                    for start in stride(from: 0, to: workload.perStream, by: step) {
                        _ = try await batchedStore.append(
                            Array(workload.events[s][start..<start + step]), to: workload.streams[s],
                            expected: Workload.expected(before: start))
                    }
                }
            }
            let rows = streams.flatMap { s in (0..<workload.perStream).map { (stream: s, version: $0) } }
            rawSeconds += try raw.insert(rows, of: workload, perTransaction: step)
        }
        report.batched = Double(workload.total) / storeSeconds
        report.rawBatched = Double(workload.total) / rawSeconds
        await batchedStore.close()
    }

    /// `0..<count` cut into at most ten consecutive ranges.
    private static func slices(of count: Int) -> [Range<Int>] {
        let size = max(1, (count + 9) / 10)
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    private func measureConcurrent(_ workload: Workload, _ path: String, into report: inout Report) async throws {
        progress("concurrent single-event appends")
        let concurrentStore = try SQLiteEventStore(path: path, configuration: configuration)
        let appenders = concurrency
        let concurrent = try await measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for appender in 0..<appenders {
                    group.addTask {
                        let mine = Array(stride(from: appender, to: workload.streams.count, by: appenders))
                        for version in 0..<workload.perStream {
                            for s in mine {
                                _ = try await concurrentStore.append(
                                    [workload.events[s][version]], to: workload.streams[s],
                                    expected: Workload.expected(before: version))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        report.concurrent = Double(workload.total) / concurrent
        await concurrentStore.close()
    }

    private func progress(_ phase: String) {
        FileHandle.standardError.write(Data("handoff-bench: \(phase)\n".utf8))
    }
}

/// The figures, in events per second unless named otherwise.
struct Report: Encodable {
    var events: Int
    var streams: Int
    var durability: String
    var single = 0.0
    var batched = 0.0
    var concurrent = 0.0
    var readAll = 0.0
    /// Whole streams per second.
    var readStream = 0.0
    var rawSingle = 0.0
    var rawBatched = 0.0
    var sqliteVersion = ""
    var payloadBytes = 0

    enum CodingKeys: String, CodingKey {
        case events, streams, durability, single, batched, concurrent, readAll, readStream, rawSingle, rawBatched
        case sqliteVersion, payloadBytes, singleVsRawSingle, batchedVsRawBatched, concurrentVsSingle
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(events, forKey: .events)
        try container.encode(streams, forKey: .streams)
        try container.encode(durability, forKey: .durability)
        for (key, value) in [
            (CodingKeys.single, single), (.batched, batched), (.concurrent, concurrent), (.readAll, readAll),
            (.readStream, readStream), (.rawSingle, rawSingle), (.rawBatched, rawBatched),
        ] {
            try container.encode(value.rounded(), forKey: key)
        }
        try container.encode(ratio(single, rawSingle), forKey: .singleVsRawSingle)
        try container.encode(ratio(batched, rawBatched), forKey: .batchedVsRawBatched)
        try container.encode(ratio(concurrent, single), forKey: .concurrentVsSingle)
        try container.encode(sqliteVersion, forKey: .sqliteVersion)
        try container.encode(payloadBytes, forKey: .payloadBytes)
    }

    private func ratio(_ a: Double, _ b: Double) -> Double { b > 0 ? (a / b * 1000).rounded() / 1000 : 0 }

    var text: String {
        func line(_ name: String, _ value: Double, _ unit: String = "events/s") -> String {
            name.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%12.0f %@", value, unit)
        }
        return [
            "handoff-bench store: \(events) events over \(streams) streams, synchronous=\(durability.uppercased()), "
                + "SQLite \(sqliteVersion), \(payloadBytes)-byte payloads",
            line("single-event appends", single),
            line("batched appends", batched),
            line("concurrent single-event appends", concurrent),
            line("read all in global order", readAll),
            line("read whole random streams", readStream, "streams/s"),
            line("raw SQLite, 1 per transaction", rawSingle),
            line("raw SQLite, batch per transaction", rawBatched),
            String(
                format: "single/raw %.2f, batched/raw %.2f, concurrent/single %.1f", ratio(single, rawSingle),
                ratio(batched, rawBatched), ratio(concurrent, single)),
        ].joined(separator: "\n")
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
