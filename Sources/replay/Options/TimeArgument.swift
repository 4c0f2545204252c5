import EventStore
import Foundation

/// Times on the command line: the wire form's ISO-8601 (`2026-11-24T10:00:00Z`, with an offset, fractional
/// seconds allowed) or a day (`2026-11-24`, midnight UTC).
enum TimeArgument {
    /// What a time option takes, for help texts.
    static let shape = "an ISO-8601 time such as 2026-11-24T10:00:00Z, or a day such as 2026-11-24 (UTC)"

    /// Parses a time option's value.
    /// - Throws: ``ReplayFailure`` naming what it takes (argument-parser puts it after the option's name).
    static func parse(_ text: String) throws -> Date {
        if let date = WireTimestamp.parse(text) { return date }
        if text.utf8.count == 10, let date = WireTimestamp.parse(text + "T00:00:00Z") { return date }
        throw ReplayFailure("expected \(shape)")
    }
}

/// `--at` of `timeline`: a global position (digits) or a time.
enum Cutoff: Sendable, Equatable {
    /// Up to and including this global position.
    case position(Int64)
    /// Up to and including this time.
    case time(Date)

    /// Parses `--at`.
    /// - Throws: ``ReplayFailure`` naming what it takes.
    static func parse(_ text: String) throws -> Cutoff {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let position = Int64(text), position >= 1 else {
                throw ReplayFailure("expected a position of 1 or more, or \(TimeArgument.shape)")
            }
            return .position(position)
        }
        do {
            return .time(try TimeArgument.parse(text))
        } catch {
            throw ReplayFailure("expected a position (digits) or \(TimeArgument.shape)")
        }
    }

    /// Whether a stored event falls at or before the cutoff.
    func includes(position: Int64, at date: Date) -> Bool {
        switch self {
        case .position(let limit): position <= limit
        case .time(let limit): date <= limit
        }
    }

    /// `position 42`, `2026-11-24T10:00:00Z`.
    var text: String {
        switch self {
        case .position(let position): "position \(position)"
        case .time(let date): Format.time(date)
        }
    }
}
