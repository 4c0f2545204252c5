import CSQLite
import Foundation
import Synchronization

/// One append waiting for the writer.
struct AppendRequest: Sendable {
    let stream: StreamID
    let expected: ExpectedVersion
    let events: [EventData]

    /// The bytes of data and metadata the append carries.
    var payloadBytes: Int { events.payloadBytes }
}

fileprivate extension Collection<EventData> {
    /// The bytes of data and metadata of these events.
    var payloadBytes: Int { reduce(0) { $0 + $1.data.count + $1.metadata.count } }
}

/// The single writer: one connection, committing appends in groups, used by one thread at a time.
///
/// Appends that arrive while a commit is running queue up and are committed together in the next transaction
/// (`BEGIN IMMEDIATE`), each checked and undone on its own so that a refused append rolls back alone (a single-event
/// append is one INSERT, which SQLite undoes by itself; a longer one runs in a savepoint). Waiters are resumed only
/// after `COMMIT` returns, so an acknowledged event is durable at the configured `synchronous` level.
///
/// Groups are committed by a dedicated thread rather than a Swift actor, so that the fsync of every commit under load
/// never holds one of the few threads of the cooperative pool. An append is committed by its caller instead, alone,
/// when it finds nothing queued and no commit running, the last group was one append that took under 2 ms, and it
/// carries at most 1 MiB: its caller would only wait for the commit, and handing the append to the writer thread
/// and the acknowledgement back costs two thread wake-ups, as much as a tenth of a commit. Appends queued meanwhile
/// wait for the writer thread, and at most one pool thread in the process commits this way at a time. The 2 ms is
/// the last lone commit's: a disk that suddenly slows, or a commit that runs SQLite's automatic checkpoint (about
/// every 16,000 pages written), holds the caller's thread longer, once.
final class Writer: @unchecked Sendable {
    // Why `@unchecked Sendable` is sound: `queue`, `committing`, `loneCommitNanoseconds`, `closing`, `exited` and
    // `exitWaiters` are only read or written while holding `condition`, and so is `lastGroupSize`, except that the
    // thread holding the connection reads it without the lock (only that thread ever writes it). The connection, `head`, `lastHash`,
    // `knownVersions` and the statements are only used by the thread that set `committing` (the writer thread, or the
    // caller committing its own append), which took `condition` to set it and takes it again to clear it: each
    // commit happens after the previous one, whichever threads ran them. The writer thread starts after `init` has
    // finished on the creating thread (the happens-before edge is `Thread.start()`).
    private struct Pending {
        let request: AppendRequest
        /// Nil for the append whose caller commits it.
        let continuation: CheckedContinuation<AppendResult, any Error>?
    }

    /// Work for the writer thread: appends, committed in groups, or a caller's own transaction, run alone.
    private enum Job {
        case append(Pending)
        case transaction(@Sendable (Connection) -> Void)
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    /// Whether a thread is using the connection: the writer thread, or a caller committing its own append.
    private var committing = false
    /// How many appends the last commit took: while it is one (and that commit was quick), a caller that finds
    /// nothing queued commits its append itself.
    private var lastGroupSize = 1
    /// How long the last group of one took to commit, in nanoseconds.
    private var loneCommitNanoseconds: UInt64 = 0
    /// The longest a group of one may have taken for the next lone append to be committed by its caller: two
    /// commits of 100 events at `synchronous=FULL` on a local SSD (about 1 ms each). After a slower one, lone appends
    /// go to the writer thread until one of them is quick again.
    private static let maxInPlaceCommitNanoseconds: UInt64 = 2_000_000
    /// The most data and metadata an append committed by its caller may carry: a larger one goes to the writer
    /// thread, whatever the last commit took.
    private static let maxInPlaceBytes = 1 << 20
    /// Whether some store of this process is committing an append on its caller's thread: one at a time, so that
    /// the stores of one process never hold more than one thread of the cooperative pool between them.
    private static let committingInPlace = Atomic<Bool>(false)
    private var closing = false
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []
    /// The longest a group waits for the rest of its appends, in seconds, from its BEGIN: well under one fsync.
    private let groupWait: TimeInterval = 0.0002

    private let connection: Connection
    private var head: Int64
    /// Stream versions as this writer last wrote or read them, so that an append to a stream it knows costs no
    /// lookup: emptied whenever the log may have changed otherwise (another process committed, a caller's
    /// transaction ran, a group was rolled back), and when it outgrows ``maxKnownVersions``. A refused append leaves
    /// it as it was: a version is read before the append writes, and set only once the append is in, so undoing the
    /// append alone restores what the map says.
    private var knownVersions: [StreamID: Int64] = [:]
    /// About a megabyte of stream versions: far more streams than are active at once in a chat service.
    private let maxKnownVersions = 10_000
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

    /// Commits an append and returns its outcome.
    ///
    /// An append that finds nothing queued, no commit running, the last group one quick append, and carries at most
    /// ``maxInPlaceBytes`` is committed on the caller's thread, alone; the continuation is then resumed before its
    /// body returns, so the task goes on without suspending. Any other is queued for the writer thread, and its
    /// caller suspends until the commit. One lock acquisition decides which.
    func append(_ request: AppendRequest) async throws -> AppendResult {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if !closing && mayCommitInPlace(request) {
                committing = true
                condition.unlock()
                if let outcome = commitInPlace(request) {
                    continuation.resume(with: outcome)
                    return
                }
                // Another connection holds the write lock: queue the append, unless the store closed meanwhile.
                condition.lock()
            }
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

    /// Whether the caller may commit `request` itself, taking this process's one slot for doing so (under
    /// `condition`): nothing is queued, no commit is running, the last group was one append that took at most
    /// ``maxInPlaceCommitNanoseconds``, and the append carries at most ``maxInPlaceBytes``.
    private func mayCommitInPlace(_ request: AppendRequest) -> Bool {
        queue.isEmpty && !committing && lastGroupSize == 1
            && loneCommitNanoseconds <= Writer.maxInPlaceCommitNanoseconds
            && request.payloadBytes <= Writer.maxInPlaceBytes
            && Writer.committingInPlace.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    /// Commits `request` alone on the caller's thread, which holds the connection and this process's slot, gives
    /// both back, and returns the outcome; nil, having written nothing, when another connection holds the write
    /// lock (or BEGIN failed otherwise): the caller's thread never waits for another connection, the writer thread
    /// does, up to the busy timeout, and reports what fails.
    private func commitInPlace(_ request: AppendRequest) -> Result<AppendResult, any Error>? {
        defer { Writer.committingInPlace.store(false, ordering: .releasing) }
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            try begin(waitingForLock: false)
        } catch {
            release(groupSize: nil)
            return nil
        }
        let group = commitBegunGroup(startingWith: Pending(request: request, continuation: nil), takingQueued: false)
        finish(group, startedAt: started)
        // The group starts with the caller's own append.
        return group.outcomes[0].1
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
                let started = DispatchTime.now().uptimeNanoseconds
                finish(commitGroup(startingWith: first), startedAt: started)
            case .transaction(let body):
                body(connection)
                // The caller's transaction may have written anything.
                knownVersions.removeAll()
                release(groupSize: nil)
            }
        }
        condition.lock()
        exited = true
        let waiters = exitWaiters
        exitWaiters = []
        condition.unlock()
        for waiter in waiters { waiter.resume() }
    }

    /// Waits for the next job and takes the connection for it; nil once closing, drained, and no caller is
    /// committing.
    private func nextJob() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while committing || (queue.isEmpty && !closing) { condition.wait() }
        if queue.isEmpty { return nil }
        committing = true
        return queue.removeFirst()
    }

    /// Resumes the group's waiting callers, wakes subscribers, and gives the connection back.
    private func finish(_ group: Group, startedAt started: UInt64) {
        let nanoseconds = DispatchTime.now().uptimeNanoseconds - started
        for (pending, outcome) in group.outcomes {
            pending.continuation?.resume(with: outcome)
        }
        notifier.publish(head: head)
        release(groupSize: group.committed ? group.outcomes.count : nil, nanoseconds: nanoseconds)
    }

    /// Gives the connection back, recording the size of a group that committed and how long it took, and wakes the
    /// writer thread for what queued meanwhile.
    private func release(groupSize: Int?, nanoseconds: UInt64 = 0) {
        condition.lock()
        committing = false
        if let groupSize {
            lastGroupSize = groupSize
            if groupSize == 1 { loneCommitNanoseconds = nanoseconds }
        }
        // Only the writer thread waits on the condition, and only for this when it has work or is to exit.
        if !queue.isEmpty || closing { condition.signal() }
        condition.unlock()
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

    /// The appends of one transaction, in order, each with its outcome.
    private struct Group {
        var outcomes: [(Pending, Result<AppendResult, any Error>)]
        /// Whether the transaction committed (some appends may still have been refused on their own).
        var committed: Bool
    }

    /// Commits `first` and the appends that arrive while it is written, in one transaction; returns each with its
    /// outcome, in order, starting with `first`.
    ///
    /// Each append is checked and written as soon as it is taken, so the writer works while the rest of the group
    /// arrives. While the group is smaller than the last one, its appenders are most likely about to send their next
    /// append: the group waits for them up to ``groupWait`` after its transaction began. A lone appender (last group
    /// of one) never waits.
    private func commitGroup(startingWith first: Pending) -> Group {
        do {
            try begin(waitingForLock: true)
        } catch {
            // The appends already queued would only meet the same failure (a lock held past the busy timeout, say)
            // one after another: they fail together, as one group.
            let queued = queuedAppends(limit: maxRequestsPerCommit - 1, waitingUntil: nil)
            return Group(outcomes: ([first] + queued).map { ($0, .failure(error)) }, committed: false)
        }
        return commitBegunGroup(startingWith: first, takingQueued: true)
    }

    /// Begins a group's transaction (`BEGIN IMMEDIATE`) and continues the chain from what is stored: another
    /// process may have appended to the same file since our last commit. Waits for a write lock held by another
    /// connection up to the busy timeout, or, unless `waitingForLock`, not at all.
    private func begin(waitingForLock: Bool) throws(EventStoreError) {
        if !waitingForLock { connection.setBusyTimeout(milliseconds: 0) }
        defer { if !waitingForLock { connection.setBusyTimeout(milliseconds: connection.busyTimeoutMilliseconds) } }
        do {
            try connection.statement("BEGIN IMMEDIATE").run()
            let stored = try Writer.readHead(connection)
            if stored.0 != head { knownVersions.removeAll() }
            (head, lastHash) = stored
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// ``commitGroup(startingWith:)`` once its transaction has begun; with `takingQueued` false, `first` alone.
    private func commitBegunGroup(startingWith first: Pending, takingQueued: Bool) -> Group {
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
            let room = takingQueued ? maxRequestsPerCommit - group.count : 0
            if room <= 0 { break }
            taken = queuedAppends(limit: room, waitingUntil: group.count < lastGroupSize ? deadline : nil)
        }
        do {
            try connection.statement("COMMIT").run()
        } catch {
            return abandon(group.map(\.0), error: error, head: startHead, hash: startHash)
        }
        return Group(outcomes: group, committed: true)
    }

    /// How many events one INSERT statement takes, largest first: an append of many events is inserted a few
    /// statements at a time (100 events: 64, 16, 16 and 4), which costs SQLite far less than one statement per row
    /// (the raw baseline's batches ran 14-16% faster as one statement), with four statements to prepare at most.
    private static let rowsPerInsert = [64, 16, 4, 1]
    /// The most data and metadata one INSERT of several rows binds (SQLite copies every bound value until the
    /// statement runs): larger events are inserted fewer at a time.
    private static let maxBytesPerInsert = 1 << 20
    /// The INSERT statement for each of ``rowsPerInsert``.
    private static let insertSQL: [Int: String] = Dictionary(
        uniqueKeysWithValues: rowsPerInsert.map { ($0, Schema.insertEvents(rows: $0)) })

    /// A failure that ended the whole transaction, not only one append.
    private struct TransactionLost: Error {
        let error: any Error
    }

    /// Checks and writes one append inside the open transaction, undoing its writes alone when it is refused.
    ///
    /// A single-event append is one INSERT, which SQLite undoes by itself when it fails with the default ABORT; a
    /// longer one runs in a savepoint. A retry of stored events, refused by their unique ids, returns where they are
    /// stored. Throws the append's error (explained), or ``TransactionLost`` when the failure
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
            remember(result.version, of: request.stream)
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
            let outcome = Result { try storedRetry(refusedWith: error, request) }
            // SQLite ends the whole transaction on some errors (I/O, memory), in the append or in the lookups that
            // explain it.
            if !connection.isInTransaction { throw TransactionLost(error: error) }
            return try outcome.get()
        }
    }

    /// Rolls the whole transaction back after a failure that leaves its state unknown: every request fails.
    private func abandon(_ group: [Pending], error: any Error, head: Int64, hash: Data) -> Group {
        try? connection.execute("ROLLBACK")
        knownVersions.removeAll()
        // Re-read the head only outside any transaction: inside one that failed to roll back it would read the
        // abandoned writes. (The next commit re-reads the head after its BEGIN in any case.)
        if !connection.isInTransaction, let (storedHead, storedHash) = try? Writer.readHead(connection) {
            self.head = storedHead
            self.lastHash = storedHash
        } else {
            self.head = head
            self.lastHash = hash
        }
        return Group(outcomes: group.map { ($0, .failure(error)) }, committed: false)
    }

    /// Checks and writes one append inside the open transaction.
    private func apply(_ request: AppendRequest, recordedAt: Int64) throws(EventStoreError) -> AppendResult {
        let stream = request.stream
        // A new append looks nothing up but its stream's version. A retry of stored events either expects a version
        // the stream has passed, and is looked up here, or expects any version, and its first insert breaks
        // UNIQUE (stream_id, event_id): `applyAlone` then finds where they are stored.
        let current = try streamVersion(stream)
        do {
            try check(request.expected, current: current, stream: stream)
        } catch {
            if let stored = try alreadyStored(request, unlessFirstIsNew: true) { return stored }
            throw error
        }
        guard !request.events.isEmpty else {
            return AppendResult(positions: [], version: current, alreadyStored: false)
        }
        var positions: [Int64] = []
        positions.reserveCapacity(request.events.count)
        var version = current
        var remaining = request.events[...]
        while !remaining.isEmpty {
            let rows =
                Writer.rowsPerInsert.first {
                    $0 <= remaining.count && remaining.prefix($0).payloadBytes <= Writer.maxBytesPerInsert
                } ?? 1
            let chunk = remaining.prefix(rows)
            remaining = remaining.dropFirst(rows)
            let insert = try connection.statement(Writer.insertSQL[rows] ?? Schema.insertEvent)
            var position = head
            var hash = lastHash
            for (row, event) in chunk.enumerated() {
                position += 1
                version += 1
                let occurredAt = event.occurredAt.millisecondsSince1970
                hash = IntegrityChain.hash(
                    previous: hash, position: position, streamID: stream.rawValue, version: version,
                    eventID: event.eventID, type: event.type, data: event.data, metadata: event.metadata,
                    occurredAtMilliseconds: occurredAt, recordedAtMilliseconds: recordedAt)
                let column = Int32(row) * Schema.insertedColumns
                try insert.bind(position, at: column + 1)
                try insert.bind(stream.rawValue, at: column + 2)
                try insert.bind(version, at: column + 3)
                try insert.bind(event.eventID, at: column + 4)
                try insert.bind(event.type, at: column + 5)
                try insert.bindText(event.data, at: column + 6)
                try insert.bindText(event.metadata, at: column + 7)
                try insert.bind(occurredAt, at: column + 8)
                try insert.bind(recordedAt, at: column + 9)
                try insert.bind(hash, at: column + 10)
                positions.append(position)
            }
            do {
                try insert.run()
            } catch {
                var error = error
                error.stream = stream
                // A statement of several rows fails as a whole: name the event only when it is alone.
                if chunk.count == 1 { error.eventID = chunk.first?.eventID }
                throw error
            }
            head = position
            lastHash = hash
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

    /// For a request whose writes failed and were rolled back: where its events are stored, when a constraint
    /// refused a retry of stored events. Otherwise throws what to report: for a constraint violation, the overlap
    /// with stored events that caused it (as ``alreadyStored(_:unlessFirstIsNew:)`` names it), else `error` itself.
    private func storedRetry(refusedWith refusal: any Error, _ request: AppendRequest) throws -> AppendResult {
        guard let storeError = refusal as? EventStoreError, let code = storeError.sqliteCode,
            code & 0xFF == SQLITE_CONSTRAINT
        else { throw refusal }
        let stored: AppendResult?
        do {
            stored = try alreadyStored(request)
        } catch let overlap
            where overlap.code == .idempotencyConflict || overlap.code == .duplicateEventID
            || overlap.code == .wrongExpectedVersion
        {
            throw overlap
        } catch {
            // The lookup itself failed: report the constraint violation as it was.
            throw refusal
        }
        guard let stored else { throw refusal }
        return stored
    }

    /// The stream's version, -1 when it does not exist.
    private func streamVersion(_ stream: StreamID) throws(EventStoreError) -> Int64 {
        if let known = knownVersions[stream] { return known }
        let version = try connection.streamVersion(stream) ?? -1
        remember(version, of: stream)
        return version
    }

    private func remember(_ version: Int64, of stream: StreamID) {
        if knownVersions.count >= maxKnownVersions && knownVersions[stream] == nil { knownVersions.removeAll() }
        knownVersions[stream] = version
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
