import CSPBasics
import CSPChannel
import CSPCrypto
import CSPFormat
import CSPLedger
import Foundation

/// The answer a submitter waits for.
public struct CommitOutcome: Sendable {
    public var txid: SHA256Digest
    public var block: UInt64?
    public var index: UInt32?
    public var validation: Validation
    /// Set when the transaction never reached a block (rejected at admission, node stopping).
    public var error: String?
}

/// One channel of a running node: admission, solo ordering, execution and commit.
///
/// Submitters call `submit` from any task; admission (certificate, signature, policy)
/// runs on the caller's thread so it spreads over all cores. One commit thread cuts
/// blocks by count, bytes or timeout, executes them in order, commits them (block file
/// fsynced, then one LevelDB batch) and only then answers the submitters, so a reported
/// commit survives `kill -9`.
public final class ChannelService: @unchecked Sendable {
    public let name: String
    public let ledger: LedgerStore
    private let identity: NodeIdentity
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var rules: ChannelRules
    private var pending: [Pending] = []
    private var pendingBytes = 0
    private var firstPendingAt: Date?
    private var waiters: [SHA256Digest: [CheckedContinuation<CommitOutcome, Never>]] = [:]
    private var heightWaiters: [CheckedContinuation<Void, Never>] = []
    private var stopping = false
    private var failure: String?
    private var committedTransactions: UInt64 = 0
    private var thread: Thread?
    private let stopped = DispatchSemaphore(value: 0)

    /// Configuration transactions are cut into blocks of their own.
    static let configContract = "config"

    private struct Pending {
        var transaction: Transaction
        var admission: (Validation, Creator?)
        var size: Int
    }

    public init(name: String, ledger: LedgerStore, identity: NodeIdentity) throws {
        self.name = name
        self.ledger = ledger
        self.identity = identity
        self.rules = try ChannelRules(config: try Self.currentConfig(ledger: ledger, channel: name))
    }

    /// The configuration in force: the last one committed to state.
    static func currentConfig(ledger: LedgerStore, channel: String) throws -> ChannelConfig {
        guard let stored = try ledger.state(Executor.configKey) else {
            throw NodeError("channel \(quoted(channel)) has no configuration in its state")
        }
        return try ChannelConfig.decode(stored.value, source: "channel \(channel) configuration")
    }

    public var currentRules: ChannelRules {
        condition.lock()
        defer { condition.unlock() }
        return rules
    }

    // MARK: Submitting

    /// Admits, queues and (with `wait`) waits for the commit of one transaction.
    public func submit(_ transaction: Transaction, wait: Bool) async -> CommitOutcome {
        let rules = currentRules
        let admission = rules.admit(transaction, now: Date())
        if admission.0.code != .valid {
            return CommitOutcome(txid: transaction.id, validation: admission.0, error: "rejected")
        }
        if (try? ledger.contains(transaction: transaction.id)) == true {
            return CommitOutcome(txid: transaction.id, validation: Validation(code: .duplicateID, reason: "transaction \(transaction.id.hex) is already committed"), error: "rejected")
        }
        let size = transaction.bodyBytes.count + transaction.signature.count
        if !wait {
            guard enqueue(Pending(transaction: transaction, admission: admission, size: size)) else {
                return CommitOutcome(txid: transaction.id, validation: Validation(code: .malformed, reason: "the node is stopping"), error: failureMessage)
            }
            return CommitOutcome(txid: transaction.id, validation: .valid, error: nil)
        }
        return await withCheckedContinuation { continuation in
            condition.lock()
            guard !stopping, failure == nil else {
                condition.unlock()
                continuation.resume(returning: CommitOutcome(txid: transaction.id, validation: Validation(code: .malformed, reason: "not committed"), error: failureMessage ?? "the node is stopping"))
                return
            }
            waiters[transaction.id, default: []].append(continuation)
            appendLocked(Pending(transaction: transaction, admission: admission, size: size))
            condition.unlock()
        }
    }

    private var failureMessage: String? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    private func enqueue(_ item: Pending) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, failure == nil else { return false }
        appendLocked(item)
        return true
    }

    private func appendLocked(_ item: Pending) {
        if pending.isEmpty { firstPendingAt = Date() }
        pending.append(item)
        pendingBytes += item.size
        condition.signal()
    }

    /// Waits until the channel is taller than `height`, or the node stops.
    public func waitForHeight(above height: UInt64) async {
        await withCheckedContinuation { continuation in
            condition.lock()
            if ledger.height > height || stopping {
                condition.unlock()
                continuation.resume()
                return
            }
            heightWaiters.append(continuation)
            condition.unlock()
        }
    }

    public var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    public var status: (pending: Int, transactions: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        return (pending.count, committedTransactions)
    }

    // MARK: Ordering and committing

    public func start() {
        let thread = Thread { [self] in commitLoop() }
        thread.name = "csp-node commit \(name)"
        self.thread = thread
        thread.start()
    }

    /// Finishes the block in flight, commits what is queued, and stops.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        // Re-signal so a second caller (signal handler, then shutdown) passes too.
        if thread != nil { stopped.wait(); stopped.signal() }
        condition.lock()
        let heights = heightWaiters
        heightWaiters = []
        condition.unlock()
        heights.forEach { $0.resume() }
    }

    private func commitLoop() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopping { condition.wait() }
            if pending.isEmpty && stopping {
                condition.unlock()
                break
            }
            let cutting = rules.config.blockCutting
            // Wait for a full block or the timeout, unless stopping.
            while !stopping && pending.count < cutting.maxTransactions && pendingBytes < cutting.maxBytes {
                let deadline = (firstPendingAt ?? Date()).addingTimeInterval(Double(cutting.timeoutMilliseconds) / 1000)
                if Date() >= deadline || !condition.wait(until: deadline) { break }
            }
            let batch = takeBatchLocked(limit: cutting.maxTransactions, maxBytes: cutting.maxBytes)
            condition.unlock()
            if !batch.isEmpty { commit(batch) }
        }
        stopped.signal()
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

    private func commit(_ batch: [Pending]) {
        let transactions = batch.map(\.transaction)
        do {
            let rules = currentRules
            let execution = try Executor(rules: rules).execute(
                transactions, admitted: batch.map(\.admission), state: LedgerStateReader(ledger: ledger),
                isDuplicate: { try self.ledger.contains(transaction: $0) })
            let record = try BlockAssembler(identity: identity).assemble(
                channel: name, number: ledger.height, previousHash: ledger.lastBlockHash ?? .zero,
                previousCommitHash: ledger.lastCommitHash, transactions: transactions,
                validations: execution.validations, effects: execution.effects)
            try ledger.commit(record)
            let newRules = try execution.newConfig.map { try ChannelRules(config: $0) }
            condition.lock()
            if let newRules { self.rules = newRules }
            committedTransactions += UInt64(transactions.count)
            var resumed: [(CheckedContinuation<CommitOutcome, Never>, CommitOutcome)] = []
            for (index, transaction) in transactions.enumerated() {
                let outcome = CommitOutcome(txid: transaction.id, block: record.block.header.number, index: UInt32(index),
                                            validation: execution.validations[index], error: nil)
                // Only the first waiter of a duplicated id sees its own position.
                if var list = waiters[transaction.id], !list.isEmpty {
                    resumed.append((list.removeFirst(), outcome))
                    waiters[transaction.id] = list.isEmpty ? nil : list
                }
            }
            let heights = heightWaiters
            heightWaiters = []
            condition.unlock()
            for (continuation, outcome) in resumed { continuation.resume(returning: outcome) }
            heights.forEach { $0.resume() }
        } catch {
            // The ledger refused or the disk failed: stop taking work rather than guess.
            let message = "channel \(quoted(name)) stopped: \(error)"
            condition.lock()
            failure = message
            stopping = true
            let all = waiters
            waiters = [:]
            pending = []
            condition.unlock()
            for (txid, list) in all {
                for continuation in list {
                    continuation.resume(returning: CommitOutcome(txid: txid, validation: Validation(code: .malformed, reason: "not committed"), error: message))
                }
            }
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        }
    }
}

/// State reads for the executor, straight from the ledger's world state.
struct LedgerStateReader: StateReader {
    let ledger: LedgerStore
    func value(for key: [UInt8]) throws -> [UInt8]? { try ledger.state(key)?.value }
}

/// Builds and signs a block from executed transactions.
struct BlockAssembler {
    let identity: NodeIdentity

    func assemble(channel: String, number: UInt64, previousHash: SHA256Digest, previousCommitHash: SHA256Digest,
                  transactions: [Transaction], validations: [Validation], effects: [TransactionEffects]) throws -> CommittedBlock {
        var header = BlockHeader(channel: channel, number: number, previousHash: previousHash,
                                 merkleRoot: Block.merkleRoot(of: transactions), commitHash: .zero,
                                 timestamp: UInt64(Date().timeIntervalSince1970 * 1000), orderer: identity.certificate.der,
                                 transactionCount: UInt32(transactions.count))
        var record = CommittedBlock(block: Block(header: header, signature: [], transactions: transactions, validations: validations),
                                    effects: effects)
        header.commitHash = try record.commitHash(previous: previousCommitHash)
        record.block.header = header
        record.block.signature = try identity.key.signature(forDigest: header.hash)
        return record
    }
}
