@testable import EventStore
import Foundation
import Testing
import TestSupport

@Suite("Immutability and the hash chain")
struct IntegrityTests {
    @Test("UPDATE and DELETE on events fail, even through a raw connection")
    func immutability() async throws {
        let (store, directory) = try makeStore()
        _ = try await store.append([makeEvent(), makeEvent()], to: try StreamID("conversation-m"))
        let raw = try RawConnection(path: directory.path("events.sqlite"))
        let update = raw.execute("UPDATE events SET data = '{}' WHERE position = 1")
        #expect(update?.contains("immutable") == true, "\(update ?? "UPDATE succeeded")")
        let delete = raw.execute("DELETE FROM events WHERE position = 2")
        #expect(delete?.contains("immutable") == true, "\(delete ?? "DELETE succeeded")")
        #expect(raw.scalar("SELECT count(*) FROM events") == "2")
        #expect(try await store.verify().isIntact)
    }

    @Test("verify finds the first tampered record and the missing triggers")
    func tamperedRecord() async throws {
        let (store, directory) = try makeStore()
        let stream = try StreamID("conversation-t")
        for i in 0..<10 { _ = try await store.append([makeEvent("e\(i)")], to: stream) }
        let clean = try await store.verify()
        #expect(clean.isIntact)
        #expect(clean.eventsChecked == 10)
        #expect(clean.firstBrokenPosition == nil)

        let raw = try RawConnection(path: directory.path("events.sqlite"))
        #expect(raw.execute("DROP TRIGGER events_are_immutable_update") == nil)
        #expect(raw.execute(#"UPDATE events SET data = '{"messageId":"m-1","text":"forged"}' WHERE position = 6"#) == nil)
        let report = try await store.verify()
        #expect(report.firstBrokenPosition == 6)
        #expect(report.eventsChecked == 5)
        #expect(report.missingTriggers == ["events_are_immutable_update"])
        #expect(!report.isIntact)
    }

    @Test("verify finds a removed record")
    func removedRecord() async throws {
        let (store, directory) = try makeStore()
        let stream = try StreamID("conversation-t")
        for i in 0..<5 { _ = try await store.append([makeEvent("e\(i)")], to: stream) }
        let raw = try RawConnection(path: directory.path("events.sqlite"))
        #expect(raw.execute("DROP TRIGGER events_are_immutable_delete") == nil)
        #expect(raw.execute("DELETE FROM events WHERE position = 3") == nil)
        let report = try await store.verify()
        #expect(report.firstBrokenPosition == 3)
        #expect(report.problem?.contains("missing") == true)
        #expect(report.missingTriggers == ["events_are_immutable_delete"])
    }
}

@Suite("Verification reports")
struct VerificationReportTests {
    @Test("verify reports the last position and hash it checked; the hash moves with the log")
    func lastPositionAndHash() async throws {
        let (store, _dir) = try makeStore()
        let stream = try StreamID("conversation-h")
        let empty = try await store.verify()
        #expect(empty.lastPosition == 0)
        #expect(empty.lastHash == Data(repeating: 0, count: 32))
        _ = try await store.append([makeEvent(), makeEvent()], to: stream)
        let two = try await store.verify()
        #expect(two.lastPosition == 2)
        #expect(two.lastHash.count == 32 && two.lastHash != empty.lastHash)
        _ = try await store.append([makeEvent()], to: stream)
        let three = try await store.verify()
        #expect(three.lastPosition == 3 && three.lastHash != two.lastHash)
        _ = _dir
    }

    @Test("a trigger replaced by one that lets changes through counts as missing")
    func replacedTrigger() async throws {
        let (store, directory) = try makeStore()
        _ = try await store.append([makeEvent()], to: try StreamID("conversation-r"))
        let raw = try RawConnection(path: directory.path("events.sqlite"))
        #expect(raw.execute("DROP TRIGGER events_are_immutable_update") == nil)
        #expect(raw.execute("CREATE TRIGGER events_are_immutable_update BEFORE UPDATE ON events BEGIN SELECT 1; END")
            == nil)
        let report = try await store.verify()
        #expect(report.missingTriggers == ["events_are_immutable_update"])
        #expect(!report.isIntact)
    }

    @Test("a log cut short behind the store's back is reported at the first missing position")
    func truncatedTail() async throws {
        let (store, directory) = try makeStore()
        let stream = try StreamID("conversation-cut")
        for i in 0..<4 { _ = try await store.append([makeEvent("e\(i)")], to: stream) }
        let raw = try RawConnection(path: directory.path("events.sqlite"))
        #expect(raw.execute("DROP TRIGGER events_are_immutable_delete") == nil)
        #expect(raw.execute("DELETE FROM events WHERE position = 4") == nil)
        let report = try await store.verify()
        #expect(report.firstBrokenPosition == 4)
        #expect(report.lastPosition == 3)
        #expect(report.problem?.contains("committed up to 4") == true, "\(report.problem ?? "")")
    }
}

@Suite("The hash chain's byte layout")
struct HashLayoutTests {
    @Test("known answers, computed outside Swift from the documented layout, pin every stored hash")
    func knownAnswers() throws {
        let first = IntegrityChain.hash(
            previous: IntegrityChain.genesis, position: 1, streamID: "conversation-c-1", version: 0,
            eventID: try #require(UUID(uuidString: "00000000-0000-4000-8000-000000000001")), type: "user.message",
            data: Data(#"{"messageId":"m-1","text":"hi"}"#.utf8), metadata: Data("{}".utf8),
            occurredAtMilliseconds: 1_795_000_000_123, recordedAtMilliseconds: 1_795_000_000_456)
        #expect(hex(first) == "78acfb91074b2a96227330abe997c60c270dff020a356360801d11413e737970")
        let second = IntegrityChain.hash(
            previous: first, position: 2, streamID: "routing", version: 0,
            eventID: try #require(UUID(uuidString: "00000000-0000-4000-8000-000000000002")), type: "routing.table_set",
            data: Data(#"{"defaultTeam":1,"teams":[]}"#.utf8), metadata: Data(#"{"actor":"operator"}"#.utf8),
            occurredAtMilliseconds: -1, recordedAtMilliseconds: 0)
        #expect(hex(second) == "b655b674ea73945a299d0efc5abd7994b96c747ef9986fd14d626a3ae671d41f")
    }

    private func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }
}
