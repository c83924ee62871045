import CSPBasics
import CSPCrypto

/// A block header (docs/FORMAT.md, "Block header"). Its SHA-256 is the block hash,
/// which the next block names as its previous hash; the orderer signs the same bytes.
public struct BlockHeader: Equatable, Sendable {
    public static let magic: [UInt8] = Array("CSPH".utf8)
    public static let version: UInt8 = 1

    public var channel: String
    public var number: UInt64
    public var previousHash: SHA256Digest
    /// RFC 6962 root over the encoded signed transactions.
    public var merkleRoot: SHA256Digest
    /// The commit hash after executing this block (see `CommitHash`).
    public var commitHash: SHA256Digest
    /// Milliseconds since the Unix epoch, set by the orderer.
    public var timestamp: UInt64
    /// The orderer's X.509 certificate, DER.
    public var orderer: [UInt8]
    public var transactionCount: UInt32

    public init(channel: String, number: UInt64, previousHash: SHA256Digest, merkleRoot: SHA256Digest,
                commitHash: SHA256Digest, timestamp: UInt64, orderer: [UInt8], transactionCount: UInt32) {
        self.channel = channel
        self.number = number
        self.previousHash = previousHash
        self.merkleRoot = merkleRoot
        self.commitHash = commitHash
        self.timestamp = timestamp
        self.orderer = orderer
        self.transactionCount = transactionCount
    }

    public func encoded() -> [UInt8] {
        var writer = CanonicalWriter(capacity: 160 + orderer.count)
        writer.fixed(Self.magic)
        writer.u8(Self.version)
        writer.string(channel)
        writer.u64(number)
        writer.fixed(previousHash.bytes)
        writer.fixed(merkleRoot.bytes)
        writer.fixed(commitHash.bytes)
        writer.u64(timestamp)
        writer.lengthPrefixed(orderer)
        writer.u32(transactionCount)
        return writer.bytes
    }

    /// The block hash: SHA-256 of the encoded header.
    public var hash: SHA256Digest { SHA256.hash(encoded()) }

    public init(decoding bytes: [UInt8]) throws {
        var reader = CanonicalReader(bytes, structure: "block header")
        try reader.expectMagic(Self.magic, version: Self.version)
        let channel = try reader.string("channel", max: FormatLimits.name)
        guard !channel.isEmpty else { throw reader.error("empty channel name") }
        let number = try reader.u64("number")
        func digest(_ what: String) throws -> SHA256Digest {
            SHA256Digest(bytes: try reader.fixed(32, what))!
        }
        let previousHash = try digest("previous hash")
        let merkleRoot = try digest("Merkle root")
        let commitHash = try digest("commit hash")
        let timestamp = try reader.u64("timestamp")
        let orderer = try reader.lengthPrefixed("orderer certificate", max: FormatLimits.certificate)
        let count = try reader.u32("transaction count")
        try reader.finish()
        self.init(channel: channel, number: number, previousHash: previousHash, merkleRoot: merkleRoot,
                  commitHash: commitHash, timestamp: timestamp, orderer: orderer, transactionCount: count)
    }
}
