import COpenSSL
import CSPBasics

/// A SHA-256 digest: 32 bytes, printed as lower-case hex.
public struct SHA256Digest: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == SHA256Digest.byteCount else { return nil }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public init?(hex: some StringProtocol) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// 32 zero bytes: the "previous hash" of block 0.
    public static let zero = SHA256Digest(unchecked: [UInt8](repeating: 0, count: 32))

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
}

/// SHA-256 over libcrypto. The algorithm is fetched from the provider once: OpenSSL 3
/// otherwise looks it up again on every call, which dominates small hashes.
public enum SHA256 {
    nonisolated(unsafe) static let algorithm: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else {
            fatalError("libcrypto has no SHA256: \(CryptoError.drainReason())")
        }
        return md
    }()

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = out.withUnsafeMutableBufferPointer { digest in
            EVP_Digest(bytes.baseAddress, bytes.count, digest.baseAddress, &length, algorithm, nil)
        }
        precondition(ok == 1 && length == 32, "EVP_Digest failed: \(CryptoError.drainReason())")
        return SHA256Digest(unchecked: out)
    }

    public static func hash(_ bytes: [UInt8]) -> SHA256Digest {
        bytes.withUnsafeBytes { hash($0) }
    }

    public static func hash(_ text: String) -> SHA256Digest {
        hash(Array(text.utf8))
    }

    /// Hashes a file (or standard input for `-`) in 1 MiB reads.
    public static func hash(file path: String) throws -> SHA256Digest {
        let hasher = SHA256Hasher()
        try FileIO.forEachChunk(path) { hasher.update($0) }
        return hasher.finalize()
    }
}

/// Streaming SHA-256 for inputs that do not fit in memory. Not thread-safe.
public final class SHA256Hasher {
    private let context: OpaquePointer
    private var finished = false

    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("out of memory") }
        self.context = context
        precondition(EVP_DigestInit_ex(context, SHA256.algorithm, nil) == 1,
                     "EVP_DigestInit_ex failed: \(CryptoError.drainReason())")
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "SHA256Hasher used after finalize()")
        guard bytes.count > 0 else { return }
        precondition(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1,
                     "EVP_DigestUpdate failed: \(CryptoError.drainReason())")
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func finalize() -> SHA256Digest {
        precondition(!finished, "SHA256Hasher finalized twice")
        finished = true
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        precondition(ok == 1 && length == 32, "EVP_DigestFinal_ex failed: \(CryptoError.drainReason())")
        return SHA256Digest(unchecked: out)
    }
}
