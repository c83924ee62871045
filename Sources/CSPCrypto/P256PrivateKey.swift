import COpenSSL
import CSPBasics

/// An ECDSA P-256 private key. Saved as unencrypted PKCS#8 PEM in a 0600 file, the
/// form `openssl pkey` reads as it is.
public final class P256PrivateKey: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is never mutated after creation and libcrypto allows
    // concurrent use of a const key; per-call contexts come from a locked pool.
    package let key: OpaquePointer
    private let signers: ContextPool

    package init(owning key: OpaquePointer) {
        self.key = key
        self.signers = ContextPool(key: key) { EVP_PKEY_sign_init($0) }
    }

    deinit { EVP_PKEY_free(key) }

    /// A fresh key from libcrypto's DRBG.
    public static func generate() throws -> P256PrivateKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw CryptoError.openssl("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1,
              csp_EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context, NID_X9_62_prime256v1) == 1 else {
            throw CryptoError.openssl("P-256 key generation")
        }
        var key: OpaquePointer?
        guard EVP_PKEY_generate(context, &key) == 1, let key else {
            throw CryptoError.openssl("P-256 key generation")
        }
        return P256PrivateKey(owning: key)
    }

    /// Reads a PEM private key (PKCS#8 or SEC1 "EC PRIVATE KEY"). `subject` names the
    /// source in errors, e.g. "private key '/home/a/key.pem'".
    public convenience init(pem: [UInt8], subject: String = "private key") throws {
        let text = String(decoding: pem, as: UTF8.self)
        if text.contains("ENCRYPTED") {
            throw CryptoError.malformed(subject: subject, reason: "encrypted keys are not supported")
        }
        let parsed: OpaquePointer? = try MemoryBIO.reading(pem) { bio in
            PEM_read_bio_PrivateKey(bio, nil, refusePassword, nil)
        }
        guard let parsed else {
            let reason = CryptoError.drainReason()
            throw CryptoError.malformed(subject: subject, reason: text.contains("-----BEGIN")
                ? "cannot decode PEM (\(reason))" : "no PEM private key found")
        }
        do { try requireP256(parsed, subject: subject) } catch {
            EVP_PKEY_free(parsed)
            throw error
        }
        self.init(owning: parsed)
    }

    /// Reads a PEM private key file; `-` reads standard input.
    public convenience init(pemFile path: String) throws {
        let bytes = try FileIO.read(path, limit: 1 << 20)
        try self.init(pem: bytes, subject: "private key \(quoted(path))")
    }

    /// PKCS#8 PEM ("BEGIN PRIVATE KEY"), unencrypted: protect it with file permissions.
    public func pkcs8PEM() throws -> [UInt8] {
        try MemoryBIO.writing("PEM_write_bio_PKCS8PrivateKey") { bio in
            PEM_write_bio_PKCS8PrivateKey(bio, key, nil, nil, 0, nil, nil)
        }
    }

    /// Writes the key as PKCS#8 PEM, mode 0600, atomically.
    public func write(to path: String) throws {
        try FileIO.writeAtomically(path, try pkcs8PEM(), mode: 0o600)
    }

    public var publicKey: P256PublicKey {
        get throws {
            let der = try MemoryBIO.writing("i2d_PUBKEY_bio") { bio in i2d_PUBKEY_bio(bio, key) }
            return try P256PublicKey(der: der)
        }
    }

    /// Signs a 32-byte SHA-256 digest; returns a DER ECDSA-Sig-Value in low-S form
    /// (`LowS`), the only form the ledger accepts.
    public func signature(forDigest digest: SHA256Digest) throws -> [UInt8] {
        try signers.withContext("EVP_PKEY_sign") { context in
            var signature = [UInt8](repeating: 0, count: 80)
            var length = signature.count
            let ok = signature.withUnsafeMutableBufferPointer { out in
                digest.bytes.withUnsafeBufferPointer { input in
                    EVP_PKEY_sign(context, out.baseAddress, &length, input.baseAddress, input.count)
                }
            }
            guard ok == 1 else { throw CryptoError.openssl("EVP_PKEY_sign") }
            return try LowS.normalized(Array(signature.prefix(length)))
        }
    }

    /// ECDSA with SHA-256 over `message`: the same bytes as `openssl dgst -sha256 -sign`.
    public func signature(for message: [UInt8]) throws -> [UInt8] {
        try signature(forDigest: SHA256.hash(message))
    }
}
