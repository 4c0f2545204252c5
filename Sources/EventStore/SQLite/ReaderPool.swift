import Synchronization

/// Read-only connections, checked out one caller at a time.
final class ReaderPool: Sendable {
    private let idle = Mutex<[Connection]>([])
    private let path: String
    private let busyTimeoutMilliseconds: Int32
    private let maxIdle: Int

    init(path: String, busyTimeoutMilliseconds: Int32, maxIdle: Int) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.maxIdle = maxIdle
    }

    /// Runs `body` with a reader connection inside one read transaction (one consistent snapshot).
    func read<T>(_ body: (Connection) throws(EventStoreError) -> T) throws(EventStoreError) -> T {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try connection.transaction("BEGIN", body)
    }

    private func checkOut() throws(EventStoreError) -> Connection {
        if let connection = idle.withLock({ $0.popLast() }) { return connection }
        let connection = try Connection(path: path, mode: .readOnly, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        try connection.execute("PRAGMA query_only = ON")
        return connection
    }

    private func checkIn(_ connection: Connection) {
        idle.withLock { idle in
            if idle.count < maxIdle { idle.append(connection) }
        }
    }
}
