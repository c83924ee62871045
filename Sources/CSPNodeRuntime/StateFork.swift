import CSPBasics
import CSPChannel
import CSPContracts
import CSPCrypto
import CSPFormat
import CSPLedger
import CSPNodeProtocol
import Foundation

/// A state fork (docs/NETWORK.md, "State forks"): executing block `block` gave this node
/// another commit hash than the one `node` recorded for it (for a follower, the orderer's,
/// in the header it signed). The same block from the same signed history gave two
/// states: one node's execution or state differs (an altered index, another contract
/// build). Nothing this node answers about the channel can then be vouched for.
struct StateFork: Sendable, Equatable {
    let block: UInt64
    let own: SHA256Digest
    let other: SHA256Digest
    let node: String
    /// What this node's re-execution disagreed on, for the log.
    let detail: String
    /// When it was found (milliseconds since the epoch).
    var found = UInt64(Date().timeIntervalSince1970 * 1000)

    /// Where a channel keeps its fork, so that it stays forked across restarts until an
    /// operator clears it (`csp-node clear-fork`, `csp-node rebuild`).
    static let fileName = "fork.json"

    /// `ms` (since the epoch) as UTC ISO 8601, for the log and `csp-node clear-fork`.
    static func time(_ ms: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    private struct Record: Codable {
        var block: UInt64
        var commit_hash: String
        var other_commit_hash: String
        var node: String
        var detail: String
        var found: UInt64
    }

    /// Written atomically (fsynced, renamed, the folder fsynced) before the fork is acted on.
    func save(channelDirectory directory: String) throws {
        let record = Record(block: block, commit_hash: own.hex, other_commit_hash: other.hex, node: node, detail: detail, found: found)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try FileIO.writeAtomically(directory + "/" + Self.fileName, Array(try encoder.encode(record)) + [10], mode: 0o640)
    }

    /// The channel's recorded fork, nil when it has none. A record that cannot be read
    /// stops the start: a fork is never forgotten silently.
    static func load(channelDirectory directory: String) throws -> StateFork? {
        let path = directory + "/" + fileName
        guard FileIO.exists(path) else { return nil }
        let bytes = try FileIO.read(path, limit: 1 << 20)
        guard let record = try? JSONDecoder().decode(Record.self, from: Data(bytes)),
              let own = SHA256Digest(hex: record.commit_hash), let other = SHA256Digest(hex: record.other_commit_hash) else {
            throw NodeError("the state fork record \(quoted(path)) is not valid: repair or remove it with 'csp-node clear-fork'")
        }
        return StateFork(block: record.block, own: own, other: other, node: record.node, detail: record.detail, found: record.found)
    }

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
        forkFound(StateFork(block: header.number, own: own, other: header.commitHash, node: source, detail: detail))
        waitForStop()
        return true
    }

    /// Records `found` on disk first (written atomically and fsynced), so that a restart or
    /// a crash at any moment after the channel acts on it still knows it; then stops the
    /// channel's writes, marks its reads suspect and says so once. Every path on which
    /// this node finds its own channel forked comes here: its execution of a block against
    /// the orderer's signed header (`stopOnFork`), and two blocks the orderer signed at one
    /// height found by comparing with another node (PeerExchange.swift). Later forks keep the first.
    func forkFound(_ found: StateFork) {
        // One at a time, so that a second fork found at once neither overwrites the first's record nor acts before it.
        Self.recordingFork.withLock {
            condition.lock()
            let first = fork == nil
            condition.unlock()
            guard first else { return }
            var remembered = "it is remembered in \(quoted(ledger.directory + "/" + StateFork.fileName)) until an operator clears it"
            do { try found.save(channelDirectory: ledger.directory) } catch {
                remembered = "it could not be written to disk (\(error)): a restart finds it only when it meets it again"
            }
            condition.lock()
            fork = found
            let heights = heightWaiters
            heightWaiters = []
            let confirmations = allConfirmationsLocked()
            condition.broadcast()
            condition.unlock()
            heights.forEach { $0.resume() }
            confirmations.forEach(confirm)
            log(found.message(channel: name) + " (\(found.detail)); this channel takes no submissions, its reads are marked suspect, and it stops following until its ledger is repaired (csp-node rebuild, or a new join); " + remembered,
                level: .critical)
        }
    }

    private static let recordingFork = NSLock()

    /// A forked follower commits nothing more: its commit thread waits here for the node to stop.
    func waitForStop() {
        condition.lock()
        while state != .stopping { condition.wait() }
        condition.unlock()
    }
}

extension NodeRunner {
    /// `csp-node clear-fork` (and `csp-node rebuild` once it has rebuilt the index): moves a
    /// stopped channel's fork record aside to `fork.cleared-<UTC time>.json`, kept as
    /// evidence; the node then follows again and verifies the block that forked afresh.
    /// Nil when the channel has no recorded fork; else what was cleared (a record that
    /// cannot be read is moved aside too) and where it is kept. Refused while a node has it open.
    public static func clearFork(home: NodeHome, channel: String) throws -> (fork: String, kept: String)? {
        let directory = home.channel(channel)
        guard FileIO.isDirectory(directory) else { throw NodeError("no channel \(quoted(channel)) in \(quoted(home.path))") }
        do {
            return try LedgerStore.whileClosed(directory: directory) { () throws -> (fork: String, kept: String)? in
                let path = directory + "/" + StateFork.fileName
                guard FileIO.exists(path) else { return nil }
                let fork = (try? StateFork.load(channelDirectory: directory))?
                    .map { "the state fork at block \($0.block) (this node's commit hash \($0.own.hex), \($0.node)'s \($0.other.hex))" }
                    ?? "an unreadable state fork record"
                let stamp = StateFork.time(UInt64(Date().timeIntervalSince1970 * 1000)).replacingOccurrences(of: ":", with: "")
                var kept = directory + "/fork.cleared-\(stamp).json"
                var suffix = 1
                while FileIO.exists(kept) { suffix += 1; kept = directory + "/fork.cleared-\(stamp)-\(suffix).json" }
                guard rename(path, kept) == 0 else { throw SystemError("cannot move \(quoted(path)) to \(quoted(kept))") }
                try FileIO.syncDirectory(containing: path)
                return (fork, kept)
            }
        } catch let error as LedgerError where error.kind == .unavailable {
            throw NodeError("channel \(quoted(channel)) is open in a running node: stop it first")
        }
    }
}
