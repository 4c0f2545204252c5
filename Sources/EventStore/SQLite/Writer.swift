import CSQLite
import Foundation
import Synchronization

/// One append waiting for the writer.
struct AppendRequest: Sendable {
    let stream: StreamID
    let expected: ExpectedVersion
    let events: [EventData]
}

/// The single writer: one connection, owned by one dedicated thread, committing appends in groups.
///
/// Appends that arrive while a commit is running queue up and are committed together in the next transaction
/// (`BEGIN IMMEDIATE`), each checked and undone on its own so that a refused append rolls back alone (a single-event
/// append is one INSERT, which SQLite undoes by itself; a longer one runs in a savepoint). Waiters are resumed only
/// after `COMMIT` returns, so an acknowledged event is durable at the configured `synchronous` level.
///
/// The writer runs on its own thread rather than on a Swift actor so that the fsync of every commit never holds
/// one of the few threads of the cooperative pool.
final class Writer: @unchecked Sendable {
    // Why `@unchecked Sendable` is sound: `queue`, `closing`, `exited` and `exitWaiters` are only read or written while
    // holding `condition`. `connection`, `head`, `lastHash`, `lastGroupSize` and the statements are only used by the
    // writer thread (the body of `run()` and the functions it calls), after `init` has finished on the creating thread
    // and before the thread starts (the happens-before edge is `Thread.start()`). `queuedCount` is atomic, and only a
    // hint: the writer thread reads it without the lock to know when to stop spinning, then reads `queue` under it.
    private struct Pending {
        let request: AppendRequest
        let continuation: CheckedContinuation<AppendResult, any Error>
    }

    /// Work for the writer thread: appends, committed in groups, or a caller's own transaction, run alone.
    private enum Job {
        case append(Pending)
        case transaction(@Sendable (Connection) -> Void)
    }

    private let condition = NSCondition()
    private var queue: [Job] = [] {
        didSet { queuedCount.store(queue.count, ordering: .releasing) }
    }
    /// `queue.count`, for the writer thread to watch without the lock while it waits for the next job.
    private let queuedCount = Atomic<Int>(0)
    /// How long the idle writer thread watches for the next job before it sleeps, in nanoseconds: longer than a
    /// lone appender takes to send its next append once acknowledged (20-30 µs measured), short enough to cost
    /// little when none comes.
    private let idleSpin: UInt64 = 50_000
    private var closing = false
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []
    /// How many appends the last commit took (writer thread only).
    private var lastGroupSize = 1
    /// The longest a group waits for the rest of its appends, in seconds, from its BEGIN: well under one fsync.
    private let groupWait: TimeInterval = 0.0002

    private let connection: Connection
    private var head: Int64
    private var lastHash: Data
    /// Wakes subscribers after each commit.
    let notifier: HeadNotifier
    /// The most requests one transaction takes, so one huge queue cannot delay every acknowledgement.
    private let maxRequestsPerCommit = 512

    init(connection: Connection) throws(EventStoreError) {
        self.connection = connection
        (head, lastHash) = try Writer.readHead(connection)
        notifier = HeadNotifier(head: head)
    }

    /// Starts the writer thread.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "handoff.eventstore.writer"
        thread.start()
    }

    /// Queues an append and waits for its commit.
    func append(_ request: AppendRequest) async throws -> AppendResult {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if closing {
                condition.unlock()
                continuation.resume(throwing: EventStoreError(.closed, "the event store is closed", stream: request.stream))
                return
            }
            queue.append(.append(Pending(request: request, continuation: continuation)))
            condition.signal()
            condition.unlock()
        }
    }

    /// Runs `body` on the writer thread, between two group commits; `body` owns its transaction and reports its
    /// own outcome. Returns false, without running it, once the store is closing.
    func perform(_ body: @escaping @Sendable (Connection) -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if closing { return false }
        queue.append(.transaction(body))
        condition.signal()
        return true
    }

    /// Refuses new appends, commits those already queued, stops the thread and waits for it.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            closing = true
            if exited {
                condition.unlock()
                continuation.resume()
                return
            }
            exitWaiters.append(continuation)
            condition.signal()
            condition.unlock()
        }
    }

    /// Stops the thread without waiting (used when the store is dropped without `close()`).
    func requestClose() {
        condition.lock()
        closing = true
        condition.signal()
        condition.unlock()
    }

    // MARK: - The writer thread

    private func run() {
        while let job = nextJob() {
            switch job {
            case .append(let first):
                for (pending, outcome) in commitGroup(startingWith: first) {
                    pending.continuation.resume(with: outcome)
                }
                notifier.publish(head: head)
            case .transaction(let body):
                body(connection)
            }
        }
        condition.lock()
        exited = true
        let waiters = exitWaiters
        exitWaiters = []
        condition.unlock()
        for waiter in waiters { waiter.resume() }
    }

    /// Waits for the next job; nil once closing and drained.
    ///
    /// After a group of one, watches the queue for up to ``idleSpin`` before sleeping on the condition: waking a
    /// sleeping thread costs about as much as a lone appender takes to send its next append, and both appender and
    /// writer pay for it (the single-event rate at `synchronous=NORMAL` rose by half). After a larger group it
    /// sleeps at once, leaving the processor to the many appenders about to send their next appends.
    private func nextJob() -> Job? {
        if lastGroupSize == 1 {
            let until = DispatchTime.now().uptimeNanoseconds + idleSpin
            while queuedCount.load(ordering: .acquiring) == 0 && DispatchTime.now().uptimeNanoseconds < until {}
        }
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !closing { condition.wait() }
        return queue.isEmpty ? nil : queue.removeFirst()
    }

    /// The appends queued at the head of the queue, at most `limit`, stopping at a transaction. With a `deadline`,
    /// first waits until then for one to arrive.
    private func queuedAppends(limit: Int, waitingUntil deadline: Date?) -> [Pending] {
        condition.lock()
        defer { condition.unlock() }
        if let deadline {
            while queue.isEmpty && !closing && condition.wait(until: deadline) {}
        }
        var taken: [Pending] = []
        for job in queue.prefix(limit) {
            guard case .append(let pending) = job else { break }
            taken.append(pending)
        }
        queue.removeFirst(taken.count)
        return taken
    }

    /// Commits `first` and the appends that arrive while it is written, in one transaction; returns each with its
    /// outcome, in order.
    ///
    /// Each append is checked and written as soon as it is taken, so the writer works while the rest of the group
    /// arrives. While the group is smaller than the last one, its appenders are most likely about to send their next
    /// append: the group waits for them up to ``groupWait`` after its transaction began. A lone appender (last group
    /// of one) never waits.
    private func commitGroup(startingWith first: Pending) -> [(Pending, Result<AppendResult, any Error>)] {
        do {
            try connection.statement("BEGIN IMMEDIATE").run()
            // Another process may have appended to the same file since our last commit: continue its chain.
            (head, lastHash) = try Writer.readHead(connection)
        } catch {
            try? connection.execute("ROLLBACK")
            // The appends already queued would only meet the same failure (a lock held past the busy timeout, say)
            // one after another: they fail together, as one group.
            let queued = queuedAppends(limit: maxRequestsPerCommit - 1, waitingUntil: nil)
            return ([first] + queued).map { ($0, .failure(error)) }
        }
        let startHead = head
        let startHash = lastHash
        let recordedAt = Date().millisecondsSince1970
        let deadline = Date(timeIntervalSinceNow: groupWait)
        var group: [(Pending, Result<AppendResult, any Error>)] = []
        var taken = [first]
        while !taken.isEmpty {
            for (index, pending) in taken.enumerated() {
                do {
                    group.append((pending, .success(try applyAlone(pending.request, recordedAt: recordedAt))))
                } catch let lost as TransactionLost {
                    let failed = group.map(\.0) + taken[index...]
                    return abandon(failed, error: lost.error, head: startHead, hash: startHash)
                } catch {
                    group.append((pending, .failure(error)))
                }
            }
            let room = maxRequestsPerCommit - group.count
            if room <= 0 { break }
            taken = queuedAppends(limit: room, waitingUntil: group.count < lastGroupSize ? deadline : nil)
        }
        do {
            try connection.statement("COMMIT").run()
        } catch {
            return abandon(group.map(\.0), error: error, head: startHead, hash: startHash)
        }
        lastGroupSize = group.count
        return group
    }

    /// A failure that ended the whole transaction, not only one append.
    private struct TransactionLost: Error {
        let error: any Error
    }

    /// Checks and writes one append inside the open transaction, undoing its writes alone when it is refused.
    ///
    /// A single-event append is one INSERT, which SQLite undoes by itself when it fails with the default ABORT; a
    /// longer one runs in a savepoint. Throws the append's error (explained), or ``TransactionLost`` when the failure
    /// ended the transaction or left a write that cannot be undone alone (an INSERT failed under FAIL, as a
    /// `RAISE(FAIL)` trigger added beside the store does, keeps its row).
    private func applyAlone(_ request: AppendRequest, recordedAt: Int64) throws -> AppendResult {
        let headBefore = head
        let hashBefore = lastHash
        let savepoint = request.events.count > 1
        let changesBefore = connection.totalChanges
        do {
            if savepoint { try connection.statement("SAVEPOINT append").run() }
            let result = try apply(request, recordedAt: recordedAt)
            if savepoint { try connection.statement("RELEASE append").run() }
            return result
        } catch {
            head = headBefore
            lastHash = hashBefore
            if savepoint {
                do {
                    try connection.statement("ROLLBACK TO append").run()
                    try connection.statement("RELEASE append").run()
                } catch {
                    throw TransactionLost(error: error)
                }
            } else if connection.totalChanges != changesBefore {
                throw TransactionLost(error: error)
            }
            let reported = explained(error, request)
            // SQLite ends the whole transaction on some errors (I/O, memory), in the append or in the lookups that
            // explain it.
            if !connection.isInTransaction { throw TransactionLost(error: error) }
            throw reported
        }
    }

    /// Rolls the whole transaction back after a failure that leaves its state unknown: every request fails.
    private func abandon(
        _ group: [Pending], error: any Error, head: Int64, hash: Data
    ) -> [(Pending, Result<AppendResult, any Error>)] {
        try? connection.execute("ROLLBACK")
        // Re-read the head only outside any transaction: inside one that failed to roll back it would read the
        // abandoned writes. (The next commit re-reads the head after its BEGIN in any case.)
        if !connection.isInTransaction, let (storedHead, storedHash) = try? Writer.readHead(connection) {
            self.head = storedHead
            self.lastHash = storedHash
        } else {
            self.head = head
            self.lastHash = hash
        }
        return group.map { ($0, .failure(error)) }
    }

    /// Checks and writes one append inside the open transaction.
    private func apply(_ request: AppendRequest, recordedAt: Int64) throws(EventStoreError) -> AppendResult {
        let stream = request.stream
        // A retry repeats its first event, so a new append costs one lookup. Were a later id stored (a partial
        // overlap), its insert breaks UNIQUE (stream_id, event_id) and `explained` looks every id up.
        if let stored = try alreadyStored(request, unlessFirstIsNew: true) { return stored }
        let current = try streamVersion(stream)
        try check(request.expected, current: current, stream: stream)
        guard !request.events.isEmpty else {
            return AppendResult(positions: [], version: current, alreadyStored: false)
        }
        let insert = try connection.statement(Schema.insertEvent)
        var positions: [Int64] = []
        positions.reserveCapacity(request.events.count)
        var version = current
        for event in request.events {
            let position = head + 1
            version += 1
            let occurredAt = event.occurredAt.millisecondsSince1970
            let hash = IntegrityChain.hash(
                previous: lastHash, position: position, streamID: stream.rawValue, version: version,
                eventID: event.eventID, type: event.type, data: event.data, metadata: event.metadata,
                occurredAtMilliseconds: occurredAt, recordedAtMilliseconds: recordedAt)
            insert.reset()
            try insert.bind(position, at: 1)
            try insert.bind(stream.rawValue, at: 2)
            try insert.bind(version, at: 3)
            try insert.bind(event.eventID, at: 4)
            try insert.bind(event.type, at: 5)
            try insert.bindText(event.data, at: 6)
            try insert.bindText(event.metadata, at: 7)
            try insert.bind(occurredAt, at: 8)
            try insert.bind(recordedAt, at: 9)
            try insert.bind(hash, at: 10)
            do {
                try insert.run()
            } catch {
                var error = error
                error.stream = stream
                error.eventID = event.eventID
                throw error
            }
            head = position
            lastHash = hash
            positions.append(position)
        }
        return AppendResult(positions: positions, version: version, alreadyStored: false)
    }

    /// The stored positions when every event of the request is already stored, in order, in this stream, with the
    /// same content and at the place the expected version asks for; nil when none is stored, or, with
    /// `unlessFirstIsNew`, as soon as the first is found not stored (without looking the others up).
    ///
    /// Event ids are unique within a stream (`UNIQUE (stream_id, event_id)`): a retry always goes to the stream it
    /// was first sent to, and a per-stream index keeps each commit's index writes beside the stream's other entries,
    /// where a global index on random ids would dirty one random page per event.
    /// - Throws: when some but not all are stored, or one is stored with other content.
    private func alreadyStored(
        _ request: AppendRequest, unlessFirstIsNew: Bool = false
    ) throws(EventStoreError) -> AppendResult? {
        let stream = request.stream
        let lookup = try connection.statement(
            "SELECT position, version, type, data, metadata, occurred_at FROM events WHERE stream_id = ? AND event_id = ?")
        defer { lookup.reset() }
        var found: [(position: Int64, version: Int64)] = []
        var missing: UUID?
        for event in request.events {
            lookup.reset()
            try lookup.bind(stream.rawValue, at: 1)
            try lookup.bind(event.eventID, at: 2)
            guard try lookup.step() else {
                if unlessFirstIsNew && found.isEmpty { return nil }
                missing = missing ?? event.eventID
                continue
            }
            let sameContent =
                lookup.text(2) == event.type && lookup.data(3) == event.data && lookup.data(4) == event.metadata
                && lookup.int64(5) == event.occurredAt.millisecondsSince1970
            guard sameContent else {
                throw EventStoreError(
                    .duplicateEventID,
                    "event id is already stored at position \(lookup.int64(0)) with different content",
                    stream: stream, eventID: event.eventID)
            }
            found.append((lookup.int64(0), lookup.int64(1)))
        }
        if found.isEmpty { return nil }
        if let missing {
            throw EventStoreError(
                .idempotencyConflict,
                "\(found.count) of the \(request.events.count) events are already stored and the others are not",
                stream: stream, eventID: missing)
        }
        for (index, pair) in zip(found, found.dropFirst()).enumerated() where pair.1.version != pair.0.version + 1 {
            throw EventStoreError(
                .idempotencyConflict, "the stored events are not consecutive in the stream",
                stream: stream, eventID: request.events[index + 1].eventID)
        }
        let firstVersion = found[0].version
        let consistent: Bool
        switch request.expected {
        case .any, .streamExists: consistent = true
        case .noStream: consistent = firstVersion == 0
        case .exact(let version): consistent = firstVersion - 1 == version
        }
        if !consistent {
            throw EventStoreError(
                .wrongExpectedVersion,
                "the events are already stored, at versions \(firstVersion)...\(firstVersion + Int64(found.count) - 1)",
                stream: stream, expected: request.expected, actualVersion: try streamVersion(stream))
        }
        return AppendResult(positions: found.map(\.position), version: try streamVersion(stream), alreadyStored: true)
    }

    /// The error to report for a request whose writes failed and were rolled back: for a constraint violation, the
    /// overlap with stored events that caused it (as ``alreadyStored(_:unlessFirstIsNew:)`` names it), else `error`
    /// itself.
    private func explained(_ error: any Error, _ request: AppendRequest) -> any Error {
        guard let storeError = error as? EventStoreError, let code = storeError.sqliteCode,
            code & 0xFF == SQLITE_CONSTRAINT
        else { return error }
        do {
            _ = try alreadyStored(request)
        } catch let overlap where overlap.code == .idempotencyConflict || overlap.code == .duplicateEventID {
            return overlap
        } catch {
            // The lookup itself failed: report the constraint violation as it was.
        }
        return error
    }

    /// The stream's version, -1 when it does not exist.
    private func streamVersion(_ stream: StreamID) throws(EventStoreError) -> Int64 {
        try connection.streamVersion(stream) ?? -1
    }

    private func check(_ expected: ExpectedVersion, current: Int64, stream: StreamID) throws(EventStoreError) {
        let ok: Bool
        switch expected {
        case .any: ok = true
        case .noStream: ok = current == -1
        case .streamExists: ok = current >= 0
        case .exact(let version): ok = current == version
        }
        if !ok {
            let actual = current == -1 ? "the stream does not exist" : "the stream is at version \(current)"
            throw EventStoreError(
                .wrongExpectedVersion, "expected \(expected), but \(actual)",
                stream: stream, expected: expected, actualVersion: current)
        }
    }

    /// The last position and its chain hash, or the genesis hash for an empty log.
    private static func readHead(_ connection: Connection) throws(EventStoreError) -> (Int64, Data) {
        let statement = try connection.statement("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
        defer { statement.reset() }
        guard try statement.step() else { return (0, IntegrityChain.genesis) }
        return (statement.int64(0), statement.data(1))
    }
}
