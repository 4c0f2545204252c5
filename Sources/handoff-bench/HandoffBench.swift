import ArgumentParser

/// Benchmarks and stress tools for handoff's stores.
@main
struct HandoffBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handoff-bench",
        abstract: "Benchmarks for the handoff event store (with raw-SQLite baselines in the same run) and projections.",
        subcommands: [StoreBenchmark.self, ProjectionBenchmark.self, CrashWriter.self, SagaWorker.self, SagaBenchmark.self]
    )
}
