import CSPBasics
import CSPCrypto
import CSPFormat

/// Many documents anchored in one transaction: an RFC 6962 tree over salted leaves
/// `SHA-256(0x00 || salt || document SHA-256)`, one random 32-byte salt per document,
/// so the root reveals nothing about the documents, not even to someone who guesses
/// one of them. Each document's receipt carries its salt and audit path.
public struct AnchorBatch: Sendable {
    public let documents: [SHA256Digest]
    public let salts: [[UInt8]]
    public let levels: MerkleLevels

    public init(documents: [SHA256Digest], salts: [[UInt8]]) {
        precondition(!documents.isEmpty && documents.count == salts.count && salts.allSatisfy { $0.count == 32 })
        self.documents = documents
        self.salts = salts
        levels = MerkleLevels(leafHashes: zip(salts, documents).map { Self.leafHash(salt: $0, document: $1) })
    }

    /// With fresh salts from the system's secure random source.
    public init(documents: [SHA256Digest]) throws {
        let random = try SecureRandom.bytes(32 * documents.count)
        self.init(documents: documents, salts: (0..<documents.count).map { Array(random[($0 * 32)..<($0 * 32 + 32)]) })
    }

    public static func leafHash(salt: [UInt8], document: SHA256Digest) -> SHA256Digest {
        MerkleTree.leafHash(salt + document.bytes)
    }

    public var root: SHA256Digest { levels.root }
    public var count: Int { documents.count }

    public func receipt(_ index: Int) -> ProofFile.Batch {
        ProofFile.Batch(salt: Hex.encode(salts[index]), index: index, size: count, path: levels.auditPath(index: index).map(\.hex))
    }
}
