import EventStore
import Foundation

/// The benchmark's events: `streams` conversations of `perStream` chat messages each, payloads prebuilt so that
/// serialisation is not timed (as in the peer benchmark).
struct Workload {
    let streams: [StreamID]
    let perStream: Int
    /// `events[s][v]` is version `v` of stream `s`.
    let events: [[EventData]]

    init(events total: Int, streams count: Int, seed: UInt64 = 42) throws {
        var generator = SeededGenerator(seed: seed)
        perStream = total / count
        streams = try (0..<count).map { try StreamID.conversation("c-" + Workload.padded($0, 6)) }
        let at = Date(timeIntervalSince1970: 1_795_000_000)
        let metadata = Data(#"{"actor":"bot-platform","schemaVersion":1}"#.utf8)
        events = (0..<count).map { s in
            (0..<total / count).map { v in
                EventData(
                    eventID: UUID(generator: &generator), type: "user.message",
                    data: Workload.payload(stream: s, version: v), metadata: metadata,
                    occurredAt: at.addingTimeInterval(Double(v)))
            }
        }
    }

    var total: Int { streams.count * perStream }

    /// About 200 bytes of JSON, shaped like the peer benchmark's chat message.
    static func payload(stream: Int, version: Int) -> Data {
        let text =
            #"{"messageId":"msg-\#(padded(stream, 5))-\#(padded(version, 5))","sender":{"type":"contact","id":\#(4711 + stream)},"#
            + #""text":"Hi, I'd like to change the delivery address for order #\#(padded(stream * 7 + version, 6))","#
            + #""createdAt":"2024-05-01T12:34:56.789Z","inbox":"whatsapp","conversationId":\#(100_000 + stream)}"#
        return Data(text.utf8)
    }

    /// `value` in decimal, zero-padded to `width` digits.
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// The expected version for appending version `v`.
    static func expected(before version: Int) -> ExpectedVersion {
        version == 0 ? .noStream : .exact(Int64(version - 1))
    }
}

/// SplitMix64: reproducible ids and choices across runs.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension UUID {
    init(generator: inout SeededGenerator) {
        let a = generator.next()
        let b = generator.next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * i))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * i))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        self.init(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}

/// Seconds elapsed while running `body`.
func measure(_ body: () async throws -> Void) async rethrows -> Double {
    try await measure(returning: body).seconds
}

/// What `body` returned, and the seconds it took.
func measure<T>(returning body: () async throws -> T) async rethrows -> (value: T, seconds: Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try await body()
    let elapsed = start.duration(to: clock.now)
    return (value, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

/// The folder for a run's databases: the one given (created if needed, kept), else a new temporary one that
/// ``removeIfTemporary()`` deletes.
struct BenchFolder {
    let url: URL
    private let isTemporary: Bool

    init(_ path: String?) throws {
        isTemporary = path == nil
        url = path.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func removeIfTemporary() {
        if isTemporary { try? FileManager.default.removeItem(at: url) }
    }
}
