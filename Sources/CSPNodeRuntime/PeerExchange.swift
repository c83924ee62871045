import CSPBasics
import CSPChannel
import CSPCrypto
import CSPFormat
import CSPNodeProtocol
import CSPWire
import Foundation

/// A node's two hashes of one block: the block's (header) hash and the commit hash in it.
struct BlockHashes: Equatable, Sendable {
    let hash: SHA256Digest
    let commitHash: SHA256Digest
}

/// The hashes a source announced for blocks this node had not committed when they came,
/// oldest first, until it has. A push frame's record names the sender's last indexed
/// block, which can be one the frame itself carries (still being verified here), and a
/// heartbeat's can be past a follower that is behind. Bounded: a node far behind keeps
/// only the latest `limit` (it compares those).
struct AnnouncedHashes {
    static let limit = 16
    private(set) var waiting: [(number: UInt64, hashes: BlockHashes)] = []

    /// Keeps `hashes` of block `number` (replacing an earlier announcement of the same block).
    mutating func add(_ number: UInt64, _ hashes: BlockHashes) {
        waiting.removeAll { $0.number == number }
        let index = waiting.firstIndex { $0.number > number } ?? waiting.endIndex
        waiting.insert((number, hashes), at: index)
        if waiting.count > Self.limit { waiting.removeFirst(waiting.count - Self.limit) }
    }

    /// Removes and returns the announcements of blocks below `height`, oldest first.
    mutating func take(below height: UInt64) -> [(number: UInt64, hashes: BlockHashes)] {
        let count = waiting.prefix { $0.number < height }.count
        defer { waiting.removeFirst(count) }
        return Array(waiting.prefix(count))
    }
}

/// What a follower concludes when another node's hashes of a block differ from its own
/// (docs/NETWORK.md, "Commit hashes compared across nodes"). This node's block is
/// verified: signed by the channel's orderer, and its own execution reached the commit
/// hash in that signed header. So the orderer's signature decides.
enum PeerVerdict: Equatable {
    case agree
    /// The other node is the forked one (why): it is never fetched from again.
    case peerForked(String)
    /// It announced other hashes but could not serve its block (why): avoided for a
    /// while like a node that served a bad block, and compared again after.
    case unconfirmed(String)
    /// The orderer signed another block at this height too: the channel's history itself
    /// forked, and nothing tells which side is right. This node stops (a state fork).
    case historyForked
}

extension PeerVerdict {
    /// `own`: this node's verified block; `announced`: what the other node said of the
    /// same block; `served`: that node's block as it served it when asked (nil: it did
    /// not serve it, `serveError` says why); `servedSigned`: whether the orderer's
    /// signature on it verifies.
    static func judge(own: BlockHashes, announced: BlockHashes, served: BlockHashes?, servedSigned: Bool,
                      serveError: String? = nil) -> PeerVerdict {
        guard announced != own else { return .agree }
        guard let served else {
            return .unconfirmed("it announced commit hash \(announced.commitHash.hex) where this node's is \(own.commitHash.hex), and did not serve its copy of the block: \(serveError ?? "no answer")")
        }
        if served.hash == own.hash {
            return .peerForked("it serves this node's block but announced commit hash \(announced.commitHash.hex) for it: its state no longer matches its own blocks")
        }
        guard servedSigned else { return .peerForked("its block is not signed by the channel's orderer") }
        return .historyForked
    }
}

extension FollowSources {
    /// A learned node that was never reached, or not for this long, is forgotten.
    static let forgetSeconds: TimeInterval = 300

    /// The addresses of this channel's sources that were not found forked (for `nodes`).
    func trustedAddresses() -> [String] {
        condition.lock()
        defer { condition.unlock() }
        return sources.filter { !$0.forked }.map(\.address)
    }

    /// What a source said in a `peers` answer or a `follow` frame: the nodes it knows,
    /// and its hashes of a block this node may hold, compared with this node's own.
    ///
    /// Hashes of a block this node has not committed yet (a push frame may name one it
    /// carries, still being verified here) wait in the source's `AnnouncedHashes` and are
    /// compared at a later exchange with it, once committed.
    func exchanged(_ response: NodeResponse, with source: Source) {
        if let nodes = response.nodes, !nodes.isEmpty { learn(nodes, from: source.address) }
        // An access node keeps no state of its own to compare.
        guard let service = owner else { return }
        let height = service.ledger.height
        condition.lock()
        if let item = response.record, let number = item.block, let hash = item.hash.flatMap({ SHA256Digest(hex: $0) }),
           let commit = item.commitHash.flatMap({ SHA256Digest(hex: $0) }) {
            source.announced.add(number, BlockHashes(hash: hash, commitHash: commit))
        }
        let due = source.announced.take(below: height)
        condition.unlock()
        for (number, hashes) in due { compare(number, hashes, with: source) }
    }

    // MARK: Discovery

    /// The address this node announces to the source at the other end of `client`
    /// (NodeAddresses). An access node (no owning ledger) announces none: it serves no
    /// blocks, so other nodes must not take it as a source.
    func announcement(over client: NodeClient) -> String? {
        owner == nil ? nil : NodeAddresses.shared.advertised(over: client)
    }

    /// Adds the nodes `origin` named as sources, up to `LearnedNodes.limit`: never this
    /// node itself, nor one already known. Each gets a fetching thread, and the list is
    /// written to learned.conf. Trust is unchanged: a learned node is a source like any
    /// other (its certificate checked against the channel's CAs and CRLs, every block
    /// it serves verified in full).
    func learn(_ addresses: [String], from origin: String, logging: Bool = true) {
        var added: [Source] = []
        var threads: [Thread] = []
        condition.lock()
        for address in addresses where NetworkAddress.parse(address) != nil && !NodeAddresses.shared.isOwn(address) {
            guard !sources.contains(where: { $0.address == address }) else { continue }
            guard sources.filter({ $0.learnedFrom != nil }).count < LearnedNodes.limit else { break }
            let source = Source(address: address, isOrderer: false)
            source.learnedFrom = origin
            sources.append(source)
            added.append(source)
            if !stopping && config != nil { threads.append(threadLocked(for: source)) }
        }
        let learned = learnedLocked()
        condition.unlock()
        guard !added.isEmpty else { return }
        threads.forEach { $0.start() }
        for source in added where logging {
            log(source.address == origin ? "node \(origin) announced itself: fetching from it too"
                                         : "learned node \(source.address) from \(origin): fetching from it too")
        }
        saveLearned(learned)
    }

    /// The nodes learned before a restart, from learned.conf.
    func loadLearned() {
        do {
            for node in try LearnedNodes.load(channelDirectory: directory) { learn([node.address], from: node.from, logging: false) }
        } catch {
            log("cannot read the nodes learned before: \(error); learning them again", level: .error)
        }
    }

    /// A learned node unreachable since `forgetSeconds` (or never reached in that long) is
    /// forgotten: a stopped node named once must not be dialled forever.
    func forgetIfStale(_ source: Source) {
        condition.lock()
        guard source.learnedFrom != nil, Date().timeIntervalSince(source.lastContact ?? source.learnedAt) > Self.forgetSeconds else {
            condition.unlock()
            return
        }
        sources.removeAll { $0 === source }
        let learned = learnedLocked()
        let problem = source.problem ?? "unreachable"
        condition.broadcast()
        condition.unlock()
        log("forgetting node \(source.address), learned from \(source.learnedFrom ?? "?"): not reached for \(Int(Self.forgetSeconds)) s (\(problem))")
        saveLearned(learned)
    }

    private func learnedLocked() -> [(address: String, from: String)] {
        sources.compactMap { source in source.learnedFrom.map { (source.address, $0) } }
    }

    private func saveLearned(_ learned: [(address: String, from: String)]) {
        do { try LearnedNodes.save(learned, channelDirectory: directory) } catch {
            log("cannot remember the nodes learned: \(error)", level: .error)
        }
    }

    // MARK: Comparing hashes

    /// Compares `theirs` (what `source` holds as block `number`) with this node's block
    /// `number`, when this node has it; on a difference, asks `source` for the block and
    /// judges who forked (`PeerVerdict`).
    func compare(_ number: UInt64, _ theirs: BlockHashes, with source: Source) {
        guard let service = owner, number < service.ledger.height, let own = try? ownHashes(number, service) else { return }
        guard own != theirs else { return }
        condition.lock()
        let known = source.forked
        condition.unlock()
        if known { return }
        var served: CommittedBlock?
        var serveError: String?
        do { served = try block(number, from: source) } catch { serveError = "\(error)" }
        let signed = served.map { (try? BlockVerifier(rules: service.currentRules).verifyOrderer($0)) != nil } ?? false
        let verdict = PeerVerdict.judge(own: own, announced: theirs,
                                        served: served.map { BlockHashes(hash: $0.block.header.hash, commitHash: $0.block.header.commitHash) },
                                        servedSigned: signed, serveError: serveError)
        switch verdict {
        case .agree: return
        case .unconfirmed(let why):
            avoid(source, BlockVerificationError(block: number, reason: why), announced: true)
            condition.lock()
            let client = source.client
            condition.unlock()
            client?.close()
        case .peerForked(let why):
            condition.lock()
            source.forked = true
            source.problem = "forked: at block \(number) its commit hash is \(theirs.commitHash.hex), this node's is \(own.commitHash.hex): \(why)"
            let client = source.client
            condition.broadcast()
            condition.unlock()
            client?.close()
            log("node \(source.address) disagrees at block \(number): its commit hash is \(theirs.commitHash.hex), this node's is \(own.commitHash.hex), verified against the orderer's signed header; \(why): \(source.address) is the forked one, and this node no longer fetches from it",
                level: .critical)
        case .historyForked:
            // Both blocks are the orderer's: name the first block where the two chains part.
            let first = (try? firstDifference(below: number, from: source, service)) ?? number
            let mine: BlockHashes = (try? ownHashes(first, service)) ?? own
            var other = theirs
            if first != number, let header = (try? block(first, from: source))?.block.header {
                other = BlockHashes(hash: header.hash, commitHash: header.commitHash)
            } else if first == number, let header = served?.block.header {
                other = BlockHashes(hash: header.hash, commitHash: header.commitHash)
            }
            service.forkFound(StateFork(block: first, own: mine.commitHash, other: other.commitHash, node: source.address,
                                        detail: "the orderer signed two different blocks \(first): \(mine.hash.hex) here, \(other.hash.hex) at \(source.address)"))
        }
    }

    private func ownHashes(_ number: UInt64, _ service: ChannelService) throws -> BlockHashes? {
        guard let header = try service.ledger.block(number: number)?.block.header else { return nil }
        return BlockHashes(hash: header.hash, commitHash: header.commitHash)
    }

    /// `source`'s block `number`, on a connection of its own (the source's may carry a stream).
    private func block(_ number: UInt64, from source: Source) throws -> CommittedBlock {
        guard let config else { throw NodeError("not started") }
        let client = try target.connect(source.address, channelDirectory: directory, config: config(), timeout: Self.streamTimeout)
        defer { client.close() }
        guard let record = try FollowTarget.fetch(client, channel: channel, from: number, limit: 1).first else {
            throw NodeError("it has no block \(number)")
        }
        return record
    }

    /// The lowest block at or below `number` whose hash differs between this node and
    /// `source` (blocks chain by hash: once equal, equal before), by bisection.
    private func firstDifference(below number: UInt64, from source: Source, _ service: ChannelService) throws -> UInt64 {
        var low: UInt64 = 0, high = number
        while low < high {
            let middle = low + (high - low) / 2
            if try ownHashes(middle, service)?.hash != block(middle, from: source).block.header.hash { high = middle } else { low = middle + 1 }
        }
        return high
    }
}
