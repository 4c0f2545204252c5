/// Writes JSON the way Rails' `to_json` (ActiveSupport) does: compact, members in order, and
/// `<`, `>`, `&`, U+2028 and U+2029 escaped as `\uXXXX`.
///
/// The escaping matters to clients: a webhook verifier must hash the raw bytes, not a re-encoding.
enum JSONSerializer {
    /// The compact UTF-8 encoding of `value`.
    static func bytes(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        self.write(value, into: &output)
        return output
    }

    /// The compact encoding of `value` as a string.
    static func string(_ value: JSONValue) -> String {
        String(decoding: self.bytes(value), as: UTF8.self)
    }

    private static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let bool): output.append(contentsOf: (bool ? "true" : "false").utf8)
        case .int(let int): output.append(contentsOf: String(int).utf8)
        case .double(let double): output.append(contentsOf: self.format(double).utf8)
        case .string(let string): self.write(string: string, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                self.write(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (offset, member) in object.members.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                self.write(string: member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                self.write(member.value, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Ruby prints floats with the shortest round-trip digits, as Swift does; non-finite values become null.
    private static func format(_ double: Double) -> String {
        guard double.isFinite else { return "null" }
        return String(double)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func write(string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output.append(contentsOf: "\\\"".utf8)
            case "\\": output.append(contentsOf: "\\\\".utf8)
            case "\n": output.append(contentsOf: "\\n".utf8)
            case "\r": output.append(contentsOf: "\\r".utf8)
            case "\t": output.append(contentsOf: "\\t".utf8)
            case "\u{08}": output.append(contentsOf: "\\b".utf8)
            case "\u{0C}": output.append(contentsOf: "\\f".utf8)
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                self.writeUnicodeEscape(scalar.value, into: &output)
            default:
                if scalar.value < 0x20 {
                    self.writeUnicodeEscape(scalar.value, into: &output)
                } else {
                    output.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func writeUnicodeEscape(_ value: UInt32, into output: inout [UInt8]) {
        output.append(contentsOf: "\\u".utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(self.hexDigits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }
}
