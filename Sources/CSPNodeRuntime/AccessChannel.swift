import CSPBasics
import CSPChannel
import CSPContracts
import CSPCrypto
import CSPFormat
import CSPNodeProtocol
import Foundation
import Logging

/// One channel of an access node (`csp-node join --access`, docs/NETWORK.md "Access
/// nodes"): it keeps block headers only, each verified as far as a node without state
/// can (`HeaderVerifier`), relays its clients' submissions to the orderer and their reads
/// to the channel's bookkeeping nodes, and checks what it returns against its headers.
///
/// Blocks come from the same sources a follower has (`FollowSources`: the orderer and
/// peers, ranges fetched in parallel, then the orderer's push); one thread verifies them
/// in order and keeps their headers (`AccessLedger`), then drops the blocks.
public final class AccessChannel: @unchecked Sendable {
    public let name: String
    let ledger: AccessLedger
    public let target: FollowTarget
    let sources: FollowSources
    /// Submissions go to the orderer on a connection of their own.
    let forwarder: SubmitForwarder
    /// Reads go to the peers first (sparing the orderer), then the orderer.
    let readSources: [SubmitForwarder]
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var rules: ChannelRules
    private var stopping = false
    private var heightWaiters: [HeightWaiter] = []
    /// Transactions whose submitters wait, by id (a count per id), and where each was
    /// found in a verified block.
    private var watched: [SHA256Digest: Int] = [:]
    private var found: [SHA256Digest: (block: UInt64, index: UInt32, validation: Validation)] = [:]
    private var verifiedTransactions: UInt64 = 0
    private var thread: Thread?
    private let stopped = DispatchSemaphore(value: 0)

    /// Opens the channel in `home` (its headers and configuration blocks verified again).
    public init(name: String, home: NodeHome, target: FollowTarget) throws {
        self.name = name
        let directory = home.channel(name)
        ledger = try AccessLedger(directory: directory, channel: name)
        self.target = target
        rules = try ChannelRules(config: ledger.config.config)
        sources = FollowSources(channel: name, target: target, height: ledger.headers.height)
        forwarder = SubmitForwarder(target: target, channelDirectory: directory)
        readSources = (target.peers + [target.orderer]).map { SubmitForwarder(target: target, channelDirectory: directory, address: $0) }
    }

    /// Whether the channel `name` in `home` is an access node's.
    public static func isAccess(home: NodeHome, channel name: String) -> Bool {
        AccessLedger.isAccess(home.channel(name))
    }

    /// Why a command that reads block files has nothing to read on an access channel.
    public static func noBlockFiles(_ channel: String) -> String {
        "channel \(quoted(channel)) is kept as an access node (block headers only): it has no block files; its headers and configuration blocks are verified again at every start"
    }

    public var height: UInt64 { ledger.headers.height }
    public var lastHeader: BlockHeader? { ledger.headers.last }

    public var currentRules: ChannelRules { locked { rules } }
    public var isStopping: Bool { locked { stopping } }
    /// Transactions in the blocks verified since the node started.
    public var transactionsVerified: UInt64 { locked { verifiedTransactions } }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    public func start() {
        let thread = Thread { [self] in followLoop() }
        thread.name = "csp-node headers \(name)"
        self.thread = thread
        thread.start()
    }

    public func stop() {
        condition.lock()
        stopping = true
        let heights = heightWaiters
        heightWaiters = []
        condition.broadcast()
        condition.unlock()
        heights.forEach { $0.resume() }
        forwarder.close()
        readSources.forEach { $0.close() }
        sources.stop()
        if thread != nil { stopped.wait(); stopped.signal() }
    }

    /// Waits until the channel keeps more than `height` headers, the node stops, or
    /// `timeout` seconds pass (nil: no limit).
    func waitForHeight(above height: UInt64, timeout: Double?) async {
        await HeightWaiter.wait(timeout: timeout, register: { waiter in
            condition.lock()
            defer { condition.unlock() }
            if ledger.headers.height > height || stopping { return false }
            heightWaiters.append(waiter)
            return true
        }, unregister: { [self] waiter in
            condition.lock()
            heightWaiters.removeAll { $0 === waiter }
            condition.unlock()
        })
    }

    // MARK: Following: verify, keep the header, drop the block

    private func followLoop() {
        sources.start(directory: ledger.directory, config: { [self] in currentRules.config })
        while !isStopping {
            let batch = sources.take(from: ledger.headers.height, blocks: ChannelService.followBatchBlocks,
                                     transactions: ChannelService.followBatchTransactions)
            if batch.isEmpty || isStopping { continue }
            keep(batch)
        }
        sources.stop()
        stopped.signal()
    }

    /// Verifies `blocks` (consecutive, from the height) in order with `HeaderVerifier`,
    /// each under the configuration the blocks before it leave in force, and keeps the
    /// headers of the verified ones in one write. A block that fails stops the batch: its
    /// source is avoided and the block fetched elsewhere, as for a follower.
    func keep(_ blocks: [FetchedBlock]) {
        var rules = currentRules
        guard var previous = ledger.headers.last else { return }
        var verified: [(record: CommittedBlock, newConfig: ChannelConfig?)] = []
        var refused: (FetchedBlock, String)?
        for fetched in blocks {
            do {
                let newConfig = try HeaderVerifier(rules: rules).verify(fetched.record, after: previous, signatures: fetched.signatures)
                verified.append((fetched.record, newConfig))
                previous = fetched.record.block.header
                if let newConfig { rules = try ChannelRules(config: newConfig) }
            } catch {
                refused = (fetched, (error as? BlockVerificationError)?.reason ?? "\(error)")
                break
            }
        }
        let height = ledger.headers.height
        do {
            try ledger.append(verified)
        } catch {
            nodeLog.error("channel \(quoted(name)): cannot keep the headers of blocks \(height) to \(height + UInt64(verified.count)): \(error); retrying",
                          metadata: ["channel": "\(name)"])
            sources.retry(from: height)
            Thread.sleep(forTimeInterval: FollowSources.retryInterval)
            return
        }
        if let (block, _) = refused {
            let number = block.record.block.header.number
            sources.putBack(blocks.filter { $0.record.block.header.number > number })
        }
        condition.lock()
        self.rules = rules
        for (record, _) in verified {
            verifiedTransactions += UInt64(record.block.transactions.count)
            guard !watched.isEmpty else { continue }
            for (index, transaction) in record.block.transactions.enumerated() where watched[transaction.id] != nil && found[transaction.id] == nil {
                found[transaction.id] = (record.block.header.number, UInt32(index), record.block.validations[index])
            }
        }
        let heights = heightWaiters
        heightWaiters = []
        condition.unlock()
        heights.forEach { $0.resume() }
        sources.committed(height: ledger.headers.height)
        if let (block, reason) = refused { sources.refuse(block, reason: reason) }
    }

    // MARK: Submitting through the access node

    /// Forwards a client's signed transaction to the orderer and answers once the block
    /// holding it is among this node's verified headers, with the place and validation
    /// code that verified block records (bound to the orderer's signature by the commit
    /// hash; docs/NETWORK.md).
    public func submit(_ transaction: Transaction, wait: Bool, encoded: String) async -> CommitOutcome {
        let orderer = target.orderer
        // Watched before it is sent, so its block cannot pass unseen.
        if wait { watch(transaction.id) }
        defer { if wait { unwatch(transaction.id) } }
        let answer = await forwarder.forward(encoded: encoded, channel: name, wait: wait, config: currentRules.config)
        return await forwarder.outcome(of: answer, for: transaction, confirm: { block in
            if let failure = await waitForHeader(block, orderer: orderer) { return failure }
            guard let place = place(of: transaction.id), place.block == block else {
                return .unknown("the orderer at \(orderer) committed it in block \(block), but this node's verified block \(block) does not hold it")
            }
            return .committed(block: place.block, index: place.index, place.validation)
        }, reached: { block in await waitForHeader(block, orderer: orderer) })
    }

    private func watch(_ id: SHA256Digest) {
        locked { watched[id, default: 0] += 1 }
    }

    private func unwatch(_ id: SHA256Digest) {
        locked {
            let left = (watched[id] ?? 1) - 1
            watched[id] = left > 0 ? left : nil
            if left <= 0 { found[id] = nil }
        }
    }

    private func place(of id: SHA256Digest) -> (block: UInt64, index: UInt32, validation: Validation)? {
        locked { found[id] }
    }

    /// Waits until this node keeps block `block`'s verified header; nil then, else why it
    /// never will.
    private func waitForHeader(_ block: UInt64, orderer: String) async -> SubmitResult? {
        while ledger.headers.height <= block {
            if isStopping { return .unknown("the orderer at \(orderer) committed it in block \(block); this node stopped before it verified that block") }
            await waitForHeight(above: ledger.headers.height, timeout: nil)
        }
        return nil
    }

    // MARK: Status

    /// The channel's row in a `status` answer: its header height, the last header's
    /// hash and commit hash (the orderer's, as signed), and role `access`.
    func statusRow() -> ChannelStatus {
        let last = ledger.headers.last
        var row = ChannelStatus(channel: name, height: ledger.headers.height, lastBlockHash: last?.hash.hex ?? "",
                                commitHash: last?.commitHash.hex ?? "", transactions: transactionsVerified, pending: 0)
        row.state = "running"
        row.role = "access"
        row.following = target.orderer
        row.peers = sources.statuses()
        return row
    }
}
