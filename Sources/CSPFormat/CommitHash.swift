import CSPBasics
import CSPCrypto

/// One key's final write in a block: a new value, or a deletion.
public struct StateWrite: Equatable, Sendable {
    public var key: [UInt8]
    /// nil deletes the key.
    public var value: [UInt8]?

    public init(key: [UInt8], value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// The commit hash chains the state each block leaves behind (docs/FORMAT.md, "Commit
/// hash"). Two nodes that executed the same blocks the same way have equal commit
/// hashes; a mismatch is a state fork and stops the node.
public enum CommitHash {
    public static let magic: [UInt8] = Array("CSPC".utf8)
    public static let version: UInt8 = 1

    /// The bytes hashed: `writes` are sorted by key and must hold one entry per key.
    public static func preimage(previous: SHA256Digest, number: UInt64, validations: [ValidationCode],
                                writes: [StateWrite]) throws -> [UInt8] {
        let sorted = writes.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.key == b.key {
            throw FormatError(structure: "write set", offset: 0, reason: "key 0x\(Hex.encode(a.key)) written twice")
        }
        var writer = CanonicalWriter(capacity: 64 + validations.count + writes.count * 64)
        writer.fixed(magic)
        writer.u8(version)
        writer.fixed(previous.bytes)
        writer.u64(number)
        writer.u32(UInt32(validations.count))
        for code in validations { writer.u8(code.rawValue) }
        writer.u32(UInt32(sorted.count))
        for write in sorted {
            writer.lengthPrefixed(write.key)
            if let value = write.value {
                writer.u8(1)
                writer.lengthPrefixed(value)
            } else {
                writer.u8(0)
            }
        }
        return writer.bytes
    }

    public static func compute(previous: SHA256Digest, number: UInt64, validations: [ValidationCode],
                               writes: [StateWrite]) throws -> SHA256Digest {
        SHA256.hash(try preimage(previous: previous, number: number, validations: validations, writes: writes))
    }
}
