import EventStore
import Foundation
import Projections

/// A conversation's timeline as one self-contained HTML page: owner bands on a time axis with the routing decisions
/// marked, the handoffs, and every event with the owner after it. No script, no external resource (a content
/// security policy forbids both); every value from the log is escaped with ``HTML/escape(_:)``.
struct TimelinePage {
    let history: ConversationHistory

    init(_ history: ConversationHistory) { self.history = history }

    /// The page.
    func render() -> String {
        let title = "Conversation \(history.conversationID)"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title)) · handoff timeline</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <header>
            <h1>\(HTML.escape(title))</h1>
            <p class="summary">\(HTML.escape(summary))</p>
            <p class="legend"><span class="chip bot">bot</span><span class="chip routing">routing</span><span class="chip team">team queue</span><span class="chip agent">agent</span><span class="chip decision">◆ routing decision</span></p>
            </header>
            <main>
            <section class="owners" aria-label="Who had the conversation">
            <h2>Who had it</h2>
            \(bands())
            </section>
            <section class="handoffs" aria-label="Handoffs">
            <h2>Handoffs</h2>
            \(handoffs())
            </section>
            <section class="events" aria-label="Events">
            <h2>Events</h2>
            <ol class="timeline">
            \(history.entries.map(event).joined(separator: "\n"))
            </ol>
            </section>
            </main>
            <footer>Exported by replay from the handoff event log, up to position \(history.entries.last.map { String($0.record.position) } ?? "-").</footer>
            </body>
            </html>

            """
    }

    // MARK: - Summary

    private var start: Date? { history.entries.first?.record.occurredAt }
    private var end: Date? { history.entries.last?.record.occurredAt }

    private var summary: String {
        guard let start, let end, let last = history.entries.last else { return "No events." }
        let count = history.entries.count
        return "\(count) event\(count == 1 ? "" : "s") in \(last.state.session) session\(last.state.session == 1 ? "" : "s"), "
            + "from \(Format.time(start)) to \(Format.time(end)) (\(Format.duration(end.timeIntervalSince(start)))). "
            + "Now: \(Format.owner(last.owner))."
    }

    // MARK: - Owner bands

    /// One lane per holder (the bot, routing, each team's queue, each agent), in order of first appearance.
    private func bands() -> String {
        guard let start, let end else { return "<p>No events.</p>" }
        let span = max(end.timeIntervalSince(start), 1)
        func percent(_ date: Date) -> String {
            String(format: "%.3f", min(max(date.timeIntervalSince(start) / span * 100, 0), 100))
        }
        var lanes: [(key: String, label: String, kind: String, bands: [String])] = []
        for segment in history.folds.audit.segments {
            let (key, label, kind) = Self.lane(segment.owner)
            let to = segment.to ?? end
            let width = max(to.timeIntervalSince(segment.from) / span * 100, 0)
            let text = "\(Format.owner(segment.owner)), session \(segment.session): \(Format.time(segment.from)) to "
                + (segment.to.map { "\(Format.time($0)) (\(Format.duration($0.timeIntervalSince(segment.from))), \(Format.end(segment.end)))" } ?? "now (open)")
            let band = """
                <div class="band \(kind)\(segment.to == nil ? " open" : "")" style="left:\(percent(segment.from))%;width:\(String(format: "%.3f", width))%" title="\(HTML.escape(text))"><span>\(HTML.escape(segment.to.map { Format.duration($0.timeIntervalSince(segment.from)) } ?? "open"))</span></div>
                """
            if let index = lanes.firstIndex(where: { $0.key == key }) {
                lanes[index].bands.append(band)
            } else {
                lanes.append((key, label, kind, [band]))
            }
        }
        var rows = lanes.map { lane in
            "<div class=\"lane\"><div class=\"label \(lane.kind)\">\(HTML.escape(lane.label))</div><div class=\"track\">\(lane.bands.joined())</div></div>"
        }
        let decisions = history.entries.compactMap { entry -> String? in
            guard case .handoffRouted(let routed)? = entry.event else { return nil }
            let text = "Routed to " + Format.recorded(team: routed.team, rule: routed.rule, version: routed.routingVersion)
                + " at \(Format.time(entry.record.occurredAt))"
            return "<div class=\"marker\" style=\"left:\(percent(entry.record.occurredAt))%\" title=\"\(HTML.escape(text))\">◆<span>team \(routed.team)</span></div>"
        }
        rows.append("<div class=\"lane decisions\"><div class=\"label decision\">routing decisions</div><div class=\"track\">\(decisions.joined())</div></div>")
        let ticks = (0...4).map { step -> String in
            let date = start.addingTimeInterval(span * Double(step) / 4)
            return "<span style=\"left:\(step * 25)%\">\(HTML.escape(Self.clock(date, spanDays: span > 86_400)))</span>"
        }
        rows.append("<div class=\"lane axis\"><div class=\"label\"></div><div class=\"track\">\(ticks.joined())</div></div>")
        return "<div class=\"chart\">\n" + rows.joined(separator: "\n") + "\n</div>"
    }

    /// The lane of an owner: its key, its label and its colour class.
    private static func lane(_ owner: Owner) -> (key: String, label: String, kind: String) {
        switch owner {
        case .bot: ("bot", "bot", "bot")
        case .routing: ("routing", "routing", "routing")
        case .team(let team): ("team:\(team.map(String.init) ?? "none")", Format.team(team) + " queue", "team")
        case .agent(let agent, _): ("agent:\(agent.id)", Format.agent(agent), "agent")
        }
    }

    /// `10:04:00`, or `11-24 10:04` when the conversation spans days (UTC).
    private static func clock(_ date: Date, spanDays: Bool) -> String {
        let text = Format.time(date)  // 2026-11-24T10:04:00Z
        let parts = text.split(separator: "T")
        guard parts.count == 2 else { return text }
        let time = parts[1].prefix(8)
        return spanDays ? "\(parts[0].dropFirst(5)) \(time.prefix(5))" : String(time)
    }

    // MARK: - Handoffs

    private func handoffs() -> String {
        let traces = history.folds.tracer.traces
        guard !traces.isEmpty else { return "<p>No handoff.</p>" }
        let rows = traces.map { trace in
            let teams = trace.teams.map { Format.team($0.team) }.joined(separator: " → ")
            return "<tr><td>\(trace.session)</td><td>\(HTML.escape(Format.time(trace.request.requestedAt)))</td>"
                + "<td>\(HTML.escape(trace.request.reason))</td>"
                + "<td>\(HTML.escape(Format.skills(trace.request.unfinishedSkills)))</td>"
                + "<td class=\"decision\">\(HTML.escape(Format.recorded(team: trace.recordedTeam, rule: trace.recordedRule, version: trace.request.routingVersion)))</td>"
                + "<td>\(HTML.escape(teams.isEmpty ? "-" : teams))</td>"
                + "<td>\(HTML.escape(Format.time(trace.closedAt)))</td></tr>"
        }
        return """
            <table><thead><tr><th>session</th><th>requested</th><th>reason</th><th>unfinished skills</th><th>routing decision</th><th>teams</th><th>closed</th></tr></thead>
            <tbody>\(rows.joined(separator: "\n"))</tbody></table>
            """
    }

    // MARK: - Events

    private func event(_ entry: ConversationHistory.Entry) -> String {
        let detail = EventDetail(entry)
        let kind = entry.owner.map { Self.lane($0).kind } ?? "closed"
        var body = "<span class=\"type\">\(HTML.escape(entry.record.type))</span>"
        if !detail.summary.isEmpty { body += " <span class=\"detail\">\(HTML.escape(detail.summary))</span>" }
        if let message = detail.message {
            let speaker =
                switch entry.event {
                case .userMessage?: "user"
                case .botMessage?: "bot"
                default: "agent"
                }
            body += "<blockquote class=\"message \(speaker)\">\(HTML.escape(message))</blockquote>"
        }
        if case .handoffRouted(let routed)? = entry.event {
            body += "<div class=\"routed\">◆ Routed to "
                + HTML.escape(Format.recorded(team: routed.team, rule: routed.rule, version: routed.routingVersion))
                + "</div>"
        }
        if let passedOver = entry.passedOver {
            body += "<div class=\"problem\">Passed over by the projections: \(HTML.escape(passedOver))</div>"
        }
        return """
            <li class="event \(kind)"><div class="when"><time>\(HTML.escape(Format.time(entry.record.occurredAt)))</time><span class="pos">#\(entry.record.position)</span></div><div class="what">\(body)</div><div class="after"><span class="chip \(kind)">\(HTML.escape(Format.owner(entry.owner)))</span><span class="session">session \(entry.state.session)</span></div></li>
            """
    }

    // MARK: - Style

    private static let style = """
        :root{--bot:#8a94a6;--routing:#e0a100;--team:#2f6fd6;--agent:#1f9d55;--decision:#c0392b;--ink:#1d2330;--soft:#f4f6fa;--line:#d9dee8}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
        header,main,footer{max-width:1100px;margin:0 auto;padding:0 24px}
        header{padding-top:24px}
        h1{font-size:24px;margin:0 0 4px}
        h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
        .summary{margin:0 0 8px;color:#444}
        .chip{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;margin-right:6px;background:var(--bot)}
        .chip.routing{background:var(--routing)}.chip.team{background:var(--team)}.chip.agent{background:var(--agent)}
        .chip.decision{background:none;color:var(--decision);border:1px solid var(--decision)}.chip.closed{background:#555}
        .chart{border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:var(--soft)}
        .lane{display:flex;align-items:center;height:30px}
        .lane .label{width:190px;flex:none;font-size:13px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;padding-right:8px}
        .lane .track{position:relative;flex:1;height:22px;border-left:1px solid var(--line)}
        .band{position:absolute;top:2px;height:18px;min-width:3px;border-radius:3px;background:var(--bot);color:#fff;font-size:11px;overflow:hidden;white-space:nowrap}
        .band span{padding:0 4px;line-height:18px}
        .band.routing{background:var(--routing)}.band.team{background:var(--team)}.band.agent{background:var(--agent)}
        .band.open{background-image:repeating-linear-gradient(45deg,rgba(255,255,255,.25) 0 6px,transparent 6px 12px)}
        .marker{position:absolute;top:0;transform:translateX(-50%);color:var(--decision);font-size:14px;white-space:nowrap}
        .marker span{font-size:11px;margin-left:2px}
        .lane.axis .track{border-left:none;border-top:1px solid #999;height:18px}
        .lane.axis span{position:absolute;top:2px;transform:translateX(-50%);font-size:11px;color:#555}
        .lane.axis span:first-child{transform:none}.lane.axis span:last-child{transform:translateX(-100%)}
        table{border-collapse:collapse;width:100%;font-size:13px}
        th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
        th{background:var(--soft)}
        td.decision{color:var(--decision);font-weight:600}
        ol.timeline{list-style:none;margin:0;padding:0}
        .event{display:grid;grid-template-columns:200px 1fr 220px;gap:12px;padding:8px 0 8px 12px;border-left:4px solid var(--bot);border-bottom:1px solid var(--line)}
        .event.routing{border-left-color:var(--routing)}.event.team{border-left-color:var(--team)}.event.agent{border-left-color:var(--agent)}.event.closed{border-left-color:#555}
        .when{font-size:12px;color:#555}.when .pos{display:block;color:#999}
        .type{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;font-weight:600}
        .detail{color:#444}
        blockquote.message{margin:6px 0 0;padding:6px 10px;border-radius:8px;background:var(--soft);white-space:pre-wrap;overflow-wrap:anywhere}
        blockquote.message.user{background:#eef3ff}blockquote.message.agent{background:#eaf7ef}
        .routed{margin-top:6px;color:var(--decision);font-weight:600}
        .problem{margin-top:6px;color:#a00}
        .after{font-size:12px}.after .session{display:block;color:#777;margin-top:2px}
        footer{margin:28px auto;color:#777;font-size:12px}
        """
}
