import ArgumentParser
import EventStore
import Foundation

/// `replay verify`.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the log's hash chain and its immutability triggers.",
        discussion: """
            Recomputes the SHA-256 chain over every event, page by page, and checks that the triggers refusing \
            UPDATE and DELETE on the events are in place and unchanged. Prints the last position and hash checked \
            (keep them: a log cut short at its end is found by comparing them with a copy kept elsewhere). Exits \
            with status 2 and names the first bad position when the chain is broken or a trigger is missing. \
            Read-only.

            Example: replay verify --db handoff.sqlite
            """
    )

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        let store = try self.store.openForReading()
        let report = try await store.verify()
        let hash = report.lastHash.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        if json {
            try Output.json(
                Result(
                    intact: report.isIntact, eventsChecked: report.eventsChecked, lastPosition: report.lastPosition,
                    lastHash: hash, firstBrokenPosition: report.firstBrokenPosition, problem: report.problem,
                    missingTriggers: report.missingTriggers))
        } else {
            var lines = [
                "\(report.isIntact ? "intact" : "BROKEN"): \(report.eventsChecked) events checked, "
                    + "last good position \(report.lastPosition), hash \(hash)"
            ]
            if let broken = report.firstBrokenPosition {
                lines.append("first bad position: \(broken): \(report.problem ?? "the chain does not hold")")
            }
            lines.append(
                report.missingTriggers.isEmpty
                    ? "immutability triggers: in place"
                    : "immutability triggers missing or altered: " + report.missingTriggers.joined(separator: ", "))
            Output.lines(lines)
        }
        guard report.isIntact else {
            let what =
                report.firstBrokenPosition.map { "the log is broken at position \($0)" }
                ?? "the log's immutability triggers are missing or altered"
            throw ReplayFailure(what, status: ReplayFailure.broken)
        }
    }

    /// The JSON of `verify`.
    struct Result: Encodable {
        let intact: Bool
        let eventsChecked: Int64
        let lastPosition: Int64
        /// The chain hash at ``lastPosition``, in hex.
        let lastHash: String
        let firstBrokenPosition: Int64?
        let problem: String?
        let missingTriggers: [String]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(intact, forKey: .intact)
            try container.encode(eventsChecked, forKey: .eventsChecked)
            try container.encode(lastPosition, forKey: .lastPosition)
            try container.encode(lastHash, forKey: .lastHash)
            try container.encode(firstBrokenPosition, forKey: .firstBrokenPosition)
            try container.encode(problem, forKey: .problem)
            try container.encode(missingTriggers, forKey: .missingTriggers)
        }

        private enum CodingKeys: String, CodingKey {
            case intact, eventsChecked, lastPosition, lastHash, firstBrokenPosition, problem, missingTriggers
        }
    }
}
