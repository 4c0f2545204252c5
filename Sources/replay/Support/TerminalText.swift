/// Text from the log made safe for a terminal: user input can hold control characters (escape sequences that
/// rewrite the screen, carriage returns that hide a line) and bidirectional overrides that reorder what is shown.
/// ``Output`` passes every line it prints through ``oneLine(_:)``.
enum TerminalText {
    /// `text` with every control, format-override and line-breaking character written as an escape (`\n`, `\t`,
    /// `\u{1B}`), so that it prints on one line and shows what is stored.
    static func oneLine(_ text: String) -> String {
        // Printable ASCII, most lines, is safe as it is.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if isUnsafe(scalar) {
                    result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// `text` in double quotes, cut after `limit` characters with an ellipsis (still to be made safe by
    /// ``oneLine(_:)``, as every printed line is).
    static func quoted(_ text: String, limit: Int = 80) -> String {
        "\"" + (text.count > limit ? String(text.prefix(limit)) + "…" : text) + "\""
    }

    /// C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional marks, embeddings, overrides
    /// and isolates.
    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
