#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A moment in Unix seconds (microsecond precision, like PostgreSQL), rendered the three ways Chatwoot does.
struct Timestamp: Sendable, Comparable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z.
    let seconds: Double

    init(seconds: Double) {
        self.seconds = (seconds * 1_000_000).rounded() / 1_000_000
    }

    /// The current wall-clock time.
    static func now() -> Timestamp {
        Timestamp(seconds: Date().timeIntervalSince1970)
    }

    /// Whole seconds, as in `created_at` of REST messages (`to_i`).
    var unix: Int { Int(self.seconds.rounded(.down)) }

    /// Seconds with the fraction, as in a conversation's `updated_at` (`to_f`).
    var float: Double { self.seconds }

    /// ISO 8601 in UTC with milliseconds, as Rails renders a datetime (`2026-06-20T10:14:58.204Z`).
    var iso8601: String {
        let microseconds = Int((self.seconds * 1_000_000).rounded())
        let totalMilliseconds = microseconds >= 0 ? microseconds / 1000 : (microseconds - 999) / 1000
        let millisecond = ((totalMilliseconds % 1000) + 1000) % 1000
        let totalSeconds = (totalMilliseconds - millisecond) / 1000
        let secondOfDay = ((totalSeconds % 86_400) + 86_400) % 86_400
        let days = (totalSeconds - secondOfDay) / 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        return Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2) + "T"
            + Self.pad(secondOfDay / 3600, 2) + ":" + Self.pad(secondOfDay / 60 % 60, 2) + ":"
            + Self.pad(secondOfDay % 60, 2) + "." + Self.pad(millisecond, 3) + "Z"
    }

    static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.seconds < rhs.seconds }

    /// This moment plus `interval` seconds.
    func adding(_ interval: Double) -> Timestamp {
        Timestamp(seconds: self.seconds + interval)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Days since the epoch to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
    private static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
