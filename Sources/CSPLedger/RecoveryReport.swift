/// What opening a ledger found and did, for the node to log: a restart after a crash
/// should say that it repaired something, not do it silently.
public struct RecoveryReport: Equatable, Sendable {
    /// Blocks whose checksum, encoding, Merkle root, hash chain and commit hash were verified.
    public var blocksVerified: UInt64
    /// Blocks that were in the block files but not yet in the index, and were re-applied.
    public var blocksReapplied: UInt64
    /// The first block re-applied: the index's height at open (0 when the index was
    /// missing or empty, i.e. rebuilt from scratch). Meaningless when none was.
    public var firstReapplied: UInt64
    /// A torn record removed from the end of the last block file, described with the
    /// file, the offset and the byte count; nil when none.
    public var truncatedTail: String?

    public init(blocksVerified: UInt64, blocksReapplied: UInt64, truncatedTail: String?, firstReapplied: UInt64 = 0) {
        self.blocksVerified = blocksVerified
        self.blocksReapplied = blocksReapplied
        self.firstReapplied = firstReapplied
        self.truncatedTail = truncatedTail
    }

    /// One line per repair the open made, in the order it made them, for the node's log;
    /// empty after a clean shutdown.
    public var repairs: [String] {
        var lines: [String] = []
        if let truncatedTail { lines.append(truncatedTail) }
        if blocksReapplied > 0 {
            let last = firstReapplied + blocksReapplied - 1
            let which = blocksReapplied == 1 ? "block \(firstReapplied)" : "blocks \(firstReapplied) to \(last)"
            let why = firstReapplied == 0 ? "the index held no blocks" : "the index ended at block \(firstReapplied - 1)"
            lines.append("re-applied \(blocksReapplied) \(blocksReapplied == 1 ? "block" : "blocks") (\(which)) from the block files to the ledger index (\(why))")
        }
        return lines
    }
}
