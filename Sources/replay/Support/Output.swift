import EventStore
import Foundation

/// Where commands write: people's text and scripts' JSON on standard output, failures on standard error.
enum Output {
    /// Writes lines to standard output, each made safe for a terminal (``TerminalText/oneLine(_:)``).
    static func lines(_ lines: [String]) {
        for line in lines { print(TerminalText.oneLine(line)) }
    }

    /// Writes `value` as JSON to standard output: keys sorted, indented, times in the wire form
    /// (`2026-11-24T10:00:00Z`).
    /// - Throws: ``ReplayFailure`` when the value cannot be written as JSON.
    static func json(_ value: some Encodable) throws(ReplayFailure) {
        print(try jsonText(value))
    }

    /// `value` as the JSON text ``json(_:)`` writes.
    static func jsonText(_ value: some Encodable) throws(ReplayFailure) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(WireTimestamp.format(date))
        }
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw ReplayFailure("could not write the result as JSON: \(error)")
        }
    }

    /// Writes one line to standard error.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((TerminalText.oneLine(line) + "\n").utf8))
    }
}
