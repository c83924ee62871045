import CSPBasics
import CSPCrypto

/// A block as the block files store it (docs/FORMAT.md, "Block"): the header, the
/// orderer's signature over it, the signed transactions and one validation per
/// transaction. Validations are not under the header hash; the commit hash covers them.
public struct Block: Equatable, Sendable {
    public var header: BlockHeader
    /// DER ECDSA signature by the orderer over SHA-256(encoded header).
    public var signature: [UInt8]
    public var transactions: [Transaction]
    public var validations: [Validation]

    public init(header: BlockHeader, signature: [UInt8], transactions: [Transaction], validations: [Validation]) {
        self.header = header
        self.signature = signature
        self.transactions = transactions
        self.validations = validations
    }

    /// The Merkle root the header must carry for these transactions.
    public static func merkleRoot(of transactions: [Transaction]) -> SHA256Digest {
        MerkleTree.root(leaves: transactions.map { $0.encoded() })
    }

    public func encoded() -> [UInt8] {
        var writer = CanonicalWriter(capacity: 512 + transactions.count * 512)
        writer.lengthPrefixed(header.encoded())
        writer.lengthPrefixed(signature)
        writer.u32(UInt32(transactions.count))
        for transaction in transactions { writer.lengthPrefixed(transaction.encoded()) }
        writer.u32(UInt32(validations.count))
        for validation in validations {
            writer.u8(validation.code.rawValue)
            writer.string(validation.reason)
        }
        return writer.bytes
    }

    /// Decodes and checks the block's internal consistency: counts agree with the header
    /// and the Merkle root matches the transactions. Signatures and the hash chain need
    /// outside knowledge (the orderer's key, the previous block) and are checked elsewhere.
    public init(decoding bytes: [UInt8]) throws {
        var reader = CanonicalReader(bytes, structure: "block")
        let headerStart = reader.offset + 4
        let headerBytes = try reader.lengthPrefixed("block header", max: 64 * 1024)
        do {
            header = try BlockHeader(decoding: headerBytes)
        } catch let error as FormatError {
            throw FormatError(structure: "block header", offset: headerStart + error.offset, reason: error.reason)
        }
        signature = try reader.lengthPrefixed("orderer signature", max: FormatLimits.signature)
        let count = try reader.count("transactions", minimumElementSize: 8, max: FormatLimits.transactions)
        guard count == header.transactionCount else {
            throw reader.error("header announces \(header.transactionCount) transactions, block holds \(count)")
        }
        transactions = []
        transactions.reserveCapacity(count)
        // The Merkle leaves are the transactions' bytes as stored, hashed as they are read
        // instead of encoding each transaction again: 0x00 and the bytes in one reused buffer.
        var leafHashes: [SHA256Digest] = []
        leafHashes.reserveCapacity(count)
        var leaf: [UInt8] = [0]
        for index in 0..<count {
            let start = reader.offset + 4
            let raw = try reader.lengthPrefixed("transaction \(index)", max: FormatLimits.signedTransaction)
            do {
                transactions.append(try Transaction(decoding: raw))
            } catch let error as FormatError {
                throw FormatError(structure: "block (transaction \(index))", offset: start + error.offset, reason: error.reason)
            }
            leaf.removeSubrange(1...)
            leaf.append(contentsOf: raw)
            leafHashes.append(SHA256.hash(leaf))
        }
        let validationCount = try reader.count("validations", minimumElementSize: 5, max: FormatLimits.transactions)
        guard validationCount == count else {
            throw reader.error("\(validationCount) validations for \(count) transactions")
        }
        validations = []
        validations.reserveCapacity(count)
        for _ in 0..<count {
            let at = reader.offset
            let raw = try reader.u8("validation code")
            guard let code = ValidationCode(rawValue: raw) else { throw reader.error("unknown validation code \(raw)", at: at) }
            validations.append(Validation(code: code, reason: try reader.string("validation reason", max: FormatLimits.reason)))
        }
        try reader.finish()
        let root = MerkleTree.root(leafHashes: leafHashes)
        guard root == header.merkleRoot else {
            throw reader.error("Merkle root \(root.hex) does not match the header's \(header.merkleRoot.hex)", at: 0)
        }
    }
}
