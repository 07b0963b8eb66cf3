import FlexMapCore

/// Organisations, API keys and stored mappings in the store. API keys are kept only as
/// a salted SHA-256 hash and compared in constant time.
public final class Registry {
    public struct Organisation: Sendable, Equatable {
        public var id: String
        public var name: String
        public var createdAt: String
    }

    public struct KeyInfo: Sendable, Equatable {
        public var id: String
        public var orgId: String
        /// The key's first characters, to tell keys apart; never the key.
        public var prefix: String
        public var createdAt: String
        public var lastUsedAt: String?
        public var revokedAt: String?
    }

    public struct NewKey: Sendable {
        public var id: String
        public var orgId: String
        /// Shown once, never stored.
        public var apiKey: String
    }

    public struct StoredMapping: Sendable {
        public var id: String
        public var orgId: String
        /// With `active` as the store says.
        public var mapping: Mapping
        public var createdAt: String
        public var updatedAt: String
        public var contactCount: Int
    }

    /// What a key check found.
    public enum KeyVerdict: Sendable, Equatable {
        case valid(keyId: String)
        case invalid
    }

    public let store: Store
    var database: SQLiteDatabase { store.database }

    public init(store: Store) {
        self.store = store
    }

    // MARK: - Organisations

    public func createOrganisation(name: String) throws -> Organisation {
        let trimmed = name.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw StoreError.invalid("an organisation needs a name") }
        let org = Organisation(id: "org_" + (try Crypto.randomToken(16)), name: trimmed, createdAt: store.clock())
        try database.prepare("INSERT INTO orgs (id, name, created_at) VALUES (?1, ?2, ?3)").run([
            .text(org.id), .text(org.name), .text(org.createdAt),
        ])
        return org
    }

    public func organisations() throws -> [Organisation] {
        try database.prepare("SELECT id, name, created_at FROM orgs ORDER BY created_at, id").query { row in
            Organisation(id: row.text(0) ?? "", name: row.text(1) ?? "", createdAt: row.text(2) ?? "")
        }
    }

    public func organisation(_ id: String) throws -> Organisation? {
        try database.prepare("SELECT id, name, created_at FROM orgs WHERE id = ?1").query([.text(id)]) { row in
            Organisation(id: row.text(0) ?? "", name: row.text(1) ?? "", createdAt: row.text(2) ?? "")
        }.first
    }

    func requireOrganisation(_ id: String) throws {
        guard try organisation(id) != nil else {
            throw StoreError.invalid("no organisation '\(id)'; list them with `flexmap org list`")
        }
    }

    // MARK: - API keys

    static let keyPrefix = "fmk_"

    public func createKey(org: String) throws -> NewKey {
        try requireOrganisation(org)
        let apiKey = Self.keyPrefix + (try Crypto.randomToken(40))
        let id = "key_" + (try Crypto.randomToken(12))
        let salt = try Crypto.randomBytes(16)
        let hash = try Crypto.sha256(salt, Array(apiKey.utf8))
        try database.prepare(
            "INSERT INTO api_keys (id, org_id, prefix, salt, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        ).run([
            .text(id), .text(org), .text(String(apiKey.prefix(Self.keyPrefix.count + 4))), .blob(salt), .blob(hash),
            .text(store.clock()),
        ])
        return NewKey(id: id, orgId: org, apiKey: apiKey)
    }

    public func keys(org: String) throws -> [KeyInfo] {
        try requireOrganisation(org)
        return try database.prepare(
            "SELECT id, org_id, prefix, created_at, last_used_at, revoked_at FROM api_keys WHERE org_id = ?1 ORDER BY created_at, id"
        ).query([.text(org)]) { row in
            KeyInfo(
                id: row.text(0) ?? "", orgId: row.text(1) ?? "", prefix: row.text(2) ?? "",
                createdAt: row.text(3) ?? "",
                lastUsedAt: row.text(4), revokedAt: row.text(5))
        }
    }

    /// Revokes a key; returns false when it was revoked already.
    @discardableResult
    public func revokeKey(id: String) throws -> Bool {
        let exists = try database.prepare("SELECT revoked_at FROM api_keys WHERE id = ?1").query([.text(id)]) {
            $0.text(0)
        }
        guard let revokedAt = exists.first else { throw StoreError.notFound(what: "API key", id: id) }
        if revokedAt != nil { return false }
        try database.prepare("UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1").run([.text(id), .text(store.clock())])
        return true
    }

    /// Checks `apiKey` against the organisation's live keys. Every candidate is hashed and
    /// compared in constant time, so timing does not tell how much of a key matched
    /// (KeyCheck).
    public func verifyKey(org: String, apiKey: String) throws -> KeyVerdict {
        let candidates = try database.prepare(
            "SELECT id, salt, hash FROM api_keys WHERE org_id = ?1 AND revoked_at IS NULL"
        ).query([.text(org)]) { KeyCheck.Candidate(id: $0.text(0) ?? "", salt: $0.blob(1), hash: $0.blob(2)) }
        return KeyCheck.match(apiKey, among: candidates).map { .valid(keyId: $0) } ?? .invalid
    }

    /// Records that these keys were used now (serve and capture imports call this with
    /// what their KeyUseLog noted). Touches nothing when `ids` is empty; outside a
    /// transaction each key's update commits on its own.
    public func recordKeyUse(ids: [String]) throws {
        guard !ids.isEmpty else { return }
        let update = try database.prepare("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1")
        let now = store.clock()
        for id in ids { try update.run([.text(id), .text(now)]) }
    }

    // MARK: - Mappings

    public func createMapping(org: String, mapping: Mapping) throws -> StoredMapping {
        try requireOrganisation(org)
        let id = "map_" + (try Crypto.randomToken(24))
        let now = store.clock()
        try database.prepare(
            "INSERT INTO mappings (id, org_id, name, definition, active, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
        ).run([
            .text(id), .text(org), .text(mapping.name), .text(JSONText.encode(mapping.jsonValue)),
            .integer(mapping.active ? 1 : 0), .text(now),
        ])
        return StoredMapping(id: id, orgId: org, mapping: mapping, createdAt: now, updatedAt: now, contactCount: 0)
    }

    public func mappings(org: String? = nil) throws -> [StoredMapping] {
        try mappings(where: org == nil ? "" : "WHERE m.org_id = ?1", org.map { [.text($0)] } ?? [])
    }

    private func mappings(where filter: String, _ values: [SQLiteValue]) throws -> [StoredMapping] {
        let statement = try database.prepare(
            """
            SELECT m.id, m.org_id, m.definition, m.active, m.created_at, m.updated_at,
                   (SELECT count(*) FROM contacts c WHERE c.mapping_id = m.id)
            FROM mappings m \(filter) ORDER BY m.created_at, m.id
            """)
        let rows = try statement.query(values) { row in
            (
                row.text(0) ?? "", row.text(1) ?? "", row.text(2) ?? "", row.int(3) != 0, row.text(4) ?? "",
                row.text(5) ?? "", Int(row.int(6))
            )
        }
        return try rows.map { id, orgId, definition, active, created, updated, count in
            var mapping = try MappingLoader().load(json: definition, file: "mapping \(id) in the store")
            mapping.active = active
            return StoredMapping(
                id: id, orgId: orgId, mapping: mapping, createdAt: created, updatedAt: updated, contactCount: count)
        }
    }

    public func mapping(id: String) throws -> StoredMapping? {
        try mappings(where: "WHERE m.id = ?1", [.text(id)]).first
    }

    public func requireMapping(id: String) throws -> StoredMapping {
        guard let found = try mapping(id: id) else {
            throw StoreError.invalid("no mapping '\(id)'; list them with `flexmap mapping list`")
        }
        return found
    }

    public func setActive(mapping id: String, _ active: Bool) throws {
        _ = try requireMapping(id: id)
        try database.prepare("UPDATE mappings SET active = ?2, updated_at = ?3 WHERE id = ?1").run([
            .text(id), .integer(active ? 1 : 0), .text(store.clock()),
        ])
    }

    /// Replaces a mapping's definition (name, fields, ...) and its active switch.
    public func updateMapping(id: String, mapping: Mapping) throws {
        _ = try requireMapping(id: id)
        try database.prepare(
            "UPDATE mappings SET name = ?2, definition = ?3, active = ?4, updated_at = ?5 WHERE id = ?1"
        ).run([
            .text(id), .text(mapping.name), .text(JSONText.encode(mapping.jsonValue)), .integer(mapping.active ? 1 : 0),
            .text(store.clock()),
        ])
    }

    /// Deletes the mapping; the contacts it created stay.
    public func deleteMapping(id: String) throws {
        _ = try requireMapping(id: id)
        try database.prepare("DELETE FROM mappings WHERE id = ?1").run([.text(id)])
    }
}
