public import Foundation
import Crypto

/// The three headers Chatwoot signs a webhook delivery with.
public struct WebhookHeaders: Sendable, Hashable {
    /// `X-Chatwoot-Signature`: `sha256=` and the hex HMAC-SHA256.
    public var signature: String?
    /// `X-Chatwoot-Timestamp`: Unix seconds.
    public var timestamp: String?
    /// `X-Chatwoot-Delivery`: the delivery's id (kept across Chatwoot's own re-runs of one job).
    public var delivery: String?

    /// Creates the headers.
    public init(signature: String?, timestamp: String?, delivery: String?) {
        self.signature = signature
        self.timestamp = timestamp
        self.delivery = delivery
    }
}

/// Why a webhook delivery was refused. Nothing from a refused delivery may be written.
public enum WebhookVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No signing secret is configured, so nothing can be accepted.
    case noSecretConfigured
    /// A signing header is missing.
    case missingHeader(String)
    /// `X-Chatwoot-Signature` is not `sha256=` and 64 hex digits.
    case malformedSignature
    /// `X-Chatwoot-Timestamp` is not Unix seconds.
    case malformedTimestamp
    /// The timestamp is further from now than the window allows (positive: in the past; negative: in the future).
    case outsideWindow(secondsOff: Int64, windowSeconds: Int64)
    /// The signature matches none of the configured secrets.
    case signatureMismatch

    public var description: String {
        switch self {
        case .noSecretConfigured: "no webhook secret is configured"
        case .missingHeader(let name): "the \(name) header is missing"
        case .malformedSignature: "X-Chatwoot-Signature is not sha256= followed by 64 hex digits"
        case .malformedTimestamp: "X-Chatwoot-Timestamp is not Unix seconds"
        case .outsideWindow(let off, let window):
            off >= 0
                ? "the timestamp is \(off) s old; at most \(window) s is accepted"
                : "the timestamp is \(-off) s in the future; at most \(window) s is accepted"
        case .signatureMismatch: "the signature does not match"
        }
    }
}

/// A delivery that passed verification.
public struct VerifiedDelivery: Sendable, Hashable {
    /// `X-Chatwoot-Delivery`, when sent.
    public var deliveryID: String?
    /// When Chatwoot signed it.
    public var timestamp: Date
    /// Which configured secret matched (0: the newest).
    public var secretIndex: Int
}

/// Verifies Chatwoot's webhook signatures: `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret,
/// "{X-Chatwoot-Timestamp}.{raw body}")>`, over the raw bytes as received, compared in constant time, with a
/// timestamp window. Several secrets are accepted so a secret can be rotated without losing deliveries.
public struct WebhookVerifier: Sendable {
    private let secrets: [Data]
    /// How far a timestamp may be from now, either way.
    public let window: Duration

    /// Creates a verifier.
    /// - Parameters:
    ///   - secrets: the signing secrets, newest first (the current and, during a rotation, the previous one).
    ///   - window: how far the timestamp may be from now, either way; 300 seconds by default.
    public init(secrets: [String], window: Duration = .seconds(300)) {
        self.secrets = secrets.filter { !$0.isEmpty }.map { Data($0.utf8) }
        self.window = window
    }

    /// Whether any secret is configured.
    public var isConfigured: Bool { !secrets.isEmpty }

    /// Checks one delivery.
    /// - Parameters:
    ///   - body: the request body exactly as received.
    ///   - headers: the signing headers.
    ///   - now: the time to check the window against.
    /// - Throws: ``WebhookVerificationError``.
    public func verify(body: Data, headers: WebhookHeaders, now: Date = Date()) throws(WebhookVerificationError) -> VerifiedDelivery {
        guard isConfigured else { throw .noSecretConfigured }
        guard let signatureHeader = headers.signature else { throw .missingHeader("X-Chatwoot-Signature") }
        guard let timestampHeader = headers.timestamp else { throw .missingHeader("X-Chatwoot-Timestamp") }
        guard signatureHeader.hasPrefix("sha256="),
            let signature = Self.hexBytes(signatureHeader.dropFirst("sha256=".count)), signature.count == 32
        else { throw .malformedSignature }
        let digits = timestampHeader.trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let seconds = Int64(digits) else { throw .malformedTimestamp }

        var signed = Data(digits.utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(body)
        var matched: Int?
        // Every key is tried, so the time taken does not say which one matched.
        for (index, secret) in secrets.enumerated()
        where HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: SymmetricKey(data: secret)) {
            matched = matched ?? index
        }
        guard let matched else { throw .signatureMismatch }

        let windowSeconds = window.components.seconds
        let off = Int64(now.timeIntervalSince1970.rounded(.down)) - seconds
        guard abs(off) <= windowSeconds else { throw .outsideWindow(secondsOff: off, windowSeconds: windowSeconds) }
        return VerifiedDelivery(
            deliveryID: headers.delivery, timestamp: Date(timeIntervalSince1970: TimeInterval(seconds)),
            secretIndex: matched)
    }

    /// The signature header Chatwoot would send for a body: for tests and for the simulator's clients.
    public static func signature(secret: String, timestamp: Int64, body: Data) -> String {
        var signed = Data(String(timestamp).utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
