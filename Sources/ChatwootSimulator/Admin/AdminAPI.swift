/// The simulator's own routes under `/__sim/` (no token): simulated agents acting in the UI, fault
/// plans, webhook drops, stats and a state dump.
///
/// | route | body | answer |
/// |---|---|---|
/// | `POST /__sim/conversations/{cid}/reply` | `{"agentId": 1, "content": "...", "private": false}` | the message (REST JSON) |
/// | `POST /__sim/conversations/{cid}/assign` | `{"agentId": 1}` or `{"agentId": null}` | the conversation |
/// | `POST /__sim/conversations/{cid}/transfer` | `{"teamId": 4}` or `{"teamId": null}` | the conversation |
/// | `POST /__sim/conversations/{cid}/status` | `{"status": "resolved"}` (`open`, `pending`, `snoozed`) | the conversation |
/// | `POST /__sim/webhooks/drop` | `{"count": 2}` | `{"dropNext": 2}` |
/// | `GET /__sim/webhooks` | | the deliveries |
/// | `PUT /__sim/faults` | a fault plan | the plan (422 naming an unknown kind or field) |
/// | `GET /__sim/faults`, `DELETE /__sim/faults` | | the plan in force / an empty plan |
/// | `GET /__sim/stats` | | ``SimulatorStats`` |
/// | `GET /__sim/state` | | contacts and conversations with their messages |
enum AdminAPI {
    static func respond(to request: APIRequest, simulator: ChatwootSimulator) -> APIResponse {
        let segments = Array(request.segments.dropFirst())
        do throws(SimulatorError) {
            switch (request.method, segments.count) {
            case ("POST", 3) where segments[0] == "conversations":
                guard let cid = Int(segments[1]) else {
                    throw SimulatorError(.conversationNotFound, "no conversation with display id \(segments[1])")
                }
                let body = try self.body(request)
                return try self.conversationAction(segments[2], cid: cid, body: body, simulator: simulator)
            case ("POST", 2) where segments == ["webhooks", "drop"]:
                let body = try self.body(request)
                guard let count = body["count"]?.integerValue, count >= 0 else {
                    throw SimulatorError(.invalidRequest, #"expected {"count": n} with n >= 0"#)
                }
                simulator.dropWebhooks(next: count)
                return .json(["dropNext": .int(count)])
            case ("GET", 1) where segments[0] == "webhooks":
                return .json(.array(simulator.webhookDeliveries().map(self.deliveryJSON)))
            case ("PUT", 1) where segments[0] == "faults":
                let plan: FaultPlan
                do {
                    plan = try FaultPlan(jsonBytes: request.body)
                } catch {
                    return .json(["error": .string(error.description)], status: 422)
                }
                simulator.install(plan)
                return .json(plan.jsonValue)
            case ("GET", 1) where segments[0] == "faults":
                return .json(simulator.faultPlan().jsonValue)
            case ("DELETE", 1) where segments[0] == "faults":
                simulator.install(FaultPlan())
                return .json(FaultPlan().jsonValue)
            case ("GET", 1) where segments[0] == "stats":
                return .json(simulator.stats().jsonValue)
            case ("GET", 1) where segments[0] == "state":
                return .json(simulator.stateJSON())
            default:
                return .json(["error": .string("no simulator route \(request.method) \(request.path)")], status: 404)
            }
        } catch {
            let status: Int
            switch error.code {
            case .conversationNotFound, .agentNotFound, .teamNotFound: status = 404
            default: status = 422
            }
            return .json(["error": .string(error.message)], status: status)
        }
    }

    private static func conversationAction(
        _ action: String,
        cid: Int,
        body: JSONObject,
        simulator: ChatwootSimulator
    ) throws(SimulatorError) -> APIResponse {
        switch action {
        case "reply":
            guard let agent = body["agentId"]?.integerValue else {
                throw SimulatorError(.invalidRequest, #"expected {"agentId": n, "content": "..."}"#)
            }
            guard let content = body["content"]?.scalarString else {
                throw SimulatorError(.invalidRequest, #"expected {"agentId": n, "content": "..."}"#)
            }
            let message = try simulator.performAgentReply(
                conversation: cid,
                agent: agent,
                content: content,
                isPrivate: body["private"]?.booleanValue ?? false
            )
            return .json(message)
        case "assign":
            guard body.contains("agentId") else {
                throw SimulatorError(.invalidRequest, #"expected {"agentId": n} or {"agentId": null}"#)
            }
            try simulator.performAssign(conversation: cid, agent: body["agentId"]?.integerValue)
            return .json(simulator.conversationJSON(cid))
        case "transfer":
            guard body.contains("teamId") else {
                throw SimulatorError(.invalidRequest, #"expected {"teamId": n} or {"teamId": null}"#)
            }
            try simulator.performTransfer(conversation: cid, team: body["teamId"]?.integerValue)
            return .json(simulator.conversationJSON(cid))
        case "status":
            guard let status = body["status"]?.scalarString else {
                throw SimulatorError(.invalidRequest, #"expected {"status": "resolved"} (or open, pending, snoozed)"#)
            }
            try simulator.performSetStatus(conversation: cid, status: status)
            return .json(simulator.conversationJSON(cid))
        default:
            throw SimulatorError(.invalidRequest, "unknown conversation action \"\(action)\" (reply, assign, transfer, status)")
        }
    }

    private static func body(_ request: APIRequest) throws(SimulatorError) -> JSONObject {
        if request.body.isEmpty { return JSONObject() }
        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body)
        } catch {
            throw SimulatorError(.invalidRequest, "body is not JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw SimulatorError(.invalidRequest, "body must be a JSON object")
        }
        return object
    }

    private static func deliveryJSON(_ delivery: WebhookDelivery) -> JSONValue {
        [
            "event": .string(delivery.event),
            "deliveryId": .string(delivery.deliveryID),
            "timestamp": .int(delivery.timestamp),
            "dropped": .bool(delivery.dropped),
            "statusCode": .optional(delivery.statusCode),
            "error": .optional(delivery.error),
        ]
    }
}
