import ArgumentParser
import Foundation

/// Benchmarks and stress tools for handoff's stores.
@main
struct HandoffBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handoff-bench",
        abstract: "Benchmarks for the handoff event store (with raw-SQLite baselines in the same run) and projections.",
        subcommands: [StoreBenchmark.self, ProjectionBenchmark.self, CrashWriter.self, SagaWorker.self, SagaBenchmark.self]
    )
}

/// Prints a benchmark's report: one JSON object with sorted keys, or its text.
func printReport(_ report: some Encodable, text: String, json: Bool) throws {
    if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    } else {
        print(text)
    }
}
