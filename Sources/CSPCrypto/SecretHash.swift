import COpenSSL
import CSPBasics

/// A salted scrypt hash of a secret, stored as `scrypt$N$r$p$<salt hex>$<hash hex>`, so
/// the parameters travel with the hash and can be raised later without breaking old rows.
public struct SecretHash: Equatable, Sendable, CustomStringConvertible {
    public let n: UInt64
    public let r: UInt64
    public let p: UInt64
    public let salt: [UInt8]
    public let hash: [UInt8]

    /// Cost for secrets a person chose: memory-hard enough to slow a guessing attack.
    public static let chosenSecretCost: UInt64 = 1 << 15
    /// Cost for 128-bit random secrets the CA generates: guessing is already hopeless, so
    /// a light hash keeps enrollment fast (DESIGN: admission is never the bottleneck).
    public static let randomSecretCost: UInt64 = 1 << 10
    /// scrypt needs 128·r·N bytes; OpenSSL's default cap (32 MiB) is just below the
    /// chosen-secret cost, so the cap is set with room to spare.
    static let memoryLimit: UInt64 = 256 << 20

    public static func make(secret: String, cost n: UInt64) throws -> SecretHash {
        let salt = try SecureRandom.bytes(16)
        return SecretHash(n: n, r: 8, p: 1, salt: salt, hash: try derive(secret, n: n, r: 8, p: 1, salt: salt))
    }

    public init(n: UInt64, r: UInt64, p: UInt64, salt: [UInt8], hash: [UInt8]) {
        self.n = n
        self.r = r
        self.p = p
        self.salt = salt
        self.hash = hash
    }

    public init?(encoded: String) {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt", let n = UInt64(parts[1]), let r = UInt64(parts[2]),
              let p = UInt64(parts[3]), let salt = Hex.decode(parts[4]), let hash = Hex.decode(parts[5]),
              n > 1, n & (n - 1) == 0, n <= 1 << 20, r >= 1, r <= 32, p >= 1, p <= 16, hash.count == 32 else { return nil }
        self.init(n: n, r: r, p: p, salt: salt, hash: hash)
    }

    public var description: String { "scrypt$\(n)$\(r)$\(p)$\(Hex.encode(salt))$\(Hex.encode(hash))" }

    /// Constant-time comparison, so timing does not reveal how much of a guess was right.
    public func matches(_ secret: String) throws -> Bool {
        let candidate = try Self.derive(secret, n: n, r: r, p: p, salt: salt)
        return candidate.count == hash.count && candidate.withUnsafeBytes { a in
            hash.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 }
        }
    }

    static func derive(_ secret: String, n: UInt64, r: UInt64, p: UInt64, salt: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let password = Array(secret.utf8)
        let ok = out.withUnsafeMutableBufferPointer { key in
            salt.withUnsafeBufferPointer { saltBuffer in
                password.withUnsafeBufferPointer { pass in
                    password.isEmpty
                        ? EVP_PBE_scrypt("", 0, saltBuffer.baseAddress, saltBuffer.count, n, r, p, Self.memoryLimit, key.baseAddress, key.count)
                        : pass.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pass.count) {
                            EVP_PBE_scrypt($0, pass.count, saltBuffer.baseAddress, saltBuffer.count, n, r, p, Self.memoryLimit, key.baseAddress, key.count)
                        }
                }
            }
        }
        guard ok == 1 else { throw CryptoError.openssl("scrypt") }
        return out
    }
}
