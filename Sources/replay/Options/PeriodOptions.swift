import ArgumentParser
import Foundation

/// `--since` and `--until`: a period `[since, until)`, either end open.
struct PeriodOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("From this time on (inclusive): \(TimeArgument.shape).", valueName: "time"),
        transform: TimeArgument.parse)
    var since: Date?

    @Option(
        help: ArgumentHelp("Before this time (exclusive): \(TimeArgument.shape).", valueName: "time"),
        transform: TimeArgument.parse)
    var until: Date?

    func validate() throws {
        if let since, let until, since >= until {
            throw ValidationError("--since must come before --until")
        }
    }

    /// `from 2026-11-24T00:00:00Z until 2026-11-25T00:00:00Z`, or an empty string for all time.
    var text: String {
        var parts: [String] = []
        if let since { parts.append("from \(Format.time(since))") }
        if let until { parts.append("until \(Format.time(until))") }
        return parts.joined(separator: " ")
    }
}
