import CSQLite

/// Owns one SQLite connection: every call into SQLite goes through this file and
/// SQLiteStatement. Used by one thread at a time (the run's writer).
public final class SQLiteDatabase {
    public let path: String
    let handle: OpaquePointer

    public init(path: String, readOnly: Bool = false, create: Bool = true) throws(SQLiteError) {
        self.path = path
        var connection: OpaquePointer?
        var flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        flags |= SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &connection, flags, nil)
        guard status == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let connection { sqlite3_close_v2(connection) }
            throw SQLiteError(path: path, code: status, message: message, context: "opening the store")
        }
        handle = connection
        sqlite3_extended_result_codes(handle, 1)
        // Wait for another writer rather than failing at once.
        sqlite3_busy_timeout(handle, 5_000)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    func error(_ status: Int32, _ context: String) -> SQLiteError {
        SQLiteError(path: path, code: status, message: String(cString: sqlite3_errmsg(handle)), context: context)
    }

    /// Runs one or more statements that take no parameters.
    public func execute(_ sql: String, context: String? = nil) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        if status != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(path: path, code: status, message: text, context: context ?? "running SQL")
        }
    }

    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else {
            throw error(status, "preparing \(sql.prefix(60))")
        }
        return SQLiteStatement(database: self, handle: statement, sql: sql)
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE", context: "starting a transaction")
        do {
            let result = try body()
            try execute("COMMIT", context: "committing")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The value of a one-row, one-column query (nil for no row or NULL).
    public func scalarInt(_ sql: String) throws(SQLiteError) -> Int64? {
        let statement = try prepare(sql)
        guard try statement.step() else { return nil }
        return statement.isNull(0) ? nil : statement.int(0)
    }
}
