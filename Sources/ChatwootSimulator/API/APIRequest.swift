/// One HTTP request as the simulator sees it: already read in full, independent of the server library.
struct APIRequest: Sendable {
    let method: String
    /// The path without the query.
    let path: String
    /// The raw query string, if any.
    let query: String?
    /// Header names lower-cased, repeated headers joined with ", ".
    let headers: [String: String]
    let body: [UInt8]

    /// Path segments without empty ones.
    var segments: [String] {
        self.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// Rails-style params: decoded query parameters, overlaid by the members of a JSON object body.
    /// - Throws: 400 when the body is not JSON (Rails' `ParseError`).
    func params() throws(ChatwootError) -> JSONObject {
        var params = JSONObject()
        for (key, value) in Self.decodeQuery(self.query ?? "") {
            params[key] = .string(value)
        }
        let isBlank = self.body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if !isBlank {
            let value: JSONValue
            do {
                value = try JSONParser.parse(self.body)
            } catch {
                throw ChatwootError.rails(400)
            }
            if case .object(let object) = value {
                for member in object.members {
                    params[member.key] = member.value
                }
            } else {
                // Rails wraps a non-object JSON body under `_json`.
                params["_json"] = value
            }
        }
        return params
    }

    /// Decodes `a=1&b=x+y` with percent-escapes and `+` as space; `key[]` keys keep their brackets.
    static func decodeQuery(_ query: String) -> [(String, String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.percentDecode(parts.first.map(String.init) ?? "")
            let value = parts.count > 1 ? Self.percentDecode(String(parts[1])) : ""
            return (key, value)
        }
    }

    static func percentDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
