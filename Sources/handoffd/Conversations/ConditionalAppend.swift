import EventStore

extension SQLiteEventStore {
    /// Appends `events` if the stream is at `expected`; nil when another writer moved it first (the caller reads
    /// and decides again).
    /// - Throws: every other ``EventStoreError`` of ``append(_:to:expected:)``.
    func appendUnlessMoved(
        _ events: [EventData], to stream: StreamID, expected: ExpectedVersion
    ) async throws(EventStoreError) -> AppendResult? {
        do {
            return try await append(events, to: stream, expected: expected)
        } catch {
            if error.code == .wrongExpectedVersion { return nil }
            throw error
        }
    }
}
