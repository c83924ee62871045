import CSPCrypto

/// The bytes a participant signs with its current key to renew its certificate:
/// SHA-256("csp-ca-reenroll-v1" || 0x00 || timestamp (u64, ms, big-endian) || CSR DER).
/// The timestamp bounds replay; the CSR binds the proof to the key being certified.
public enum Reenrollment {
    /// How far a request's timestamp may be from the CA's clock, in seconds.
    public static let window: Double = 300

    public static func digest(csr der: [UInt8], timestamp: UInt64) -> SHA256Digest {
        var bytes = Array("csp-ca-reenroll-v1".utf8) + [0]
        withUnsafeBytes(of: timestamp.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: der)
        return SHA256.hash(bytes)
    }
}
