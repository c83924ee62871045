import CSPBasics
import CSPChannel
import CSPContracts
import CSPCrypto
import CSPFormat
import CSPLedger
import CSPNodeProtocol
import Foundation
import Logging

/// What became of one submitted transaction.
public enum SubmitResult: Equatable, Sendable {
    /// Ordered into a block and committed there with its validation code (valid or not).
    case committed(block: UInt64, index: UInt32, Validation)
    /// Queued without waiting for its block (`wait: false`).
    case accepted
    /// Refused by admission at submit time: answered at once and never ordered.
    case refused(Validation)
    /// Not ordered: the channel is stopping, or stopped by the reason given.
    case notCommitted(String)
    /// The channel failed while committing the block holding it: the block may be in the
    /// block files, in which case the next start re-applies it. Ask again after a restart.
    case unknown(String)
    /// Its once key was used by an earlier valid transaction of the same creator: the
    /// answer is that transaction's (docs/CHANNELS.md, "Submitting once"). The outcome's
    /// txid is the earlier transaction's.
    case alreadyDone(OnceKeys.Record, key: String)
}

/// The answer a submitter waits for.
public struct CommitOutcome: Equatable, Sendable {
    public var txid: SHA256Digest
    public var result: SubmitResult
}

/// Whether a channel takes transactions.
public enum ChannelCondition: Equatable, Sendable {
    case running
    /// A commit failed without leaving anything behind (a full disk, say): submissions are
    /// refused until a probe write succeeds, then the channel runs again by itself.
    case stalled(String)
    /// The ledger needs reopening (a block reached the block files but not the index):
    /// only a restart, which re-applies it, brings the channel back.
    case failed(String)
    case stopping

    public var reason: String? {
        switch self {
        case .running, .stopping: return nil
        case .stalled(let reason), .failed(let reason): return reason
        }
    }
}

/// One channel of a running node: admission, solo ordering, execution and commit.
///
/// Submitters call `submit` from any task; admission (certificate, signature, policy)
/// runs on the caller's thread so it spreads over all cores, and gives an early answer.
/// The verdict belongs to the block: one commit thread cuts blocks by count, bytes or
/// timeout, fixes the block's timestamp, re-admits every transaction under the rules in
/// force at that block and that timestamp (`ChannelRules.admitSigned`: the signature
/// checked at submit stays checked), executes them in order, commits them (block file
/// fsynced, then one LevelDB batch) and only then answers the submitters, so a reported
/// commit survives `kill -9` and a peer re-executing the block reaches the same verdicts.
public final class ChannelService: @unchecked Sendable {
    public let name: String
    public let ledger: LedgerStore
    let identity: NodeIdentity
    /// Set when this node follows another's channel (`csp-node join`): blocks come from
    /// that orderer, verified, and clients' submissions are refused.
    public let following: FollowTarget?
    let condition = NSCondition()
    // Guarded by `condition`:
    var rules: ChannelRules
    private var pending: [Pending] = []
    private var pendingBytes = 0
    private var firstPendingAt: Date?
    private var waiters: [SHA256Digest: [CheckedContinuation<CommitOutcome, Never>]] = [:]
    var heightWaiters: [HeightWaiter] = []
    /// A follower's clients' forwarded submissions, by transaction id: answered as soon as
    /// this node commits the block holding one (SubmitForwarder.swift).
    var forwardedAnswers: [SHA256Digest: [ForwardedAnswer]] = [:]
    /// Forwarded transactions the orderer says it committed, in blocks not here yet.
    var forwardConfirmations: [ForwardConfirmation] = []
    /// Blocks below this are in the block files and synced, so they survive a crash:
    /// push streams may send them while the last one is still being indexed (Push.swift).
    var durableHeight: UInt64
    /// The last blocks made durable, as a `follow` frame carries them.
    var recentBlocks = RecentBlocks()
    var state = ChannelCondition.running
    var committedTransactions: UInt64 = 0
    /// Set when this node's state forked from another node's (StateFork.swift): the
    /// channel then takes no submissions and its reads are marked suspect.
    var fork: StateFork?
    /// A follower's connection for forwarding its clients' submissions to the orderer.
    let forwarder: SubmitForwarder?
    /// A follower's sources (orderer and peers) and the blocks fetched from them.
    public let sources: FollowSources?
    /// Nodes that announced their address to this one, and when they last did (Discovery.swift).
    let announced = Locked<[String: Date]>([:])
    /// The last block's timestamp: block timestamps never go backwards, so deadlines
    /// computed from them are monotonic even when the node's clock steps back.
    var lastTimestamp: UInt64
    private var thread: Thread?
    let stopped = DispatchSemaphore(value: 0)
    /// How often a stalled channel tries a write again.
    static let probeInterval: TimeInterval = 1

    /// Configuration transactions are cut into blocks of their own.
    static let configContract = "config"

    private struct Pending {
        var transaction: Transaction
        var size: Int
    }

    /// `config` is the configuration in force after the last block, as the block files
    /// establish it (`ChannelLedger.open`), never as the index claims it.
    public init(name: String, ledger: LedgerStore, config: ChannelConfig, identity: NodeIdentity, following: FollowTarget? = nil) throws {
        self.name = name
        self.following = following
        self.sources = following.map { FollowSources(channel: name, target: $0, height: ledger.height) }
        self.ledger = ledger
        self.identity = identity
        self.forwarder = following.map { SubmitForwarder(target: $0, channelDirectory: ledger.directory) }
        self.rules = try ChannelRules(config: config)
        self.lastTimestamp = try ledger.height == 0 ? 0 : ledger.block(number: ledger.height - 1)?.block.header.timestamp ?? 0
        self.durableHeight = ledger.height
        // A fork found before a restart still holds until an operator clears it.
        do { self.fork = try StateFork.load(channelDirectory: ledger.directory) } catch {
            throw NodeError("channel \(quoted(name)): \(error)")
        }
    }

    public var currentRules: ChannelRules {
        condition.lock()
        defer { condition.unlock() }
        return rules
    }

    public var currentCondition: ChannelCondition {
        condition.lock()
        defer { condition.unlock() }
        return state
    }

    // MARK: Submitting

    /// Admits, queues and (with `wait`) waits for the commit of one transaction. On a
    /// follower, forwards it to the orderer (`encoded`: the signed transaction as the
    /// client sent it, base64) and answers when this node has committed it.
    public func submit(_ transaction: Transaction, wait: Bool, encoded: String? = nil) async -> CommitOutcome {
        func outcome(_ result: SubmitResult) -> CommitOutcome { CommitOutcome(txid: transaction.id, result: result) }
        func refused(_ validation: Validation) -> CommitOutcome {
            nodeLog.info("refused \(transaction.id.hex) (\(transaction.body.contract).\(transaction.body.function)): \(validation.code): \(validation.reason)",
                         metadata: ["channel": "\(name)"])
            return outcome(.refused(validation))
        }
        if let following, let forwarder {
            return await forwardSubmission(transaction, encoded: encoded ?? Data(transaction.encoded()).base64EncodedString(),
                                           wait: wait, to: following, via: forwarder)
        }
        let admission = currentRules.admit(transaction, now: Date())
        guard admission.isAdmitted else { return refused(admission.validation) }
        if let creator = admission.creator,
           let refusal = try? Executor.deregistration(of: creator, endorsers: admission.endorsers, in: LedgerStateReader(ledger: ledger)) {
            return refused(refusal)
        }
        if (try? ledger.contains(transaction: transaction.id)) == true {
            return refused(Validation(code: .duplicateID, reason: "transaction \(transaction.id.hex) is already committed"))
        }
        if let done = alreadyDone(transaction, creator: admission.creator) { return done }
        let item = Pending(transaction: transaction, size: transaction.encodedSize)
        if !wait {
            if let refusal = enqueue(item) { return outcome(.notCommitted(refusal)) }
            return outcome(.accepted)
        }
        return await withCheckedContinuation { continuation in
            condition.lock()
            if let refusal = refusalLocked() {
                condition.unlock()
                continuation.resume(returning: outcome(.notCommitted(refusal)))
                return
            }
            waiters[transaction.id, default: []].append(continuation)
            appendLocked(item)
            condition.unlock()
        }
    }

    /// The answer for a transaction whose once key a committed transaction used, read
    /// from the committed state; nil when it has no key or the key is free.
    private func alreadyDone(_ transaction: Transaction, creator: Creator?) -> CommitOutcome? {
        guard let key = transaction.body.onceKey, let creator,
              let record = try? OnceKeys.record(account: creator.account, key: key, in: LedgerStateReader(ledger: ledger)),
              let original = SHA256Digest(hex: record.txid) else { return nil }
        return CommitOutcome(txid: original, result: .alreadyDone(record, key: key))
    }

    /// Queues `item`, or says why the channel takes no transaction now.
    private func enqueue(_ item: Pending) -> String? {
        condition.lock()
        defer { condition.unlock() }
        if let refusal = refusalLocked() { return refusal }
        appendLocked(item)
        return nil
    }

    /// Why the channel takes no transaction now; nil while it runs.
    private func refusalLocked() -> String? {
        if let fork { return fork.refusal(channel: name) }
        switch state {
        case .running: return nil
        case .stopping: return "the node is stopping"
        case .stalled(let reason), .failed(let reason): return reason
        }
    }

    private func appendLocked(_ item: Pending) {
        if pending.isEmpty { firstPendingAt = Date() }
        pending.append(item)
        pendingBytes += item.size
        condition.signal()
    }

    /// Waits until the channel is taller than `height`, or the node stops.
    public func waitForHeight(above height: UInt64) async {
        await waitForHeight(above: height, timeout: nil)
    }

    /// Waits until the channel is taller than `height`, the node stops, or `timeout`
    /// seconds pass (nil: no limit).
    public func waitForHeight(above height: UInt64, timeout: Double?) async {
        await waitForHeight(above: height, durable: false, timeout: timeout)
    }

    /// `waitForHeight`, or with `durable` until block `height` is durable (in the synced
    /// block files, perhaps not indexed yet: what push streams wait for).
    func waitForHeight(above height: UInt64, durable: Bool, timeout: Double?) async {
        await HeightWaiter.wait(above: height, durable: durable, timeout: timeout, register: { waiter in
            condition.lock()
            defer { condition.unlock() }
            if waiter.isReached(height: ledger.height, durable: durableHeight) || state == .stopping || fork != nil { return false }
            heightWaiters.append(waiter)
            return true
        }, unregister: { [self] waiter in
            condition.lock()
            heightWaiters.removeAll { $0 === waiter }
            condition.unlock()
        })
    }

    /// The waiters whose height is reached, taken out of the list (call with `condition`
    /// held; resume them after unlocking). The others stay: a commit wakes only the tasks
    /// waiting for it, not every waiting submitter.
    func reachedWaitersLocked() -> [HeightWaiter] {
        let height = ledger.height
        durableHeight = max(durableHeight, height)
        var reached: [HeightWaiter] = []
        heightWaiters.removeAll { waiter in
            guard waiter.isReached(height: height, durable: durableHeight) else { return false }
            reached.append(waiter)
            return true
        }
        return reached
    }

    /// Block `number` (stored as `payload`) is in the synced block files: push streams may
    /// send it now, before it is indexed. Called by the committing thread.
    func madeDurable(_ number: UInt64, payload: [UInt8]) {
        let encoded = Data(payload).base64EncodedString()
        condition.lock()
        recentBlocks.append(number, encoded)
        durableHeight = max(durableHeight, number + 1)
        let reached = reachedWaitersLocked()
        condition.unlock()
        reached.forEach { $0.resume() }
    }

    /// The recent blocks from `from` (at most `limit`), as pushed, and the height they
    /// reach; nil when `from` is not among them (read them from the ledger).
    func recentBlocks(from: UInt64, limit: Int) -> (blocks: [String], height: UInt64)? {
        condition.lock()
        defer { condition.unlock() }
        guard let blocks = recentBlocks.blocks(from: from, limit: limit) else { return nil }
        return (blocks, max(durableHeight, ledger.height))
    }

    public var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return state == .stopping
    }

    public var status: (pending: Int, transactions: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        return (pending.count, committedTransactions)
    }

    // MARK: Ordering and committing

    public func start() {
        let thread = Thread { [self] in
            if let following { followLoop(following) } else { commitLoop() }
        }
        thread.name = "csp-node commit \(name)"
        self.thread = thread
        thread.start()
    }

    /// Finishes the block in flight, commits what is queued, and stops.
    public func stop() {
        condition.lock()
        state = .stopping
        condition.broadcast()
        condition.unlock()
        forwarder?.close()
        sources?.stop()
        // Re-signal so a second caller (signal handler, then shutdown) passes too.
        if thread != nil { stopped.wait(); stopped.signal() }
        condition.lock()
        let heights = heightWaiters
        heightWaiters = []
        let confirmations = allConfirmationsLocked()
        condition.unlock()
        heights.forEach { $0.resume() }
        confirmations.forEach(confirm)
    }

    private func commitLoop() {
        while true {
            condition.lock()
            while pending.isEmpty && state != .stopping {
                if case .stalled = state {
                    condition.unlock()
                    Thread.sleep(forTimeInterval: Self.probeInterval)
                    probe()
                    condition.lock()
                } else {
                    condition.wait()
                }
            }
            if pending.isEmpty && state == .stopping {
                condition.unlock()
                break
            }
            let cutting = rules.config.blockCutting
            // Wait for a full block or the timeout, unless stopping.
            while state != .stopping && pending.count < cutting.maxTransactions && pendingBytes < cutting.maxBytes {
                let deadline = (firstPendingAt ?? Date()).addingTimeInterval(Double(cutting.timeoutMilliseconds) / 1000)
                if Date() >= deadline || !condition.wait(until: deadline) { break }
            }
            let batch = takeBatchLocked(limit: cutting.maxTransactions, maxBytes: cutting.maxBytes)
            let rules = self.rules
            condition.unlock()
            if !batch.isEmpty { commit(batch, rules: rules) }
        }
        stopped.signal()
    }

    /// A stalled channel runs again once a write to its ledger's folder succeeds.
    private func probe() {
        let path = ledger.directory + "/.write-probe"
        do {
            try FileIO.writeAtomically(path, [UInt8](repeating: 0, count: 64 << 10), mode: 0o600)
            unlink(path)
        } catch {
            return
        }
        condition.lock()
        if case .stalled = state { state = .running }
        condition.unlock()
        nodeLog.notice("channel \(quoted(name)) resumed: its ledger is writable again")
    }

    /// Takes the next block's transactions. A configuration transaction always goes in a
    /// block of its own, so everything after it is checked against the new rules.
    private func takeBatchLocked(limit: Int, maxBytes: Int) -> [Pending] {
        var count = 0
        var bytes = 0
        for item in pending {
            let isConfig = item.transaction.body.contract == Self.configContract
            if isConfig { count = count == 0 ? 1 : count; break }
            if count >= limit || (count > 0 && bytes + item.size > maxBytes) { break }
            count += 1
            bytes += item.size
        }
        let batch = Array(pending.prefix(count))
        pending.removeFirst(count)
        pendingBytes -= batch.reduce(0) { $0 + $1.size }
        firstPendingAt = pending.isEmpty ? nil : Date()
        return batch
    }

    /// Orders `batch` into the next block under `rules`, the configuration in force after
    /// the last block. The block's timestamp is fixed first; every verdict is taken at it.
    private func commit(_ batch: [Pending], rules: ChannelRules) {
        let started = DispatchTime.now()
        let transactions = batch.map(\.transaction)
        let timestamp = max(UInt64(max(0, Date().timeIntervalSince1970 * 1000)), lastTimestamp)
        let at = Date(timeIntervalSince1970: Double(timestamp) / 1000)
        do {
            let admissions = transactions.map { rules.admitSigned($0, now: at) }
            let execution = try Executor(rules: rules).execute(
                transactions, admitted: admissions, block: BlockContext(number: ledger.height, timestamp: timestamp),
                state: LedgerStateReader(ledger: ledger),
                isDuplicate: { try self.ledger.contains(transaction: $0) })
            let (record, hashes) = try BlockAssembler(identity: identity).assemble(
                channel: name, number: ledger.height, timestamp: timestamp, previousHash: ledger.lastBlockHash ?? .zero,
                previousCommitHash: ledger.lastCommitHash, transactions: transactions,
                validations: execution.validations, effects: execution.effects)
            // Followers' push streams are woken once the block files are synced, while the
            // index is written: the block survives a crash from then on.
            try ledger.commit(record, assembled: hashes, durable: { [self] payload in madeDurable(record.block.header.number, payload: payload) })
            lastTimestamp = timestamp
            let newRules = try execution.newConfig.map { try ChannelRules(config: $0) }
            // A once key used in this block or before: the waiter gets the transaction
            // that used it (committed now, so the state has its record).
            var done: [Int: CommitOutcome] = [:]
            for (index, validation) in execution.validations.enumerated() where validation.code == .onceKeyUsed {
                done[index] = alreadyDone(transactions[index], creator: admissions[index].creator)
            }
            condition.lock()
            if let newRules { self.rules = newRules }
            committedTransactions += UInt64(transactions.count)
            var resumed: [(CheckedContinuation<CommitOutcome, Never>, CommitOutcome)] = []
            for (index, transaction) in transactions.enumerated() {
                let outcome = done[index] ?? CommitOutcome(txid: transaction.id, result: .committed(
                    block: record.block.header.number, index: UInt32(index), execution.validations[index]))
                // Only the first waiter of a duplicated id sees its own position.
                if var list = waiters[transaction.id], !list.isEmpty {
                    resumed.append((list.removeFirst(), outcome))
                    waiters[transaction.id] = list.isEmpty ? nil : list
                }
            }
            let heights = reachedWaitersLocked()
            condition.unlock()
            heights.forEach { $0.resume() }
            for (continuation, outcome) in resumed { continuation.resume(returning: outcome) }
            logBlock(record, started: started)
        } catch {
            fail(batch: transactions, error: error)
        }
    }

    /// At --verbose: one line per block, then one per transaction the block marked invalid.
    private func logBlock(_ record: CommittedBlock, started: DispatchTime) {
        guard nodeLog.logLevel <= .info else { return }
        let validations = record.block.validations
        let valid = validations.filter { $0.code == .valid }.count
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        let number = record.block.header.number
        nodeLog.info("block \(number): \(validations.count) transactions, \(valid) valid, \(validations.count - valid) invalid, \(String(format: "%.1f", milliseconds)) ms",
                     metadata: ["channel": "\(name)"])
        for (index, validation) in validations.enumerated() where validation.code != .valid {
            let body = record.block.transactions[index].body
            nodeLog.info("invalid \(record.block.transactions[index].id.hex) in block \(number).\(index) (\(body.contract).\(body.function)): \(validation.code): \(validation.reason)",
                         metadata: ["channel": "\(name)"])
        }
    }

    /// A block could not be committed. When the ledger is still sound (nothing reached
    /// the block files) the channel stalls and retries by itself; when a block reached
    /// the files but not the index, only a restart re-applies it. Either way nothing is
    /// lost: whatever a submitter was told is committed, is.
    private func fail(batch: [Transaction], error: any Error) {
        let sound = ledger.isWritable
        let message = "channel \(quoted(name)) stopped: \(error)"
        condition.lock()
        state = sound ? .stalled(message) : .failed(message)
        let inBatch = Set(batch.map(\.id))
        let all = waiters
        waiters = [:]
        pending = []
        pendingBytes = 0
        firstPendingAt = nil
        condition.unlock()
        for (txid, list) in all {
            let result: SubmitResult = !sound && inBatch.contains(txid)
                ? .unknown(message + "; the transaction may be in block \(ledger.height), which a restart re-applies")
                : .notCommitted(message)
            for continuation in list { continuation.resume(returning: CommitOutcome(txid: txid, result: result)) }
        }
        nodeLog.error("\(message)\(sound ? "; retrying when a write succeeds" : "; restart the node to re-apply the block")")
    }

    /// A notice about this channel in the node's log (the follower's progress and problems).
    func log(_ line: String, level: Logger.Level = .notice) {
        nodeLog.log(level: level, "\(line)", metadata: ["channel": "\(name)"])
    }
}

/// A task waiting for the channel to grow; resumed once, by a commit or a timeout.
final class HeightWaiter: @unchecked Sendable {
    private let continuation: CheckedContinuation<Void, Never>
    private let lock = NSLock()
    private var resumed = false
    /// What it waits for: a height above `above`, counting durable blocks not yet indexed
    /// when `durable` (`ChannelService.reachedWaitersLocked`).
    let above: UInt64
    let durable: Bool

    init(_ continuation: CheckedContinuation<Void, Never>, above: UInt64 = 0, durable: Bool = false) {
        self.continuation = continuation
        self.above = above
        self.durable = durable
    }

    func isReached(height: UInt64, durable durableHeight: UInt64) -> Bool {
        (durable ? max(height, durableHeight) : height) > above
    }

    /// Suspends until a commit resumes the waiter `register` kept (it returns false when
    /// there is nothing to wait for), or `timeout` seconds pass (nil: no limit), after
    /// which `unregister` takes the waiter back.
    static func wait(above: UInt64 = 0, durable: Bool = false, timeout: Double?, register: (HeightWaiter) -> Bool,
                     unregister: @escaping @Sendable (HeightWaiter) -> Void) async {
        await withCheckedContinuation { continuation in
            let waiter = HeightWaiter(continuation, above: above, durable: durable)
            guard register(waiter) else { return waiter.resume() }
            if let timeout {
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                    unregister(waiter)
                    waiter.resume()
                }
            }
        }
    }

    func resume() {
        lock.lock()
        let first = !resumed
        resumed = true
        lock.unlock()
        if first { continuation.resume() }
    }
}

/// State reads for the executor, straight from the ledger's world state.
struct LedgerStateReader: StateReader {
    let ledger: LedgerStore
    func value(for key: [UInt8]) throws -> [UInt8]? { try ledger.state(key)?.value }
}

/// Builds and signs a block from executed transactions, hashing each part once.
struct BlockAssembler {
    let identity: NodeIdentity

    func assemble(channel: String, number: UInt64, timestamp: UInt64, previousHash: SHA256Digest, previousCommitHash: SHA256Digest,
                  transactions: [Transaction], validations: [Validation], effects: [TransactionEffects]) throws
        -> (CommittedBlock, AssembledHashes) {
        var header = BlockHeader(channel: channel, number: number, previousHash: previousHash,
                                 merkleRoot: Block.merkleRoot(of: transactions), commitHash: .zero,
                                 timestamp: timestamp, orderer: identity.certificate.der,
                                 transactionCount: UInt32(transactions.count))
        var record = CommittedBlock(block: Block(header: header, signature: [], transactions: transactions, validations: validations),
                                    effects: effects)
        header.commitHash = try record.commitHash(previous: previousCommitHash)
        let blockHash = header.hash
        record.block.header = header
        record.block.signature = try identity.key.signature(forDigest: blockHash)
        return (record, AssembledHashes(blockHash: blockHash, commitHash: header.commitHash, previousCommitHash: previousCommitHash))
    }
}

/// The last blocks a channel made durable, as a `follow` frame carries them (base64 of
/// the stored bytes): a push stream sends a new block without reading it back from the
/// ledger or leaving the task it runs in (Push.swift).
struct RecentBlocks {
    /// Blocks kept; a stream further behind reads the ledger.
    static let limit = 256
    private(set) var first: UInt64 = 0
    private var encoded: [String] = []

    var end: UInt64 { first + UInt64(encoded.count) }

    /// Adds block `number`; a gap (blocks committed without being added) starts afresh.
    mutating func append(_ number: UInt64, _ block: String) {
        if number != end || encoded.isEmpty {
            first = number
            encoded = []
        }
        encoded.append(block)
        if encoded.count > Self.limit {
            let drop = encoded.count - Self.limit / 2
            encoded.removeFirst(drop)
            first += UInt64(drop)
        }
    }

    /// Blocks from `from`, at most `limit` and 8 MiB (as `Reads.deliver`); nil when `from`
    /// is not kept.
    func blocks(from: UInt64, limit: Int) -> [String]? {
        guard from >= first, from < end else { return nil }
        var out: [String] = [], bytes = 0
        for block in encoded[Int(from - first)...] {
            if out.count >= max(limit, 1) || (!out.isEmpty && bytes + block.utf8.count > Reads.deliverBytes) { break }
            out.append(block)
            bytes += block.utf8.count
        }
        return out
    }
}
