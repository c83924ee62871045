import CSPCrypto

/// A signed transaction with its audit path in its block's Merkle tree (docs/FORMAT.md,
/// "Inclusion proof"): whoever holds the block's verified header checks that the
/// transaction is in that block, at that position, without the other transactions.
public struct InclusionProof: Equatable, Sendable {
    /// The signed transaction as encoded: the Merkle leaf.
    public var transaction: [UInt8]
    /// Its position in the block.
    public var index: UInt32
    /// Its audit path (RFC 6962, 2.1.1), leaf side first.
    public var path: [SHA256Digest]

    public init(transaction: [UInt8], index: UInt32, path: [SHA256Digest]) {
        self.transaction = transaction
        self.index = index
        self.path = path
    }

    /// The proof for the transaction at `index` of `block`.
    public init(block: Block, index: Int) {
        let leaves = block.transactions.map { MerkleTree.leafHash($0.encoded()) }
        self.init(transaction: block.transactions[index].encoded(), index: UInt32(index),
                  path: MerkleTree.auditPath(index: index, leafHashes: leaves))
    }

    /// Nil when the transaction is leaf `index` of the tree whose root `header` carries;
    /// otherwise why not.
    public func failure(against header: BlockHeader) -> String? {
        guard index < header.transactionCount else {
            return "position \(index) is not below block \(header.number)'s \(header.transactionCount) transactions"
        }
        guard let root = MerkleTree.root(fromLeaf: MerkleTree.leafHash(transaction), index: Int(index),
                                         treeSize: Int(header.transactionCount), path: path) else {
            return "the audit path does not fit position \(index) of \(header.transactionCount)"
        }
        guard root == header.merkleRoot else {
            return "the audit path leads to \(root.hex), not block \(header.number)'s Merkle root \(header.merkleRoot.hex)"
        }
        return nil
    }
}
