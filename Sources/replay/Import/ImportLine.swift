import EventStore
import Foundation

/// One event of a file to import, checked: where it is, its conversation, the event ready to append and its typed
/// payload.
struct ImportLine {
    /// The file, as named on the command line.
    let file: String
    /// The line number, from 1.
    let line: Int
    /// The conversation the event belongs to.
    let conversationID: String
    /// The event as it would be stored.
    let data: EventData
    /// Its payload, decoded by the catalogue.
    let event: ConversationEvent

    /// `file.jsonl:3`.
    var place: String { "\(file):\(line)" }

    /// Reads every line of a JSON-lines file in the wire form; blank lines are passed over.
    /// - Throws: ``ReplayFailure`` naming the file, the line and the field of the first bad line.
    static func read(_ file: String) throws(ReplayFailure) -> [ImportLine] {
        let contents: Data
        do {
            contents = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            let exists = FileManager.default.fileExists(atPath: file)
            throw ReplayFailure("cannot read \(file): \(exists ? String(describing: error) : "no such file")")
        }
        let codec = EventCodec()
        var lines: [ImportLine] = []
        for (index, bytes) in contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .enumerated()
        {
            guard bytes.contains(where: { !Self.isSpace($0) }) else { continue }
            do {
                lines.append(try Self.parse(Data(bytes), file: file, line: index + 1, codec: codec))
            } catch {
                throw ReplayFailure("\(file):\(index + 1): \(error)")
            }
        }
        return lines
    }

    private static func parse(_ bytes: Data, file: String, line: Int, codec: EventCodec) throws -> ImportLine {
        let wire = try WireEvent.decode(bytes)
        guard let conversationID = wire.conversationID else {
            throw EventCodingError(
                type: wire.type, field: "conversationId", message: "is missing: each line names its conversation")
        }
        let data = try wire.eventData()
        let event = try codec.decode(type: data.type, data: data.data, metadata: data.metadata)
        return ImportLine(file: file, line: line, conversationID: conversationID, data: data, event: event)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
