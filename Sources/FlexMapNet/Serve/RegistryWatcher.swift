import FlexMapCore
import FlexMapIO
import Foundation
import Synchronization

/// Keeps a current RegistrySnapshot for the request threads: every `interval` it asks
/// SQLite whether anything was committed since (`PRAGMA data_version`, cheap), and if so
/// whether the keys or mappings changed (a read of those two small tables); only then
/// does it load a new snapshot. So `mapping deactivate` and `key revoke` take effect
/// while serving, within about one interval.
///
/// A request turned away for an unknown key or mapping, or an inactive mapping, asks for
/// `recheck()` before it is answered: so a key or mapping created (or a mapping
/// activated) a moment ago works at once, not an interval later. At most one such check
/// runs per `recheckSpacing`; a flood of wrong keys costs one cheap `data_version` read
/// every 200 ms, not a query per request.
///
/// `@unchecked Sendable`: `store`, `dataVersion` and `fingerprint` are used only under
/// `checking`; the snapshot is behind a Mutex, the stop flag behind a condition.
public final class RegistryWatcher: @unchecked Sendable {
    public enum Event: Sendable {
        case reloaded(mappings: Int)
        case failed(String)
    }

    private let current: Mutex<RegistrySnapshot>
    private let store: Store
    private let interval: Double
    private let onEvent: @Sendable (Event) -> Void
    private var dataVersion: Int64?
    private var fingerprint: String
    private let condition = NSCondition()
    private var stopping = false
    private var stopped = false
    private let checking = NSLock()
    private let lastRecheck = Mutex(ContinuousClock.now - .seconds(1))
    static let recheckSpacing = Duration.milliseconds(200)

    /// Loads the first snapshot now (throws when the store cannot be read).
    public init(storePath: String, interval: Double = 1, onEvent: @escaping @Sendable (Event) -> Void = { _ in }) throws
    {
        store = try Store.open(path: storePath)
        self.interval = interval
        self.onEvent = onEvent
        fingerprint = try Self.fingerprint(store)
        current = Mutex(try RegistrySnapshot.load(from: store))
        dataVersion = try store.database.scalarInt("PRAGMA data_version")
        let thread = Thread { [self] in self.run() }
        thread.name = "flexmap-serve-registry"
        thread.start()
    }

    /// The registry as of the last reload.
    public var snapshot: RegistrySnapshot { current.withLock { $0 } }

    /// The registry as the store has it now, or nil when it is what `snapshot` already
    /// was (or a recheck ran less than `recheckSpacing` ago).
    public func recheck() -> RegistrySnapshot? {
        let now = ContinuousClock.now
        let due = lastRecheck.withLock { last in
            guard now - last >= Self.recheckSpacing else { return false }
            last = now
            return true
        }
        guard due else { return nil }
        return check() ? snapshot : nil
    }

    /// Ends the watcher thread (waits for it).
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while !stopping {
            _ = condition.wait(until: Date(timeIntervalSinceNow: interval))
            if stopping { break }
            condition.unlock()
            _ = check()
            condition.lock()
        }
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Reloads when the registry changed; true when it did.
    private func check() -> Bool {
        checking.lock()
        defer { checking.unlock() }
        do {
            let version = try store.database.scalarInt("PRAGMA data_version")
            guard version != dataVersion else { return false }
            dataVersion = version
            let print = try Self.fingerprint(store)
            guard print != fingerprint else { return false }
            let loaded = try RegistrySnapshot.load(from: store)
            fingerprint = print
            current.withLock { $0 = loaded }
            onEvent(.reloaded(mappings: loaded.mappingCount))
            return true
        } catch {
            onEvent(.failed(String(describing: error)))
            return false
        }
    }

    /// Everything a snapshot depends on, as one string: live keys and mappings.
    private static func fingerprint(_ store: Store) throws -> String {
        let rows = try store.database.prepare(
            """
            SELECT 'k' || id || '|' || org_id || '|' || coalesce(revoked_at, '') || '|' || hex(hash) FROM api_keys
            UNION ALL
            SELECT 'm' || id || '|' || org_id || '|' || active || '|' || definition FROM mappings
            """
        ).query { $0.text(0) ?? "" }
        return rows.sorted().joined(separator: "\n")
    }
}
