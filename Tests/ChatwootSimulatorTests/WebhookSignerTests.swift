import NIOCore
import NIOHTTP1
import Testing

@testable import ChatwootSimulator

@Suite("Webhook signing")
struct WebhookSignerTests {
    /// The signing test vector of the webhook samples: the exact body bytes (no trailing newline), timestamp and secret.
    static let vectorBody =
        #"{"account":{"id":1,"name":"Acme Support"},"additional_attributes":{},"content_attributes":{},"content_type":"text","content":"Hi Jane, I can update that for you.","conversation":{"additional_attributes":{},"can_reply":true,"channel":"Channel::Api","contact_inbox":{"id":311,"contact_id":42,"inbox_id":7,"source_id":"b6f1c0de-8f3a-4c2e-9d41-2f5a7c9e0a11","created_at":"2026-06-20T10:14:58.204Z","updated_at":"2026-06-20T10:14:58.204Z","hmac_verified":false,"pubsub_token":"Xq3pT9vLmN2kR8sYw4zB7cDe"},"id":1024,"inbox_id":7,"messages":[{"id":90007,"content":"Hi Jane, I can update that for you.","account_id":1,"inbox_id":7,"conversation_id":1024,"message_type":1,"created_at":1781950530,"updated_at":"2026-06-20T10:15:30.402Z","private":false,"status":"sent","source_id":null,"content_type":"text","content_attributes":{},"sender_type":"User","sender_id":5,"external_source_ids":{},"additional_attributes":{},"processed_message_content":"Hi Jane, I can update that for you.","sentiment":{},"conversation":{"assignee_id":5,"unread_count":0,"last_activity_at":1781950530,"contact_inbox":{"source_id":"b6f1c0de-8f3a-4c2e-9d41-2f5a7c9e0a11"}},"sender":{"id":5,"name":"Alice Agent","available_name":"Alice","avatar_url":"","type":"user","availability_status":"online","thumbnail":""}}],"labels":[],"meta":{"sender":{"additional_attributes":{},"custom_attributes":{},"email":null,"id":42,"identifier":"user-123","name":"Jane Doe","phone_number":null,"thumbnail":"","blocked":false,"type":"contact"},"assignee":{"id":5,"name":"Alice Agent","available_name":"Alice","avatar_url":"","type":"user","availability_status":"online","thumbnail":""},"assignee_type":"User","team":{"id":3,"name":"support"},"hmac_verified":false},"status":"open","custom_attributes":{"bot_session_id":"b6f1c0de-8f3a-4c2e-9d41-2f5a7c9e0a11"},"snoozed_until":null,"unread_count":0,"first_reply_created_at":"2026-06-20T10:15:30.402Z","priority":null,"waiting_since":0,"agent_last_seen_at":1781950528,"contact_last_seen_at":0,"last_activity_at":1781950530,"timestamp":1781950530,"created_at":1781950498,"updated_at":1781950530.412871,"account":{"id":1,"name":"Acme Support"}},"created_at":"2026-06-20T10:15:30.402Z","id":90007,"inbox":{"id":7,"name":"Chatbot handoff (API)"},"message_type":"outgoing","private":false,"sender":{"id":5,"name":"Alice Agent","email":"alice@example.com","type":"user"},"source_id":null,"event":"message_created"}"#
    static let vectorSecret = "example-webhook-secret-do-not-use"
    static let vectorTimestamp = 1_781_950_531
    static let vectorSignature = "sha256=7081e151159cb2867cc1dd94a540af5b9f97079c277c683734fb76ddfb64d4ad"

    @Test("the signer reproduces the test vector")
    func vector() {
        let signature = WebhookSigner.signature(
            body: Array(Self.vectorBody.utf8),
            timestamp: Self.vectorTimestamp,
            secret: Self.vectorSecret
        )
        #expect(signature == Self.vectorSignature)
    }

    @Test("one changed byte or another timestamp changes the signature")
    func tamper() {
        var body = Array(Self.vectorBody.utf8)
        body[10] ^= 0x01
        #expect(WebhookSigner.signature(body: body, timestamp: Self.vectorTimestamp, secret: Self.vectorSecret) != Self.vectorSignature)
        #expect(
            WebhookSigner.signature(body: Array(Self.vectorBody.utf8), timestamp: Self.vectorTimestamp + 1, secret: Self.vectorSecret)
                != Self.vectorSignature
        )
    }
}
