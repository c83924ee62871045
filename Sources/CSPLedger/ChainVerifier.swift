import CSPBasics
import CSPCrypto
import CSPFormat

/// The checks that make block i+1 a valid successor of block i: same channel, next
/// number, previous hash = hash of the last header, and the commit hash in the header
/// = the commit hash its effects produce after the last one. `commit` applies them
/// before writing anything; opening a ledger applies them to every stored block, which
/// is how a block file altered on disk (with its checksum recomputed) is caught.
struct ChainVerifier {
    /// Why a block does not follow.
    enum Mismatch: Error, CustomStringConvertible {
        case channel(found: String, expected: String)
        case number(found: UInt64, expected: UInt64)
        case previousHash(found: SHA256Digest, expected: SHA256Digest)
        case commitHash(found: SHA256Digest, computed: SHA256Digest)
        case unhashable(String)

        var description: String {
            switch self {
            case let .channel(found, expected):
                "it belongs to channel \(quoted(found)), not \(quoted(expected))"
            case let .number(found, expected):
                "it is block \(found), the next block is \(expected)"
            case let .previousHash(found, expected):
                "previous hash \(found) does not match the last block's hash \(expected)"
            case let .commitHash(found, computed):
                "commit hash \(found) in the header does not match \(computed) computed from the effects"
            case let .unhashable(reason):
                "cannot compute its commit hash: \(reason)"
            }
        }
    }

    /// What a block that passed produced, so nobody hashes it twice.
    struct Accepted {
        var blockHash: SHA256Digest
        var commitHash: SHA256Digest
    }

    let channel: String
    private(set) var height: UInt64
    private(set) var lastBlockHash: SHA256Digest?
    private(set) var lastCommitHash: SHA256Digest

    init(channel: String, height: UInt64 = 0, lastBlockHash: SHA256Digest? = nil, lastCommitHash: SHA256Digest = .zero) {
        self.channel = channel
        self.height = height
        self.lastBlockHash = lastBlockHash
        self.lastCommitHash = lastCommitHash
    }

    /// Checks `record` as the next block without advancing. With `assembled` (the hashes
    /// the block's own assembler computed in this process) the commit hash is taken from
    /// the header instead of recomputed: the same code computed it from the same effects
    /// a moment ago. Blocks from disk or from elsewhere are always recomputed.
    func check(_ record: CommittedBlock, assembled: AssembledHashes? = nil) -> Result<Accepted, Mismatch> {
        let header = record.block.header
        guard header.channel == channel else { return .failure(.channel(found: header.channel, expected: channel)) }
        guard header.number == height else { return .failure(.number(found: header.number, expected: height)) }
        let expectedPrevious = lastBlockHash ?? .zero
        guard header.previousHash == expectedPrevious else {
            return .failure(.previousHash(found: header.previousHash, expected: expectedPrevious))
        }
        if let assembled {
            guard assembled.previousCommitHash == lastCommitHash, assembled.commitHash == header.commitHash else {
                return .failure(.commitHash(found: header.commitHash, computed: assembled.commitHash))
            }
            return .success(Accepted(blockHash: assembled.blockHash, commitHash: assembled.commitHash))
        }
        let computed: SHA256Digest
        do {
            computed = try record.commitHash(previous: lastCommitHash)
        } catch {
            return .failure(.unhashable("\(error)"))
        }
        guard computed == header.commitHash else { return .failure(.commitHash(found: header.commitHash, computed: computed)) }
        return .success(Accepted(blockHash: header.hash, commitHash: computed))
    }

    /// Makes `accepted` (the result of `check`) the last block.
    mutating func advance(_ accepted: Accepted) {
        height += 1
        lastBlockHash = accepted.blockHash
        lastCommitHash = accepted.commitHash
    }
}

/// What a block's assembler computed while building and signing it, so the commit path
/// hashes nothing twice: the header hash it signed, and the commit hash it put in the
/// header after `previousCommitHash`.
public struct AssembledHashes: Sendable {
    public var blockHash: SHA256Digest
    public var commitHash: SHA256Digest
    public var previousCommitHash: SHA256Digest

    public init(blockHash: SHA256Digest, commitHash: SHA256Digest, previousCommitHash: SHA256Digest) {
        self.blockHash = blockHash
        self.commitHash = commitHash
        self.previousCommitHash = previousCommitHash
    }
}
