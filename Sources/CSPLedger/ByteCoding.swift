import CSPCrypto

/// Fixed-width big-endian numbers for index keys and values: big-endian so that
/// LevelDB's bytewise order of keys is the numeric order of blocks and transactions.
extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    mutating func appendBigEndian(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    /// u32 length, then the bytes: keeps `a` and `ab` apart when a variable part is
    /// followed by more key bytes.
    mutating func appendLengthPrefixed(_ bytes: [UInt8]) {
        appendBigEndian(UInt32(truncatingIfNeeded: bytes.count))
        append(contentsOf: bytes)
    }
}

/// Reads an index value or key written by this module. A short or overlong entry means
/// the index was damaged, so every read throws a corrupt-index error naming `what`.
struct ByteCursor {
    private let bytes: [UInt8]
    private(set) var offset: Int
    private let what: String

    init(_ bytes: [UInt8], from offset: Int = 0, what: String) {
        self.bytes = bytes
        self.offset = offset
        self.what = what
    }

    var remaining: Int { bytes.count - offset }

    private func malformed() -> LedgerError {
        LedgerError(.corrupt, "ledger index entry for \(what) is malformed")
    }

    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw malformed() }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func u8() throws -> UInt8 { try take(1).first! }
    mutating func u32() throws -> UInt32 { try take(4).reduce(0) { $0 << 8 | UInt32($1) } }
    mutating func u64() throws -> UInt64 { try take(8).reduce(0) { $0 << 8 | UInt64($1) } }
    mutating func digest() throws -> SHA256Digest { SHA256Digest(bytes: Array(try take(32)))! }
    mutating func rest() -> [UInt8] { defer { offset = bytes.count }; return Array(bytes[offset...]) }

    func finish() throws {
        guard remaining == 0 else { throw malformed() }
    }
}
