import FlexMapCore
import Synchronization

/// The API keys that authenticated requests since the last `drain()`. Request threads
/// note them here; `serve` and capture imports then record each key's last use in the
/// store (`api_keys.last_used_at`, shown by `flexmap key list`) when they commit.
public final class KeyUseLog: Sendable {
    private let used = Mutex<Set<String>>([])

    public init() {}

    public func note(keyId: String) {
        used.withLock { _ = $0.insert(keyId) }
    }

    /// The key ids noted since the last call, sorted, and forgets them.
    public func drain() -> [String] {
        used.withLock { ids in
            defer { ids.removeAll(keepingCapacity: true) }
            return ids.sorted()
        }
    }
}

/// A registry snapshot that notes in `log` every key that authenticates a request.
/// Replay's predictions use the bare snapshot, so predicting never counts as a use.
public struct KeyUseRecordingDirectory: MappingDirectory {
    public let snapshot: RegistrySnapshot
    public let log: KeyUseLog

    public init(_ snapshot: RegistrySnapshot, log: KeyUseLog) {
        self.snapshot = snapshot
        self.log = log
    }

    public func isValidKey(orgId: String, apiKey: String) -> Bool {
        guard let id = snapshot.keyId(orgId: orgId, apiKey: apiKey) else { return false }
        log.note(keyId: id)
        return true
    }

    public func pipeline(mapId: String) -> (orgId: String, pipeline: Pipeline)? {
        snapshot.pipeline(mapId: mapId)
    }
}
