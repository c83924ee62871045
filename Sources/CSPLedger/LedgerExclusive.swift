import CSPBasics

extension LedgerStore {
    /// Runs `body` holding the channel's block-file lock, as a node holds it while it has
    /// the ledger open: refused (`unavailable`) while a node runs the channel, so that
    /// an operator's change to the channel's files (`csp-node clear-fork`) never races it.
    public static func whileClosed<T>(directory: String, _ body: () throws -> T) throws -> T {
        let lock = try BlockStore.lockFolder(directory + "/" + BlockRecord.folderName)
        defer { closeDescriptor(lock) }
        return try body()
    }
}
