import Foundation

/// A configuration file: `NAME=value` lines setting the names of ``SettingName``; `#` starts a comment line; blank
/// lines are skipped; a value may be wrapped in single or double quotes.
///
/// ```
/// # handoffd.conf
/// HANDOFF_LISTEN=0.0.0.0:8080
/// HANDOFF_TOKENS="token-a,token-b"
/// ```
enum ConfigurationFile {
    /// Reads and parses the file at `path`.
    /// - Throws: ``ConfigurationError`` for `--config` when the file cannot be read, and as ``parse(_:source:)`` does.
    static func load(path: String) throws(ConfigurationError) -> [String: String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("--config", "cannot read the configuration file \(path)")
        }
        return try parse(text, source: path)
    }

    /// The settings a file's text holds.
    /// - Throws: ``ConfigurationError`` naming the file and line of a line without `=` or of a name handoffd does
    ///   not know.
    static func parse(_ text: String, source: String) throws(ConfigurationError) -> [String: String] {
        var settings: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let place = "\(source) line \(index + 1)"
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError("--config", "\(place): expected NAME=value")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard SettingName(rawValue: name) != nil else {
                let known = SettingName.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError("--config", "\(place): unknown setting \"\(name)\" (known: \(known))")
            }
            settings[name] = unquoted(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces))
        }
        return settings
    }

    private static func unquoted(_ value: String) -> String {
        for quote in ["\"", "'"] where value.count >= 2 && value.hasPrefix(quote) && value.hasSuffix(quote) {
            return String(value.dropFirst().dropLast())
        }
        return value
    }
}
