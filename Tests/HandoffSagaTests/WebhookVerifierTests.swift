import Foundation
import HandoffSaga
import Testing
import TestSupport

/// Chatwoot's signing test vector: the exact body bytes, the headers it sent, and the secret.
struct SigningVector {
    var body: Data
    var headers: WebhookHeaders
    var secret: String
    var timestamp: Int64

    static func load() throws -> SigningVector {
        let folder = fixturesFolder().appendingPathComponent("chatwoot")
        let body = try Data(contentsOf: folder.appendingPathComponent("06_signed_delivery_body.raw.json"))
        let file = try JSONDecoder().decode(
            HeaderFile.self, from: Data(contentsOf: folder.appendingPathComponent("06_signed_delivery_headers.json")))
        let timestamp = try #require(Int64(file.headers["X-Chatwoot-Timestamp"] ?? ""))
        return SigningVector(
            body: body,
            headers: WebhookHeaders(
                signature: file.headers["X-Chatwoot-Signature"], timestamp: file.headers["X-Chatwoot-Timestamp"],
                delivery: file.headers["X-Chatwoot-Delivery"]),
            secret: file.secret, timestamp: timestamp)
    }

    var signedAt: Date { Date(timeIntervalSince1970: TimeInterval(timestamp)) }

    private struct HeaderFile: Decodable {
        var secret: String
        var headers: [String: String]
    }
}

@Suite("Webhook signatures")
struct WebhookVerifierTests {
    @Test("Chatwoot's own signed delivery is accepted, with its delivery id")
    func acceptsTheTestVector() throws {
        let vector = try SigningVector.load()
        let verifier = WebhookVerifier(secrets: [vector.secret])
        let delivery = try verifier.verify(body: vector.body, headers: vector.headers, now: vector.signedAt)
        #expect(delivery.deliveryID == "0f5e2b9a-3c1d-4e7f-8a6b-5d4c3b2a1908")
        #expect(delivery.secretIndex == 0)
    }

    @Test("our signer writes the header Chatwoot wrote")
    func signerMatchesChatwoot() throws {
        let vector = try SigningVector.load()
        #expect(
            WebhookVerifier.signature(secret: vector.secret, timestamp: vector.timestamp, body: vector.body)
                == vector.headers.signature)
    }

    @Test("a wrong secret is refused")
    func wrongSecret() throws {
        let vector = try SigningVector.load()
        let verifier = WebhookVerifier(secrets: ["another-secret"])
        #expect(throws: WebhookVerificationError.signatureMismatch) {
            try verifier.verify(body: vector.body, headers: vector.headers, now: vector.signedAt)
        }
    }

    @Test("a body changed by one byte is refused, wherever the byte is")
    func bodyChangedByOneByte() throws {
        let vector = try SigningVector.load()
        let verifier = WebhookVerifier(secrets: [vector.secret])
        for index in [0, vector.body.count / 2, vector.body.count - 1] {
            var body = vector.body
            body[index] ^= 0x01
            #expect(throws: WebhookVerificationError.signatureMismatch) {
                try verifier.verify(body: body, headers: vector.headers, now: vector.signedAt)
            }
        }
        var longer = vector.body
        longer.append(UInt8(ascii: "\n"))
        #expect(throws: WebhookVerificationError.signatureMismatch) {
            try verifier.verify(body: longer, headers: vector.headers, now: vector.signedAt)
        }
    }

    @Test("missing or malformed headers are refused and named")
    func missingHeaders() throws {
        let vector = try SigningVector.load()
        let verifier = WebhookVerifier(secrets: [vector.secret])
        var headers = vector.headers
        headers.signature = nil
        #expect(throws: WebhookVerificationError.missingHeader("X-Chatwoot-Signature")) {
            try verifier.verify(body: vector.body, headers: headers, now: vector.signedAt)
        }
        headers = vector.headers
        headers.timestamp = nil
        #expect(throws: WebhookVerificationError.missingHeader("X-Chatwoot-Timestamp")) {
            try verifier.verify(body: vector.body, headers: headers, now: vector.signedAt)
        }
        for bad in ["7081e151", "sha1=7081e151159cb2867cc1dd94a540af5b9f97079c", "sha256=zz", "sha256="] {
            headers = vector.headers
            headers.signature = bad
            #expect(throws: WebhookVerificationError.malformedSignature) {
                try verifier.verify(body: vector.body, headers: headers, now: vector.signedAt)
            }
        }
        headers = vector.headers
        headers.timestamp = "yesterday"
        #expect(throws: WebhookVerificationError.malformedTimestamp) {
            try verifier.verify(body: vector.body, headers: headers, now: vector.signedAt)
        }
    }

    @Test("the timestamp window: 300 s either way is accepted, 301 s old or ahead is refused")
    func timestampWindow() throws {
        let vector = try SigningVector.load()
        let verifier = WebhookVerifier(secrets: [vector.secret])
        _ = try verifier.verify(body: vector.body, headers: vector.headers, now: vector.signedAt.addingTimeInterval(300))
        _ = try verifier.verify(body: vector.body, headers: vector.headers, now: vector.signedAt.addingTimeInterval(-300))
        #expect(throws: WebhookVerificationError.outsideWindow(secondsOff: 301, windowSeconds: 300)) {
            try verifier.verify(body: vector.body, headers: vector.headers, now: vector.signedAt.addingTimeInterval(301))
        }
        #expect(throws: WebhookVerificationError.outsideWindow(secondsOff: -301, windowSeconds: 300)) {
            try verifier.verify(body: vector.body, headers: vector.headers, now: vector.signedAt.addingTimeInterval(-301))
        }
    }

    @Test("during a rotation the previous secret is still accepted, and which one matched is told")
    func rotation() throws {
        let vector = try SigningVector.load()
        let verifier = WebhookVerifier(secrets: ["the-new-secret", vector.secret])
        let delivery = try verifier.verify(body: vector.body, headers: vector.headers, now: vector.signedAt)
        #expect(delivery.secretIndex == 1)
        let newBody = Data(#"{"event":"message_created"}"#.utf8)
        let signed = WebhookHeaders(
            signature: WebhookVerifier.signature(secret: "the-new-secret", timestamp: vector.timestamp, body: newBody),
            timestamp: String(vector.timestamp), delivery: nil)
        #expect(try verifier.verify(body: newBody, headers: signed, now: vector.signedAt).secretIndex == 0)
    }

    @Test("with no secret configured everything is refused")
    func noSecret() throws {
        let vector = try SigningVector.load()
        #expect(throws: WebhookVerificationError.noSecretConfigured) {
            try WebhookVerifier(secrets: []).verify(body: vector.body, headers: vector.headers, now: vector.signedAt)
        }
        #expect(throws: WebhookVerificationError.noSecretConfigured) {
            try WebhookVerifier(secrets: [""]).verify(body: vector.body, headers: vector.headers, now: vector.signedAt)
        }
    }
}
