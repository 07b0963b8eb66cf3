import Foundation

/// The flexmap store: one SQLite file (WAL) holding organisations, API keys, mappings,
/// contacts and import runs.
public final class Store {
    public let path: String
    public let database: SQLiteDatabase
    /// The clock for created_at / updated_at (ISO 8601, UTC); tests may fix it.
    public let clock: @Sendable () -> String

    /// Opens an existing store and brings its schema up to date. A missing file is an
    /// error that tells the user to run `flexmap init`.
    public static func open(path: String, clock: @escaping @Sendable () -> String = Store.utcNow) throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.missing(path: path)
        }
        return try Store(path: path, create: false, clock: clock)
    }

    /// Creates a store (or opens it when it exists) and applies every migration.
    public static func create(path: String, clock: @escaping @Sendable () -> String = Store.utcNow) throws -> Store {
        try Store(path: path, create: true, clock: clock)
    }

    private init(path: String, create: Bool, clock: @escaping @Sendable () -> String) throws {
        self.path = path
        self.clock = clock
        database = try SQLiteDatabase(path: path, create: create)
        do {
            try database.execute("PRAGMA journal_mode = WAL", context: "switching the store to WAL")
        } catch {
            // SQLite only says "unable to open database file" when it cannot write the WAL.
            if let why = Self.whyReadOnly(path) { throw StoreError.readOnly(path: path, why: why) }
            throw error
        }
        // NORMAL in WAL mode: a commit survives a crash of flexmap; a power loss may lose the
        // last commits but never corrupts the store. A 16 MiB page cache keeps the unique
        // index's hot pages between batches; checkpointing the WAL every 32 MiB instead of
        // 4 MiB copies each hot page back once per many commits.
        try database.execute(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 8192",
            context: "configuring the store")
        try migrate()
    }

    /// Why flexmap cannot write the store at `path` (it writes the file and, in WAL mode,
    /// `-wal` and `-shm` files next to it), or nil when nothing stands in the way.
    static func whyReadOnly(_ path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        var info = statvfs()
        if statvfs(directory, &info) == 0, info.f_flag & UInt(ST_RDONLY) != 0 {
            return "it is on a read-only file system"
        }
        if access(path, W_OK) != 0 { return "the file is not writable (check its permissions)" }
        if access(directory, W_OK) != 0 {
            return "its folder is not writable, and SQLite writes the store's -wal and -shm files there"
        }
        return nil
    }

    /// The schema version the file is at.
    public func schemaVersion() throws -> Int {
        let exists = try database.scalarInt(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
        guard exists == 1 else { return 0 }
        return Int(try database.scalarInt("SELECT max(version) FROM schema_version") ?? 0)
    }

    private func migrate() throws {
        let version = try schemaVersion()
        if version > StoreSchema.currentVersion {
            throw StoreError.tooNew(path: path, version: version, supported: StoreSchema.currentVersion)
        }
        guard version < StoreSchema.currentVersion else { return }
        try database.transaction {
            try database.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)",
                context: "creating the schema_version table")
            let insert = try database.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)")
            for index in version..<StoreSchema.currentVersion {
                try database.execute(StoreSchema.migrations[index], context: "applying migration \(index + 1)")
                try insert.run([.integer(Int64(index + 1)), .text(clock())])
            }
        }
    }

    /// Now as ISO 8601 UTC with milliseconds; `FLEXMAP_NOW` fixes it (for reproducible
    /// stores in tests and benchmarks).
    @Sendable public static func utcNow() -> String {
        // getenv, not ProcessInfo.environment: that builds a dictionary of the whole
        // environment on every call, which serve's writer felt (once per transaction).
        if let fixed = getenv("FLEXMAP_NOW"), fixed.pointee != 0 { return String(cString: fixed) }
        return Timestamp.iso8601(Date())
    }
}

/// Store problems that are not a failed SQLite call.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(path: String)
    case tooNew(path: String, version: Int, supported: Int)
    case notFound(what: String, id: String)
    case invalid(String)
    case readOnly(path: String, why: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "\(path): no store here; create it with `flexmap init --db \(path)` (or set FLEXMAP_DB)"
        case .tooNew(let path, let version, let supported):
            return
                "\(path): the store is at schema version \(version), this flexmap knows up to \(supported); use a newer flexmap"
        case .notFound(let what, let id):
            return "no \(what) with id '\(id)'"
        case .invalid(let message):
            return message
        case .readOnly(let path, let why):
            return "\(path): the store is read-only: \(why); copy it to a writable folder, or fix the permissions"
        }
    }
}

/// Formats dates as ISO 8601 in UTC.
public enum Timestamp {
    public static func iso8601(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }

    /// "20261204-195405" for folder names.
    public static func compact(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d%02d%02d-%02d%02d%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}

extension Store {
    /// The organisation imports with a mapping file use when no --org is given.
    public static let defaultOrganisationId = "default"

    public func ensureDefaultOrganisation() throws {
        let insert = try database.prepare(
            "INSERT INTO orgs (id, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING")
        try insert.run([.text(Store.defaultOrganisationId), .text("Default organisation"), .text(clock())])
    }

    public func organisationExists(_ id: String) throws -> Bool {
        let statement = try database.prepare("SELECT 1 FROM orgs WHERE id = ?1")
        return try !statement.query([.text(id)]) { _ in true }.isEmpty
    }
}
