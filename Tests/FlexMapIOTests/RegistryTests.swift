import FlexMapCore
import Foundation
import Testing

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
        let rows = try registry.store.database.prepare("SELECT prefix, length(hash), length(salt) FROM api_keys").query
        {
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

/// Wrong-key timing: a statistical test would be flaky on a shared machine, so this checks
/// the structure that makes the time independent of the key (KeyCheck): what is compared
/// is always a 32-byte digest, every candidate is hashed and compared whatever matched,
/// and an organisation without keys still costs one digest. FLEXMAP_TIMING=1 adds a
/// micro-measurement (printed, not asserted).
@Suite struct KeyTimingTests {
    final class Calls {
        var digests: [[UInt8]] = []
        var comparisons: [(Int, Int)] = []
    }

    func watch(_ key: String, _ candidates: [KeyCheck.Candidate<String>]) -> (String?, Calls) {
        let calls = Calls()
        let found = KeyCheck.match(
            key, among: candidates,
            digest: { salt, bytes in
                calls.digests.append(salt)
                return try? Crypto.sha256(salt, bytes)
            },
            equal: { a, b in
                calls.comparisons.append((a.count, b.count))
                return Crypto.constantTimeEqual(a, b)
            })
        return (found, calls)
    }

    func candidates(_ keys: [String]) throws -> [KeyCheck.Candidate<String>] {
        try keys.enumerated().map { index, key in
            let salt = try Crypto.randomBytes(16)
            return KeyCheck.Candidate(id: "key_\(index)", salt: salt, hash: try Crypto.sha256(salt, Array(key.utf8)))
        }
    }

    @Test func everyCandidateIsHashedAndOnlyDigestsAreCompared() throws {
        let real = [
            "fmk_" + String(repeating: "A", count: 40), "fmk_" + String(repeating: "B", count: 40), "fmk_other",
        ]
        let stored = try candidates(real)
        // The right key, keys sharing 0, half and all but one of its characters, other lengths.
        let tries = [
            real[0], "xxxx" + String(repeating: "x", count: 40),
            "fmk_" + String(repeating: "A", count: 20) + String(repeating: "x", count: 20),
            String(real[0].dropLast()) + "x", "f", "", real[0] + "A", String(repeating: "z", count: 10_000),
        ]
        for (index, key) in tries.enumerated() {
            let (found, calls) = watch(key, stored)
            #expect(found == (index == 0 ? "key_0" : nil), "\(key.prefix(20))")
            #expect(calls.digests.count == stored.count, "every candidate hashed for try \(index)")
            #expect(calls.comparisons.count == stored.count, "every candidate compared for try \(index)")
            #expect(calls.comparisons.allSatisfy { $0 == (32, 32) }, "only 32-byte digests compared for try \(index)")
        }
        // A match early in the list does not stop the loop.
        let (found, calls) = watch(real[0], stored + (try candidates(["fmk_x", "fmk_y"])))
        #expect(found == "key_0" && calls.digests.count == 5 && calls.comparisons.count == 5)
        // No candidates (unknown organisation): one digest all the same.
        let (none, empty) = watch(real[0], [])
        #expect(none == nil && empty.digests.count == 1 && empty.comparisons.isEmpty)
    }

    @Test func constantTimeEqualComparesWholeDigests() {
        let a = [UInt8](repeating: 7, count: 32)
        var b = a
        #expect(Crypto.constantTimeEqual(a, b))
        b[31] ^= 1
        #expect(!Crypto.constantTimeEqual(a, b))
        b = a
        b[0] ^= 1
        #expect(!Crypto.constantTimeEqual(a, b))
        #expect(!Crypto.constantTimeEqual(a, Array(a.prefix(31))))
    }

    /// Median time of a wrong key sharing none, half, or all but the last character of the
    /// real one. Printed only: a report, not a check.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FLEXMAP_TIMING"] != nil))
    func wrongKeyTimingMicroMeasurement() throws {
        let real = "fmk_" + (try Crypto.randomToken(40))
        let stored = try candidates([real, "fmk_" + (try Crypto.randomToken(40))])
        let wrong = [
            ("no character shared", "fmk_" + String(repeating: "#", count: 40)),
            ("half shared", String(real.prefix(24)) + String(repeating: "#", count: 20)),
            ("all but the last", String(real.dropLast()) + "#"),
        ]
        var medians: [String] = []
        for (name, key) in wrong {
            var samples: [Double] = []
            for _ in 0..<20_001 {
                let start = ContinuousClock.now
                _ = KeyCheck.match(key, among: stored)
                let elapsed = (ContinuousClock.now - start).components
                samples.append(Double(elapsed.seconds) * 1e9 + Double(elapsed.attoseconds) / 1e9)
            }
            samples.sort()
            medians.append(
                "\(name): median \(Int(samples[samples.count / 2])) ns, p90 \(Int(samples[samples.count * 9 / 10])) ns")
        }
        print("wrong-key timing (2 candidates): " + medians.joined(separator: "; "))
    }
}
