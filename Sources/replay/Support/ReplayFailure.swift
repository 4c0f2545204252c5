/// Why a command failed: one line for people and the exit status for scripts.
///
/// Every command reports its failures with this type, so that the entry point prints exactly one line on standard
/// error (`replay: error: <message>`) and exits with ``status``.
struct ReplayFailure: Error, CustomStringConvertible {
    /// The exit status for a failure of the command (an unknown conversation, a bad file, a storage error).
    static let failed: Int32 = 1
    /// The exit status of `verify` when the log is broken.
    static let broken: Int32 = 2
    /// The exit status for a command line that does not parse (EX_USAGE, as argument-parser uses).
    static let usage: Int32 = 64

    /// The line to print, without the `replay: ` prefix.
    var message: String
    /// The process's exit status.
    var status: Int32

    /// Creates a failure.
    init(_ message: String, status: Int32 = ReplayFailure.failed) {
        self.message = message
        self.status = status
    }

    var description: String { message }

    /// The failure for any error a command did not describe itself: its description, on one line.
    static func wrapping(_ error: any Error) -> ReplayFailure {
        if let failure = error as? ReplayFailure { return failure }
        return ReplayFailure(String(describing: error))
    }
}
