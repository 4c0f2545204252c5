import EventStore
public import Foundation

extension RoutingTable {
    /// The keys of the table object.
    static let tableKeys = ["defaultTeam", "teams"]
    /// The keys of a team object.
    static let teamKeys = ["skills", "team"]

    /// Reads a table from its JSON form, checking it strictly.
    ///
    /// `{"defaultTeam": 1, "teams": [{"team": 3, "skills": ["acme.shop.Refund", "acme.billing.*"]}, ...]}`. Every
    /// field is required (`teams` may be empty, and so may a team's `skills`); a key the table does not know, or a key
    /// repeated in one object, is refused rather than ignored, so a typo such as `defaultteam` cannot fall back to
    /// anything. Repeated keys are looked for first; then checks go in document order: the table's keys,
    /// `defaultTeam`, then each team's keys, `team` and `skills`. See ``init(defaultTeam:teams:)`` for the rules.
    /// - Parameter jsonBytes: UTF-8 JSON.
    /// - Throws: ``RoutingTableError`` with the code, path and entry of the first problem.
    public init(jsonBytes: [UInt8]) throws(RoutingTableError) {
        let document: JSONValue
        do {
            document = try JSONValue(jsonData: Data(jsonBytes), rejectingRepeatedKeys: true)
        } catch let error as EventCodingError where error.message == JSONValue.repeatedKeyMessage {
            throw RoutingTableError(
                .duplicateField, path: error.field, entry: Self.lastKey(of: error.field),
                message: "appears twice in the same object; write each key once")
        } catch {
            let detail = (error as? EventCodingError)?.message ?? "is not valid JSON"
            throw RoutingTableError(.invalidJSON, path: "", entry: nil, message: detail)
        }
        var validator = RoutingTableValidator()
        let members = try Self.object(document, path: "", keys: Self.tableKeys)
        guard let defaultValue = members["defaultTeam"], defaultValue != .null else {
            throw RoutingTableError(
                .missingDefaultTeam, path: "defaultTeam", entry: nil,
                message: "is missing: the table needs the team that takes what no entry matches")
        }
        let defaultTeam = try Self.teamID(defaultValue, path: "defaultTeam")
        try validator.checkDefaultTeam(defaultTeam)
        let teamValues = try Self.array(members["teams"], path: "teams", what: "the teams in priority order")
        var teams: [TeamSkills] = []
        teams.reserveCapacity(teamValues.count)
        for (index, value) in teamValues.enumerated() {
            let path = "teams[\(index)]"
            let owner = try Self.object(value, path: path, keys: Self.teamKeys)
            guard let teamValue = owner["team"] else {
                throw RoutingTableError(
                    .missingField, path: "\(path).team", entry: nil, message: "is missing: each entry names its team")
            }
            let team = try Self.teamID(teamValue, path: "\(path).team")
            try validator.checkTeam(team, path: "\(path).team")
            let skillValues = try Self.array(owner["skills"], path: "\(path).skills", what: "the team's skill entries")
            var skills: [String] = []
            skills.reserveCapacity(skillValues.count)
            for (skillIndex, skillValue) in skillValues.enumerated() {
                let skillPath = "\(path).skills[\(skillIndex)]"
                guard case .string(let skill) = skillValue else {
                    throw RoutingTableError(
                        .wrongType, path: skillPath, entry: Self.text(of: skillValue),
                        message: "expected a string, got \(Self.kind(of: skillValue)); \(SkillEntry.shape)")
                }
                try validator.checkSkill(skill, path: skillPath)
                skills.append(skill)
            }
            teams.append(TeamSkills(team: team, skills: skills))
        }
        self.init(checkedDefaultTeam: defaultTeam, teams: teams)
    }

    /// Reads a table from its JSON form; see ``init(jsonBytes:)``.
    /// - Parameter jsonData: UTF-8 JSON.
    /// - Throws: ``RoutingTableError`` with the code, path and entry of the first problem.
    public init(jsonData: Data) throws(RoutingTableError) {
        try self.init(jsonBytes: [UInt8](jsonData))
    }

    // MARK: Reading values

    /// The members of an object that has no key outside `keys`.
    private static func object(_ value: JSONValue, path: String, keys: [String]) throws(RoutingTableError)
        -> [String: JSONValue]
    {
        guard case .object(let members) = value else {
            throw RoutingTableError(
                .wrongType, path: path, entry: text(of: value),
                message: "expected an object with \(keys.joined(separator: " and ")), got \(kind(of: value))")
        }
        for key in members.keys.sorted() where !keys.contains(key) {
            var message = "is not a field here; the fields are \(keys.joined(separator: " and "))"
            if let meant = keys.first(where: { $0.lowercased() == key.lowercased() }) {
                message += " (did you mean \(meant)? keys are case-sensitive)"
            }
            throw RoutingTableError(.unknownField, path: join(path, key), entry: key, message: message)
        }
        return members
    }

    /// The elements of a required array.
    private static func array(_ value: JSONValue?, path: String, what: String) throws(RoutingTableError)
        -> [JSONValue]
    {
        guard let value else {
            throw RoutingTableError(
                .missingField, path: path, entry: nil, message: "is missing: an array of \(what) (it may be empty)")
        }
        guard case .array(let elements) = value else {
            throw RoutingTableError(
                .wrongType, path: path, entry: text(of: value),
                message: "expected an array of \(what), got \(kind(of: value))")
        }
        return elements
    }

    /// A team id: a JSON integer (`3`; the parser also reads `3.0` as 3) that fits in `Int`. Whether it is positive is
    /// the validator's rule.
    private static func teamID(_ value: JSONValue, path: String) throws(RoutingTableError) -> Int {
        guard case .integer(let number) = value else {
            throw RoutingTableError(
                .wrongType, path: path, entry: text(of: value),
                message: "expected a team id (a positive integer), got \(kind(of: value))")
        }
        guard let team = Int(exactly: number) else {
            throw RoutingTableError(
                .invalidTeamID, path: path, entry: String(number), message: "a team id is a positive integer")
        }
        return team
    }

    /// The path of `key` inside the object at `path`.
    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value as JSON text, for ``RoutingTableError/entry``.
    private static func text(of value: JSONValue) -> String {
        // Only a number that is not finite fails to encode, and the parser never produces one.
        (try? value.canonicalString()) ?? kind(of: value)
    }

    /// The kind of value, for messages.
    private static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .double: "a number that is not a whole 64-bit integer"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension RoutingTable {
    /// The last key of a field path such as `teams[0].team` (the table's keys hold no dots or brackets).
    static func lastKey(of path: String) -> String {
        String(path.split(separator: ".").last ?? Substring(path))
    }
}
