import Foundation

/// One request to `csp-node` (docs/PROTOCOL.md, "Node"). A client may send many before
/// reading answers; every response carries the request's `id`.
public struct NodeRequest: Codable, Equatable, Sendable {
    public var id: UInt64
    /// submit, query, range, history, tx, block, blocks, follow, peers, account, subscribe, status.
    public var op: String
    public var channel: String?
    /// submit: base64 of a signed transaction (docs/FORMAT.md).
    public var tx: String?
    /// submit: answer when committed (default) or when accepted for ordering.
    public var wait: Bool?
    /// query, history: the state key (UTF-8); range: the prefix.
    public var key: String?
    /// tx: the id in hex; block: a number or a hash in hex; account: the account;
    /// peers, follow: the asking node's own TCP address (HOST:PORT), announced to the other.
    public var target: String?
    public var limit: Int?
    /// A continuation token from the previous page.
    public var after: String?
    /// subscribe: the first block to deliver (default: the next block); blocks: the first block sent (default 0).
    public var from: UInt64?
    /// subscribe filters.
    public var contract: String?
    public var event: String?
    public var account: String?
    /// subscribe: with each event, the state its transaction wrote (needs the `state` read too).
    public var values: Bool?
    /// Reads are signed by the reader (see `ReadAuthorization`).
    public var auth: ReadAuthorization?
    /// block: also answer the block file record itself (base64 in `value`), for proofs
    /// a reader checks without trusting the node.
    public var raw: Bool?
    /// tx: also answer the transaction's inclusion proof (`proof`), which a node holding
    /// only block headers checks against them.
    public var proof: Bool?

    public init(id: UInt64, op: String, channel: String? = nil) {
        self.id = id
        self.op = op
        self.channel = channel
    }

    /// What a read's signature covers: `op`, `channel` and the parameters that name what
    /// is read, so a signature for one read cannot be replayed for another. A `blocks` or
    /// `follow` request also covers `from` and `limit` (decimal, empty when absent).
    public var readSubject: String {
        guard op == "blocks" || op == "follow" || op == "peers" else { return legacyReadSubject }
        return legacyReadSubject + "\u{0}" + (from.map { String($0) } ?? "") + "\u{0}" + (limit.map { String($0) } ?? "")
    }

    /// The subject clients older than the `blocks` range signing signed: without `from`
    /// and `limit`. A node uses it only to tell such a client why it is refused.
    public var legacyReadSubject: String {
        [op, channel ?? "", key ?? "", target ?? "", account ?? "", contract ?? "", event ?? ""].joined(separator: "\u{0}")
    }
}

/// A reader's proof of identity: its certificate and a signature over
/// SHA-256("csp-read-v1" ‖ 0x00 ‖ timestamp (u64 BE, ms) ‖ readSubject (UTF-8)).
public struct ReadAuthorization: Codable, Equatable, Sendable {
    /// base64 DER certificate.
    public var certificate: String
    public var timestamp: UInt64
    /// base64 DER ECDSA signature.
    public var signature: String

    public init(certificate: String, timestamp: UInt64, signature: String) {
        self.certificate = certificate
        self.timestamp = timestamp
        self.signature = signature
    }

    public static func signedBytes(subject: String, timestamp: UInt64) -> [UInt8] {
        var bytes = Array("csp-read-v1".utf8) + [0]
        withUnsafeBytes(of: timestamp.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(subject.utf8))
        return bytes
    }
}

/// One response, or one event of a subscription.
public struct NodeResponse: Codable, Equatable, Sendable {
    public var id: UInt64
    /// 0 done/yes; 1 no (invalid, refused, not found); 2 could not answer.
    public var status: Int32
    public var error: String?
    // submit
    public var txid: String?
    public var block: UInt64?
    public var index: UInt32?
    public var code: String?
    public var reason: String?
    /// What became of a submission (`SubmitOutcome`), so clients never parse `error`.
    public var outcome: String?
    // reads
    public var value: String?
    public var version: String?
    public var items: [NodeItem]?
    public var next: String?
    /// A block or transaction as JSON.
    public var record: NodeItem?
    /// blocks: committed blocks from `from`, each base64 of its stored encoding
    /// (docs/STORAGE.md); `block` is then the number to ask for next.
    public var blocks: [String]?
    /// follow: the sending node's height (blocks 0..<height committed), in every pushed
    /// frame and every idle heartbeat, so a follower knows how far each source has got.
    public var height: UInt64?
    // subscribe: one event per frame; `behind` says the subscriber fell behind and must resume.
    public var eventItem: NodeItem?
    public var behind: Bool?
    /// Present on a read answered from a channel whose state forked from another node's
    /// (docs/NETWORK.md, "State forks"): why the answer cannot be vouched for.
    public var suspect: String?
    /// tx with `proof`: the transaction in its block's Merkle tree.
    public var proof: NodeInclusionProof?
    /// peers, and `follow` frames now and then: the nodes of the channel the sender knows
    /// (HOST:PORT), its own address first when it listens (docs/NETWORK.md, "Discovery").
    public var nodes: [String]?
    /// Present on a read an access node relayed without being able to check it against
    /// its verified block headers (docs/NETWORK.md, "Access nodes"): what is unproven and
    /// which node answered.
    public var unproven: String?
    // status
    public var channels: [ChannelStatus]?
    public var uptime: Double?

    public init(id: UInt64, status: Int32, error: String? = nil) {
        self.id = id
        self.status = status
        self.error = error
    }
}

/// A row of a read result: a key/value, a history entry, a transaction, a block or an event.
public struct NodeItem: Codable, Equatable, Sendable {
    public var key: String?
    public var value: String?
    public var deleted: Bool?
    public var block: UInt64?
    public var index: UInt32?
    public var txid: String?
    public var timestamp: UInt64?
    public var contract: String?
    public var function: String?
    public var creator: String?
    /// Accounts that co-signed a transaction (ORGANIZATION/ID), when any did.
    public var endorsers: [String]?
    public var code: String?
    public var reason: String?
    public var event: String?
    public var payload: String?
    public var hash: String?
    public var previousHash: String?
    public var commitHash: String?
    public var transactions: [NodeItem]?
    public var arguments: [String: String]?
    /// subscribe with `values`: every key the event's transaction wrote, with its new value
    /// (null for a deleted key).
    public var writes: [String: String?]?

    public init() {}
}

public struct ChannelStatus: Codable, Equatable, Sendable {
    public var channel: String
    public var height: UInt64
    public var lastBlockHash: String
    public var commitHash: String
    public var transactions: UInt64
    public var pending: Int
    /// "running", or "stopped" with `reason` (a full disk, a failed commit).
    public var state: String?
    public var reason: String?
    /// Present when this node follows the channel's orderer (`csp-node join`): its HOST:PORT.
    public var following: String?
    /// Present when this node's state forked from another node's on this channel.
    public var fork: StateForkReport?
    /// A follower channel's sources (orderer and peers), as `csp-node status --peers` shows them.
    public var peers: [PeerStatus]?
    /// `access` on an access node, which keeps block headers only (`height` then counts
    /// verified headers); absent on a node that keeps the ledger.
    public var role: String?

    public init(channel: String, height: UInt64, lastBlockHash: String, commitHash: String, transactions: UInt64, pending: Int) {
        self.channel = channel
        self.height = height
        self.lastBlockHash = lastBlockHash
        self.commitHash = commitHash
        self.transactions = transactions
        self.pending = pending
    }
}

/// The `outcome` of a submit response (docs/PROTOCOL.md).
public enum SubmitOutcome: String, Sendable {
    /// In a block with its code (status 0 when valid, 1 when not).
    case committed
    /// Queued without waiting (`wait: false`).
    case accepted
    /// Refused by admission; never ordered (status 1).
    case refused
    /// Not ordered: the channel is stopping or stopped (status 2). Safe to submit again.
    case notCommitted = "not-committed"
    /// The channel failed while committing its block: it may be committed (status 2).
    /// Look the txid up after the node restarts before submitting again.
    case unknown
    /// Its once key was used by an earlier valid transaction of the same creator: txid,
    /// block and index are that transaction's (status 0). Nothing new was ordered.
    case alreadyDone = "already-done"
}

/// A state fork: at `block`, this node's commit hash differs from the one `node` recorded.
public struct StateForkReport: Codable, Equatable, Sendable {
    public var block: UInt64
    /// This node's commit hash after executing the block.
    public var commitHash: String
    /// The other node's commit hash for the same block (for a follower: the orderer's, in the signed header).
    public var otherCommitHash: String
    /// HOST:PORT of the other node.
    public var node: String

    public init(block: UInt64, commitHash: String, otherCommitHash: String, node: String) {
        self.block = block
        self.commitHash = commitHash
        self.otherCommitHash = otherCommitHash
        self.node = node
    }
}

/// A transaction's inclusion proof on the wire (docs/FORMAT.md, "Inclusion proof").
public struct NodeInclusionProof: Codable, Equatable, Sendable {
    /// base64 of the signed transaction as encoded (the Merkle leaf).
    public var transaction: String
    public var block: UInt64
    public var index: UInt32
    /// hex digests, leaf side first.
    public var path: [String]
    /// base64 of the block header and of the orderer's signature over its hash.
    public var header: String
    public var signature: String

    public init(transaction: String, block: UInt64, index: UInt32, path: [String], header: String, signature: String) {
        self.transaction = transaction
        self.block = block
        self.index = index
        self.path = path
        self.header = header
        self.signature = signature
    }
}

/// One node a follower channel takes blocks from (docs/NETWORK.md, "Several sources").
public struct PeerStatus: Codable, Equatable, Sendable {
    /// HOST:PORT.
    public var address: String
    /// "orderer" or "peer".
    public var role: String
    /// The height it last announced; nil before the first contact.
    public var height: UInt64?
    /// Seconds since the last frame from it; nil when never reached.
    public var lastContact: Double?
    /// False while it is avoided for having served a bad block.
    public var trusted: Bool
    /// Why it is avoided, or the last problem reaching it.
    public var reason: String?
    /// For a node learned from another (docs/NETWORK.md, "Discovery"): the node that named
    /// it; nil for the orderer and the peers of follow.conf.
    public var learnedFrom: String?

    public init(address: String, role: String, height: UInt64?, lastContact: Double?, trusted: Bool, reason: String?,
                learnedFrom: String? = nil) {
        self.address = address
        self.role = role
        self.height = height
        self.lastContact = lastContact
        self.trusted = trusted
        self.reason = reason
        self.learnedFrom = learnedFrom
    }
}
