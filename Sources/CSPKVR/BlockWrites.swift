#if canImport(Glibc)
import Glibc
#endif
import CSPCrypto
import CSPFormat

/// A block's final write per key (valid transactions only, the last to write a key wins),
/// in key order, with the position of the transaction that wrote it: what the commit hash
/// covers, and what the current-state tables take. Worked out once per block, for both.
public struct BlockWrites {
    public struct Entry {
        public var key: [UInt8]
        public var value: [UInt8]?
        public var position: Int
    }

    public let entries: [Entry]

    public init(_ record: CommittedBlock) {
        // Every write of the valid transactions, sorted by key and, within a key, latest
        // first; the first of each key is its final write. One sort, no dictionary of keys.
        var writes: [(key: [UInt8], value: [UInt8]?, position: Int, order: Int)] = []
        writes.reserveCapacity(record.effects.reduce(0) { $0 + $1.writes.count })
        for (position, (effects, validation)) in zip(record.effects, record.block.validations).enumerated() where validation.code == .valid {
            for write in effects.writes { writes.append((write.key, write.value, position, writes.count)) }
        }
        writes.sort { left, right in
            let order = compareBytes(left.key, right.key)
            return order != 0 ? order < 0 : left.order > right.order
        }
        var entries: [Entry] = []
        entries.reserveCapacity(writes.count)
        for write in writes where entries.last.map({ compareBytes($0.key, write.key) != 0 }) ?? true {
            entries.append(Entry(key: write.key, value: write.value, position: write.position))
        }
        self.entries = entries
    }

    /// The commit hash these writes give after `previous` (as `CommittedBlock.commitHash`).
    func commitHash(of record: CommittedBlock, previous: SHA256Digest) throws -> SHA256Digest {
        try CommitHash.compute(previous: previous, number: record.block.header.number,
                               validations: record.block.validations.map(\.code),
                               writes: entries.map { StateWrite(key: $0.key, value: $0.value) })
    }
}

/// Byte order through memcmp (the shorter first on a common prefix), as
/// `lexicographicallyPrecedes` gives it, and 0 for equal bytes: far quicker than comparing
/// arrays element by element.
func compareBytes(_ left: [UInt8], _ right: [UInt8]) -> Int {
    left.withUnsafeBytes { l in
        right.withUnsafeBytes { r in
            let common = min(l.count, r.count)
            let order = common == 0 ? 0 : memcmp(l.baseAddress!, r.baseAddress!, common)
            return order != 0 ? Int(order) : l.count - r.count
        }
    }
}
