/// The OpenAPI 3.1 document of handoffd's HTTP API, served at `GET /openapi.yaml`. This is its only copy; the tests
/// check that its paths are exactly the routes the router registers and that its request examples are accepted.
enum OpenAPIDocument {
    /// The media type it is served with.
    static let contentType = "application/yaml"

    /// The document.
    static let yaml = #"""
        openapi: 3.1.0
        info:
          title: handoff
          version: 1.0.0
          summary: An event-sourced conversation store that hands chatbot conversations over to human agents in Chatwoot.
          description: |
            The bot platform appends what happens in each conversation (user messages, bot replies, skills, handoff
            requests, closes), asks who owns a conversation now, and reads or streams its events (agent replies
            included). Chatwoot reports agents' actions through its webhook. Routing tables are versioned.

            Errors are RFC 9457 problem documents (`application/problem+json`) with a `field` member naming the
            offending field (`events[3].data.text`) and, on version conflicts, `currentVersion`.

            Limits: a body is at most 64 KiB (a webhook body 1 MiB), a batch at most 100 events, the `text` of a user
            or bot message at most 16 KiB of UTF-8. A conversation id makes the stream id `conversation-<id>`, which
            must be 1-200 characters of `[A-Za-z0-9._:-]`.
        servers:
          - url: http://127.0.0.1:8080
            description: the default HANDOFF_LISTEN
        security:
          - bearer: []
        tags:
          - name: conversations
          - name: routing
          - name: webhooks
          - name: operations
        paths:
          /v1/conversations/{id}/events:
            parameters:
              - $ref: '#/components/parameters/ConversationId'
            post:
              tags: [conversations]
              operationId: appendEvents
              summary: Append events to a conversation
              description: |
                Each event is decided against the conversation's state as the events before it leave it, then the
                accepted ones are appended atomically with the version read (another writer in between: read and
                decide again, a bounded number of times). The first event of an unknown conversation starts it.

                - **201**: at least one event was written.
                - **200**: nothing new was written: every event is either already stored (a retry with the same
                  event ids and content answers their original positions) or a **no-op**. A no-op is acknowledged and
                  not stored; its position is `null` and its outcome `noOp`. No-ops: a `handoff.requested` while a
                  handoff is in progress or a human owns the session, a `session.closed` of a closed (or never started)
                  session, a second `conversation.started`.
                - **409**: a refusal naming the rule (`human-owns-session`: a `bot.message` while a human owns the
                  session), a wrong `expectedVersion` (with `currentVersion`), or an event id stored with other content.
                - **422**: an unknown event type, a type only handoff itself records (`handoff.routed`, `support.*`,
                  `agent.*`), a payload that does not match its type, too many events, text too long.

                Nothing is written unless the whole request is accepted.
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      $ref: '#/components/schemas/AppendRequest'
                    examples:
                      start:
                        summary: A conversation starts and the user writes
                        value: {"events": [{"eventId": "3f1c2a4e-7d1f-4c55-9a51-3f0c1b1f2a10", "type": "conversation.started", "at": "2026-11-24T10:00:00Z", "data": {"channel": "web", "userId": "u-1001"}, "metadata": {"actor": "bot-platform", "correlationId": "r-1"}}, {"eventId": "3f1c2a4e-7d1f-4c55-9a51-3f0c1b1f2a11", "type": "user.message", "at": "2026-11-24T10:00:05Z", "data": {"messageId": "m-1", "text": "I want a refund"}, "metadata": {"actor": "bot-platform", "correlationId": "r-1"}}]}
                      handoff:
                        summary: The bot asks for a human, with the skill it could not finish
                        value: {"events": [{"eventId": "3f1c2a4e-7d1f-4c55-9a51-3f0c1b1f2a12", "type": "skill.started", "at": "2026-11-24T10:01:00Z", "data": {"skill": "acme.shop.Refund"}}, {"eventId": "3f1c2a4e-7d1f-4c55-9a51-3f0c1b1f2a13", "type": "handoff.requested", "at": "2026-11-24T10:02:00Z", "data": {"reason": "bot_failed"}}], "expectedVersion": -1}
              responses:
                '200':
                  description: Nothing new was written (a retry of stored events, or only no-ops).
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/AppendResult'
                      example: {"positions": [17, null], "version": 4, "outcomes": ["alreadyStored", "noOp"]}
                '201':
                  description: Events were written.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/AppendResult'
                      example: {"positions": [17, 18], "version": 1, "outcomes": ["appended", "appended"]}
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '409':
                  $ref: '#/components/responses/Conflict'
                '413':
                  $ref: '#/components/responses/TooLarge'
                '422':
                  $ref: '#/components/responses/Unprocessable'
                '503':
                  $ref: '#/components/responses/Unavailable'
            get:
              tags: [conversations]
              operationId: listEvents
              summary: Read a conversation's events, or stream them
              description: |
                Events in wire form, with `position` (global) and `version` (in the conversation), oldest first, those
                after position `after`. Page with `after` set to `nextAfter`.

                With `Accept: text/event-stream` the answer is a stream of server-sent events: first the stored events
                after `after` (or after `Last-Event-ID`, which wins), then each new one as it is committed, without gap
                or repeat. Each message has `id:` the event's position and `data:` its wire form on one line. The
                stream ends when the server shuts down.
              parameters:
                - name: after
                  in: query
                  description: Only events whose global position is greater than this.
                  schema:
                    type: integer
                    format: int64
                    minimum: 0
                    default: 0
                - name: limit
                  in: query
                  description: The most events returned (not for the stream).
                  schema:
                    type: integer
                    minimum: 1
                    maximum: 1000
                    default: 100
                - name: Last-Event-ID
                  in: header
                  description: With the stream, resume after this position.
                  schema:
                    type: integer
                    format: int64
                    minimum: 0
              responses:
                '200':
                  description: The events, or the event stream.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/EventPage'
                    text/event-stream:
                      schema:
                        type: string
                      example: "id: 17\ndata: {\"at\":\"2026-11-24T10:00:05Z\",\"conversationId\":\"c-1001\",\"data\":{\"messageId\":\"m-1\",\"text\":\"I want a refund\"},\"eventId\":\"3f1c2a4e-7d1f-4c55-9a51-3f0c1b1f2a11\",\"metadata\":{\"schemaVersion\":1},\"position\":17,\"type\":\"user.message\",\"version\":1}\n\n"
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
                '503':
                  $ref: '#/components/responses/Unavailable'
          /v1/conversations/{id}:
            parameters:
              - $ref: '#/components/parameters/ConversationId'
            get:
              tags: [conversations]
              operationId: getConversation
              summary: Who owns a conversation now
              description: |
                The state folded from every event of the conversation (so it includes every acknowledged append).
                While `humanOwnsSession` is true (`mode` `routing`, `queued` or `withAgent`) the bot must stay silent.
              responses:
                '200':
                  description: The conversation's state.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ConversationState'
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
                '503':
                  $ref: '#/components/responses/Unavailable'
          /v1/conversations/{id}/audit:
            parameters:
              - $ref: '#/components/parameters/ConversationId'
            get:
              tags: [conversations]
              operationId: getAudit
              summary: Who handled a conversation, segment by segment
              responses:
                '200':
                  description: The segments, oldest first.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/Audit'
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
                '503':
                  $ref: '#/components/responses/Unavailable'
          /v1/routing:
            get:
              tags: [routing]
              operationId: getRouting
              summary: The routing table in force
              responses:
                '200':
                  description: The latest table and its version.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/RoutingVersion'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
                '503':
                  $ref: '#/components/responses/Unavailable'
            put:
              tags: [routing]
              operationId: setRouting
              summary: Set the next version of the routing table
              description: |
                Validates the table (every field required, no unknown or repeated key, skill entries of three or more
                dot-separated parts or a package ending in `.*`, no skill or team listed twice) and appends it as the
                next version. The table already in force changes nothing: the answer has its version and
                `"changed": false`. An invalid table is 422 naming the entry (`field` is its JSON path, `code` the rule
                broken, `entry` the value as written).
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      $ref: '#/components/schemas/RoutingTable'
                    examples:
                      table:
                        summary: Refunds and billing to team 3, deliveries to team 4, the rest to team 1
                        value: {"defaultTeam": 1, "teams": [{"team": 3, "skills": ["acme.shop.Refund", "acme.billing.*"]}, {"team": 4, "skills": ["acme.shop.Delivery"]}]}
              responses:
                '200':
                  description: The version now in force.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/RoutingVersion'
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '413':
                  $ref: '#/components/responses/TooLarge'
                '422':
                  $ref: '#/components/responses/Unprocessable'
                '503':
                  $ref: '#/components/responses/Unavailable'
          /v1/webhooks/chatwoot:
            post:
              tags: [webhooks]
              operationId: chatwootWebhook
              summary: Chatwoot's webhook deliveries
              description: |
                No bearer token: each delivery is verified by `X-Chatwoot-Signature` (`sha256=` and the hex
                HMAC-SHA256 of `{X-Chatwoot-Timestamp}.{raw body}` under one of CHATWOOT_WEBHOOK_SECRETS) within five
                minutes of `X-Chatwoot-Timestamp`. A delivery failing it is 401 and nothing is recorded; so is every
                delivery when no secret (or no CHATWOOT_ACCOUNT_ID) is configured.

                Agent messages, assignments, team changes and resolves become events whose ids derive from Chatwoot's
                ids, so a redelivery writes nothing; events that change nothing in the conversation's state (this
                service's own changes echoed back) are dropped. Unknown events and conversations this service does not
                know are answered 200 with the reason.
              security: []
              parameters:
                - name: X-Chatwoot-Signature
                  in: header
                  required: true
                  schema:
                    type: string
                    pattern: '^sha256=[0-9a-fA-F]{64}$'
                - name: X-Chatwoot-Timestamp
                  in: header
                  required: true
                  schema:
                    type: string
                    pattern: '^[0-9]+$'
                - name: X-Chatwoot-Delivery
                  in: header
                  schema:
                    type: string
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [event]
                      properties:
                        event:
                          type: string
                    examples:
                      agentMessage:
                        summary: An agent's reply (message_created, outgoing, from a user)
                        value: {"event": "message_created", "id": 90007, "content": "Hi, I can update that for you.", "message_type": "outgoing", "private": false, "source_id": null, "created_at": 1781950530, "sender": {"id": 5, "name": "Alice Agent", "type": "user"}, "conversation": {"id": 1024, "status": "open", "custom_attributes": {"handoff_conversation_id": "c-1001"}}, "account": {"id": 1}}
              responses:
                '200':
                  description: The delivery was received; what it came to.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/WebhookOutcome'
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  description: The delivery is not verified; nothing was recorded.
                  content:
                    application/problem+json:
                      schema:
                        $ref: '#/components/schemas/Problem'
                '413':
                  $ref: '#/components/responses/TooLarge'
                '503':
                  $ref: '#/components/responses/Unavailable'
          /health:
            get:
              tags: [operations]
              operationId: health
              summary: Whether the database answers
              security: []
              responses:
                '200':
                  description: The database answered.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/Health'
                '503':
                  $ref: '#/components/responses/Unavailable'
          /metrics:
            get:
              tags: [operations]
              operationId: metrics
              summary: Metrics in the Prometheus text format 0.0.4
              description: |
                `handoff_events_appended_total{source}`, `handoff_append_duration_seconds{source}` (histogram),
                `handoff_outbox_depth{state}`, `handoff_dispatch_outcomes_total{outcome}`,
                `handoff_webhook_verifications_failed_total{reason}`, `handoff_http_requests_total{method,route,status}`.
              security: []
              responses:
                '200':
                  description: The metrics.
                  content:
                    text/plain:
                      schema:
                        type: string
          /openapi.yaml:
            get:
              tags: [operations]
              operationId: openAPI
              summary: This document
              security: []
              responses:
                '200':
                  description: The OpenAPI document.
                  content:
                    application/yaml:
                      schema:
                        type: string
        components:
          securitySchemes:
            bearer:
              type: http
              scheme: bearer
              description: 'One of the tokens of HANDOFF_TOKENS. A token missing, empty, of another scheme or unknown is answered 401 with WWW-Authenticate: Bearer.'
          parameters:
            ConversationId:
              name: id
              in: path
              required: true
              description: The conversation id; `conversation-<id>` must be a valid stream id (1-200 characters of `[A-Za-z0-9._:-]`).
              schema:
                type: string
                pattern: '^[A-Za-z0-9._:-]{1,187}$'
              example: c-1001
          responses:
            BadRequest:
              description: The body is not JSON, or a parameter is invalid.
              content:
                application/problem+json:
                  schema:
                    $ref: '#/components/schemas/Problem'
            Unauthorized:
              description: No valid bearer token; nothing was done.
              headers:
                WWW-Authenticate:
                  schema:
                    type: string
                  example: Bearer realm="handoff"
              content:
                application/problem+json:
                  schema:
                    $ref: '#/components/schemas/Problem'
            NotFound:
              description: No such conversation, or no routing table yet.
              content:
                application/problem+json:
                  schema:
                    $ref: '#/components/schemas/Problem'
            Conflict:
              description: A refusal naming the rule, a wrong expectedVersion (with currentVersion), or an event id stored with other content.
              content:
                application/problem+json:
                  schema:
                    $ref: '#/components/schemas/Problem'
                  example: {"type": "urn:handoff:problem:wrong-expected-version", "title": "The conversation is not at the expected version", "status": 409, "detail": "expectedVersion is 3, but the conversation is at version 5", "field": "expectedVersion", "currentVersion": 5}
            TooLarge:
              description: The body is larger than the route accepts.
              content:
                application/problem+json:
                  schema:
                    $ref: '#/components/schemas/Problem'
            Unprocessable:
              description: The JSON does not have the shape the route needs; `field` names where.
              content:
                application/problem+json:
                  schema:
                    $ref: '#/components/schemas/Problem'
                  example: {"type": "urn:handoff:problem:text-too-long", "title": "The message text is too long", "status": 422, "detail": "text is 20000 bytes of UTF-8; at most 16384 are accepted", "field": "events[3].data.text"}
            Unavailable:
              description: The store cannot serve the request now (or writers keep changing the conversation); retry after Retry-After seconds.
              headers:
                Retry-After:
                  schema:
                    type: integer
              content:
                application/problem+json:
                  schema:
                    $ref: '#/components/schemas/Problem'
          schemas:
            WireEvent:
              type: object
              description: |
                One event. Types the bot platform sends: conversation.started, user.message, bot.message,
                skill.started, skill.completed, skill.abandoned, handoff.requested, session.closed. Read back, events
                also hold handoff.routed, support.*, agent.* (what handoff and Chatwoot recorded).
              required: [eventId, type, at, data]
              properties:
                eventId:
                  type: string
                  format: uuid
                  description: Chosen by the sender; sending the same event again is safe.
                conversationId:
                  type: string
                  description: Optional on input; when given it must be the id of the path.
                type:
                  type: string
                  minLength: 1
                  examples: [user.message]
                at:
                  type: string
                  format: date-time
                  description: When it happened at the source (ISO-8601 with a time zone), kept to the millisecond.
                data:
                  type: object
                  description: The type's payload (camelCase keys), for example `{"messageId", "text"}` for user.message.
                metadata:
                  type: object
                  properties:
                    correlationId:
                      type: string
                    causationId:
                      type: string
                    actor:
                      type: string
                    source:
                      type: string
                    schemaVersion:
                      type: integer
                      minimum: 1
                position:
                  type: integer
                  format: int64
                  minimum: 1
                  readOnly: true
                version:
                  type: integer
                  format: int64
                  minimum: 0
                  readOnly: true
            AppendRequest:
              type: object
              additionalProperties: false
              required: [events]
              properties:
                events:
                  type: array
                  minItems: 1
                  maxItems: 100
                  items:
                    $ref: '#/components/schemas/WireEvent'
                expectedVersion:
                  type: integer
                  format: int64
                  minimum: -1
                  description: The version the conversation must be at (-1 for a conversation without events). A retry of stored events is checked against where they were stored.
            AppendResult:
              type: object
              required: [positions, version, outcomes]
              properties:
                positions:
                  type: array
                  description: One per request event, in order; null for a no-op.
                  items:
                    type: [integer, 'null']
                    format: int64
                version:
                  type: integer
                  format: int64
                  description: The conversation's version after the request (-1 when it still has no event).
                outcomes:
                  type: array
                  items:
                    type: string
                    enum: [appended, alreadyStored, noOp]
            Agent:
              type: object
              required: [id, name]
              properties:
                id:
                  type: integer
                name:
                  type: [string, 'null']
            ConversationState:
              type: object
              required: [conversationId, version, position, session, mode, humanOwnsSession, team, agent, unfinishedSkills, support, lastEventAt]
              properties:
                conversationId:
                  type: string
                version:
                  type: integer
                  format: int64
                position:
                  type: integer
                  format: int64
                session:
                  type: integer
                mode:
                  type: string
                  enum: [bot, routing, queued, withAgent, closed]
                humanOwnsSession:
                  type: boolean
                team:
                  type: [integer, 'null']
                agent:
                  oneOf:
                    - $ref: '#/components/schemas/Agent'
                    - type: 'null'
                unfinishedSkills:
                  type: array
                  items:
                    type: string
                support:
                  type: object
                  required: [contactId, conversationId]
                  properties:
                    contactId:
                      type: [integer, 'null']
                    conversationId:
                      type: [integer, 'null']
                lastEventAt:
                  type: [string, 'null']
                  format: date-time
            EventPage:
              type: object
              required: [conversationId, events, nextAfter]
              properties:
                conversationId:
                  type: string
                events:
                  type: array
                  items:
                    $ref: '#/components/schemas/WireEvent'
                nextAfter:
                  type: integer
                  format: int64
                  description: The `after` that reads the next page.
            Audit:
              type: object
              required: [conversationId, segments]
              properties:
                conversationId:
                  type: string
                segments:
                  type: array
                  items:
                    $ref: '#/components/schemas/AuditSegment'
            AuditSegment:
              type: object
              required: [session, owner, team, agent, from, to, fromPosition, toPosition, end]
              properties:
                session:
                  type: integer
                owner:
                  type: string
                  enum: [bot, routing, team, agent]
                team:
                  type: [integer, 'null']
                agent:
                  oneOf:
                    - $ref: '#/components/schemas/Agent'
                    - type: 'null'
                from:
                  type: string
                  format: date-time
                to:
                  type: [string, 'null']
                  format: date-time
                fromPosition:
                  type: integer
                  format: int64
                toPosition:
                  type: [integer, 'null']
                  format: int64
                end:
                  type: [string, 'null']
                  enum: [handoff, routed, assigned, unassigned, transferred, closed, null]
                closedBy:
                  type: string
                closeReason:
                  type: [string, 'null']
            RoutingTable:
              type: object
              additionalProperties: false
              required: [defaultTeam, teams]
              properties:
                defaultTeam:
                  type: integer
                  minimum: 1
                teams:
                  type: array
                  description: Teams in priority order.
                  items:
                    type: object
                    additionalProperties: false
                    required: [team, skills]
                    properties:
                      team:
                        type: integer
                        minimum: 1
                      skills:
                        type: array
                        items:
                          type: string
                          description: A full skill name (Organization.Project.Skill) or a package ending in `.*`.
            RoutingVersion:
              type: object
              required: [version, position, eventId, setAt, table]
              properties:
                version:
                  type: integer
                  format: int64
                  description: 1 for the first table set, 2 for the next, ...
                position:
                  type: integer
                  format: int64
                eventId:
                  type: string
                  format: uuid
                setAt:
                  type: string
                  format: date-time
                table:
                  $ref: '#/components/schemas/RoutingTable'
                changed:
                  type: boolean
                  description: On a put, whether a new version was set.
            WebhookOutcome:
              type: object
              required: [status, appended]
              properties:
                status:
                  type: string
                  enum: [appended, unchanged, ignored, duplicate]
                appended:
                  type: integer
                reason:
                  type: string
            Health:
              type: object
              required: [status, head]
              properties:
                status:
                  type: string
                  enum: [ok]
                head:
                  type: integer
                  format: int64
            Problem:
              type: object
              description: RFC 9457 problem details.
              required: [type, title, status, detail]
              properties:
                type:
                  type: string
                  description: urn:handoff:problem:<kind>, for example urn:handoff:problem:human-owns-session.
                title:
                  type: string
                status:
                  type: integer
                detail:
                  type: string
                field:
                  type: string
                  description: The offending field, for example events[3].data.text or expectedVersion.
                currentVersion:
                  type: integer
                  format: int64
                  description: On a version conflict, the conversation's version now (-1 when it has no event).
                rule:
                  type: string
                  description: On a refusal, the decision rule (humanOwnsSession, reservedType, unknownType).
                code:
                  type: string
                  description: On an invalid routing table, the rule broken (invalidSkill, duplicateTeam, ...).
                entry:
                  type: string
                  description: On an invalid routing table, the offending entry as written.
        """#
}
