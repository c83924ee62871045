import CSPBasics
import CSPCertificates
import CSPContracts
import CSPCrypto
import CSPFormat
import Dispatch
import Foundation
import Synchronization

/// Re-checks a committed block as a node that did not order it must: from the block
/// alone, the configuration in force before it, and the state before it. This is what
/// a node runs on blocks past its savepoint at start, what `csp-node check` runs on every
/// block, and what a peer will run on every block it receives.
///
/// Checks, in order: the header names the configuration's orderer and carries its low-S
/// signature over the header hash; every transaction is admitted again under `rules` at
/// the header's timestamp (signatures included, in parallel on every core); the block is
/// executed again, and every validation code, reason and effect must equal the stored one.
/// The hash chain, Merkle root and commit hash over the stored effects are the ledger's
/// own checks (docs/STORAGE.md) and are not repeated here; equal effects make them hold.
public struct BlockVerifier: Sendable {
    public let rules: ChannelRules

    public init(rules: ChannelRules) { self.rules = rules }

    /// Checks only the orderer's identity and signature (cheap: one ECDSA verification).
    public func verifyOrderer(_ record: CommittedBlock) throws(BlockVerificationError) {
        let header = record.block.header
        guard header.orderer == rules.orderer.der else {
            throw BlockVerificationError(block: header.number, reason: "it is signed by a certificate that is not the channel's orderer")
        }
        let valid: Bool
        do {
            valid = try rules.ordererKey.isValidLowSSignature(record.block.signature, digest: header.hash)
        } catch {
            throw BlockVerificationError(block: header.number, reason: "orderer signature: \(error)")
        }
        guard valid else {
            throw BlockVerificationError(block: header.number, reason: "the orderer's signature does not verify")
        }
    }

    /// Block timestamps never decrease: a block may not be older than the one before it.
    public static func verifyTimestamp(_ record: CommittedBlock, previous: UInt64) throws(BlockVerificationError) {
        let header = record.block.header
        guard header.timestamp >= previous else {
            throw BlockVerificationError(block: header.number, reason: "its timestamp \(header.timestamp) is before the previous block's (\(previous))")
        }
    }

    /// Full verification of a block after block 0. Returns the re-execution (its
    /// `newConfig` is the configuration in force after the block).
    ///
    /// `signatures`, when given, says per transaction whether its signature was already
    /// verified (`SignatureCheck`, possibly for many blocks at once on every core); those
    /// are admitted without a second ECDSA verification, the others in full.
    public func verify(_ record: CommittedBlock, state: any StateReader, signatures: [Bool]? = nil,
                       isDuplicate: (SHA256Digest) throws -> Bool) throws -> BlockExecution {
        let block = record.block
        let number = block.header.number
        try verifyOrderer(record)
        let now = Date(timeIntervalSince1970: Double(block.header.timestamp) / 1000)
        let admissions: [Admission]
        if let signatures, signatures.count == block.transactions.count {
            admissions = zip(block.transactions, signatures).map { transaction, verified in
                verified ? rules.admitSigned(transaction, now: now) : rules.admit(transaction, now: now)
            }
        } else {
            admissions = Self.admitInParallel(block.transactions, rules: rules, now: now)
        }
        let execution: BlockExecution
        do {
            execution = try Executor(rules: rules).execute(block.transactions, admitted: admissions,
                                                           block: BlockContext(number: number, timestamp: block.header.timestamp),
                                                           state: state, isDuplicate: isDuplicate)
        } catch let error as ExecutionError {
            throw BlockVerificationError(block: number, reason: "cannot re-execute it: \(error)")
        }
        for (index, transaction) in block.transactions.enumerated() {
            let stored = block.validations[index], computed = execution.validations[index]
            guard stored == computed else {
                throw BlockVerificationError(block: number, reason: "transaction \(index) (\(transaction.id.hex)) is recorded as \(Self.describe(stored)) but re-checking it gives \(Self.describe(computed))")
            }
            guard record.effects[index] == execution.effects[index] else {
                throw BlockVerificationError(block: number, reason: "transaction \(index) (\(transaction.id.hex)): the recorded writes, events or accounts differ from those re-executing it produces")
            }
        }
        return execution
    }

    /// Block 0: the genesis transaction, its configuration and its effects, signed by
    /// that configuration's orderer. Returns the configuration it establishes.
    public static func verifyGenesis(_ record: CommittedBlock, channel: String) throws(BlockVerificationError) -> ChannelConfig {
        let block = record.block
        guard block.header.number == 0 else {
            throw BlockVerificationError(block: block.header.number, reason: "it is not block 0")
        }
        guard block.transactions.count == 1, block.validations == [.valid] else {
            throw BlockVerificationError(block: 0, reason: "block 0 must hold exactly one valid config.genesis transaction")
        }
        let config: ChannelConfig
        let rules: ChannelRules
        do {
            config = try Executor.genesisConfig(from: block.transactions[0])
            rules = try ChannelRules(config: config)
        } catch {
            throw BlockVerificationError(block: 0, reason: "\(error)")
        }
        guard config.channel == channel else {
            throw BlockVerificationError(block: 0, reason: "it configures channel \(quoted(config.channel)), not \(quoted(channel))")
        }
        try BlockVerifier(rules: rules).verifyOrderer(record)
        guard record.effects == [Executor.genesisEffects(config: config)] else {
            throw BlockVerificationError(block: 0, reason: "its recorded effects are not those of its configuration")
        }
        return config
    }

    /// `rules.admit` for every transaction at `now`, spread over all cores: the ECDSA
    /// verifications are nearly all of a block's verification time.
    public static func admitInParallel(_ transactions: [Transaction], rules: ChannelRules, now: Date) -> [Admission] {
        let count = transactions.count
        guard count > 16 else { return transactions.map { rules.admit($0, now: now) } }
        let chunks = min(count, ProcessInfo.processInfo.activeProcessorCount * 4)
        let results = [Admission](unsafeUninitializedCapacity: count) { buffer, initialized in
            let base = UncheckedPointer(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let lower = chunk * count / chunks, upper = (chunk + 1) * count / chunks
                for index in lower..<upper {
                    (base.pointer + index).initialize(to: rules.admit(transactions[index], now: now))
                }
            }
            initialized = count
        }
        return results
    }

    private static func describe(_ validation: Validation) -> String {
        validation.code == .valid ? "valid" : "\(validation.code) (\(validation.reason))"
    }
}

/// Signature checks that need no rules: whether each transaction's signature, and every
/// endorsement's, verifies with the key of the certificate it names, in low-S form. Run over many blocks at once
/// it keeps every core busy however small the blocks are; `BlockVerifier.verify` then
/// applies the rules in force at each block without repeating them.
public enum SignatureCheck {
    /// `keys` may outlive the call (a follower keeps one for all it fetches), so a pushed
    /// block of a few transactions does not parse its creators' certificates again.
    ///
    /// A transaction found in `verified` (this process checked exactly these bytes
    /// before: a follower forwarding its client's submission) counts as verified without
    /// a second ECDSA verification, and is taken out of it.
    public static func verify(_ transactions: [Transaction], keys: KeyCache = KeyCache(), verified: VerifiedTransactions? = nil) -> [Bool] {
        let count = transactions.count
        guard count > 0 else { return [] }
        let known = verified?.take(transactions) ?? []
        // Only the transactions not verified before cost an ECDSA verification.
        let unknown = known.isEmpty ? Array(0..<count) : known.indices.filter { !known[$0] }
        var results = known.isEmpty ? [Bool](repeating: false, count: count) : known
        // A few verifications run here: waking other threads for them would cost a pushed
        // block more, in waiting for a core, than it saves.
        if unknown.count <= inlineLimit {
            var recent = RecentKey()
            for index in unknown { results[index] = allSignaturesVerify(transactions[index], keys: keys, recent: &recent) }
            return results
        }
        let chunks = min(unknown.count, ProcessInfo.processInfo.activeProcessorCount * 4)
        results.withUnsafeMutableBufferPointer { buffer in
            let base = UncheckedPointer(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var recent = RecentKey()
                for slot in (chunk * unknown.count / chunks)..<((chunk + 1) * unknown.count / chunks) {
                    let index = unknown[slot]
                    (base.pointer + index).pointee = allSignaturesVerify(transactions[index], keys: keys, recent: &recent)
                }
            }
        }
        return results
    }

    /// Up to this many transactions to verify are verified on the calling thread.
    static let inlineLimit = 2

    /// Transactions whose every signature this process has verified, remembered by the
    /// SHA-256 of their exact encoding (so a transaction differing in any byte, a
    /// signature or certificate included, is a different entry and is verified in full).
    /// Only successes are kept; each is used once. A follower records the submissions it
    /// forwards while the orderer orders them, so the block that brings them back costs
    /// no ECDSA verification on the way to its commit (docs/NETWORK.md).
    public final class VerifiedTransactions: Sendable {
        private struct Entries {
            var set = Set<SHA256Digest>()
            /// Oldest first, for dropping the oldest past `limit` (a forwarded transaction
            /// that never came back in a block).
            var order: [SHA256Digest] = []
            var start = 0
        }
        private let entries = Mutex(Entries())
        private let limit: Int

        public init(limit: Int = 1 << 16) { self.limit = limit }

        /// Verifies every signature of `transaction` (as `verify` does) and remembers it when all verify.
        @discardableResult
        public func record(_ transaction: Transaction, keys: KeyCache) -> Bool {
            var recent = RecentKey()
            guard allSignaturesVerify(transaction, keys: keys, recent: &recent) else { return false }
            let key = Self.key(transaction)
            entries.withLock { entries in
                guard entries.set.insert(key).inserted else { return }
                entries.order.append(key)
                while entries.set.count > limit, entries.start < entries.order.count {
                    entries.set.remove(entries.order[entries.start])
                    entries.start += 1
                }
                // Keys taken out stay in `order` until it is compacted here.
                if entries.order.count - entries.start > 2 * limit || entries.start > limit {
                    let set = entries.set
                    entries.order = entries.order[entries.start...].filter { set.contains($0) }
                    entries.start = 0
                }
            }
            return true
        }

        /// Per transaction, whether it was recorded (taking it out); empty when none was.
        func take(_ transactions: [Transaction]) -> [Bool] {
            // A follower catching up forwards nothing: no encoding or hashing then.
            if entries.withLock({ $0.set.isEmpty }) { return [] }
            let keys = transactions.map(Self.key)
            var found = false
            let known = entries.withLock { entries in
                keys.map { key in
                    let hit = entries.set.remove(key) != nil
                    found = found || hit
                    return hit
                }
            }
            return found ? known : []
        }

        public var count: Int { entries.withLock { $0.set.count } }

        private static func key(_ transaction: Transaction) -> SHA256Digest { SHA256.hash(transaction.encoded()) }
    }

    private static func allSignaturesVerify(_ transaction: Transaction, keys: KeyCache, recent: inout RecentKey) -> Bool {
        func verifies(_ signature: [UInt8], _ certificate: [UInt8]) -> Bool {
            guard let key = recent.key(for: certificate, keys: keys) else { return false }
            return (try? key.isValidLowSSignature(signature, digest: transaction.id)) ?? false
        }
        return verifies(transaction.signature, transaction.body.creator)
            && transaction.endorsements.allSatisfy { verifies($0.signature, $0.certificate) }
    }

    /// One worker's last certificate and its key. Consecutive transactions mostly share
    /// their creator: comparing the bytes is far cheaper than hashing a certificate for
    /// the shared cache's lookup under its lock, which profiles showed on every transaction.
    private struct RecentKey {
        private var certificate: [UInt8] = []
        private var key: P256PublicKey?

        mutating func key(for der: [UInt8], keys: KeyCache) -> P256PublicKey? {
            let same = !certificate.isEmpty && certificate.count == der.count
                && certificate.withUnsafeBytes { a in der.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
            if !same {
                certificate = der
                key = keys.key(for: der)
            }
            return key
        }
    }

    /// Creator and endorser keys by certificate, each parsed once (nil: it does not
    /// parse). Only keys: whether a certificate may sign is admission's question.
    public final class KeyCache: Sendable {
        private let keys = Mutex<[[UInt8]: P256PublicKey?]>([:])
        /// Past this many certificates the cache starts again.
        private let limit: Int

        public init(limit: Int = 4096) { self.limit = limit }

        func key(for der: [UInt8]) -> P256PublicKey? {
            if let known = keys.withLock({ $0[der] }) { return known }
            let key = try? Certificate(der: der).publicKey
            keys.withLock { keys in
                if keys.count >= limit { keys.removeAll(keepingCapacity: true) }
                keys[der] = .some(key)
            }
            return key
        }
    }
}

/// Disjoint slices of one buffer, each initialised by one worker of `concurrentPerform`.
private struct UncheckedPointer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    init(_ pointer: UnsafeMutablePointer<Element>) { self.pointer = pointer }
}

/// A block that fails verification: which block, and the first reason.
public struct BlockVerificationError: Error, CustomStringConvertible, Equatable, Sendable {
    public let block: UInt64
    public let reason: String

    public init(block: UInt64, reason: String) {
        self.block = block
        self.reason = reason
    }

    public var description: String { "block \(block): \(reason)" }
}
