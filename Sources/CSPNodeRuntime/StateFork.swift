import CSPBasics
import CSPChannel
import CSPContracts
import CSPCrypto
import CSPFormat
import CSPNodeProtocol
import Foundation

/// A state fork (docs/NETWORK.md, "State forks"): executing block `block` gave this node
/// another commit hash than the one `node` recorded for it (for a follower, the orderer's,
/// in the header it signed). The same block from the same signed history gave two
/// states: one node's execution or state differs (an altered index, another contract
/// build). Nothing this node answers about the channel can then be vouched for.
struct StateFork: Sendable {
    let block: UInt64
    let own: SHA256Digest
    let other: SHA256Digest
    let node: String
    /// What this node's re-execution disagreed on, for the log.
    let detail: String

    var report: StateForkReport {
        StateForkReport(block: block, commitHash: own.hex, otherCommitHash: other.hex, node: node)
    }

    func message(channel: String) -> String {
        "state fork on channel \(quoted(channel)) at block \(block): this node's commit hash is \(own.hex), \(node) recorded \(other.hex)"
    }

    /// The answer to a submission on a forked channel.
    func refusal(channel: String) -> String {
        message(channel: channel) + "; this node takes no submissions on the channel until its ledger is repaired"
    }
}

extension ChannelService {
    var currentFork: StateFork? {
        condition.lock()
        defer { condition.unlock() }
        return fork
    }

    /// Called when block `record` from `source` failed verification or the ledger's
    /// commit-hash check. Returns false at once when the failure is not a fork: the block
    /// is not the next one signed by the channel's orderer on this node's chain, or this
    /// node's own execution of it reaches the commit hash in its signed header (then only
    /// the record's unsigned codes or effects were altered on the way: a bad block).
    ///
    /// Otherwise the fork is recorded and logged, the channel stops taking submissions,
    /// its reads are marked suspect, and this follower stops following: another try of
    /// the same block can only fork again. It waits here until the node stops, then
    /// returns true; a restart verifies the block again and finds the fork again.
    func stopOnFork(_ record: CommittedBlock, source: String) -> Bool {
        let header = record.block.header
        let rules = currentRules
        guard header.number == ledger.height, header.previousHash == (ledger.lastBlockHash ?? .zero),
              (try? BlockVerifier(rules: rules).verifyOrderer(record)) != nil else { return false }
        let now = Date(timeIntervalSince1970: Double(header.timestamp) / 1000)
        let execution: BlockExecution
        do {
            execution = try Executor(rules: rules).execute(
                record.block.transactions, admitted: record.block.transactions.map { rules.admit($0, now: now) },
                block: BlockContext(number: header.number, timestamp: header.timestamp),
                state: LedgerStateReader(ledger: ledger), isDuplicate: { try self.ledger.contains(transaction: $0) })
        } catch {
            return false
        }
        var mine = record
        mine.block.validations = execution.validations
        mine.effects = execution.effects
        guard let own = try? mine.commitHash(previous: ledger.lastCommitHash), own != header.commitHash else { return false }
        let differing = zip(record.block.validations, execution.validations).enumerated().first { $0.element.0 != $0.element.1 }
        let detail = differing.map { "transaction \($0.offset) is \($0.element.0.code) there and \($0.element.1.code) here" }
            ?? (record.effects != execution.effects ? "the writes differ" : "the commit hashes before it differ")
        let found = StateFork(block: header.number, own: own, other: header.commitHash, node: source, detail: detail)
        condition.lock()
        fork = found
        let heights = heightWaiters
        heightWaiters = []
        condition.unlock()
        heights.forEach { $0.resume() }
        log(found.message(channel: name) + " (\(detail)); this channel takes no submissions, its reads are marked suspect, and it stops following until its ledger is repaired (csp-node rebuild, or a new join)",
            level: .critical)
        condition.lock()
        while state != .stopping { condition.wait() }
        condition.unlock()
        return true
    }
}
