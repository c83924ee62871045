/// What opening a ledger found and did, for the node to log: a restart after a crash
/// should say that it repaired something, not do it silently.
public struct RecoveryReport: Equatable, Sendable {
    /// Blocks whose checksum, encoding, Merkle root, hash chain and commit hash were verified.
    public var blocksVerified: UInt64
    /// Blocks that were in the block files but not yet in the index, and were re-applied.
    public var blocksReapplied: UInt64
    /// A torn record removed from the end of the last block file, described; nil when none.
    public var truncatedTail: String?

    public init(blocksVerified: UInt64, blocksReapplied: UInt64, truncatedTail: String?) {
        self.blocksVerified = blocksVerified
        self.blocksReapplied = blocksReapplied
        self.truncatedTail = truncatedTail
    }
}
