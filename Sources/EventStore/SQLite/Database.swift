public import Foundation

/// A database connection lent for the duration of one ``SQLiteEventStore/write(_:)`` or
/// ``SQLiteEventStore/read(_:)`` closure, for the tables that live beside the events (read models, checkpoints,
/// an outbox). Do not keep it, or a statement, beyond the closure.
///
/// The events table itself is append-only: its triggers refuse UPDATE and DELETE, and rows must only be added
/// through ``SQLiteEventStore/append(_:to:expected:)``, which keeps positions and the hash chain.
public struct SQLiteDatabase: ~Copyable {
    let connection: Connection

    init(_ connection: Connection) { self.connection = connection }

    /// The name of the SQLite VFS the connection writes through (for the package's tests).
    package var vfsName: String? { connection.vfsName }

    /// Runs SQL that returns no rows (one or more statements).
    /// - Throws: ``EventStoreError`` with code `storage` (SQLite's code, message and the SQL).
    public func execute(_ sql: String) throws(EventStoreError) { try connection.execute(sql) }

    /// The prepared (and cached) statement for `sql`, reset, with `arguments` bound to `?1`, `?2`, ...
    /// - Throws: ``EventStoreError`` when the SQL does not compile or a value cannot be bound.
    public func statement(_ sql: String, _ arguments: SQLiteValue...) throws(EventStoreError) -> SQLiteStatement {
        let statement = try connection.statement(sql)
        for (index, argument) in arguments.enumerated() { try statement.bind(argument, at: Int32(index + 1)) }
        return SQLiteStatement(statement)
    }
}

/// A value bound to a statement parameter.
public enum SQLiteValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// A 64-bit integer.
    case integer(Int64)
    /// A double.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Bytes.
    case blob(Data)
}

/// A prepared statement, valid inside the closure that lent its ``SQLiteDatabase``.
public struct SQLiteStatement {
    private let statement: Statement

    init(_ statement: Statement) { self.statement = statement }

    /// Steps once: true when a row is available, false when the statement is done.
    /// - Throws: ``EventStoreError`` (for example a constraint violation, with SQLite's extended code).
    public func step() throws(EventStoreError) -> Bool { try statement.step() }

    /// Runs a statement that returns no row.
    public func run() throws(EventStoreError) { try statement.run() }

    /// Binds `arguments` to `?1`, `?2`, ... in place of the previous ones, and runs the statement once: for one
    /// statement run for many rows.
    public func run(_ arguments: SQLiteValue...) throws(EventStoreError) {
        try run(arguments[...])
    }

    /// Runs the statement once per row of `values`: rows one after the other, each as many values as the statement
    /// has parameters, bound to `?1`, `?2`, ... in turn. For many rows made ready before the transaction.
    /// - Throws: ``EventStoreError`` with code `storage` when `values` is not a whole number of rows, before running
    ///   any; or what a row's run throws.
    public func run(rows values: [SQLiteValue]) throws(EventStoreError) {
        let columns = statement.parameterCount
        guard columns > 0 ? values.count % columns == 0 : values.isEmpty else {
            throw EventStoreError(
                .storage, "\(values.count) values are not whole rows of \(columns) parameters", sql: statement.sql)
        }
        for start in stride(from: 0, to: values.count, by: max(columns, 1)) {
            try run(values[start..<(start + columns)])
        }
    }

    private func run(_ arguments: ArraySlice<SQLiteValue>) throws(EventStoreError) {
        statement.reset()
        var index: Int32 = 1
        for argument in arguments {
            try statement.bind(argument, at: index)
            index += 1
        }
        try statement.run()
    }

    /// Every row, read by `row`, then resets the statement.
    /// - Throws: ``EventStoreError`` from SQLite, or what `row` threw.
    public func rows<T>(_ row: (SQLiteStatement) throws -> T) throws -> [T] {
        defer { statement.reset() }
        var rows: [T] = []
        while try statement.step() { rows.append(try row(self)) }
        return rows
    }

    /// Column `index` (0-based) of the current row as an integer.
    public func int64(_ index: Int32) -> Int64 { statement.int64(index) }
    /// Column `index` as text.
    public func text(_ index: Int32) -> String { statement.text(index) }
    /// Column `index` as bytes.
    public func data(_ index: Int32) -> Data { statement.data(index) }
    /// Column `index` as a double.
    public func double(_ index: Int32) -> Double { statement.double(index) }
    /// Whether column `index` is NULL.
    public func isNull(_ index: Int32) -> Bool { statement.isNull(index) }
}
