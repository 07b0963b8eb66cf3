import FlexMapCore

/// An immutable copy of the registry (key hashes and mappings) that many threads can
/// read at once: what `serve` and capture imports authenticate against. Load a new one
/// to see changes.
public struct RegistrySnapshot: MappingDirectory {
    typealias KeyHash = KeyCheck.Candidate<String>

    private let keysByOrg: [String: [KeyHash]]
    private let pipelines: [String: (orgId: String, pipeline: Pipeline)]

    public static func load(from store: Store) throws -> RegistrySnapshot {
        let keyRows = try store.database.prepare("SELECT id, org_id, salt, hash FROM api_keys WHERE revoked_at IS NULL")
            .query { (KeyHash(id: $0.text(0) ?? "", salt: $0.blob(2), hash: $0.blob(3)), $0.text(1) ?? "") }
        var keys: [String: [KeyHash]] = [:]
        for (key, org) in keyRows { keys[org, default: []].append(key) }
        var pipelines: [String: (orgId: String, pipeline: Pipeline)] = [:]
        for stored in try Registry(store: store).mappings() {
            let bound = BoundMapping(mapping: stored.mapping, orgId: stored.orgId, mappingId: stored.id)
            pipelines[stored.id] = (stored.orgId, Pipeline(bound: bound))
        }
        return RegistrySnapshot(keysByOrg: keys, pipelines: pipelines)
    }

    /// The id of the live key of `orgId` that `apiKey` is, compared in constant time
    /// (KeyCheck; an unknown organisation costs what a wrong key costs).
    public func keyId(orgId: String, apiKey: String) -> String? {
        KeyCheck.match(apiKey, among: keysByOrg[orgId] ?? [])
    }

    public func isValidKey(orgId: String, apiKey: String) -> Bool {
        keyId(orgId: orgId, apiKey: apiKey) != nil
    }

    public func pipeline(mapId: String) -> (orgId: String, pipeline: Pipeline)? {
        pipelines[mapId]
    }

    public var mappingCount: Int { pipelines.count }
}
