import Crypto
public import Foundation

/// The SHA-256 hash chain over the log: each record's hash covers the previous record's hash and the record's
/// own canonical bytes, so editing, removing or reordering any stored record breaks every hash after it.
enum IntegrityChain {
    /// The hash before the first record.
    static let genesis = Data(repeating: 0, count: 32)

    /// The hash of a record given the previous record's hash.
    ///
    /// SHA-256 over, in this order: the previous hash (32 bytes); position; stream id; version; the 16 bytes of the
    /// event id; type; data; metadata; occurred and recorded milliseconds. Integers are 8-byte big-endian; strings and
    /// bytes are a 4-byte big-endian length, then the bytes. Every stored hash depends on this layout: never change it
    /// (the known-answer test in IntegrityTests pins it).
    ///
    /// The record's bytes are laid out in one temporary buffer and hashed in one pass: feeding SHA-256 field by field
    /// cost twice as much, which the writer pays for every event it appends.
    static func hash(
        previous: Data, position: Int64, streamID: String, version: Int64, eventID: UUID, type: String,
        data: Data, metadata: Data, occurredAtMilliseconds: Int64, recordedAtMilliseconds: Int64
    ) -> Data {
        var streamID = streamID
        var type = type
        return streamID.withUTF8 { streamID in
            type.withUTF8 { type in
                data.withUnsafeBytes { data in
                    metadata.withUnsafeBytes { metadata in
                        let count = previous.count + 8 * 4 + 16 + 4 * 4 + streamID.count + type.count + data.count
                            + metadata.count
                        return withUnsafeTemporaryAllocation(byteCount: count, alignment: 8) { buffer in
                            var record = RecordBytes(buffer)
                            previous.withUnsafeBytes { record.append($0) }
                            record.append(position)
                            record.append(counted: UnsafeRawBufferPointer(streamID))
                            record.append(version)
                            withUnsafeBytes(of: eventID.uuid) { record.append($0) }
                            record.append(counted: UnsafeRawBufferPointer(type))
                            record.append(counted: data)
                            record.append(counted: metadata)
                            record.append(occurredAtMilliseconds)
                            record.append(recordedAtMilliseconds)
                            return SHA256.hash(data: UnsafeRawBufferPointer(rebasing: buffer[..<record.count]))
                                .withUnsafeBytes { Data($0) }
                        }
                    }
                }
            }
        }
    }

    /// Appends a record's fields to a buffer sized for them.
    private struct RecordBytes {
        let buffer: UnsafeMutableRawBufferPointer
        private(set) var count = 0

        init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

        mutating func append(_ bytes: UnsafeRawBufferPointer) {
            UnsafeMutableRawBufferPointer(rebasing: buffer[count..<count + bytes.count]).copyMemory(from: bytes)
            count += bytes.count
        }

        mutating func append(_ value: Int64) {
            withUnsafeBytes(of: value.bigEndian) { append($0) }
        }

        /// A 4-byte big-endian length, then the bytes.
        mutating func append(counted bytes: UnsafeRawBufferPointer) {
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: bytes.count).bigEndian) { append($0) }
            append(bytes)
        }
    }
}

/// What ``SQLiteEventStore/verify()`` found.
public struct VerificationReport: Sendable, Equatable {
    /// How many records were checked.
    public let eventsChecked: Int64
    /// The last position whose hash was checked and held (0 when none did).
    public let lastPosition: Int64
    /// The chain hash at ``lastPosition``: compare it with a copy kept elsewhere to detect a log cut short.
    public let lastHash: Data
    /// The first position whose hash does not match, or where a position is missing; nil when the chain holds.
    public let firstBrokenPosition: Int64?
    /// Why that position is broken.
    public let problem: String?
    /// Immutability triggers that should be there and are not.
    public let missingTriggers: [String]

    /// True when the chain holds and every immutability trigger is in place.
    public var isIntact: Bool { firstBrokenPosition == nil && missingTriggers.isEmpty }
}

extension Date {
    /// Whole milliseconds since 1970, the precision the store keeps.
    ///
    /// Rounds down, except that a value within floating-point error of a whole millisecond is that millisecond:
    /// `Date(millisecondsSince1970: n).millisecondsSince1970 == n` for every stored `n`, though `n / 1000` is not
    /// exact in binary. `package` so that read models keep times exactly as the store does.
    package var millisecondsSince1970: Int64 {
        let milliseconds = timeIntervalSince1970 * 1000
        let nearest = milliseconds.rounded()
        if abs(milliseconds - nearest) <= max(1e-3, 8 * milliseconds.ulp) { return Int64(nearest) }
        return Int64(milliseconds.rounded(.down))
    }

    package init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
