import Foundation
import Testing
import FlexMapCore
@testable import FlexMapIO

@Suite struct RegistryTests {
    let folder = TemporaryFolder()

    func registry() throws -> Registry {
        Registry(store: try Store.create(path: folder.path + "/store.db"))
    }

    @Test func keysVerifyOnlyForTheirOrganisationUntilRevoked() throws {
        let registry = try registry()
        let acme = try registry.createOrganisation(name: "Acme")
        let globex = try registry.createOrganisation(name: "Globex")
        let key = try registry.createKey(org: acme.id)
        #expect(key.apiKey.count == 44)
        #expect(try registry.verifyKey(org: acme.id, apiKey: key.apiKey) == .valid(keyId: key.id))
        #expect(try registry.verifyKey(org: globex.id, apiKey: key.apiKey) == .invalid)
        #expect(try registry.verifyKey(org: acme.id, apiKey: key.apiKey + "x") == .invalid)
        #expect(try registry.verifyKey(org: acme.id, apiKey: String(key.apiKey.dropLast())) == .invalid)
        #expect(try registry.verifyKey(org: "org_missing", apiKey: key.apiKey) == .invalid)
        #expect(try registry.revokeKey(id: key.id))
        #expect(try !registry.revokeKey(id: key.id))
        #expect(try registry.verifyKey(org: acme.id, apiKey: key.apiKey) == .invalid)
        #expect(throws: StoreError.self) { try registry.revokeKey(id: "key_nope") }
    }

    @Test func onlyTheHashIsStored() throws {
        let registry = try registry()
        let org = try registry.createOrganisation(name: "Acme")
        let key = try registry.createKey(org: org.id)
        let rows = try registry.store.database.prepare("SELECT prefix, length(hash), length(salt) FROM api_keys").query {
            ($0.text(0) ?? "", $0.int(1), $0.int(2))
        }
        #expect(rows.count == 1)
        #expect(rows[0].0 == String(key.apiKey.prefix(8)))
        #expect(rows[0].1 == 32 && rows[0].2 == 16)
        let file = try Data(contentsOf: URL(fileURLWithPath: folder.path + "/store.db"))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: folder.path + "/store.db-wal"))) ?? Data()
        #expect(file.range(of: Data(key.apiKey.utf8)) == nil)
        #expect(wal.range(of: Data(key.apiKey.utf8)) == nil)
    }

    @Test func mappingsRoundTripWithTheirSwitch() throws {
        let registry = try registry()
        let org = try registry.createOrganisation(name: "Acme")
        let mapping = try Fixtures.mapping("hubspot.json")
        let stored = try registry.createMapping(org: org.id, mapping: mapping)
        #expect(stored.id.hasPrefix("map_"))
        #expect(try registry.mapping(id: stored.id)?.mapping == mapping)
        try registry.setActive(mapping: stored.id, false)
        #expect(try registry.mapping(id: stored.id)?.mapping.active == false)
        var renamed = mapping
        renamed.name = "Renamed"
        try registry.updateMapping(id: stored.id, mapping: renamed)
        #expect(try registry.mapping(id: stored.id)?.mapping.name == "Renamed")
        #expect(try registry.mappings(org: org.id).count == 1)
        try registry.deleteMapping(id: stored.id)
        #expect(try registry.mapping(id: stored.id) == nil)
        #expect(throws: StoreError.self) { try registry.createMapping(org: "org_nope", mapping: mapping) }
    }

    @Test func randomTokensAreBase62AndDistinct() throws {
        var seen = Set<String>()
        for _ in 0..<200 {
            let token = try Crypto.randomToken(24)
            #expect(token.count == 24)
            #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            seen.insert(token)
        }
        #expect(seen.count == 200)
        #expect(Crypto.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
