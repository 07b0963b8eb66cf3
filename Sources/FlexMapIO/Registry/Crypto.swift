import CCrypto

/// Owns every call into OpenSSL's libcrypto: random bytes, SHA-256 and constant-time
/// comparison.
public enum Crypto {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let operation: String
        public var description: String { "libcrypto: \(operation) failed" }
    }

    /// Cryptographically secure random bytes.
    public static func randomBytes(_ count: Int) throws(Failure) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw Failure(operation: "RAND_bytes") }
        return bytes
    }

    public static func sha256(_ parts: [UInt8]...) throws(Failure) -> [UInt8] {
        let data = parts.flatMap { $0 }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let status = data.withUnsafeBytes { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, EVP_sha256(), nil)
        }
        guard status == 1, length == 32 else { throw Failure(operation: "EVP_Digest(SHA-256)") }
        return digest
    }

    /// Equal in time independent of where the first difference is.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, a.count) == 0 }
        }
    }

    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `count` random base-62 characters (about 5.95 bits each), without modulo bias.
    public static func randomToken(_ count: Int) throws(Failure) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            for byte in try randomBytes(count * 2) where byte < 248 && out.count < count {
                out.append(alphabet[Int(byte % 62)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
