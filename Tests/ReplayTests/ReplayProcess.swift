import Foundation
import Testing
import TestSupport

/// What one run of the `replay` executable did.
struct ReplayRun: Sendable {
    /// The exit status.
    let status: Int32
    /// Standard output.
    let output: String
    /// Standard error.
    let error: String

    /// Standard output's lines.
    var lines: [String] { output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    /// Standard output parsed as JSON.
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed]) }
}

/// Runs the real executables of this package and others (chromium), as a person at a shell would.
enum ReplayProcess {
    /// The `replay` executable built beside this test bundle: in the folder of the running test binary (any
    /// scratch path), or a folder or two above it (inside an `.xctest` bundle).
    static func replayURL() throws -> URL {
        var folders: [URL] = []
        let argument = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        folders.append(argument.deletingLastPathComponent())
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            folders.append(executable.deletingLastPathComponent())
        }
        for start in folders {
            var folder = start
            for _ in 0..<4 {
                let candidate = folder.appendingPathComponent("replay")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                folder = folder.deletingLastPathComponent()
            }
        }
        throw LookupError(message: "the replay executable is not beside the test binary (looked from \(folders))")
    }

    struct LookupError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Runs `replay` with `arguments`; the environment is this process's without `HANDOFF_DB`, plus `environment`.
    static func replay(_ arguments: [String], environment: [String: String] = [:]) async throws -> ReplayRun {
        try await run(try replayURL(), arguments, environment: environment)
    }

    /// Runs an executable and waits for it (at most `timeout`, then kills it), its output collected in files so that
    /// a large output cannot block it.
    static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
        timeout: Duration = .seconds(120)
    ) async throws -> ReplayRun {
        let folder = try TemporaryDirectory()
        let outURL = URL(fileURLWithPath: folder.path("stdout"))
        let errURL = URL(fileURLWithPath: folder.path("stderr"))
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        variables["HANDOFF_DB"] = nil
        variables.merge(environment) { _, given in given }
        process.environment = variables
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let finished = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in finished.continuation.finish() }
        try process.run()
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            if process.isRunning { process.terminate() }
        }
        for await _ in finished.stream {}
        watchdog.cancel()
        try out.close()
        try err.close()
        return ReplayRun(
            status: process.terminationStatus,
            output: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            error: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
