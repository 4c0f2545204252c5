import EventStore
import Foundation
import NIOCore
import NIOHTTP1
import Projections
import TestSupport
import Testing

@testable import handoffd

@Suite("Operations: health, metrics, storage failure, shutdown")
struct OperationsTests {
    @Test("GET /health answers when the database does")
    func health() async throws {
        let server = try await TestServer.start()
        _ = try await server.append("c-h", [Wire.userMessage()])
        let answer = try await server.get("/health", token: nil)
        #expect(answer.status == 200)
        #expect(string(answer["status"]) == "ok")
        #expect(integer(answer["head"]) == 1)
        try await server.stop()
    }

    @Test("GET /metrics is Prometheus text 0.0.4 with the appended events, append latency and every family")
    func metrics() async throws {
        let server = try await TestServer.start()
        _ = try await server.append("c-m", [Wire.userMessage(), Wire.botMessage()])
        _ = try await server.append("c-m", [Wire.handoff()])
        server.metrics.setOutboxDepth(3, state: "pending")
        server.metrics.recordDispatch(outcome: "delivered")
        let answer = try await server.get("/metrics", token: nil)
        #expect(answer.status == 200)
        #expect(answer.contentType == "text/plain; version=0.0.4; charset=utf-8")
        let lines = answer.text.split(separator: "\n").map(String.init)
        for family in [
            "handoff_events_appended_total counter", "handoff_append_duration_seconds histogram",
            "handoff_outbox_depth gauge", "handoff_dispatch_outcomes_total counter",
            "handoff_webhook_verifications_failed_total counter", "handoff_http_requests_total counter",
        ] {
            #expect(lines.contains("# TYPE \(family)"), "\(family)")
        }
        #expect(lines.contains(#"handoff_events_appended_total{source="api"} 3"#))
        #expect(lines.contains(#"handoff_append_duration_seconds_count{source="api"} 2"#))
        #expect(lines.contains(#"handoff_append_duration_seconds_bucket{source="api",le="+Inf"} 2"#))
        #expect(lines.contains(#"handoff_outbox_depth{state="pending"} 3"#))
        #expect(lines.contains(#"handoff_dispatch_outcomes_total{outcome="delivered"} 1"#))
        #expect(lines.contains(#"handoff_webhook_verifications_failed_total 0"#))
        #expect(lines.contains(#"handoff_http_requests_total{method="POST",route="/v1/conversations/{id}/events",status="201"} 2"#))
        // Every sample line is `name{labels} value` with a number.
        for line in lines where !line.hasPrefix("#") {
            let value = try #require(line.split(separator: " ").last)
            #expect(Double(value) != nil || value == "+Inf", "\(line)")
        }
        try await server.stop()
    }

    @Test("the registry renders histograms cumulatively and escapes label values")
    func registry() {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("h_seconds", help: "A histogram.", buckets: [0.1, 1])
        histogram.observe(0.05)
        histogram.observe(0.5)
        histogram.observe(5)
        registry.counter("c_total", help: "A counter.").increment(labels: ["k": "a \"quoted\"\nvalue"])
        let text = registry.render()
        #expect(text.contains("h_seconds_bucket{le=\"0.1\"} 1\n"))
        #expect(text.contains("h_seconds_bucket{le=\"1\"} 2\n"))
        #expect(text.contains("h_seconds_bucket{le=\"+Inf\"} 3\n"))
        #expect(text.contains("h_seconds_sum 5.55\n"))
        #expect(text.contains("h_seconds_count 3\n"))
        #expect(text.contains(#"c_total{k="a \"quoted\"\nvalue"} 1"#))
    }

    @Test("a store closed under the server: writes are 503 problems with Retry-After, never a bare 500")
    func storageFailure() async throws {
        let server = try await TestServer.start()
        #expect(try await server.append("c-f", [Wire.userMessage()]).status == 201)
        await server.store.close()
        let answer = try await server.append("c-f", [Wire.userMessage()])
        #expect(answer.status == 503)
        #expect(answer.contentType == "application/problem+json")
        #expect(string(answer["type"]) == "urn:handoff:problem:storage-unavailable")
        #expect(answer.headers.first(name: "Retry-After") == "1")
        let routing = try await server.request(.PUT, "/v1/routing", body: Data(#"{"defaultTeam": 1, "teams": []}"#.utf8))
        #expect(routing.status == 503)
        try await server.stop()
    }

    @Test("an unknown route is a 404 problem")
    func unknownRoute() async throws {
        let server = try await TestServer.start()
        let answer = try await server.get("/v2/nothing")
        #expect(answer.status == 404)
        #expect(answer.contentType == "application/problem+json")
        try await server.stop()
    }

    @Test("a graceful shutdown stores the projection checkpoint and closes the database; a restart resumes")
    func shutdownAndRestart() async throws {
        let directory = try TemporaryDirectory()
        let server = try await TestServer.start(directory: directory)
        for name in ["c-01", "c-05", "c-12"] { _ = try await FixtureTraffic.play(name, on: server) }
        let head = try await server.store.headPosition()
        try await server.stop()
        await #expect(throws: EventStoreError.self) { try await server.store.append([], to: .routing) }

        let store = try SQLiteEventStore(path: directory.path("handoff.sqlite"))
        #expect(try await ReadModels(store: store).checkpoint() == head)
        #expect(try await ReadModels(store: store).conversation("c-12")?.mode == .closed)
        await store.close()

        let restarted = try await TestServer.start(directory: directory)
        #expect(integer(try await restarted.get("/v1/conversations/c-05")["version"]) == 5)
        #expect(try await restarted.append("c-05", [Wire.userMessage()]).status == 201)
        try await restarted.stop()
    }

    @Test("the server refuses to start on a port in use, and reports it as EADDRINUSE")
    func portInUse() async throws {
        let first = try await TestServer.start()
        let port = try #require(Int(first.baseURL.split(separator: ":").last ?? ""))
        await #expect {
            _ = try await TestServer.start { $0.listen = ListenAddress(host: "127.0.0.1", port: port) }
        } throws: { error in
            (error as? IOError)?.errnoCode == EADDRINUSE
        }
        try await first.stop()
    }
}
