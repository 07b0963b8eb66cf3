import CSQLite

/// A prepared statement; finalized when released. Values are always bound, never
/// spliced into SQL text.
public final class SQLiteStatement {
    unowned let database: SQLiteDatabase
    let handle: OpaquePointer
    let sql: String

    /// SQLITE_TRANSIENT: SQLite copies the bytes before bind returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(database: SQLiteDatabase, handle: OpaquePointer, sql: String) {
        self.database = database
        self.handle = handle
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    private func check(_ status: Int32, _ what: String) throws(SQLiteError) {
        if status != SQLITE_OK { throw database.error(status, "\(what) for \(sql.prefix(60))") }
    }

    /// Binds values to ?1, ?2, ... in order.
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    /// Binds text, or NULL for nil, without wrapping it in a SQLiteValue.
    public func bind(text: String?, at index: Int32) throws(SQLiteError) {
        guard var copy = text else {
            try check(sqlite3_bind_null(handle, index), "binding NULL")
            return
        }
        let status = copy.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                return sqlite3_bind_text(handle, index, "", 0, Self.transient)
            }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), Self.transient)
            }
        }
        try check(status, "binding text")
    }

    public func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        switch value {
        case .null:
            try check(sqlite3_bind_null(handle, index), "binding NULL")
        case .integer(let number):
            try check(sqlite3_bind_int64(handle, index, number), "binding an integer")
        case .real(let number):
            try check(sqlite3_bind_double(handle, index, number), "binding a number")
        case .text(let text):
            // An empty string may have no base address, and NULL would store SQL NULL:
            // bind(text:) binds a real empty text.
            try bind(text: text, at: index)
        case .blob(let bytes):
            let status = bytes.withUnsafeBytes { buffer in
                sqlite3_bind_blob(
                    handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buffer.count),
                    Self.transient)
            }
            try check(status, "binding bytes")
        }
    }

    /// Steps once: true when a row is ready, false when done.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        let status = sqlite3_step(handle)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error(status, "running \(sql.prefix(60))")
        }
    }

    /// Resets for another run and clears bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds, steps to the end, resets: for statements that return no rows.
    public func run(_ values: [SQLiteValue]) throws(SQLiteError) {
        defer { reset() }
        try bind(values)
        while try step() {}
    }

    /// Binds and collects every row with `row`.
    public func query<T>(_ values: [SQLiteValue] = [], _ row: (SQLiteStatement) -> T) throws(SQLiteError) -> [T] {
        defer { reset() }
        try bind(values)
        var rows: [T] = []
        while try step() { rows.append(row(self)) }
        return rows
    }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    public func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    public func blob(_ column: Int32) -> [UInt8] {
        guard let pointer = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}

/// A value bound to a statement parameter.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public static func optional(_ text: String?) -> SQLiteValue { text.map(SQLiteValue.text) ?? .null }
}
