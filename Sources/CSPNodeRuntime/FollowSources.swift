import CSPBasics
import CSPChannel
import CSPFormat
import CSPNodeProtocol
import Foundation
import Logging

/// A block fetched from another node: decoded (its Merkle root checked), its
/// transactions' signatures checked, not yet verified against the state.
struct FetchedBlock: @unchecked Sendable {
    let record: CommittedBlock
    /// The bytes it was decoded from, stored as they are once it is verified.
    let payload: [UInt8]
    /// Per transaction: whether all its signatures verify (`SignatureCheck`).
    let signatures: [Bool]
    /// The node that served it.
    let source: String
}

/// The nodes a follower channel takes blocks from, and the blocks on their way to its
/// commit thread (docs/NETWORK.md, "Several sources").
///
/// One fetching thread per source (the orderer and each peer) keeps a mutually
/// authenticated connection. Behind the others, a source's thread claims the next range
/// of up to 256 blocks nobody has claimed, below the height that source announced, and
/// keeps two such requests in flight; it decodes what comes back and checks every
/// signature on all cores, and hands the blocks over here. Several sources therefore
/// fetch different ranges at once, while the commit thread verifies and commits in
/// order. When nothing is left to claim, one source (the orderer first, else the first
/// trusted peer) keeps a `follow` stream open and the node pushes each block as it
/// commits it. A source that served a block failing verification is avoided for
/// `avoidSeconds` (logged once, with the block and reason); its blocks are fetched again
/// elsewhere.
public final class FollowSources: @unchecked Sendable {
    /// Blocks per claimed range (the most one `blocks` answer holds).
    static let rangeBlocks = 256
    /// Fetching stops this far ahead of the commit thread, in blocks and in bytes.
    static let aheadBlocks: UInt64 = 4096
    static let aheadBytes = 64 << 20
    /// How long a node that served a bad block is avoided.
    static let avoidSeconds: TimeInterval = 30
    /// Wait after a failure (unreachable, refused), and between height requests to an idle source.
    static let retryInterval: TimeInterval = 1
    static let heightInterval: TimeInterval = 1
    /// A stream without a frame (heartbeats come every 2 s) for this long is dead.
    static let streamTimeout: Double = 10

    /// One node blocks come from. Its fields are guarded by the sources' condition.
    final class Source: @unchecked Sendable {
        let address: String
        let isOrderer: Bool
        var height: UInt64?
        var lastContact: Date?
        var avoidedUntil: Date?
        /// Why it is avoided, or the last problem reaching it (logged once per distinct one).
        var problem: String?
        var client: NodeClient?
        /// The node that named it (docs/NETWORK.md, "Discovery"); nil for follow.conf's.
        var learnedFrom: String?
        /// When it was learned: one that is never reached for `forgetSeconds` is forgotten.
        var learnedAt = Date()
        /// It disagreed with this node's verified blocks (PeerExchange.swift): never fetched from again.
        var forked = false
        /// Its hashes of blocks this node had not committed yet, compared once it has (PeerExchange.swift).
        var announced = AnnouncedHashes()

        init(address: String, isOrderer: Bool) {
            self.address = address
            self.isOrderer = isOrderer
        }

        func isAvoided(at now: Date) -> Bool { forked || (avoidedUntil.map { $0 > now } ?? false) }
    }

    let channel: String
    let target: FollowTarget
    /// Creators' keys, parsed once for every block fetched (not once per answer or push).
    let keys = SignatureCheck.KeyCache()
    /// The clients' submissions this node forwarded, their signatures verified meanwhile:
    /// the block that brings one back needs no second ECDSA verification (SubmitForwarder.swift).
    let verified = SignatureCheck.VerifiedTransactions()
    let condition = NSCondition()
    // Guarded by `condition`:
    var sources: [Source]
    /// Blocks 0..<committed are in the ledger.
    private var committed: UInt64
    /// The lowest block nobody has claimed yet (ranges returned below it aside).
    private var frontier: UInt64
    /// Ranges claimed, then given back (a source failed or served a bad block): claimed first.
    private var returned: [Range<UInt64>] = []
    private var ready: [UInt64: FetchedBlock] = [:]
    private var readyBytes = 0
    /// The source whose `follow` stream is open, if any.
    private var streamer: String?
    var stopping = false
    var threads: [Thread] = []
    var directory = ""
    var config: (() -> ChannelConfig)?
    /// The channel whose blocks these are: its ledger and fork (PeerExchange.swift).
    weak var owner: ChannelService?

    init(channel: String, target: FollowTarget, height: UInt64) {
        self.channel = channel
        self.target = target
        sources = [Source(address: target.orderer, isOrderer: true)] + target.peers.map { Source(address: $0, isOrderer: false) }
        committed = height
        frontier = height
    }

    /// Starts one fetching thread per source. `config` gives the configuration in force,
    /// whose member CAs a source's certificate must chain to.
    func start(directory: String, config: @escaping () -> ChannelConfig) {
        condition.lock()
        self.directory = directory
        self.config = config
        let started = sources.map { threadLocked(for: $0) }
        condition.unlock()
        started.forEach { $0.start() }
        loadLearned()
    }

    /// A fetching thread for `source`, not started yet; call with `condition` held.
    func threadLocked(for source: Source) -> Thread {
        let thread = Thread { [self] in work(source) }
        thread.name = "csp-node fetch \(channel) \(source.address)"
        threads.append(thread)
        return thread
    }

    /// Closes every connection, which ends every wait on one; fetching threads then exit.
    func stop() {
        condition.lock()
        stopping = true
        let clients = sources.compactMap(\.client)
        condition.broadcast()
        condition.unlock()
        clients.forEach { $0.close() }
    }

    /// What `csp-node status --peers` shows.
    public func statuses() -> [PeerStatus] {
        condition.lock()
        defer { condition.unlock() }
        let now = Date()
        return sources.map { source in
            PeerStatus(address: source.address, role: source.isOrderer ? "orderer" : "peer", height: source.height,
                       lastContact: source.lastContact.map { now.timeIntervalSince($0) }, trusted: !source.isAvoided(at: now),
                       reason: source.problem, learnedFrom: source.learnedFrom)
        }
    }

    // MARK: The commit thread's side

    /// The consecutive fetched blocks from `height`, at most `blocks` of them and (past
    /// the first) `transactions`; a block with a configuration transaction ends the run,
    /// since the rules after it are not known yet. Waits up to half a second for the first.
    /// `height` may be past the ledger's (blocks verified, not committed yet).
    func take(from height: UInt64, blocks: Int, transactions: Int) -> [FetchedBlock] {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(0.5)
        while ready[height] == nil && !stopping {
            if !condition.wait(until: deadline) { break }
        }
        var run: [FetchedBlock] = []
        var count = 0
        var number = height
        while run.count < blocks, let next = ready[number] {
            let size = next.record.block.transactions.count
            if !run.isEmpty && count + size > transactions { break }
            ready[number] = nil
            readyBytes -= next.payload.count
            run.append(next)
            count += size
            number += 1
            if next.record.block.transactions.contains(where: { $0.body.contract == ChannelService.configContract }) { break }
        }
        if !run.isEmpty { condition.broadcast() }
        return run
    }

    /// Blocks taken but not verified (a block before them was refused): ready again.
    func putBack(_ blocks: [FetchedBlock]) {
        condition.lock()
        for block in blocks {
            let number = block.record.block.header.number
            if number >= committed && ready[number] == nil {
                ready[number] = block
                readyBytes += block.payload.count
            }
        }
        condition.broadcast()
        condition.unlock()
    }

    /// The ledger reached `height`.
    func committed(height: UInt64) {
        condition.lock()
        committed = max(committed, height)
        frontier = max(frontier, committed)
        returned = returned.compactMap { range in
            range.upperBound <= committed ? nil : max(range.lowerBound, committed)..<range.upperBound
        }
        for number in ready.keys where number < committed {
            readyBytes -= ready[number]?.payload.count ?? 0
            ready[number] = nil
        }
        condition.broadcast()
        condition.unlock()
    }

    /// `block` failed verification: its source is avoided for a while (logged once), the
    /// blocks that source had delivered are dropped, and all of them are fetched again,
    /// elsewhere when another node has them.
    func refuse(_ block: FetchedBlock, reason: String) {
        let number = block.record.block.header.number
        condition.lock()
        var again: [UInt64] = [number]
        for (other, fetched) in ready where fetched.source == block.source {
            again.append(other)
            readyBytes -= fetched.payload.count
            ready[other] = nil
        }
        for number in again.sorted() { giveBackLocked(number..<number + 1) }
        let source = sources.first { $0.address == block.source }
        let client = source?.client
        condition.unlock()
        if let source { avoid(source, BlockVerificationError(block: number, reason: reason)) }
        // Whatever it has in flight is dropped with its connection.
        client?.close()
    }

    /// The commit failed for another reason (the ledger's disk): fetch from `height` again.
    func retry(from height: UInt64) {
        condition.lock()
        ready.removeAll()
        readyBytes = 0
        returned.removeAll()
        frontier = height
        committed = height
        let clients = sources.compactMap(\.client)
        condition.broadcast()
        condition.unlock()
        clients.forEach { $0.close() }
    }

    // MARK: The fetching threads' side

    private func work(_ source: Source) {
        var connection: NodeClient?
        // Claimed ranges whose `blocks` requests are in flight, oldest first.
        var inFlight: [(request: NodeRequest, range: Range<UInt64>)] = []
        var lastHeightRequest = Date.distantPast
        while true {
            do {
                condition.lock()
                if stopping {
                    condition.unlock()
                    break
                }
                if source.forked || !sources.contains(where: { $0 === source }) {
                    // Found forked, or forgotten: this node never fetches from it again.
                    condition.unlock()
                    break
                }
                if let until = source.avoidedUntil, until > Date() {
                    // Avoided meanwhile: what it has in flight goes to the others now (the
                    // catch below gives it back and drops the connection), then wait.
                    if connection != nil || !inFlight.isEmpty {
                        condition.unlock()
                        throw NodeError("avoided")
                    }
                    condition.wait(until: until)
                    condition.unlock()
                    continue
                }
                condition.unlock()
                if connection == nil {
                    connection = try connect(source)
                    lastHeightRequest = .distantPast
                }
                guard let client = connection else { continue }
                if inFlight.isEmpty && Date().timeIntervalSince(lastHeightRequest) >= Self.heightInterval {
                    try requestHeight(client, source)
                    lastHeightRequest = Date()
                }
                while inFlight.count < 2, let range = claim(for: source) {
                    let request: NodeRequest
                    do {
                        request = try FollowTarget.requestBlocks(client, channel: channel, from: range.lowerBound, limit: range.count)
                    } catch {
                        // Claimed but never asked for (the connection was closed, e.g. by a
                        // refusal): back to be claimed again, or no source would ever fetch it.
                        condition.lock()
                        giveBackLocked(range)
                        condition.unlock()
                        throw error
                    }
                    inFlight.append((request, range))
                }
                if !inFlight.isEmpty {
                    // Answers may come in any order (the node answers requests concurrently).
                    let response = try client.receive()
                    guard let index = inFlight.firstIndex(where: { $0.request.id == response.id }) else {
                        if response.id == 0 { throw NodeError(response.error ?? "status \(response.status)") }
                        continue
                    }
                    let (request, range) = inFlight[index]
                    // Still in flight if the answer cannot be read, so the catch gives it back.
                    let blocks = try FollowTarget.blocks(in: response, from: request.from ?? 0)
                    inFlight.remove(at: index)
                    contact(source, problemSolved: true)
                    deliver(blocks, from: source, claimed: range)
                    continue
                }
                if shouldStream(source) {
                    // The connection carried only the stream: a new one for what comes next.
                    try stream(client, source)
                    condition.lock()
                    source.client = nil
                    condition.unlock()
                    client.close()
                    connection = nil
                    continue
                }
                condition.lock()
                if !stopping { condition.wait(until: Date().addingTimeInterval(Self.heightInterval)) }
                condition.unlock()
            } catch {
                condition.lock()
                for (_, range) in inFlight { giveBackLocked(range) }
                if streamer == source.address { streamer = nil }
                source.client = nil
                let stopping = self.stopping
                condition.broadcast()
                condition.unlock()
                inFlight = []
                connection?.close()
                connection = nil
                if stopping { break }
                if let bad = error as? BlockVerificationError {
                    avoid(source, bad)
                } else if !isAvoided(source) {
                    // (An avoided source's connection was closed on purpose: nothing to report.)
                    problem(source, "\(error)")
                    forgetIfStale(source)
                }
                condition.lock()
                if !self.stopping { condition.wait(until: Date().addingTimeInterval(Self.retryInterval)) }
                condition.unlock()
            }
        }
        connection?.close()
    }

    private func isAvoided(_ source: Source) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return source.isAvoided(at: Date())
    }

    private func connect(_ source: Source) throws -> NodeClient {
        guard let config else { throw NodeError("not started") }
        let client = try target.connect(source.address, channelDirectory: directory, config: config(), timeout: Self.streamTimeout)
        condition.lock()
        source.client = client
        let stopping = self.stopping
        condition.unlock()
        if stopping { client.close() }
        return client
    }

    /// Asks `source` for its height, the hashes of this node's last block as it holds it,
    /// and the nodes it knows, announcing this node's address: the `peers` request
    /// (PeerExchange.swift).
    private func requestHeight(_ client: NodeClient, _ source: Source) throws {
        var request = client.makeRequest("peers", channel: channel)
        condition.lock()
        request.from = committed > 0 ? committed - 1 : 0
        condition.unlock()
        request.target = announcement(over: client)
        try client.sign(&request)
        try client.send(request)
        var response = try client.receive()
        while response.id != request.id && response.id != 0 { response = try client.receive() }
        guard response.status == 0, let height = response.height else {
            throw NodeError("'peers' refused: \(response.error ?? "status \(response.status)")")
        }
        condition.lock()
        source.height = height
        condition.broadcast()
        condition.unlock()
        contact(source, problemSolved: true)
        exchanged(response, with: source)
    }

    /// The next range to fetch from `source`: a returned range first, else past the
    /// frontier; nil when `source` has nothing we lack or fetching is far enough ahead.
    private func claim(for source: Source) -> Range<UInt64>? {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, !source.isAvoided(at: Date()), let height = source.height else { return nil }
        if let index = returned.firstIndex(where: { $0.lowerBound < height }) {
            let range = returned[index]
            let end = min(range.upperBound, range.lowerBound + UInt64(Self.rangeBlocks), height)
            if end < range.upperBound { returned[index] = end..<range.upperBound } else { returned.remove(at: index) }
            return range.lowerBound..<end
        }
        guard frontier < height, frontier < committed + Self.aheadBlocks, readyBytes < Self.aheadBytes else { return nil }
        let range = frontier..<min(frontier + UInt64(Self.rangeBlocks), height)
        frontier = range.upperBound
        return range
    }

    /// Whether `source` should open the push stream now: nothing is left to claim from
    /// anyone, no stream is open, and it is the first trusted source that has no problem.
    private func shouldStream(_ source: Source) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let now = Date()
        guard !stopping, streamer == nil, returned.isEmpty else { return false }
        let known = sources.compactMap { $0.isAvoided(at: now) ? nil : $0.height }.max() ?? 0
        guard frontier >= known else { return false }
        return sources.first { !$0.isAvoided(at: now) && $0.problem == nil && $0.client != nil }?.address == source.address
    }

    /// `follow` from the frontier: the source pushes each block as it commits it, and
    /// its height in every frame (a heartbeat every 2 s when idle). Returns when ranges
    /// below the stream need fetching again (a bad block from another source); throws
    /// when the stream fails.
    ///
    /// This thread only reads frames: each frame's blocks are decoded and their
    /// signatures checked by `StreamChecks`, in order, while the next frame is read, so a
    /// burst of blocks never queues behind the checks of the one before. A frame that
    /// fails its checks ends the stream with that failure; nothing after it is delivered.
    private func stream(_ client: NodeClient, _ source: Source) throws {
        condition.lock()
        let from = frontier
        streamer = source.address
        condition.unlock()
        let checks = StreamChecks(onFailure: { client.close() })
        defer {
            condition.lock()
            if streamer == source.address { streamer = nil }
            condition.unlock()
        }
        do {
            try read(stream: client, from: from, source: source, checks: checks)
        } catch {
            // A connection closed because a frame failed its checks: that failure is the reason.
            checks.finish()
            throw checks.failure ?? error
        }
        checks.finish()
        if let failure = checks.failure { throw failure }
    }

    private func read(stream client: NodeClient, from: UInt64, source: Source, checks: StreamChecks) throws {
        var request = client.makeRequest("follow", channel: channel)
        request.from = from
        request.target = announcement(over: client)
        try client.sign(&request)
        try client.send(request)
        var next = from
        var acknowledged = false
        while true {
            let response = try client.receive()
            guard response.id == request.id || response.id == 0 else { continue }
            guard response.status == 0 else {
                throw NodeError("'follow' refused: \(response.error ?? "status \(response.status)")")
            }
            condition.lock()
            if let height = response.height { source.height = height }
            condition.unlock()
            contact(source, problemSolved: true)
            exchanged(response, with: source)
            if !acknowledged {
                acknowledged = true
                continue
            }
            if let blocks = response.blocks, !blocks.isEmpty {
                let first = next
                next += UInt64(blocks.count)
                checks.add { [self] in
                    let decoded = try FollowTarget.decode(blocks, from: first)
                    deliver(decoded, from: source, claimed: nil)
                }
            }
            if let failure = checks.failure { throw failure }
            condition.lock()
            let refetch = !returned.isEmpty || stopping
            condition.unlock()
            if refetch { return }
        }
    }

    /// Checks the signatures of `blocks` on every core, then hands them to the commit
    /// thread. A claimed range answered short gives the rest back. Waits while the
    /// commit thread is far enough behind (which holds back a push stream's socket too).
    private func deliver(_ blocks: [(record: CommittedBlock, payload: [UInt8])], from source: Source, claimed: Range<UInt64>?) {
        // A source found bad meanwhile (its connection is closing): what it sent is dropped,
        // and a range claimed from it is claimed again from another.
        condition.lock()
        if source.isAvoided(at: Date()) {
            if let claimed { giveBackLocked(claimed) }
            condition.broadcast()
            condition.unlock()
            return
        }
        condition.unlock()
        let signatures = SignatureCheck.verify(blocks.flatMap(\.record.block.transactions), keys: keys, verified: verified)
        var fetched: [FetchedBlock] = []
        var offset = 0
        for (record, payload) in blocks {
            let count = record.block.transactions.count
            fetched.append(FetchedBlock(record: record, payload: payload, signatures: Array(signatures[offset..<offset + count]),
                                        source: source.address))
            offset += count
        }
        condition.lock()
        defer { condition.unlock() }
        if claimed == nil {
            // A push stream: wait for room, so the stream is read at the commit thread's pace.
            while !stopping && readyBytes >= Self.aheadBytes { condition.wait() }
        }
        for block in fetched {
            let number = block.record.block.header.number
            if number >= committed && ready[number] == nil {
                ready[number] = block
                readyBytes += block.payload.count
            }
            frontier = max(frontier, number + 1)
            returned = returned.flatMap { range -> [Range<UInt64>] in
                guard range.contains(number) else { return [range] }
                return [range.lowerBound..<number, number + 1..<range.upperBound].filter { !$0.isEmpty }
            }
        }
        if let claimed {
            let end = claimed.lowerBound + UInt64(fetched.count)
            if end < claimed.upperBound { giveBackLocked(end..<claimed.upperBound) }
        }
        condition.broadcast()
    }

    /// Puts a range back to be claimed again (lowest first); call with `condition` held.
    private func giveBackLocked(_ range: Range<UInt64>) {
        let start = max(range.lowerBound, committed)
        guard start < range.upperBound else { return }
        returned.append(start..<range.upperBound)
        returned.sort { $0.lowerBound < $1.lowerBound }
    }

    func contact(_ source: Source, problemSolved: Bool) {
        condition.lock()
        source.lastContact = Date()
        let solved = problemSolved && source.problem != nil && !source.isAvoided(at: Date())
        if solved { source.problem = nil }
        let height = committed
        condition.unlock()
        if solved { log("fetching from \(source.address) again at height \(height)") }
    }

    /// A source that could not be reached or answered wrongly: logged once per distinct problem.
    private func problem(_ source: Source, _ description: String) {
        condition.lock()
        let line = "cannot fetch from \(source.address): \(description)"
        let first = source.problem != line
        source.problem = line
        condition.unlock()
        if first { log("\(line); retrying", level: .error) }
    }

    /// A node served a block that fails verification: it is avoided for `avoidSeconds`,
    /// logged once (not again while it stays avoided). With `announced`, it served none:
    /// its announced hashes of a block differ from this node's (PeerExchange.swift).
    func avoid(_ source: Source, _ error: BlockVerificationError, announced: Bool = false) {
        condition.lock()
        let first = !source.isAvoided(at: Date())
        source.avoidedUntil = Date().addingTimeInterval(Self.avoidSeconds)
        source.problem = announced ? "at block \(error.block) \(error.reason)" : "served block \(error.block) that fails verification: \(error.reason)"
        condition.broadcast()
        condition.unlock()
        guard first else { return }
        if announced {
            log("node \(source.address) disagrees at block \(error.block): \(error.reason); avoiding \(source.address) for \(Int(Self.avoidSeconds)) s, then comparing again", level: .error)
        } else {
            log("refused block \(error.block) from \(source.address): \(error.reason); avoiding \(source.address) for \(Int(Self.avoidSeconds)) s and fetching the block elsewhere", level: .error)
        }
    }

    func log(_ line: String, level: Logger.Level = .notice) {
        nodeLog.log(level: level, "channel \(quoted(channel)): \(line)", metadata: ["channel": "\(channel)"])
    }
}

/// The checks of one push stream's frames (decoding, which checks each Merkle root, and
/// the signatures), run in order on a queue of their own while the stream's thread reads
/// the next frame. At most `window` frames wait, so a follower that cannot keep up still
/// holds the sender back through the socket. The first frame that fails calls
/// `onFailure` (which closes the connection, ending the reading thread's wait) and no
/// later frame is checked or delivered.
final class StreamChecks: @unchecked Sendable {
    static let window = 64
    private let queue = DispatchQueue(label: "csp-node stream checks")
    private let room = DispatchSemaphore(value: StreamChecks.window)
    private let onFailure: @Sendable () -> Void
    private let lock = NSLock()
    private var failed: (any Error)?

    init(onFailure: @escaping @Sendable () -> Void) { self.onFailure = onFailure }

    /// The first failure, if a frame failed.
    var failure: (any Error)? { lock.withLock { failed } }

    /// Queues the checks of the next frame; waits while `window` frames wait.
    func add(_ work: @escaping @Sendable () throws -> Void) {
        room.wait()
        queue.async { [self] in
            defer { room.signal() }
            guard failure == nil else { return }
            do { try work() } catch {
                lock.withLock { if failed == nil { failed = error } }
                onFailure()
            }
        }
    }

    /// Waits until every frame queued so far is checked and delivered (or skipped).
    func finish() { queue.sync {} }
}
