import CSPBasics
import CSPChannel
import CSPContracts
import CSPCrypto
import CSPFormat
import CSPLedger

/// `csp-node check`: re-verifies every block of a channel from its block files alone, as
/// a node that trusted nothing it had not computed would: record checksums, the hash
/// chain and Merkle roots (`BlockFileReader`), block 0's configuration, then for every
/// later block the orderer's signature, every transaction's signature and admission under
/// the configuration in force at that block and its timestamp, duplicate ids, and
/// re-execution against the state the earlier blocks built, whose codes and effects must
/// equal the recorded ones, and the commit-hash chain. It reads only the block files, so
/// it runs beside a serving node; the index is neither read nor trusted.
public enum LedgerCheck {
    public struct Report: Sendable {
        public var blocks: UInt64 = 0
        public var transactions: UInt64 = 0
        public var valid: UInt64 = 0
        public var lastBlockHash: SHA256Digest?
        public var commitHash: SHA256Digest = .zero
        public var lastTimestamp: UInt64 = 0
    }

    /// The first block that does not verify (the answer "no", not an error): "block N: why".
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Throws `Failure` for the first block that fails, and other errors (`LedgerError`)
    /// when the files cannot be read. `observe` sees each block's number, hash and
    /// computed commit hash once it verified (csp-audit's trust check).
    /// With `completeTail`, a torn last record is a failure (a truncated file), not an
    /// append still in progress.
    public static func run(directory: String, channel: String, completeTail: Bool = false,
                           observe: @escaping (UInt64, SHA256Digest, SHA256Digest) -> Void = { _, _, _ in }) throws -> Report {
        let reader = try BlockFileReader(directory: directory, completeTail: completeTail)
        return try run(channel: channel, observe: observe) { body in try reader.forEach(from: 0) { _, record in try body(record) } }
    }

    /// The same checks over blocks from any source (a node's socket): `blocks` calls its
    /// argument with block 0, 1, 2 … in order. Numbering and the hash chain are checked
    /// here too, since such a source is not the block files' reader.
    public static func run(channel: String, observe: @escaping (UInt64, SHA256Digest, SHA256Digest) -> Void = { _, _, _ in },
                           blocks: ((CommittedBlock) throws -> Void) throws -> Void) throws -> Report {
        do {
            return try verify(channel: channel, observe: observe, blocks: blocks)
        } catch let error as BlockVerificationError {
            throw Failure(description: error.description)
        } catch let error as LedgerError where error.kind == .corrupt {
            // A damaged record or a broken hash chain is a block that does not verify; the
            // message names the block, file and offset.
            throw Failure(description: error.description)
        }
    }

    /// Blocks are read ahead in batches of about this many transactions, whose signatures
    /// are verified together on every core before the blocks are checked in order.
    static let batchTransactions = 4096

    private static func verify(channel: String, observe: @escaping (UInt64, SHA256Digest, SHA256Digest) -> Void,
                               blocks: ((CommittedBlock) throws -> Void) throws -> Void) throws -> Report {
        let state = MemoryState()
        var ids = Set<SHA256Digest>()
        var rules: ChannelRules?
        var report = Report()
        var batch: [CommittedBlock] = []
        var batchSize = 0

        func check(_ record: CommittedBlock, signatures: ArraySlice<Bool>) throws {
            let header = record.block.header
            let number = header.number
            guard number == report.blocks, header.previousHash == (report.lastBlockHash ?? .zero) else {
                throw BlockVerificationError(block: number, reason: number == report.blocks
                    ? "its previous hash \(header.previousHash.hex) is not the hash of the block before it"
                    : "it comes where block \(report.blocks) belongs")
            }
            guard header.channel == channel else {
                throw BlockVerificationError(block: number, reason: "it belongs to channel \(quoted(header.channel)), not \(quoted(channel))")
            }
            try BlockVerifier.verifyTimestamp(record, previous: report.lastTimestamp)
            if number == 0 {
                rules = try makeRules(try BlockVerifier.verifyGenesis(record, channel: channel), block: 0)
            } else {
                guard let current = rules else { throw BlockVerificationError(block: number, reason: "no configuration is in force") }
                let execution = try BlockVerifier(rules: current).verify(record, state: state, signatures: Array(signatures),
                                                                         isDuplicate: { ids.contains($0) })
                if let next = execution.newConfig { rules = try makeRules(next, block: number) }
            }
            let computed: SHA256Digest
            do { computed = try record.commitHash(previous: report.commitHash) } catch {
                throw BlockVerificationError(block: number, reason: "cannot compute its commit hash: \(error)")
            }
            guard computed == header.commitHash else {
                throw BlockVerificationError(block: number, reason: "commit hash \(header.commitHash) in the header does not match \(computed) computed from its effects")
            }
            for write in record.finalWrites { state.values[write.key] = write.value }
            for transaction in record.block.transactions { ids.insert(transaction.id) }
            report.blocks += 1
            report.transactions += UInt64(record.block.transactions.count)
            report.valid += UInt64(record.block.validations.filter { $0.code == .valid }.count)
            report.lastBlockHash = header.hash
            report.lastTimestamp = header.timestamp
            report.commitHash = computed
            observe(number, header.hash, computed)
        }

        func flush() throws {
            let signatures = SignatureCheck.verify(batch.flatMap(\.block.transactions))
            var offset = 0
            for record in batch {
                let count = record.block.transactions.count
                try check(record, signatures: signatures[offset..<(offset + count)])
                offset += count
            }
            batch.removeAll(keepingCapacity: true)
            batchSize = 0
        }

        do {
            try blocks { record in
                batch.append(record)
                batchSize += record.block.transactions.count
                if batchSize >= batchTransactions { try flush() }
            }
        } catch let error as BlockVerificationError {
            throw error
        } catch {
            // A damaged record further on: the blocks read before it come first.
            try flush()
            throw error
        }
        try flush()
        return report
    }

    private static func makeRules(_ config: ChannelConfig, block: UInt64) throws -> ChannelRules {
        do { return try ChannelRules(config: config) } catch {
            throw BlockVerificationError(block: block, reason: "its configuration is not valid: \(error)")
        }
    }
}

/// The world state rebuilt in memory from the blocks checked so far.
final class MemoryState: StateReader {
    var values: [[UInt8]: [UInt8]] = [:]
    func value(for key: [UInt8]) throws -> [UInt8]? { values[key] }
}
