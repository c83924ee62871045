import CSPBasics
import CSPChannel
import CSPCrypto
import CSPFormat
import CSPLedger

/// The configuration a channel's block files put in force: block 0's (its orderer
/// signature and effects verified), as replaced by every valid configuration
/// transaction after it. `csp-node config show` reads it beside a running node, since
/// the block files are readable while the node appends; the recorded effects of later
/// blocks are taken as written (`csp-node check` re-executes them).
public struct ConfigInForce: Sendable {
    public let config: ChannelConfig
    /// The block whose transaction set it: 0 for the genesis configuration.
    public let block: UInt64
    public let txid: SHA256Digest
    /// `genesis`, `set-crl`, `add-org`…: the configuration function that set it.
    public let function: String
    /// Blocks read: the height of the channel when it was read.
    public let height: UInt64

    public static func read(directory: String, channel: String) throws -> ConfigInForce {
        let reader = try BlockFileReader(directory: directory)
        let key = Array("config/channel".utf8)
        var current: ConfigInForce?
        var height: UInt64 = 0
        try reader.forEach(from: 0) { number, record in
            height = number + 1
            if number == 0 {
                let config = try BlockVerifier.verifyGenesis(record, channel: channel)
                current = ConfigInForce(config: config, block: 0, txid: record.block.transactions[0].id, function: "genesis", height: 0)
                return
            }
            for (index, transaction) in record.block.transactions.enumerated()
            where transaction.body.contract == "config" && record.block.validations[index].code == .valid {
                guard let write = record.effects[index].writes.last(where: { $0.key == key }), let value = write.value else { continue }
                let config: ChannelConfig
                do { config = try ChannelConfig.decode(value, source: "block \(number)") } catch {
                    throw BlockVerificationError(block: number, reason: "its configuration cannot be read: \(error)")
                }
                current = ConfigInForce(config: config, block: number, txid: transaction.id, function: transaction.body.function, height: 0)
            }
        }
        guard let current else { throw NodeError("channel \(quoted(channel)) has no block 0 in \(quoted(directory))") }
        return ConfigInForce(config: current.config, block: current.block, txid: current.txid, function: current.function, height: height)
    }
}
