import CSPCrypto

/// One write to a key, as `LedgerStore.history` lists them (oldest first): which
/// transaction wrote what, and when its creator says it did.
public struct HistoryEntry: Equatable, Sendable {
    public var block: UInt64
    public var transaction: UInt32
    public var txid: SHA256Digest
    /// The value written; nil when the transaction deleted the key.
    public var value: [UInt8]?
    /// The transaction body's timestamp (ms since the epoch): when the change was asked
    /// for, which is what a reader of a key's history wants to see.
    public var timestamp: UInt64

    public init(block: UInt64, transaction: UInt32, txid: SHA256Digest, value: [UInt8]?, timestamp: UInt64) {
        self.block = block
        self.transaction = transaction
        self.txid = txid
        self.value = value
        self.timestamp = timestamp
    }
}
