import Foundation
import Testing
import TestSupport

/// Headless Chromium from the system's packages: `chromium` or `chromium-browser` on PATH.
enum Chromium {
    static let url: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser"] {
            for folder in path.split(separator: ":") {
                let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }()

    /// In CI the browser test must run: a missing browser fails it there, and only skips it elsewhere.
    static let required = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false

    /// Runs headless Chromium on a page with `arguments` (`--screenshot=...`, `--dump-dom`), in a profile of its own.
    static func run(_ arguments: [String], page: String, profile: TemporaryDirectory) async throws -> ReplayRun {
        let chromium = try #require(url, "chromium or chromium-browser must be on PATH (apt-get install chromium)")
        return try await ReplayProcess.run(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--hide-scrollbars", "--user-data-dir=\(profile.path("profile"))",
            ] + arguments + [URL(fileURLWithPath: page).absoluteString],
            timeout: .seconds(90))
    }
}

@Suite("replay export")
struct ExportTests {
    /// A conversation whose text tries to break out of the page.
    static let hostile = [
        wireLine("c-x", 1, "conversation.started", "2026-11-24T10:00:00Z", #"{"channel":"web","userId":"u-x"}"#),
        wireLine(
            "c-x", 2, "user.message", "2026-11-24T10:01:00Z",
            #"{"messageId":"m-1","text":"<script>document.title='owned'</script> & <b>bold</b> \"quoted\""}"#),
        wireLine("c-x", 3, "skill.started", "2026-11-24T10:02:00Z", #"{"skill":"acme.shop.Refund"}"#),
        wireLine("c-x", 4, "handoff.requested", "2026-11-24T10:03:00Z", #"{"reason":"bot_failed"}"#),
        wireLine(
            "c-x", 5, "handoff.routed", "2026-11-24T10:04:00Z",
            #"{"team":3,"rule":"skill:acme.shop.Refund","routingVersion":1}"#, actor: "saga"),
        wireLine(
            "c-x", 6, "agent.assigned", "2026-11-24T10:05:00Z",
            #"{"agentId":12,"agentName":"<img src=x onerror=alert(1)>"}"#, actor: "chatwoot"),
        wireLine(
            "c-x", 7, "agent.message", "2026-11-24T10:06:00Z",
            #"{"messageId":77,"agentId":12,"text":"Hello </blockquote><h1>fake</h1>"}"#, actor: "chatwoot"),
    ]

    @Test(
        "the page in a real browser: a screenshot, and its content with every text escaped",
        .enabled(
            if: Chromium.url != nil || Chromium.required,
            "chromium is not on PATH: install it (apt-get install chromium) to run this test; in CI (CI set) it fails"))
    func browser() async throws {
        #expect(Chromium.url != nil, "chromium or chromium-browser must be on PATH when CI is set")
        let database = try await FixtureDatabase()
        let file = try database.file("hostile.jsonl", Self.hostile)
        #expect(try await database.replay(["import", file]).status == 0)
        let page = database.folder.path("c-x.html")
        let export = try await database.replay(["export", "c-x", "--html", page])
        #expect(export.status == 0, "\(export.error)")
        #expect(export.output == "wrote \(page): conversation c-x, 7 events\n")

        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(html.contains("default-src 'none'"))

        let profile = try TemporaryDirectory()
        let screenshot = database.folder.path("c-x.png")
        let shot = try await Chromium.run(
            ["--screenshot=\(screenshot)", "--window-size=1200,1400"], page: page, profile: profile)
        #expect(shot.status == 0, "\(shot.error)")
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // The IHDR chunk: width and height, big-endian, at bytes 16 and 20.
        let width = png.dropFirst(16).prefix(4).reduce(0) { $0 << 8 | Int($1) }
        let height = png.dropFirst(20).prefix(4).reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1200 && height == 1400)
        #expect(png.count > 20_000, "a screenshot of a blank page is a few kilobytes")

        let dom = try await Chromium.run(["--dump-dom"], page: page, profile: profile)
        #expect(dom.status == 0, "\(dom.error)")
        let text = dom.output
        // The browser kept the user's markup as text: no script ran (the title is ours), no element was injected.
        #expect(text.contains("<title>Conversation c-x · handoff timeline</title>"))
        #expect(text.contains("&lt;script&gt;document.title='owned'&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; \"quoted\""))
        #expect(!text.contains("<script"))
        #expect(!text.contains("<b>bold"))
        #expect(!text.contains("<img"))
        #expect(!text.contains("<h1>fake"))
        #expect(text.contains("Hello &lt;/blockquote&gt;&lt;h1&gt;fake&lt;/h1&gt;"))
        // The owner lanes, the routing decision, the handoff and the events.
        for lane in ["bot", "routing", "team 3 queue", "agent 12 &lt;img src=x onerror=alert(1)&gt;", "routing decisions"] {
            #expect(text.contains("\">\(lane)</div>"), "lane \(lane)")
        }
        #expect(text.contains("◆ Routed to team 3 by skill:acme.shop.Refund (routing v1)"))
        #expect(text.contains("<td>acme.shop.Refund</td>"))
        #expect(text.components(separatedBy: "<li class=\"event").count - 1 == 7)
        #expect(text.contains("7 events in 1 session, from 2026-11-24T10:00:00Z to 2026-11-24T10:06:00Z (6m 00s). Now: agent 12"))
    }

    @Test("export of an unknown conversation writes no file")
    func unknown() async throws {
        let database = try await FixtureDatabase(routing: false)
        let page = database.folder.path("none.html")
        let run = try await database.replay(["export", "c-99", "--html", page])
        #expect(run.status == 1)
        #expect(run.error == "replay: error: there is no conversation \"c-99\" in \(database.path)\n")
        #expect(!FileManager.default.fileExists(atPath: page))
    }
}
