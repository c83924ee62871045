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

    /// The follower's commit pipeline (docs/NETWORK.md, "Following"): this thread takes
    /// the blocks its sources fetched (decoded, their signatures checked on every core by
    /// the fetching threads) and verifies each in full, in order, against the state as of
    /// the previous one, while a second thread (`FollowCommits`) commits the runs already
    /// verified with one fsync and one index batch each. So a run is verified while the
    /// one before it is being synced, and runs that queued meanwhile are committed
    /// together. Never commits a block it cannot verify, nor anything after it.
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
        let commits = FollowCommits()
        let writer = Thread { [self] in
            while let batch = commits.next() { commitVerified(batch, commits) }
        }
        writer.name = "csp-node sync \(name)"
        writer.start()
        var pending = VerifiedTip(service: self)
        while !isStopping {
            if currentFork != nil {
                // Found by comparing hashes with another node (PeerExchange.swift).
                sources.stop()
                waitForStop()
                break
            }
            if commits.isBroken {
                // A run was refused or could not be written: what was verified after it is
                // dropped, and verifying starts again from the ledger as it is.
                commits.waitUntilIdle()
                pending = VerifiedTip(service: self)
                commits.repaired()
            }
            commits.waitForRoom()
            let batch = sources.take(from: pending.height, blocks: Self.followBatchBlocks, transactions: Self.followBatchTransactions)
            if batch.isEmpty || isStopping { continue }
            let run = verifyFollowed(batch, after: &pending, layers: commits.layers)
            if commits.claimIfIdle(run) {
                // A live block or two with nothing else being written: committed on this
                // thread, not handed to the writing thread, which would first have to wait
                // for a core.
                commitVerified(run, commits)
            } else if !commits.add(run) {
                // Taken as the pipeline broke: back to the sources, for the restart from the ledger.
                sources.putBack(batch)
                continue
            }
            if run.refused != nil {
                // The writer deals with the refused block (putting the rest back, avoiding its
                // source, or naming a fork) once the blocks before it are committed.
                commits.waitUntilIdle()
                pending = VerifiedTip(service: self)
            }
        }
        commits.stop()
        while !writer.isFinished { usleep(1000) }
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

    /// Verifies `blocks` (consecutive, from `tip`'s height) one by one with
    /// `verifyFollowed`, each against the state the blocks before it leave (the ledger's,
    /// under the runs verified but not committed yet, `layers`). A block that fails stops
    /// the run: it is returned as refused with the blocks after it. `tip` moves past the
    /// verified blocks.
    func verifyFollowed(_ blocks: [FetchedBlock], after tip: inout VerifiedTip, layers: StateLayers) -> VerifiedRun {
        var state = PendingState(ledger: ledger, layers: layers)
        var run = VerifiedRun(height: tip.height, blocks: blocks)
        for fetched in blocks {
            let record = fetched.record
            do {
                let execution = try verifyFollowed(record, number: tip.height, rules: tip.rules, previousTimestamp: tip.timestamp,
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
                run.verified.append(fetched)
                tip.height += 1
                tip.timestamp = record.block.header.timestamp
                // The rules change after a configuration block: later blocks wait for the next run.
                if let rulesAfter {
                    run.newRules = rulesAfter
                    tip.rules = rulesAfter
                    break
                }
            } catch let error as BlockVerificationError {
                run.refused = (fetched, error.reason)
                break
            } catch {
                run.refused = (fetched, "\(error)")
                break
            }
        }
        run.layer = state.layer
        return run
    }

    /// The writer's side: commits `run`'s verified blocks with one fsync (together with
    /// the runs queued behind it, when they chain on), then answers the clients waiting
    /// for them. A block the ledger refuses, or a write that fails, breaks the pipeline:
    /// nothing verified after it is committed, and it is fetched again.
    func commitVerified(_ first: VerifiedRun, _ commits: FollowCommits) {
        // Runs verified while the previous one synced go to disk together.
        var runs = [first]
        while runs.last?.refused == nil, runs.last?.newRules == nil, let more = commits.nextIfQueued() { runs.append(more) }
        let blocks = runs.flatMap(\.verified)
        let height = ledger.height
        var refused = runs.last?.refused
        var committed = blocks.count
        var failed = false
        do {
            try ledger.commit(batch: blocks.map(\.record), payloads: blocks.map(\.payload))
        } catch let error as LedgerError where error.kind == .refused {
            // The ledger's own checks (number, hash chain, commit hash) refused a block: the
            // ones before it are committed.
            committed = Int(ledger.height - height)
            refused = (blocks[committed], "\(error)")
            failed = true
        } catch {
            log("channel \(quoted(name)): cannot commit blocks \(height) to \(height + UInt64(blocks.count) - 1): \(error); retrying", level: .error)
            commits.broke(runs)
            sources?.retry(from: ledger.height)
            Thread.sleep(forTimeInterval: FollowSources.retryInterval)
            commits.done(runs)
            return
        }
        let done = Array(blocks.prefix(committed))
        let newRules = failed ? nil : runs.last?.newRules
        if failed {
            // Runs verified after the refused block assumed it: dropped, and fetched again.
            commits.broke(runs)
            sources?.retry(from: ledger.height)
        } else if let (block, _) = refused {
            // Blocks after a refused one were not verified: they go back to wait for it.
            let number = block.record.block.header.number
            sources?.putBack(runs.last!.blocks.filter { $0.record.block.header.number > number })
        }
        condition.lock()
        if let newRules { self.rules = newRules }
        if let last = done.last { lastTimestamp = last.record.block.header.timestamp }
        committedTransactions += UInt64(done.reduce(0) { $0 + $1.record.block.transactions.count })
        let heights = reachedWaitersLocked()
        let forwarded = forwardedAnswersLocked(done.map(\.record.block))
        let confirmations = confirmationsDueLocked()
        condition.unlock()
        for (answer, outcome) in forwarded { answer.resume(outcome) }
        confirmations.forEach(confirm)
        heights.forEach { $0.resume() }
        // Live blocks (a few at a time) are kept as pushed, for this node's own followers;
        // encoded once its clients are on their way.
        if !done.isEmpty && done.count <= 16 {
            let encoded = done.map { ($0.record.block.header.number, Data($0.payload).base64EncodedString()) }
            condition.lock()
            for (number, text) in encoded { recentBlocks.append(number, text) }
            condition.unlock()
        }
        sources?.committed(height: ledger.height)
        commits.done(runs)
        if let (block, reason) = refused {
            // Re-executed here to another commit hash than its signed header's, the block
            // is a state fork, not a bad block: the channel stops (StateFork.swift). The
            // blocks before it are committed, so it is the next block on this chain.
            if stopOnFork(block.record, source: block.source) { return }
            sources?.refuse(block, reason: reason)
        }
    }
}

/// Where verification has reached, ahead of the ledger by the runs not committed yet: the
/// next block's number, the previous block's timestamp and the rules in force after it.
struct VerifiedTip {
    var height: UInt64
    var timestamp: UInt64
    var rules: ChannelRules

    init(service: ChannelService) {
        service.condition.lock()
        defer { service.condition.unlock() }
        height = service.ledger.height
        timestamp = service.lastTimestamp
        rules = service.rules
    }
}

/// Consecutive blocks a follower verified, on their way to the writer.
struct VerifiedRun: @unchecked Sendable {
    /// The height before them.
    let height: UInt64
    /// Every block taken for this run, verified or not.
    let blocks: [FetchedBlock]
    var verified: [FetchedBlock] = []
    /// The rules after the run's last block, when it is a configuration block.
    var newRules: ChannelRules?
    /// The block that failed verification (with why): nothing after it is in the run.
    var refused: (FetchedBlock, String)?
    /// Its writes and transaction ids, for verifying the next run before it is committed.
    var layer = StateLayers.Layer()

    init(height: UInt64, blocks: [FetchedBlock]) {
        self.height = height
        self.blocks = blocks
    }
}

/// The runs a follower verified and has not committed yet, between its verifying thread
/// and its writing thread. At most `depth` wait, so verification stays close to the disk.
final class FollowCommits: @unchecked Sendable {
    static let depth = 4
    let layers = StateLayers()
    private let condition = NSCondition()
    private var queue: [VerifiedRun] = []
    private var writing = 0
    private var broken = false
    private var stopping = false

    var isBroken: Bool { condition.withLock { broken } }

    /// Queues a verified run and its state; false (nothing queued) when the pipeline broke
    /// since the run was taken.
    func add(_ run: VerifiedRun) -> Bool {
        condition.withLock {
            guard !broken, !stopping else { return false }
            if !run.verified.isEmpty { layers.push(run.height, run.layer) }
            queue.append(run)
            condition.broadcast()
            return true
        }
    }

    /// Runs of at most this many blocks are committed by the verifying thread itself when
    /// nothing is being written or waits (`claimIfIdle`).
    static let inlineBlocks = 2

    /// Takes `run` for the verifying thread to commit itself, as the writer would: only a
    /// short run, and only when no run is being written or waits (commits stay in order).
    func claimIfIdle(_ run: VerifiedRun) -> Bool {
        condition.withLock {
            guard !broken, !stopping, queue.isEmpty, writing == 0, run.blocks.count <= Self.inlineBlocks else { return false }
            if !run.verified.isEmpty { layers.push(run.height, run.layer) }
            writing += 1
            return true
        }
    }

    /// The next run to write; nil once stopped.
    func next() -> VerifiedRun? {
        condition.withLock {
            while queue.isEmpty && !stopping { condition.wait() }
            guard !stopping, !queue.isEmpty else { return nil }
            writing += 1
            return queue.removeFirst()
        }
    }

    /// Another run already queued, to write with the one taken.
    func nextIfQueued() -> VerifiedRun? {
        condition.withLock {
            guard !stopping, !queue.isEmpty else { return nil }
            writing += 1
            return queue.removeFirst()
        }
    }

    /// `runs` are written (or given up): their state is the ledger's now.
    func done(_ runs: [VerifiedRun]) {
        condition.withLock {
            writing -= runs.count
            for run in runs { layers.pop(run.height) }
            condition.broadcast()
        }
    }

    /// A run could not be committed whole: everything queued after it is dropped, and the
    /// verifying thread starts again from the ledger.
    func broke(_ runs: [VerifiedRun]) {
        condition.withLock {
            broken = true
            queue.removeAll()
            layers.removeAll()
            condition.broadcast()
        }
    }

    func repaired() { condition.withLock { broken = false } }

    func waitForRoom() {
        condition.withLock { while queue.count >= Self.depth && !stopping { condition.wait() } }
    }

    func waitUntilIdle() {
        condition.withLock { while (!queue.isEmpty || writing > 0) && !stopping { condition.wait() } }
    }

    /// Ends the writer after the run it is writing.
    func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
    }
}

/// The writes and transaction ids of runs verified but not yet committed, newest last,
/// each under the height it starts at.
final class StateLayers: @unchecked Sendable {
    struct Layer {
        var writes: [[UInt8]: [UInt8]?] = [:]
        var ids = Set<SHA256Digest>()
    }
    private let lock = NSLock()
    private var layers: [(height: UInt64, layer: Layer)] = []

    func push(_ height: UInt64, _ layer: Layer) { lock.withLock { layers.append((height, layer)) } }
    func pop(_ height: UInt64) { lock.withLock { layers.removeAll { $0.height == height } } }
    func removeAll() { lock.withLock { layers.removeAll() } }

    /// The newest value written to `key` by a layer: .some(value) when one wrote it.
    func value(for key: [UInt8]) -> [UInt8]?? {
        lock.withLock {
            guard !layers.isEmpty else { return nil }
            for entry in layers.reversed() { if let written = entry.layer.writes[key] { return .some(written) } }
            return nil
        }
    }

    func contains(transaction id: SHA256Digest) -> Bool {
        lock.withLock { layers.contains { $0.layer.ids.contains(id) } }
    }
}

/// The world state as of the last block verified in a run: the ledger's state with the
/// writes of the runs verified but not committed yet over it (`layers`), and this run's
/// verified blocks over those, and the ids they hold.
struct PendingState: StateReader {
    let ledger: LedgerStore
    var layers: StateLayers?
    private var own = StateLayers.Layer()

    init(ledger: LedgerStore, layers: StateLayers? = nil) {
        self.ledger = ledger
        self.layers = layers
    }

    /// This run's writes and ids.
    var layer: StateLayers.Layer { own }

    func value(for key: [UInt8]) throws -> [UInt8]? {
        if let written = own.writes[key] { return written }
        // A layer is popped only once its run is in the ledger: either way the value is the same.
        if let written = layers?.value(for: key) { return written }
        return try ledger.state(key)?.value
    }

    func contains(transaction id: SHA256Digest) throws -> Bool {
        try own.ids.contains(id) || (layers?.contains(transaction: id) ?? false) || ledger.contains(transaction: id)
    }

    /// Adds a verified block: every transaction's id, the writes of the valid ones (as
    /// the ledger's index applies them).
    mutating func apply(_ record: CommittedBlock) {
        for (position, transaction) in record.block.transactions.enumerated() {
            own.ids.insert(transaction.id)
            guard record.block.validations[position].code == .valid else { continue }
            for write in record.effects[position].writes { own.writes[write.key] = .some(write.value) }
        }
    }
}
