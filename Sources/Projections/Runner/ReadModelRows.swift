import EventStore
import Foundation

/// Writing fold results as read-model rows, and reading them back.
enum ReadModelRows {
    // MARK: Writing

    /// A flush's rows as the values bound to each table's upsert, made ready away from the writer's thread, which
    /// then only binds and steps. Each table's rows follow one another, one value per parameter of its upsert.
    struct Prepared: Sendable {
        var conversations: [SQLiteValue] = []
        var segments: [SQLiteValue] = []
        var handoffs: [SQLiteValue] = []

        /// The rows of `changes`, in their order.
        init(_ changes: [ReadModelChanges]) {
            for change in changes { add(change) }
        }

        private mutating func add(_ changes: ReadModelChanges) {
            let state = changes.state
            conversations += [
                .text(changes.conversationID), .integer(Int64(state.session)),
                .text(state.mode.rawValue), .optional(state.team), .optional(state.agent?.id),
                .optional(state.agent?.name), .optional(state.support.contactID),
                .optional(state.support.conversationID), .optional(state.userID),
                .text(ReadModelRows.jsonArray(state.unfinishedSkills)), .optional(state.sessionStartedAt),
                .optional(state.lastEventAt), .integer(state.position), .integer(state.version),
            ]
            for (seq, segment) in changes.segments {
                let (owner, team, agent) = ReadModelRows.columns(of: segment.owner)
                let (endKind, closedBy, closeReason) = ReadModelRows.columns(of: segment.end)
                segments += [
                    .text(changes.conversationID), .integer(Int64(seq)),
                    .integer(Int64(segment.session)), .text(owner), .optional(team), .optional(agent?.id),
                    .optional(agent?.name), .optional(segment.from), .optional(segment.to),
                    .integer(segment.fromPosition), .optional(segment.toPosition), .optional(endKind),
                    .optional(closedBy), .optional(closeReason),
                ]
            }
            for (seq, trace) in changes.handoffs {
                let request = trace.request
                let teams =
                    "[" + trace.teams.map { "[\($0.team.map(String.init) ?? "null"),\($0.at.millisecondsSince1970)]" }
                    .joined(separator: ",") + "]"
                handoffs += [
                    .text(changes.conversationID), .integer(Int64(seq)),
                    .integer(Int64(trace.session)), .text(request.requestEventID.uuidString),
                    .optional(request.requestedAt), .text(request.reason), .optional(request.requestedTeam),
                    .optional(request.teamChosenBy?.rawValue), .text(ReadModelRows.jsonArray(request.unfinishedSkills)),
                    .optional(request.routedTeam), .optional(request.rule), .optional(request.routingVersion),
                    .optional(trace.routedAt), .text(teams), .optional(trace.closedAt),
                ]
            }
        }

        /// Upserts every row, one table after the other.
        func write(in db: borrowing SQLiteDatabase) throws {
            try db.statement(ReadModelSchema.upsertConversation).run(rows: conversations)
            try db.statement(ReadModelSchema.upsertSegment).run(rows: segments)
            try db.statement(ReadModelSchema.upsertHandoff).run(rows: handoffs)
        }
    }

    /// A JSON array of strings, written directly (this runs for every changed row of a flush).
    static func jsonArray(_ strings: [String]) -> String {
        var json = "["
        for (index, string) in strings.enumerated() {
            if index > 0 { json += "," }
            json += "\""
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": json += "\\\""
                case "\\": json += "\\\\"
                case "\n": json += "\\n"
                case "\r": json += "\\r"
                case "\t": json += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: json.unicodeScalars.append(scalar)
                }
            }
            json += "\""
        }
        return json + "]"
    }

    private static func columns(of owner: Owner) -> (String, Int?, AgentRef?) {
        switch owner {
        case .bot: ("bot", nil, nil)
        case .routing: ("routing", nil, nil)
        case .team(let team): ("team", team, nil)
        case .agent(let agent, let team): ("agent", team, agent)
        }
    }

    private static func columns(of end: SegmentEnd?) -> (String?, String?, String?) {
        switch end {
        case nil: (nil, nil, nil)
        case .handoff?: ("handoff", nil, nil)
        case .routed?: ("routed", nil, nil)
        case .assigned?: ("assigned", nil, nil)
        case .unassigned?: ("unassigned", nil, nil)
        case .transferred?: ("transferred", nil, nil)
        case .closed(let by, let reason)?: ("closed", by, reason)
        }
    }

    // MARK: Reading

    static func conversation(_ row: SQLiteStatement) throws -> ConversationSummary {
        let agent = row.optionalInt(4).map { AgentRef(id: $0, name: row.optionalText(5)) }
        return ConversationSummary(
            conversationID: row.text(0), session: Int(row.int64(1)),
            mode: try value(SessionMode(rawValue: row.text(2)), "rm_conversations", "mode", raw: row.text(2)), team: row.optionalInt(3),
            agent: agent, support: SupportIDs(contactID: row.optionalInt(6), conversationID: row.optionalInt(7)),
            userID: row.optionalText(8), unfinishedSkills: try strings(row.text(9), "rm_conversations", "unfinished_skills"),
            sessionStartedAt: row.optionalDate(10), lastEventAt: row.optionalDate(11), position: row.int64(12),
            version: row.int64(13))
    }

    static let conversationColumns = """
        conversation_id, session, mode, team, agent_id, agent_name, contact_id, support_conversation_id, user_id,
        unfinished_skills, session_started_at, last_event_at, position, version
        """

    static func segment(_ row: SQLiteStatement) throws -> AuditSegment {
        let team = row.optionalInt(4)
        let owner: Owner
        switch row.text(3) {
        case "bot": owner = .bot
        case "routing": owner = .routing
        case "team": owner = .team(team)
        case "agent":
            let id = try value(row.optionalInt(5), "rm_audit_segments", "agent_id", raw: "NULL")
            owner = .agent(AgentRef(id: id, name: row.optionalText(6)), team: team)
        case let other: throw ReadModelError.corruptRow(table: "rm_audit_segments", column: "owner", value: other)
        }
        let end: SegmentEnd?
        switch row.optionalText(11) {
        case nil: end = nil
        case "handoff": end = .handoff
        case "routed": end = .routed
        case "assigned": end = .assigned
        case "unassigned": end = .unassigned
        case "transferred": end = .transferred
        case "closed":
            end = .closed(by: try value(row.optionalText(12), "rm_audit_segments", "closed_by", raw: "NULL"), reason: row.optionalText(13))
        case let other?: throw ReadModelError.corruptRow(table: "rm_audit_segments", column: "end_kind", value: other)
        }
        return AuditSegment(
            conversationID: row.text(0), session: Int(row.int64(2)), owner: owner, from: row.date(7),
            to: row.optionalDate(8), fromPosition: row.int64(9), toPosition: row.optionalInt64(10), end: end)
    }

    static func handoff(_ row: SQLiteStatement) throws -> HandoffTrace {
        let eventID = try value(UUID(uuidString: row.text(3)), "rm_handoffs", "request_event_id", raw: row.text(3))
        let chooser = try row.optionalText(7).map { try value(TeamChooser(rawValue: $0), "rm_handoffs", "chosen_by", raw: $0) }
        let request = SessionHandoff(
            requestEventID: eventID, requestedAt: row.date(4), reason: row.text(5), requestedTeam: row.optionalInt(6),
            teamChosenBy: chooser, unfinishedSkills: try strings(row.text(8), "rm_handoffs", "unfinished_skills"),
            routedTeam: row.optionalInt(9), rule: row.optionalText(10), routingVersion: row.optionalInt64(11))
        guard case .array(let pairs) = try JSONValue(jsonData: Data(row.text(13).utf8)) else {
            throw ReadModelError.corruptRow(table: "rm_handoffs", column: "teams", value: row.text(13))
        }
        var teams: [TeamStop] = []
        for pair in pairs {
            guard case .array(let values) = pair, values.count == 2, case .integer(let at) = values[1] else {
                throw ReadModelError.corruptRow(table: "rm_handoffs", column: "teams", value: row.text(13))
            }
            let team: Int? = if case .integer(let team) = values[0] { Int(team) } else { nil }
            teams.append(TeamStop(team: team, at: Date(millisecondsSince1970: at)))
        }
        return HandoffTrace(
            conversationID: row.text(0), session: Int(row.int64(2)), request: request, routedAt: row.optionalDate(12),
            teams: teams, closedAt: row.optionalDate(14))
    }

    private static func strings(_ json: String, _ table: String, _ column: String) throws -> [String] {
        guard case .array(let values) = try JSONValue(jsonData: Data(json.utf8)) else {
            throw ReadModelError.corruptRow(table: table, column: column, value: json)
        }
        return try values.map { element in
            guard case .string(let string) = element else {
                throw ReadModelError.corruptRow(table: table, column: column, value: json)
            }
            return string
        }
    }

    /// `value`, or a `corruptRow` error naming the table, the column and what it held.
    private static func value<T>(_ value: T?, _ table: String, _ column: String, raw: String) throws -> T {
        guard let value else { throw ReadModelError.corruptRow(table: table, column: column, value: raw) }
        return value
    }
}
