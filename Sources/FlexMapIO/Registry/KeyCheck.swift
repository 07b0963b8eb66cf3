/// How an API key is checked against the stored hashes of an organisation's live keys,
/// so that the time a wrong key takes does not depend on how much of a real key it
/// shares:
/// - the key's own bytes are never compared: only salted SHA-256 digests, 32 bytes each;
/// - digests are compared with CRYPTO_memcmp (`Crypto.constantTimeEqual`), whose time
///   does not depend on where they differ;
/// - every candidate is hashed and compared, after a match too, and one dummy digest is
///   made when there is none (an unknown organisation costs what a wrong key costs).
/// `Registry.verifyKey` (imports) and `RegistrySnapshot.keyId` (serve) both use it.
enum KeyCheck {
    struct Candidate<ID: Sendable>: Sendable {
        let id: ID
        let salt: [UInt8]
        let hash: [UInt8]
    }

    static let dummySalt = [UInt8](repeating: 0, count: 16)

    /// The id of the candidate `apiKey` is, or nil. `digest` and `equal` are there for
    /// tests to watch; callers keep the defaults.
    static func match<ID: Sendable>(
        _ apiKey: String, among candidates: [Candidate<ID>],
        digest: ([UInt8], [UInt8]) -> [UInt8]? = { try? Crypto.sha256($0, $1) },
        equal: ([UInt8], [UInt8]) -> Bool = Crypto.constantTimeEqual
    ) -> ID? {
        let keyBytes = Array(apiKey.utf8)
        guard !candidates.isEmpty else {
            _ = digest(dummySalt, keyBytes)
            return nil
        }
        var found: ID?
        for candidate in candidates {
            guard let hash = digest(candidate.salt, keyBytes) else { continue }
            // No early exit: the loop does the same work whichever candidate matches.
            if equal(hash, candidate.hash), found == nil { found = candidate.id }
        }
        return found
    }
}
