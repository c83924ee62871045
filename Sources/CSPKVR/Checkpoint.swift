import CSPCrypto

/// How far a target holds a channel: the last block written, its hash and commit hash.
/// Written in the same SQL transaction as each batch, so the rows and the checkpoint agree.
public struct Checkpoint: Equatable, Sendable {
    public var channel: String
    public var block: UInt64
    public var hash: SHA256Digest
    public var commitHash: SHA256Digest

    public init(channel: String, block: UInt64, hash: SHA256Digest, commitHash: SHA256Digest) {
        self.channel = channel
        self.block = block
        self.hash = hash
        self.commitHash = commitHash
    }
}
