import ArgumentParser
import EventStore
import Projections

/// `replay projections <subcommand>`.
struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "Manage the read models kept beside the events.",
        discussion: "Example: replay projections rebuild --db handoff.sqlite",
        subcommands: [RebuildCommand.self]
    )

    /// `replay projections rebuild`: writes.
    struct RebuildCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rebuild",
            abstract: "Rebuild every read model from position 0. Writes.",
            discussion: """
                Empties the read models (conversation state, audit segments, handoffs) and applies the whole log \
                again with the projection runner, committing the rows with the runner's checkpoint. Only one \
                runner may keep a database's read models: stop handoffd first (its runner would find the \
                checkpoint moved under it). The other commands are right without a rebuild; it makes them fast \
                again after the read models fell behind or their layout changed. This command writes.

                Example: replay projections rebuild --db handoff.sqlite
                """
        )

        @OptionGroup var store: StoreOptions

        @Flag(help: "Print JSON for scripts.")
        var json = false

        func run() async throws {
            let (store, _) = try self.store.openForWriting(creating: false)
            let runner = ProjectionRunner(store: store)
            let progress: ProjectionRunner.Progress
            let skipped: Int
            do {
                try await runner.prepare()
                progress = try await runner.rebuild()
                skipped = try await ReadModels(store: store).skippedEvents().count
            } catch {
                await store.close()
                throw ReplayFailure("the rebuild failed (the read models are left at their last checkpoint): \(error)")
            }
            await store.close()
            let result = Result(
                database: store.path, checkpoint: progress.to, applied: progress.applied,
                passedOver: progress.skipped, undecodable: skipped)
            if json {
                try Output.json(result)
            } else {
                Output.lines([
                    "rebuilt the read models of \(store.path) from position 0 to \(progress.to): "
                        + "\(progress.applied) events applied, \(progress.skipped) passed over "
                        + "(\(skipped) that do not decode, the others of other streams)"
                ])
            }
        }

        /// The JSON of `projections rebuild`.
        struct Result: Encodable {
            let database: String
            /// The checkpoint committed.
            let checkpoint: Int64
            /// Events applied to a conversation's read models.
            let applied: Int
            /// Events passed over: other streams, and those that do not decode.
            let passedOver: Int
            /// Of those, the ones that do not decode (listed in the read models).
            let undecodable: Int
        }
    }
}
