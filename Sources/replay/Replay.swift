import ArgumentParser
import Foundation

/// `replay`: the operator's tool on the handoff event store.
@main
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Audit, replay and check the handoff event log.",
        discussion: """
            Every command reads the database named by --db, else by the environment variable HANDOFF_DB (as \
            handoffd does), else ./handoff.sqlite. Commands read without writing unless their help says they \
            write, and work while handoffd is running. Text is for people; --json prints JSON for scripts. A \
            failure prints one line on standard error and exits with status 1 (64 for a command line that does \
            not parse; verify exits with 2 when the log is broken).

            Example: replay timeline c-1001 --db /var/lib/handoff/handoff.sqlite
            """,
        subcommands: [
            TimelineCommand.self, RouteCommand.self, MisroutesCommand.self, AuditCommand.self, ImportCommand.self,
            ExportCommand.self, RebuildSupportCommand.self, ProjectionsCommand.self, VerifyCommand.self,
        ]
    )

    /// Parses the command line and runs the command; every failure becomes one line on standard error.
    static func main() async {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            guard exitCode(for: error) != .success else { exit(withError: error) }  // --help, --version
            fail(ReplayFailure(
                message(for: error) + " (see replay --help)", status: exitCode(for: error).rawValue))
        }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = command
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch where exitCode(for: error) == .success {
            exit(withError: error)  // the help command answers by throwing its request
        } catch {
            fail(ReplayFailure.wrapping(error))
        }
    }

    private static func fail(_ failure: ReplayFailure) -> Never {
        Output.error("replay: error: \(failure.message)")
        Foundation.exit(failure.status)
    }
}
