import CSPCrypto

/// How far the index has applied the block files, written in the same LevelDB batch as
/// each block's entries. At open, blocks past it are re-applied from the files; a
/// savepoint past the files means the files lost blocks, which is refused.
struct Savepoint: Equatable {
    /// Blocks applied: 0..<height.
    var height: UInt64
    var lastBlockHash: SHA256Digest
    var lastCommitHash: SHA256Digest

    /// u64 height | digest last block hash | digest last commit hash.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(72)
        bytes.appendBigEndian(height)
        bytes.append(contentsOf: lastBlockHash.bytes)
        bytes.append(contentsOf: lastCommitHash.bytes)
        return bytes
    }

    init(height: UInt64, lastBlockHash: SHA256Digest, lastCommitHash: SHA256Digest) {
        self.height = height
        self.lastBlockHash = lastBlockHash
        self.lastCommitHash = lastCommitHash
    }

    init(decoding bytes: [UInt8]) throws {
        var cursor = ByteCursor(bytes, what: "the savepoint")
        height = try cursor.u64()
        lastBlockHash = try cursor.digest()
        lastCommitHash = try cursor.digest()
        try cursor.finish()
        guard height > 0 else { throw LedgerError(.corrupt, "ledger index entry for the savepoint is malformed") }
    }
}
