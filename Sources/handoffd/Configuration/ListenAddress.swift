/// Where the HTTP server listens: `host:port`, with IPv6 hosts in brackets (`[::1]:8080`).
struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host or address to bind, without brackets.
    var host: String
    /// The port; 0 picks a free one.
    var port: Int

    /// Creates an address.
    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`.
    /// - Throws: ``ConfigurationError`` naming `setting` when the host is empty or the port is not 0-65535.
    init(parsing text: String, setting: String = SettingName.listen.rawValue) throws(ConfigurationError) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ConfigurationError(setting, "expected [ipv6-address]:port, got \"\(text)\"")
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ConfigurationError(setting, "expected host:port (for example 127.0.0.1:8080), got \"\(text)\"")
            }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else {
            throw ConfigurationError(setting, "the host is missing in \"\(text)\" (expected host:port)")
        }
        guard let number = Int(port), (0...65_535).contains(number), port.allSatisfy(\.isASCII) else {
            throw ConfigurationError(setting, "the port must be an integer from 0 to 65535, got \"\(port)\"")
        }
        self.host = String(host)
        self.port = number
    }

    /// `host:port`, brackets around an IPv6 host.
    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
