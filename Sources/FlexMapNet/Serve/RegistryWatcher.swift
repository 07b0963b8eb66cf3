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
/// `@unchecked Sendable`: `store` and the fingerprint are used only by the watcher
/// thread after init; the snapshot is behind a Mutex, the stop flag behind a condition.
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
            check()
            condition.lock()
        }
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Reloads when the registry changed.
    private func check() {
        do {
            let version = try store.database.scalarInt("PRAGMA data_version")
            guard version != dataVersion else { return }
            dataVersion = version
            let print = try Self.fingerprint(store)
            guard print != fingerprint else { return }
            let loaded = try RegistrySnapshot.load(from: store)
            fingerprint = print
            current.withLock { $0 = loaded }
            onEvent(.reloaded(mappings: loaded.mappingCount))
        } catch {
            onEvent(.failed(String(describing: error)))
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
