/// Why a routing table was refused, with the place in the JSON and the entry as written.
///
/// Match a code directly: `catch RoutingTableError.Code.invalidSkill { ... }`, or inspect the fields:
///
/// ```swift
/// do {
///     _ = try RoutingTable(jsonData: bytes)
/// } catch {
///     print(error)  // invalidSkill: teams[1].skills[0]: "acme.Refund": has 2 parts; a full skill name needs ...
/// }
/// ```
public struct RoutingTableError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a value to branch on. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The code's name, for example `invalidSkill`.
        public var description: String { name }

        /// The bytes are not JSON.
        public static let invalidJSON = Code("invalidJSON")
        /// The table has no `defaultTeam` (or it is `null`).
        public static let missingDefaultTeam = Code("missingDefaultTeam")
        /// A required field other than `defaultTeam` is absent: `teams`, or a team's `team` or `skills`.
        public static let missingField = Code("missingField")
        /// A team id is an integer but not a positive one (or does not fit in `Int`).
        public static let invalidTeamID = Code("invalidTeamID")
        /// A skill entry is neither a full skill name of three or more parts nor a package ending in `.*`.
        public static let invalidSkill = Code("invalidSkill")
        /// A skill entry is listed twice in the table, compared case-insensitively.
        public static let duplicateSkill = Code("duplicateSkill")
        /// A team is listed twice.
        public static let duplicateTeam = Code("duplicateTeam")
        /// An object has a key the table does not know (a typo such as `defaultteam`).
        public static let unknownField = Code("unknownField")
        /// An object repeats a key; JSON parsers disagree on which one wins, so neither is taken.
        public static let duplicateField = Code("duplicateField")
        /// A value is not of the JSON type its field needs (a team id written as a string, `skills` not an array).
        public static let wrongType = Code("wrongType")
    }

    /// What went wrong.
    public var code: Code
    /// The JSON path of the offending value, for example `teams[1].skills[0]`; empty for the whole document.
    public var path: String
    /// The offending entry: a skill entry or a key as written, the JSON text of any other value; nil when
    /// nothing was written (a missing field, bytes that are not JSON).
    public var entry: String?
    /// What is wrong, for people.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: what went wrong.
    ///   - path: the JSON path of the offending value.
    ///   - entry: the offending entry as written, if any.
    ///   - message: a sentence for people.
    public init(_ code: Code, path: String, entry: String?, message: String) {
        self.code = code
        self.path = path
        self.entry = entry
        self.message = message
    }

    /// `code: path: "entry": message`, leaving out what is empty.
    public var description: String {
        var parts = [code.description]
        if !path.isEmpty { parts.append(path) }
        if let entry { parts.append("\"\(entry)\"") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

extension RoutingTableError.Code {
    /// Lets a `catch` clause match a code: `catch RoutingTableError.Code.duplicateSkill`.
    public static func ~= (code: RoutingTableError.Code, error: any Error) -> Bool {
        (error as? RoutingTableError)?.code == code
    }
}
