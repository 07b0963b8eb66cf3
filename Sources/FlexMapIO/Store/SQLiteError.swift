/// A failed SQLite call, with the store's path, SQLite's code and message, and what
/// flexmap was doing.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var code: Int32
    public var message: String
    public var context: String

    public init(path: String, code: Int32, message: String, context: String) {
        self.path = path
        self.code = code
        self.message = message
        self.context = context
    }

    /// SQLITE_BUSY or SQLITE_LOCKED: another process holds the store.
    public var isBusy: Bool { code & 0xFF == 5 || code & 0xFF == 6 }

    public var description: String {
        var text = "\(path): \(context): \(message) (SQLite code \(code))"
        switch code & 0xFF {
        case 5, 6: text += "; another process is using the store: wait for it to finish, then try again"
        case 8: text += "; the store is read-only: check the file's and folder's permissions"
        case 13: text += "; the disk is full: free space, then run again (with --resume for an import)"
        case 14: text += "; check that the folder exists and is writable"
        case 26: text += "; this file is not a flexmap store (not an SQLite database)"
        default: break
        }
        return text
    }
}
