import EventStore
import Foundation
import Testing
import TestSupport

/// Kills a writer process at random moments; every event it acknowledged must survive exactly once.
@Suite("Crash safety")
struct CrashTests {
    @Test("SIGKILL at random moments, 20 cycles: every acknowledged event is present once and the file is sound")
    func killedWriter() async throws {
        let executable = try benchExecutable()
        let directory = try TemporaryDirectory()
        let path = directory.path("crash.sqlite")
        var acknowledged: [(id: UUID, position: Int64)] = []
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let run = try await runChildProcess(
                executable, ["crash-writer", "--db", path, "--appenders", "4", "--durability", "full"],
                killAfter: .milliseconds(Int.random(in: 150...600, using: &generator)))
            #expect(run.killed, "the writer stopped on its own: \(run.status)")
            for line in run.output.split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 3, parts[0] == "ack", let id = UUID(uuidString: String(parts[1])),
                    let position = Int64(parts[2])
                else { continue }  // the last line may be cut by the kill
                acknowledged.append((id, position))
            }
        }
        #expect(acknowledged.count > 100, "the writer acknowledged too little to test anything")

        let raw = try RawConnection(path: path)
        #expect(raw.scalar("PRAGMA integrity_check") == "ok")
        let store = try SQLiteEventStore(path: path)
        let head = try await store.headPosition()
        var stored: [Int64: UUID] = [:]
        var next: Int64 = 1
        while true {
            let page = try await store.readAll(from: next, limit: 5000)
            guard let last = page.last else { break }
            for record in page { stored[record.position] = record.eventID }
            next = last.position + 1
        }
        #expect(Int64(stored.count) == head, "positions are gap-free")
        #expect(Set(stored.values).count == stored.count, "no event is stored twice")
        for (id, position) in acknowledged {
            #expect(stored[position] == id, "acknowledged event \(id) at \(position)")
        }
        #expect(try await store.verify().isIntact)
        await store.close()
    }
}
