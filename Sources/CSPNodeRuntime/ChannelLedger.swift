import CSPBasics
import CSPChannel
import CSPContracts
import CSPFormat
import CSPLedger

/// Opens a channel's ledger the way a node must trust it: the block files are the truth.
///
/// While the ledger scans its block files, every block's header must carry the low-S
/// signature of the orderer named by the configuration in force before it; blocks the
/// index lacks (past the savepoint) are verified in full before they are re-applied —
/// every transaction's signature and admission under the configuration of its block at
/// the block's timestamp, duplicate ids, and re-execution, which must give the recorded
/// codes and effects (`BlockVerifier`). The configuration in force is the one the block
/// files establish (block 0's, then each valid configuration transaction's write); an
/// index whose stored configuration differs was altered, and the channel refuses to start.
public enum ChannelLedger {
    public static func open(directory: String, channel: String,
                            options: LedgerStore.Options = LedgerStore.Options()) throws -> (LedgerStore, ChannelConfig) {
        let tracker = ConfigurationTracker(channel: channel)
        let ledger = try LedgerStore(directory: directory, channel: channel, options: options, inspect: tracker.inspect)
        do {
            guard let config = tracker.config else {
                throw NodeError("channel \(quoted(channel)) in \(quoted(directory)) has no blocks: it was never initialised (csp-node init)")
            }
            let indexed = try ledger.state(Executor.configKey)?.value
            guard indexed == config.canonicalJSON() else {
                throw NodeError("channel \(quoted(channel)): the configuration in the ledger index differs from the one its block files establish (set in block \(tracker.configBlock)); the index was altered: rebuild it with 'csp-node rebuild --channel \(channel)'")
            }
            return (ledger, config)
        } catch {
            ledger.close()
            throw error
        }
    }
}

/// Follows the configuration in force through the blocks as the ledger opens, and
/// verifies each block against it.
final class ConfigurationTracker {
    let channel: String
    private(set) var config: ChannelConfig?
    private(set) var configBlock: UInt64 = 0
    private var rules: ChannelRules?
    private var lastTimestamp: UInt64 = 0

    init(channel: String) { self.channel = channel }

    func inspect(_ opening: OpeningBlock) throws {
        let record = opening.record
        let number = record.block.header.number
        do {
            try BlockVerifier.verifyTimestamp(record, previous: lastTimestamp)
            lastTimestamp = record.block.header.timestamp
            if number == 0 {
                let genesis = try BlockVerifier.verifyGenesis(record, channel: channel)
                try establish(genesis, at: 0)
                return
            }
            guard let rules else { throw InspectionFailure("no configuration is in force before it") }
            let verifier = BlockVerifier(rules: rules)
            if opening.pastSavepoint {
                _ = try verifier.verify(record, state: IndexState(index: opening.index),
                                        isDuplicate: { try opening.index.contains(transaction: $0) })
            } else {
                try verifier.verifyOrderer(record)
            }
        } catch let error as BlockVerificationError {
            throw InspectionFailure(error.reason)
        }
        // A valid configuration transaction writes the new configuration; the commit hash
        // in the signed header covers that write.
        for (effects, validation) in zip(record.effects, record.block.validations) where validation.code == .valid {
            for write in effects.writes where write.key == Executor.configKey {
                guard let value = write.value else { throw InspectionFailure("it deletes the channel configuration") }
                try establish(try ChannelConfig.decode(value, source: "the configuration written in block \(number)"), at: number)
            }
        }
    }

    private func establish(_ next: ChannelConfig, at block: UInt64) throws {
        rules = try ChannelRules(config: next)
        config = next
        configBlock = block
    }
}

/// The executor's view of state during the open: the index as of the previous block.
struct IndexState: StateReader {
    let index: IndexView
    func value(for key: [UInt8]) throws -> [UInt8]? { try index.state(key) }
}
