import CSPBasics
import CSPContracts
import CSPCrypto
import CSPFormat
import Foundation

/// What a node that keeps block headers only (an access node, docs/NETWORK.md "Access
/// nodes") checks of each block before it keeps its header, from the block, the header
/// before it and the configuration in force, without any world state:
///
/// - the block follows the previous header: next number, this channel, its previous hash
///   is that header's hash, its timestamp is not before that header's;
/// - the header is signed (low-S) by the configuration's orderer over its hash;
/// - the Merkle root and transaction count are those of its transactions;
/// - every transaction's and endorsement's signature and its admission under the
///   configuration in force, at the block's timestamp: a transaction admission refuses
///   must be recorded with exactly that refusal;
/// - the recorded validation codes and writes, over the previous header's commit hash,
///   give the commit hash in the signed header: they are what the orderer signed;
/// - a configuration transaction recorded valid is executed again (the configuration
///   contract reads no state) and must give the recorded effects; the configuration it
///   writes must build rules. That configuration is in force for the blocks after it.
///
/// What it cannot check needs the state: whether an admitted transaction's recorded
/// verdict and writes are what executing it gives (contracts read state; duplicate ids,
/// deregistered accounts and once keys are state), hence not the commit hash as computed
/// from a state either. Those are the orderer's word, bound by its signature.
public struct HeaderVerifier: Sendable {
    public let rules: ChannelRules

    public init(rules: ChannelRules) { self.rules = rules }

    /// Verifies `record`, the block after `previous`. Returns the configuration in force
    /// after it when the block changes it.
    ///
    /// `signatures`, when given, says per transaction whether its signatures were already
    /// verified (`SignatureCheck`), as for `BlockVerifier.verify`.
    public func verify(_ record: CommittedBlock, after previous: BlockHeader,
                       signatures: [Bool]? = nil) throws(BlockVerificationError) -> ChannelConfig? {
        let block = record.block
        let header = block.header
        let number = header.number
        func refuse(_ reason: String) -> BlockVerificationError { BlockVerificationError(block: number, reason: reason) }
        guard number == previous.number + 1 else { throw refuse("it is not the next block (height \(previous.number + 1))") }
        guard header.channel == rules.config.channel else { throw refuse("it is for channel \(quoted(header.channel))") }
        guard header.previousHash == previous.hash else { throw refuse("its previous hash does not chain to block \(previous.number)") }
        guard header.timestamp >= previous.timestamp else {
            throw refuse("its timestamp \(header.timestamp) is before the previous block's (\(previous.timestamp))")
        }
        try BlockVerifier(rules: rules).verifyOrderer(record)
        let count = block.transactions.count
        guard block.validations.count == count, record.effects.count == count else {
            throw refuse("it holds \(count) transactions but \(block.validations.count) validation codes and \(record.effects.count) effects")
        }
        guard Int(header.transactionCount) == count, Block.merkleRoot(of: block.transactions) == header.merkleRoot else {
            throw refuse("its Merkle root does not match its transactions")
        }

        let now = Date(timeIntervalSince1970: Double(header.timestamp) / 1000)
        let admissions: [Admission]
        if let signatures, signatures.count == count {
            admissions = zip(block.transactions, signatures).map { transaction, verified in
                verified ? rules.admitSigned(transaction, now: now) : rules.admit(transaction, now: now)
            }
        } else {
            admissions = BlockVerifier.admitInParallel(block.transactions, rules: rules, now: now)
        }
        for (index, admission) in admissions.enumerated() where !admission.isAdmitted {
            let stored = block.validations[index]
            guard stored == admission.validation else {
                throw refuse("transaction \(index) (\(block.transactions[index].id.hex)) is recorded as \(Self.describe(stored)) but admission under the configuration in force at the block gives \(Self.describe(admission.validation))")
            }
        }

        let commitHash: SHA256Digest
        do { commitHash = try record.commitHash(previous: previous.commitHash) } catch {
            throw refuse("its commit hash cannot be computed: \(error)")
        }
        guard commitHash == header.commitHash else {
            throw refuse("its recorded validation codes and writes do not give the commit hash its signed header carries")
        }
        return try configuration(record, admissions: admissions)
    }

    /// The configuration a valid configuration transaction of `record` puts in force,
    /// re-executed (it reads no state); nil when the block changes none.
    private func configuration(_ record: CommittedBlock, admissions: [Admission]) throws(BlockVerificationError) -> ChannelConfig? {
        let block = record.block
        let number = block.header.number
        let changing = block.transactions.indices.filter { index in
            block.validations[index].code == .valid
                && (block.transactions[index].body.contract == ConfigContract.name
                    || record.effects[index].writes.contains { $0.key == Executor.configKey })
        }
        guard let index = changing.first else { return nil }
        guard block.transactions.count == 1, block.transactions[index].body.contract == ConfigContract.name else {
            throw BlockVerificationError(block: number, reason: "it changes the channel configuration outside a configuration transaction of its own block")
        }
        let execution: BlockExecution
        do {
            execution = try Executor(rules: rules).execute(block.transactions, admitted: admissions,
                                                           block: BlockContext(number: number, timestamp: block.header.timestamp),
                                                           state: NoState(), isDuplicate: { _ in false })
        } catch {
            throw BlockVerificationError(block: number, reason: "cannot re-execute its configuration transaction: \(error)")
        }
        guard execution.validations == block.validations, execution.effects == record.effects, let next = execution.newConfig else {
            let computed = execution.validations.first.map(Self.describe) ?? "nothing"
            throw BlockVerificationError(block: number, reason: "its configuration transaction is recorded as valid with its writes, but executing it again gives \(computed) with other effects")
        }
        do { _ = try ChannelRules(config: next) } catch {
            throw BlockVerificationError(block: number, reason: "its configuration is not valid: \(error)")
        }
        return next
    }

    private static func describe(_ validation: Validation) -> String {
        validation.code == .valid ? "valid" : "\(validation.code) (\(validation.reason))"
    }
}

/// No world state: what the configuration contract runs against on a node without one.
private struct NoState: StateReader {
    func value(for key: [UInt8]) throws -> [UInt8]? { nil }
}
