/// The rules for a routing table's skill entries (DESIGN §6): a full skill name of at least three dot-separated
/// identifiers (`me.test.supportDemo.TestSkill`), or a package of at least two identifiers followed by `.*`
/// (`acme.billing.*`). Identifiers are `[A-Za-z_][A-Za-z0-9_]*`; names compare case-insensitively.
enum SkillEntry {
    /// What a valid entry looks like, for messages.
    static let shape =
        "a skill entry is a full name of at least three dot-separated identifiers (acme.shop.Refund) "
        + "or a package of at least two identifiers followed by .* (acme.billing.*)"

    /// Why `entry` is not a valid skill entry, or nil when it is.
    static func problem(with entry: String) -> String? {
        if entry.isEmpty { return "is empty; \(shape)" }
        let parts = entry.split(separator: ".", omittingEmptySubsequences: false)
        let isPackage = parts.last == "*"
        for (index, part) in parts.enumerated() {
            let ordinal = "part \(index + 1)"
            if part == "*" {
                if index == parts.count - 1 { continue }
                return "\(ordinal) is *, which may only end a package; \(shape)"
            }
            if part.isEmpty { return "\(ordinal) is empty; \(shape)" }
            if let reason = identifierProblem(part.utf8) { return "\(ordinal) \"\(part)\" \(reason); \(shape)" }
        }
        if isPackage, parts.count < 3 {
            return "a package needs at least two identifiers before .*, like acme.billing.*"
        }
        if !isPackage, parts.count < 3 {
            return "has \(parts.count) part\(parts.count == 1 ? "" : "s"); a full skill name needs at least three "
                + "(Organization.Project.Skill), and a package ends in .* (acme.billing.*)"
        }
        return nil
    }

    /// The form entries are compared in: lowercased, so that `Acme.Shop.Refund` and `acme.shop.refund` are the
    /// same entry.
    static func key(_ name: String) -> String { name.lowercased() }

    /// True when `entry` (valid) covers `skill`: a full name equal to it, or a package whose prefix (up to and
    /// including the dot before `*`) starts it with something after; case-insensitive.
    static func matches(entry: String, skill: String) -> Bool {
        let entryKey = key(entry)
        let skillKey = key(skill)
        if entryKey.hasSuffix(".*") {
            let prefix = entryKey.dropLast()  // keeps the dot: "acme.billing."
            return skillKey.count > prefix.count && skillKey.hasPrefix(prefix)
        }
        return entryKey == skillKey
    }

    /// Why `part` is not `[A-Za-z_][A-Za-z0-9_]*`, or nil.
    private static func identifierProblem(_ part: Substring.UTF8View) -> String? {
        for (offset, byte) in part.enumerated() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if offset == 0 { return "starts with a digit" }
            case 0x21..<0x7F:
                return "contains '\(Character(Unicode.Scalar(byte)))'; identifiers are letters, digits and _"
            default:
                return "contains a space or a non-ASCII character; identifiers are letters, digits and _"
            }
        }
        return nil
    }
}
