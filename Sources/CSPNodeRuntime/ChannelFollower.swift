import CSPBasics
import CSPChannel
import CSPContracts
import CSPCrypto
import CSPFormat
import CSPLedger
import CSPNodeProtocol
import CSPWire
import Foundation

/// Where a follower channel takes its blocks from (`csp-node join`), kept in
/// `<home>/channels/<C>/follow.conf` as `orderer = HOST:PORT` and any number of
/// `peer = HOST:PORT` lines (docs/NETWORK.md). Every source's certificate is checked
/// against the channel's member CAs, written beside it as `orderer-ca.pem` from the
/// configuration in force whenever the follower connects.
public struct FollowTarget: Sendable {
    public var orderer: String
    /// Other nodes of the channel (followers too) that may serve blocks.
    public var peers: [String]
    /// The home whose node identity connects (not persisted).
    public var home: NodeHome

    public init(orderer: String, peers: [String] = [], home: NodeHome) {
        self.orderer = orderer
        self.peers = peers
        self.home = home
    }

    public static let fileName = "follow.conf"
    static let trustFileName = "orderer-ca.pem"
    /// Several sources connect at once; the trust file is written by one at a time.
    private static let trustLock = NSLock()

    /// The channel's follow settings, or nil when the node orders the channel itself.
    public static func load(home: NodeHome, channel: String) throws -> FollowTarget? {
        let directory = home.channel(channel)
        let path = directory + "/" + fileName
        guard FileIO.exists(path) else { return nil }
        let lines = try NodeSettings.parseLines(try FileIO.readText(path), source: path, keys: ["orderer", "peer"])
        guard let orderer = lines.last(where: { $0.key == "orderer" })?.value else { throw NodeError("\(path): 'orderer' is missing") }
        guard NetworkAddress.parse(orderer) != nil else { throw NodeError("\(path): orderer \(quoted(orderer)) is not HOST:PORT") }
        var peers: [String] = []
        for (key, value) in lines where key == "peer" && !peers.contains(value) && value != orderer {
            guard NetworkAddress.parse(value) != nil else { throw NodeError("\(path): peer \(quoted(value)) is not HOST:PORT") }
            peers.append(value)
        }
        return FollowTarget(orderer: orderer, peers: peers, home: home)
    }

    func save(channelDirectory directory: String) throws {
        var text = "# Written by csp-node join: this channel follows the orderer below (docs/NETWORK.md),\n"
            + "# and also takes blocks from the peers listed (one 'peer = HOST:PORT' line each).\norderer = \(orderer)\n"
        for peer in peers { text += "peer = \(peer)\n" }
        try FileIO.writeAtomically(directory + "/" + Self.fileName, text: text, mode: 0o640)
    }

    /// A signed, mutually authenticated connection to `address` (the orderer or a peer)
    /// as this node: its certificate must chain to one of `config`'s member CAs.
    func connect(_ address: String, channelDirectory directory: String, config: ChannelConfig, timeout: Double) throws -> NodeClient {
        guard let (host, port) = NetworkAddress.parse(address) else { throw NodeError("\(quoted(address)) is not HOST:PORT") }
        let trust = directory + "/" + Self.trustFileName
        let pem = config.organizations.flatMap(\.certificates).map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined()
        try Self.trustLock.withLock { try FileIO.writeAtomically(trust, text: pem, mode: 0o640) }
        let identity = try home.identity()
        return try NodeClient(host: host, port: port,
                              identity: TLSClientIdentity(certificate: home.certificate, key: home.key, trusted: trust),
                              key: identity.key, certificateDER: identity.certificate.der, timeout: timeout)
    }

    /// `connect` to the orderer.
    func connect(channelDirectory directory: String, config: ChannelConfig, timeout: Double) throws -> NodeClient {
        try connect(orderer, channelDirectory: directory, config: config, timeout: timeout)
    }

    /// Up to `limit` committed blocks from `from`, decoded (which checks each Merkle root);
    /// empty when the node has none past `from` yet.
    static func fetch(_ client: NodeClient, channel: String, from: UInt64, limit: Int = 256) throws -> [CommittedBlock] {
        try receiveBlocks(client, try requestBlocks(client, channel: channel, from: from, limit: limit)).map(\.record)
    }

    /// Sends a signed `blocks` request without waiting for its answer.
    static func requestBlocks(_ client: NodeClient, channel: String, from: UInt64, limit: Int = 256) throws -> NodeRequest {
        var request = client.makeRequest("blocks", channel: channel)
        request.from = from
        request.limit = limit
        try client.sign(&request)
        try client.send(request)
        return request
    }

    /// The answer to `request` (sent by `requestBlocks`), decoded, with the bytes of each.
    static func receiveBlocks(_ client: NodeClient, _ request: NodeRequest) throws -> [(record: CommittedBlock, payload: [UInt8])] {
        var response = try client.receive()
        while response.id != request.id && response.id != 0 { response = try client.receive() }
        return try blocks(in: response, from: request.from ?? 0)
    }

    /// The blocks of a `blocks` answer asked `from`, decoded; none when the node has none yet.
    static func blocks(in response: NodeResponse, from: UInt64) throws -> [(record: CommittedBlock, payload: [UInt8])] {
        if response.status == 1, response.error?.hasPrefix("no block") == true { return [] }
        guard response.status == 0, let blocks = response.blocks else {
            throw NodeError("'blocks' refused: \(response.error ?? "status \(response.status)")")
        }
        return try decode(blocks, from: from)
    }

    /// Blocks `from`, `from`+1, … as a `blocks` answer or a `follow` frame carries them.
    /// Decoding checks each Merkle root; anything that does not decode is a bad block.
    /// Blocks are decoded on every core at once: alone, decoding a range is what keeps a
    /// follower's fetching thread busy.
    static func decode(_ blocks: [String], from: UInt64) throws -> [(record: CommittedBlock, payload: [UInt8])] {
        let results = DecodedBlocks(count: blocks.count)
        DispatchQueue.concurrentPerform(iterations: blocks.count) { offset in
            results.set(offset, Result { try decode(blocks[offset], number: from + UInt64(offset)) })
        }
        return try results.values.map { try $0!.get() }
    }

    private final class DecodedBlocks: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [Result<(record: CommittedBlock, payload: [UInt8]), any Error>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<(record: CommittedBlock, payload: [UInt8]), any Error>) {
            lock.withLock { values[index] = value }
        }
    }

    /// One block of a `blocks` answer or `follow` frame, which must be block `number`.
    private static func decode(_ text: String, number: UInt64) throws -> (record: CommittedBlock, payload: [UInt8]) {
        guard let bytes = Data(base64Encoded: text) else { throw BlockVerificationError(block: number, reason: "it is not base64") }
        let payload = Array(bytes)
        let record: CommittedBlock
        do {
            record = try CommittedBlock(decoding: payload)
        } catch {
            throw BlockVerificationError(block: number, reason: "it does not decode: \(error)")
        }
        guard record.block.header.number == number else {
            throw BlockVerificationError(block: number, reason: "it holds block \(record.block.header.number) where block \(number) was asked for")
        }
        return (record, payload)
    }
}

extension ChannelService {
    /// A batch commits at most this many transactions (or 256 blocks): one fsync and one
    /// index batch for all of them.
    static let followBatchTransactions = 8192
    static let followBatchBlocks = 256

    /// The follower's commit thread: takes the blocks its sources fetched (decoded, their
    /// signatures checked on every core by the fetching threads), verifies each in full
    /// in order against the state as of the previous one, and commits runs of verified
    /// blocks with one fsync and one index batch. Never commits a block it cannot verify.
    func followLoop(_ target: FollowTarget) {
        guard let sources else { return }
        if let fork = currentFork {
            // Remembered from before a restart: nothing is followed until it is cleared.
            log(fork.message(channel: name) + " (found \(StateFork.time(fork.found)), remembered in \(quoted(ledger.directory + "/" + StateFork.fileName))); this channel takes no submissions and its reads are marked suspect until an operator clears it (csp-node clear-fork or csp-node rebuild)",
                level: .critical)
            waitForStop()
            stopped.signal()
            return
        }
        sources.owner = self
        sources.start(directory: ledger.directory, config: { [self] in currentRules.config })
        while !isStopping {
            if currentFork != nil {
                // Found by comparing hashes with another node (PeerExchange.swift).
                sources.stop()
                waitForStop()
                break
            }
            let batch = sources.take(from: ledger.height, blocks: Self.followBatchBlocks, transactions: Self.followBatchTransactions)
            if batch.isEmpty || isStopping { continue }
            commitFollowed(batch)
        }
        sources.stop()
        stopped.signal()
    }

    /// Verifies one block fetched from another node against the state as of the previous
    /// block, as `BlockVerifier` does at start: the orderer's signature, timestamp order,
    /// every transaction's signature and admission under `rules` (the configuration in
    /// force) at the block's timestamp, re-execution to the recorded codes and effects.
    /// The Merkle root was checked when it was decoded; the ledger checks its number, hash
    /// chain and commit hash when it is written.
    func verifyFollowed(_ record: CommittedBlock, number expected: UInt64, rules: ChannelRules, previousTimestamp: UInt64,
                        signatures: [Bool]?, state: any StateReader,
                        isDuplicate: (SHA256Digest) throws -> Bool) throws -> BlockExecution {
        let number = record.block.header.number
        guard number == expected else {
            throw BlockVerificationError(block: number, reason: "it is not the next block (height \(expected))")
        }
        try BlockVerifier.verifyTimestamp(record, previous: previousTimestamp)
        return try BlockVerifier(rules: rules).verify(record, state: state, signatures: signatures, isDuplicate: isDuplicate)
    }

    /// Verifies `blocks` (consecutive, from the ledger's height) one by one with
    /// `verifyFollowed`, each against the state the blocks before it leave, then commits
    /// the verified ones in one batch. A block that fails stops the batch: the blocks
    /// before it are committed, it and its source are reported to the sources (which
    /// avoid that node and fetch the block elsewhere).
    func commitFollowed(_ blocks: [FetchedBlock]) {
        let rules = currentRules
        var state = PendingState(ledger: ledger)
        var verified: [FetchedBlock] = []
        var timestamp = lastTimestamp
        var newRules: ChannelRules?
        var refused: (FetchedBlock, String)?
        let height = ledger.height
        for fetched in blocks {
            let record = fetched.record
            do {
                let execution = try verifyFollowed(record, number: height + UInt64(verified.count), rules: rules, previousTimestamp: timestamp,
                                                   signatures: fetched.signatures, state: state,
                                                   isDuplicate: { [state] id in try state.contains(transaction: id) })
                // A configuration block's rules are built before it is committed: a
                // configuration they cannot be built from refuses the block.
                let rulesAfter = try execution.newConfig.map { config in
                    do { return try ChannelRules(config: config) } catch {
                        throw BlockVerificationError(block: record.block.header.number, reason: "its configuration is not valid: \(error)")
                    }
                }
                state.apply(record)
                verified.append(fetched)
                timestamp = record.block.header.timestamp
                // The rules change after a configuration block: later blocks wait for the next batch.
                if let rulesAfter {
                    newRules = rulesAfter
                    break
                }
            } catch let error as BlockVerificationError {
                refused = (fetched, error.reason)
                break
            } catch {
                refused = (fetched, "\(error)")
                break
            }
        }
        do {
            try ledger.commit(batch: verified.map(\.record), payloads: verified.map(\.payload))
        } catch let error as LedgerError where error.kind == .refused {
            // The ledger's own checks (number, hash chain, commit hash) refused a block: the
            // ones before it are committed.
            let committed = Int(ledger.height - height)
            refused = (verified[committed], "\(error)")
            verified = Array(verified.prefix(committed))
            newRules = nil
        } catch {
            log("channel \(quoted(name)): cannot commit blocks \(height) to \(height + UInt64(verified.count) - 1): \(error); retrying", level: .error)
            sources?.retry(from: height)
            Thread.sleep(forTimeInterval: FollowSources.retryInterval)
            return
        }
        // Blocks after a refused one were not verified: they go back to wait for it.
        if let (block, _) = refused {
            let number = block.record.block.header.number
            sources?.putBack(blocks.filter { $0.record.block.header.number > number })
        }
        condition.lock()
        if let newRules { self.rules = newRules }
        if let last = verified.last { lastTimestamp = last.record.block.header.timestamp }
        committedTransactions += UInt64(verified.reduce(0) { $0 + $1.record.block.transactions.count })
        let heights = heightWaiters
        heightWaiters = []
        condition.unlock()
        heights.forEach { $0.resume() }
        sources?.committed(height: ledger.height)
        if let (block, reason) = refused {
            // Re-executed here to another commit hash than its signed header's, the block
            // is a state fork, not a bad block: the channel stops (StateFork.swift). The
            // blocks before it are committed, so it is the next block on this chain.
            if stopOnFork(block.record, source: block.source) { return }
            sources?.refuse(block, reason: reason)
        }
    }
}

/// The world state as of the last block verified in a batch: the ledger's state with the
/// writes of the batch's verified blocks over it, and the ids they hold.
struct PendingState: StateReader {
    let ledger: LedgerStore
    private var writes: [[UInt8]: [UInt8]?] = [:]
    private var ids = Set<SHA256Digest>()

    init(ledger: LedgerStore) { self.ledger = ledger }

    func value(for key: [UInt8]) throws -> [UInt8]? {
        if let written = writes[key] { return written }
        return try ledger.state(key)?.value
    }

    func contains(transaction id: SHA256Digest) throws -> Bool {
        try ids.contains(id) || ledger.contains(transaction: id)
    }

    /// Adds a verified block: every transaction's id, the writes of the valid ones (as
    /// the ledger's index applies them).
    mutating func apply(_ record: CommittedBlock) {
        for (position, transaction) in record.block.transactions.enumerated() {
            ids.insert(transaction.id)
            guard record.block.validations[position].code == .valid else { continue }
            for write in record.effects[position].writes { writes[write.key] = .some(write.value) }
        }
    }
}
