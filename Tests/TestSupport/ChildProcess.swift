public import Foundation

/// A test could not run a child process.
public struct ChildProcessError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
}

/// What a child process printed and how it ended.
public struct ChildProcessResult: Sendable {
    /// Standard output.
    public var output: String
    /// Whether the process ended by a signal (SIGKILL from the test, or from itself).
    public var killed: Bool
    /// The exit status, or the signal's number when killed.
    public var status: Int32
}

/// The `handoff-bench` executable built beside the running test bundle.
public func benchExecutable() throws -> URL {
    let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var folder = me.deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = folder.appendingPathComponent("handoff-bench")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        folder = folder.deletingLastPathComponent()
    }
    throw ChildProcessError(description: "handoff-bench was not built beside \(me.path); run `swift build` first")
}

/// Runs a process until it ends, or, with `killAfter`, kills it with SIGKILL at that moment if it is still running.
public func runChildProcess(_ executable: URL, _ arguments: [String], killAfter delay: Duration? = nil) async throws
    -> ChildProcessResult
{
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let collected = CollectedOutput()
    let reader = Thread {
        collected.data = pipe.fileHandleForReading.readDataToEndOfFile()
        collected.done.signal()
    }
    reader.start()
    if let delay {
        try await Task.sleep(for: delay)
        kill(process.processIdentifier, SIGKILL)
    }
    // Waiting blocks a thread; the child ends soon, killed or not.
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        Thread {
            process.waitUntilExit()
            continuation.resume()
        }.start()
    }
    collected.done.wait()
    return ChildProcessResult(
        output: String(decoding: collected.data, as: UTF8.self), killed: process.terminationReason == .uncaughtSignal,
        status: process.terminationStatus)
}

/// What the reading thread collected; `done` orders its write before the caller's read.
private final class CollectedOutput: @unchecked Sendable {
    var data = Data()
    let done = DispatchSemaphore(value: 0)
}
