import EventStore
import Foundation
import HTTPTypes
import HandoffSaga
import Hummingbird
import Logging
import Projections

/// `POST /v1/webhooks/chatwoot` (DESIGN §3, step 5): verify the signature, translate the delivery into events with
/// ids derived from Chatwoot's own ids, find the conversation it belongs to, drop what changes nothing, append the
/// rest, and answer 200 fast.
///
/// - A delivery that fails verification is refused with 401, counted, and nothing is read from it.
/// - Events that would not change the conversation's state (a team change to the team it has, a close of a closed
///   session, an assignment of the agent assigned) are dropped, so this service's own API writes echoed back by
///   Chatwoot do not become events. Agent messages are always kept (their ids make a redelivery harmless).
/// - Unknown events, deliveries that mean nothing here, and conversations this service does not know answer 200
///   with the reason, logged without message text.
struct WebhookReceiver: Sendable {
    /// Verifies signatures; refuses everything when no secret is configured.
    let verifier: WebhookVerifier
    /// Translates deliveries; nil when the account is not configured (the route then refuses everything).
    let translator: WebhookTranslator?
    /// Reads and folds conversation streams.
    let log: ConversationLog
    /// Finds a conversation by its Chatwoot conversation id when the delivery does not carry ours.
    let readModels: ReadModels
    /// Counts refusals and appends.
    let metrics: HandoffMetrics
    /// Recent delivery ids, to skip exact redeliveries early.
    let deliveries: RecentDeliveries

    /// The largest webhook body accepted: Chatwoot's messages may hold up to 150,000 characters.
    static let bodyLimit = 1024 * 1024
    /// How many times a delivery is applied again after a concurrent change of the conversation.
    static let maxAttempts = 5
    /// The metadata of every event a webhook appends (the same for every delivery of one fact, so the store's
    /// idempotency recognises a redelivery).
    static let metadata = EventMetadata(actor: "chatwoot", source: "webhook")

    /// What a delivery came to, as the 200 answer says.
    struct Outcome: Sendable {
        /// `appended`, `unchanged`, `ignored` or `duplicate`.
        var status: String
        /// Events written now.
        var appended: Int = 0
        /// Why nothing was written, for `ignored` and `unchanged`.
        var reason: String?

        var json: JSONValue {
            var members: [String: JSONValue] = ["status": .string(status), "appended": .integer(Int64(appended))]
            if let reason { members["reason"] = .string(reason) }
            return .object(members)
        }
    }

    /// Handles one delivery.
    func receive(_ request: Request, context: some RequestContext) async throws -> Response {
        let body = try await RequestBody.collect(request, limit: Self.bodyLimit)
        let headers = WebhookHeaders(
            signature: request.headers.first(named: "X-Chatwoot-Signature"),
            timestamp: request.headers.first(named: "X-Chatwoot-Timestamp"),
            delivery: request.headers.first(named: "X-Chatwoot-Delivery"))
        let logger = context.logger
        guard let translator else {
            throw refuse("notConfigured", "the webhook route is not configured (CHATWOOT_ACCOUNT_ID)", logger: logger)
        }
        let delivery: VerifiedDelivery
        do {
            delivery = try verifier.verify(body: body, headers: headers)
        } catch {
            throw refuse(Self.reason(error), error.description, logger: logger)
        }
        if let id = delivery.deliveryID, deliveries.contains(id) {
            logger.debug("webhook redelivery skipped", metadata: ["webhook.delivery": .string(id)])
            return JSONResponse.make(Outcome(status: "duplicate", reason: "this delivery was already received").json)
        }
        let translation: WebhookTranslation
        do {
            translation = try translator.translate(body)
        } catch {
            throw Problem(
                "webhook-payload", "The webhook body is not a Chatwoot payload", status: .badRequest,
                detail: error.message)
        }
        let outcome = try await apply(translation, logger: logger)
        if let id = delivery.deliveryID { deliveries.remember(id) }
        var metadata: Logger.Metadata = [
            "chatwoot.event": .string(translation.chatwootEvent), "webhook.status": .string(outcome.status),
            "events.appended": .stringConvertible(outcome.appended),
        ]
        if let id = translation.chatwootConversationID { metadata["chatwoot.conversation"] = .stringConvertible(id) }
        if let reason = outcome.reason { metadata["webhook.reason"] = .string(reason) }
        logger.info("webhook received", metadata: metadata)
        return JSONResponse.make(outcome.json)
    }

    /// Appends what a translated delivery changes.
    func apply(_ translation: WebhookTranslation, logger: Logger) async throws -> Outcome {
        guard !translation.events.isEmpty else {
            return Outcome(status: "ignored", reason: translation.ignoredBecause ?? "nothing to record")
        }
        guard let conversationID = try await conversationID(of: translation),
            let stream = try? StreamID.conversation(conversationID)
        else {
            return Outcome(status: "ignored", reason: "the Chatwoot conversation is not one of this service's")
        }
        let ids = Set(translation.events.map(\.eventID))
        for _ in 1...Self.maxAttempts {
            let snapshot = try await log.snapshot(conversationID, stream: stream, watching: ids)
            guard snapshot.exists else {
                return Outcome(status: "ignored", reason: "conversation \(conversationID) has no event in the log")
            }
            let events = try Self.changes(translation, snapshot: snapshot)
            guard !events.isEmpty else {
                return Outcome(status: "unchanged", reason: "the delivery changes nothing in the conversation")
            }
            let start = ContinuousClock.now
            let result: AppendResult
            do {
                guard let appended = try await log.store.appendUnlessMoved(events, to: stream, expected: snapshot.expectedVersion)
                else { continue }
                result = appended
            } catch {
                guard error.code == .duplicateEventID else { throw error }
                // The same Chatwoot fact stored before with other content (an edited message): keep the first.
                return Outcome(status: "unchanged", reason: "the delivery's events are already stored")
            }
            let written = result.alreadyStored ? 0 : events.count
            metrics.recordAppend(source: "webhook", written: written, duration: ContinuousClock.now - start)
            return Outcome(status: written > 0 ? "appended" : "unchanged", appended: written)
        }
        var problem = Problem(
            "contention", "The conversation is changing too fast", status: .serviceUnavailable,
            detail: "other writers changed the conversation \(Self.maxAttempts) times while the delivery was applied")
        problem.headers[.retryAfter] = "1"
        throw problem
    }

    /// The events of a delivery that change something (``EffectiveChanges``), in order, ready to append.
    static func changes(_ translation: WebhookTranslation, snapshot: ConversationSnapshot) throws -> [EventData] {
        let codec = EventCodec()
        let kept = EffectiveChanges.filter(
            translation.events, state: snapshot.state, stored: Set(snapshot.stored.keys),
            supportConversationID: translation.chatwootConversationID)
        return try kept.map {
            try codec.encode($0.event, eventID: $0.eventID, occurredAt: $0.occurredAt, metadata: metadata)
        }
    }

    /// Our conversation id: from the conversation's custom attribute, else the read models' state holding its
    /// Chatwoot conversation id.
    private func conversationID(of translation: WebhookTranslation) async throws -> String? {
        if let id = translation.conversationID { return id }
        guard let chatwootID = translation.chatwootConversationID else { return nil }
        do {
            return try await readModels.conversationID(supportConversationID: chatwootID)
        } catch ReadModelError.notPrepared {
            return nil
        }
    }

    /// Counts and logs a refused delivery, and the 401 to answer with.
    private func refuse(_ reason: String, _ detail: String, logger: Logger) -> Problem {
        metrics.webhookVerificationsFailed.increment(labels: ["reason": reason])
        logger.warning("webhook refused", metadata: ["webhook.reason": .string(reason)])
        return Problem(
            "webhook-unverified", "The webhook delivery is not verified", status: .unauthorized,
            detail: "\(detail); nothing was recorded")
    }

    /// A bounded label for a verification failure.
    private static func reason(_ error: WebhookVerificationError) -> String {
        switch error {
        case .noSecretConfigured: "notConfigured"
        case .missingHeader: "missingHeader"
        case .malformedSignature: "malformedSignature"
        case .malformedTimestamp: "malformedTimestamp"
        case .outsideWindow: "outsideWindow"
        case .signatureMismatch: "signatureMismatch"
        }
    }
}
