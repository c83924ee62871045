import COpenSSL

/// Low-S ECDSA signatures. For every valid signature (r, s) over P-256, (r, n - s) is
/// valid too, so a third party could re-encode a transaction's signature into a twin.
/// csp accepts only the half with s <= n/2 (as Fabric and Bitcoin do) wherever a signature
/// is stored in the ledger, and always signs that way, so each signed object has exactly
/// one valid signature encoding (docs/FORMAT.md, "Signatures").
public enum LowS {
    /// The order n of the P-256 group, big-endian.
    static let order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ]
    /// floor(n / 2): the largest s a low-S signature may carry.
    static let halfOrder: [UInt8] = [
        0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xDE, 0x73, 0x7D, 0x56, 0xD3, 0x8B, 0xCF, 0x42, 0x79, 0xDC, 0xE5, 0x61, 0x7E, 0x31, 0x92, 0xA8,
    ]

    /// Whether a strict DER ECDSA-Sig-Value has s <= n/2. Throws `malformedSignature`
    /// for bytes that are not one.
    public static func isLowS(_ signature: [UInt8]) throws -> Bool {
        try withParsed(signature) { parsed in
            guard let s = ECDSA_SIG_get0_s(parsed) else { throw CryptoError.malformedSignature(reason: "no s value") }
            return try compare(bytes(of: s), halfOrder) <= 0
        }
    }

    /// The low-S form of a signature: (r, n - s) when s > n/2, else the same bytes.
    public static func normalized(_ signature: [UInt8]) throws -> [UInt8] {
        if try isLowS(signature) { return signature }
        return try withParsed(signature) { parsed in
            guard let r = ECDSA_SIG_get0_r(parsed), let s = ECDSA_SIG_get0_s(parsed),
                  let n = BN_bin2bn(order, Int32(order.count), nil) else { throw CryptoError.openssl("BN_bin2bn") }
            defer { BN_free(n) }
            guard let newR = BN_dup(r), let newS = BN_new() else { throw CryptoError.openssl("BN_new") }
            guard BN_sub(newS, n, s) == 1, let flipped = ECDSA_SIG_new() else {
                BN_free(newR)
                BN_free(newS)
                throw CryptoError.openssl("BN_sub")
            }
            defer { ECDSA_SIG_free(flipped) }
            // ECDSA_SIG_set0 takes ownership of both numbers.
            guard ECDSA_SIG_set0(flipped, newR, newS) == 1 else { throw CryptoError.openssl("ECDSA_SIG_set0") }
            var out: UnsafeMutablePointer<UInt8>?
            let length = i2d_ECDSA_SIG(flipped, &out)
            guard length > 0, let out else { throw CryptoError.openssl("i2d_ECDSA_SIG") }
            defer { csp_OPENSSL_free(out) }
            return Array(UnsafeBufferPointer(start: out, count: Int(length)))
        }
    }

    private static func withParsed<T>(_ signature: [UInt8], _ body: (OpaquePointer) throws -> T) throws -> T {
        try P256PublicKey.checkDER(signature)
        return try signature.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let parsed = d2i_ECDSA_SIG(nil, &cursor, buffer.count) else {
                ERR_clear_error()
                throw CryptoError.malformedSignature(reason: "not a DER ECDSA signature")
            }
            defer { ECDSA_SIG_free(parsed) }
            return try body(parsed)
        }
    }

    /// A non-negative number as 32 big-endian bytes; anything wider is out of range.
    private static func bytes(of number: OpaquePointer) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        guard BN_bn2binpad(number, &out, 32) == 32 else {
            ERR_clear_error()
            throw CryptoError.malformedSignature(reason: "s is wider than 256 bits")
        }
        return out
    }

    private static func compare(_ a: [UInt8], _ b: [UInt8]) throws -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return 0
    }
}
