import Crypto

/// Chatwoot's webhook signature (`Webhooks::Trigger#request_headers`):
/// `sha256=` + hex HMAC-SHA256(secret, "{timestamp}.{raw body}").
public enum WebhookSigner {
    /// The `X-Chatwoot-Signature` value for a body sent at `timestamp`.
    /// - Parameters:
    ///   - body: The exact body bytes.
    ///   - timestamp: The `X-Chatwoot-Timestamp` value (Unix seconds).
    ///   - secret: The inbox's secret.
    public static func signature(body: [UInt8], timestamp: Int, secret: String) -> String {
        var message = Array(String(timestamp).utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: body)
        let key = SymmetricKey(data: Array(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "sha256="
            + mac.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
    }
}
