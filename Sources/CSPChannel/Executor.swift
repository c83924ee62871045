import CSPBasics
import CSPCertificates
import CSPContracts
import CSPCrypto
import CSPFormat

/// Executes a block's transactions in order: the built-in contracts, and the workflow
/// engine for every other contract name.
///
/// Deterministic: the result depends only on the transactions, their admission
/// results, the state and the ledger's id index — never on the clock, randomness or
/// dictionary order — so every node computes the same write set and commit hash.
public struct Executor: Sendable {
    public let rules: ChannelRules

    public init(rules: ChannelRules) {
        self.rules = rules
    }

    /// `admitted[i]` is `rules.admit(transactions[i], now: block timestamp)` (or
    /// `admitSigned` where this process verified the signature already), computed by the
    /// node in parallel. An admitted transaction is then checked for a duplicate id —
    /// earlier in this block, or committed before (`isDuplicate`) — and executed against
    /// `state` plus the writes of this block's earlier valid transactions. Errors thrown
    /// by `state` or `isDuplicate` stop the block.
    public func execute(_ transactions: [Transaction], admitted: [Admission], block context: BlockContext, state: any StateReader,
                        isDuplicate: (SHA256Digest) throws -> Bool) throws -> BlockExecution {
        guard admitted.count == transactions.count else {
            throw ExecutionError("\(admitted.count) admission results for \(transactions.count) transactions")
        }
        let block = BlockState(base: state)
        var seen = Set<SHA256Digest>()
        var result = BlockExecution(validations: [], effects: [], newConfig: nil)
        result.validations.reserveCapacity(transactions.count)
        result.effects.reserveCapacity(transactions.count)

        for (position, (transaction, admission)) in zip(transactions, admitted).enumerated() {
            guard case .admitted(let creator, let endorsers) = admission else {
                result.validations.append(admission.validation)
                result.effects.append(.none)
                continue
            }

            // Only ids of admitted transactions count as seen (see BlockExecution.consumesID).
            if seen.contains(transaction.id) {
                result.validations.append(.refused(.duplicateID, "transaction \(transaction.id.hex) appears earlier in this block"))
                result.effects.append(.none)
                continue
            }
            if try isDuplicate(transaction.id) {
                result.validations.append(.refused(.duplicateID, "transaction \(transaction.id.hex) was committed in an earlier block"))
                result.effects.append(.none)
                continue
            }
            seen.insert(transaction.id)

            // A deregistered account transacts no more; the block's earlier
            // deregistrations count.
            if let refusal = try Self.deregistration(of: creator, endorsers: endorsers, in: block) {
                result.validations.append(refusal)
                result.effects.append(.none)
                continue
            }

            // A once key takes effect once: the first valid use (earlier in this block
            // included) records it, and every later one is refused before running.
            let once = transaction.body.onceKey
            if let once, let record = try OnceKeys.record(account: creator.account, key: once, in: block) {
                result.validations.append(OnceKeys.refusal(once, record))
                result.effects.append(.none)
                continue
            }

            let call = ContractCall(transaction: transaction, creator: creator, endorsers: endorsers, block: context, position: position)
            var scratch = TransactionState(block: block)
            do {
                let (outcome, newConfig) = try run(call, blockSize: transactions.count, &scratch)
                if let once {
                    scratch.write(OnceKeys.stateKey(account: creator.account, key: once),
                                  OnceKeys.Record(txid: transaction.id.hex, block: context.number, index: UInt32(position)).json)
                }
                block.apply(scratch.writes)
                result.validations.append(.valid)
                result.effects.append(TransactionEffects(writes: scratch.writes, events: outcome.events,
                                                         accounts: Self.accounts(creator: creator.account, outcome.accounts)))
                if let newConfig { result.newConfig = newConfig }
            } catch let failure as ContractFailure {
                result.validations.append(.refused(.contractFailed, failure.reason))
                result.effects.append(.none)
            } catch let refusal as Validation {
                result.validations.append(refusal)
                result.effects.append(.none)
            }
        }
        return result
    }

    /// The accounts a valid transaction's effects list: its creator first, then the
    /// accounts the call concerns, sorted, each once.
    static func accounts(creator: String, _ others: [String]) -> [String] {
        [creator] + Set(others).subtracting([creator]).sorted()
    }

    /// The refusal of a transaction whose creator's account is deregistered in `state`;
    /// the node also asks it at submit, to refuse early with the code the block would give.
    public static func deregistration(of creator: Creator, in state: any StateReader) throws -> Validation? {
        guard SystemAccounts.isDeregistered(try state.value(for: SystemAccounts.key(creator.account))) else { return nil }
        return .refused(.deregisteredAccount, SystemAccounts.deregisteredReason(creator.account))
    }

    /// `deregistration(of:in:)` for the creator, then for each endorser in order (its
    /// reason names the endorsement): every signer of a transaction must be a live account.
    public static func deregistration(of creator: Creator, endorsers: [Creator], in state: any StateReader) throws -> Validation? {
        if let refusal = try deregistration(of: creator, in: state) { return refusal }
        for (index, endorser) in endorsers.enumerated() {
            if let refusal = try deregistration(of: endorser, in: state) {
                return .refused(refusal.code, "endorser \(index + 1): \(refusal.reason)")
            }
        }
        return nil
    }

    /// Runs one call; the configuration is returned when it changed.
    private func run(_ call: ContractCall, blockSize: Int, _ state: inout TransactionState) throws -> (ContractOutcome, ChannelConfig?) {
        let builtin = BuiltinContracts.functions[call.contract]
        guard builtin?.contains(call.function) ?? true else {
            // Admission already refuses these; a node passing stale results gets the
            // same answer admission would have given.
            throw Validation.refused(.unknownContract, "contract \(quoted(call.contract)) has no function \(quoted(call.function))")
        }
        // Only a workflow transition with signers has a use for co-signatures.
        if builtin != nil, let endorser = call.endorsers.first {
            throw call.failure("unexpected endorser \(quoted(endorser.account)): built-in contracts take no co-signatures")
        }
        switch call.contract {
        case KVContract.name:
            return (try KVContract.execute(call, &state), nil)
        case ConfigContract.name:
            guard blockSize == 1 else {
                throw call.failure("configuration transactions go in a block of their own")
            }
            let (outcome, next) = try ConfigContract.execute(call, rules: rules, &state)
            return (outcome, next)
        case SystemAccounts.name:
            return (try SystemAccounts.execute(call, organizations: memberNames, roles: CertificateRole.allCases.map(\.rawValue), &state), nil)
        case SystemLifecycle.name:
            return (try SystemLifecycle.execute(call, organizations: memberNames, reserved: Set(BuiltinContracts.functions.keys), &state), nil)
        case SystemAnchors.name:
            return (try SystemAnchors.execute(call, &state), nil)
        default:
            // Any other name is a definition's: the engine knows whether one is active.
            do {
                return (try WorkflowEngine.execute(call, &state), nil)
            } catch let unknown as UnknownContract {
                throw Validation.refused(.unknownContract, unknown.reason)
            }
        }
    }

    private var memberNames: Set<String> { Set(rules.config.organizations.map(\.name)) }
}
