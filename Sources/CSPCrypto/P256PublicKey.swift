import COpenSSL
import CSPBasics

/// An ECDSA P-256 public key, read from and written as SubjectPublicKeyInfo (PEM or DER).
public final class P256PublicKey: @unchecked Sendable, Equatable {
    // @unchecked: the EVP_PKEY is immutable after creation; verification contexts come
    // from a locked pool, one per concurrent caller.
    package let key: OpaquePointer
    private let verifiers: ContextPool
    /// The DER SubjectPublicKeyInfo: the key's identity for comparison and caching.
    public let der: [UInt8]

    package init(owning key: OpaquePointer, der: [UInt8]) {
        self.key = key
        self.der = der
        self.verifiers = ContextPool(key: key) { EVP_PKEY_verify_init($0) }
    }

    deinit { EVP_PKEY_free(key) }

    public static func == (lhs: P256PublicKey, rhs: P256PublicKey) -> Bool { lhs.der == rhs.der }

    /// Reads a DER SubjectPublicKeyInfo.
    public convenience init(der: [UInt8], subject: String = "public key") throws {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            let key = d2i_PUBKEY(nil, &cursor, buffer.count)
            // Trailing bytes mean this was not one SubjectPublicKeyInfo.
            if let key, cursor != buffer.baseAddress.map({ $0 + buffer.count }) {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        guard let parsed else {
            throw CryptoError.malformed(subject: subject, reason: "not a DER SubjectPublicKeyInfo (\(CryptoError.drainReason()))")
        }
        do { try requireP256(parsed, subject: subject) } catch {
            EVP_PKEY_free(parsed)
            throw error
        }
        self.init(owning: parsed, der: der)
    }

    /// Reads a PEM "PUBLIC KEY".
    public convenience init(pem: [UInt8], subject: String = "public key") throws {
        let parsed: OpaquePointer? = try MemoryBIO.reading(pem) { bio in
            PEM_read_bio_PUBKEY(bio, nil, refusePassword, nil)
        }
        guard let parsed else {
            throw CryptoError.malformed(subject: subject, reason: "no PEM public key found (\(CryptoError.drainReason()))")
        }
        defer { EVP_PKEY_free(parsed) }
        let der = try MemoryBIO.writing("i2d_PUBKEY_bio") { bio in i2d_PUBKEY_bio(bio, parsed) }
        try self.init(der: der, subject: subject)
    }

    public convenience init(pemFile path: String) throws {
        try self.init(pem: try FileIO.read(path, limit: 1 << 20), subject: "public key \(quoted(path))")
    }

    public func pem() throws -> [UInt8] {
        try MemoryBIO.writing("PEM_write_bio_PUBKEY") { bio in PEM_write_bio_PUBKEY(bio, key) }
    }

    /// Checks a DER signature over a SHA-256 digest. Returns false for a valid encoding
    /// that does not verify; throws `malformedSignature` when the bytes are not a DER
    /// ECDSA-Sig-Value at all (truncated, trailing bytes), which is a different answer.
    public func isValidSignature(_ signature: [UInt8], digest: SHA256Digest) throws -> Bool {
        try Self.checkDER(signature)
        return try verifiers.withContext("EVP_PKEY_verify") { context in
            let result = signature.withUnsafeBufferPointer { sig in
                digest.bytes.withUnsafeBufferPointer { input in
                    EVP_PKEY_verify(context, sig.baseAddress, sig.count, input.baseAddress, input.count)
                }
            }
            // 0 is "does not verify"; a negative result is an internal refusal. Either way
            // nothing was proven, and the error queue must not leak into the next call.
            if result != 1 { ERR_clear_error() }
            return result == 1
        }
    }

    /// ECDSA with SHA-256 over `message`: what `openssl dgst -sha256 -verify` checks.
    /// For signatures the ledger stores (transactions, block headers): also refuses the
    /// high-S twin of a valid signature, by throwing `malformedSignature` (`LowS`).
    public func isValidLowSSignature(_ signature: [UInt8], digest: SHA256Digest) throws -> Bool {
        guard try LowS.isLowS(signature) else {
            throw CryptoError.malformedSignature(reason: "s is in the upper half of the group order (only low-S signatures are accepted)")
        }
        return try isValidSignature(signature, digest: digest)
    }

    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) throws -> Bool {
        try isValidSignature(signature, digest: SHA256.hash(message))
    }

    /// Strict DER check: one ECDSA-Sig-Value, no trailing bytes.
    static func checkDER(_ signature: [UInt8]) throws {
        guard !signature.isEmpty else { throw CryptoError.malformedSignature(reason: "empty") }
        try signature.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let parsed = d2i_ECDSA_SIG(nil, &cursor, buffer.count) else {
                ERR_clear_error()
                throw CryptoError.malformedSignature(reason: "not a DER ECDSA signature (\(buffer.count) bytes; truncated?)")
            }
            ECDSA_SIG_free(parsed)
            let consumed = buffer.baseAddress.map { cursor! - $0 } ?? 0
            guard consumed == buffer.count else {
                throw CryptoError.malformedSignature(reason: "\(buffer.count - consumed) trailing bytes after the DER value")
            }
        }
    }
}
