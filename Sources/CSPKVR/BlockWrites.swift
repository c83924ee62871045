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
        var latest: [[UInt8]: (position: Int, value: [UInt8]?)] = [:]
        for (position, (effects, validation)) in zip(record.effects, record.block.validations).enumerated() where validation.code == .valid {
            for write in effects.writes { latest[write.key] = (position, write.value) }
        }
        entries = latest.map { Entry(key: $0.key, value: $0.value.value, position: $0.value.position) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }

    /// The commit hash these writes give after `previous` (as `CommittedBlock.commitHash`).
    func commitHash(of record: CommittedBlock, previous: SHA256Digest) throws -> SHA256Digest {
        try CommitHash.compute(previous: previous, number: record.block.header.number,
                               validations: record.block.validations.map(\.code),
                               writes: entries.map { StateWrite(key: $0.key, value: $0.value) })
    }
}
