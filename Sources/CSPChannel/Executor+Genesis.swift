import CSPBasics
import CSPCertificates
import CSPCrypto
import CSPFormat

/// Block 0: one configuration transaction by the orderer, function "genesis", whose
/// argument "config" is the configuration's canonical JSON. It is not admitted like
/// other transactions (there are no rules before it); a node that joins checks it with
/// `genesisConfig(from:)` and applies `genesisEffects(config:)`.
extension Executor {
    /// The state key holding the current configuration's canonical JSON.
    public static let configKey = ConfigContract.stateKey

    public static func genesisEffects(config: ChannelConfig) -> TransactionEffects {
        // The orderer's account, as for any creator; a valid configuration always has one.
        var account: String?
        if let orderer = try? Certificate(pem: Array(config.orderer.utf8)), let identity = try? orderer.identity {
            account = "\(identity.organization)/\(orderer.subject.commonName)"
        }
        return TransactionEffects(writes: [StateWrite(key: configKey, value: config.canonicalJSON())],
                                  events: [ContractEvent(name: ConfigContract.genesisFunction, payload: Array(config.channel.utf8))],
                                  accounts: account.map { [$0] } ?? [])
    }

    /// Signs block 0's transaction. The nonce is the SHA-256 of the configuration, so
    /// the same configuration, orderer and timestamp always give the same id.
    public static func genesisTransaction(config: ChannelConfig, ordererKey: P256PrivateKey, ordererCertificate der: [UInt8],
                                          timestamp: UInt64) throws -> Transaction {
        let checked = try config.checked()
        guard checked.orderer.der == der else {
            throw ChannelConfigError("the orderer certificate given is not the configuration's orderer")
        }
        guard try checked.orderer.publicKey == ordererKey.publicKey else {
            throw ChannelConfigError("the orderer key does not match the orderer certificate")
        }
        let json = config.canonicalJSON()
        let body = try TransactionBody(channel: config.channel, timestamp: timestamp, nonce: SHA256.hash(json).bytes, creator: der,
                                       contract: ConfigContract.name, function: ConfigContract.genesisFunction,
                                       arguments: [TransactionArgument(name: "config", value: json)])
        return try Transaction(signing: body, with: ordererKey)
    }

    /// The configuration carried by block 0's transaction, after checking that it is
    /// one: config.genesis with only a "config" argument holding a valid configuration
    /// for this channel, created and signed by that configuration's orderer.
    public static func genesisConfig(from transaction: Transaction) throws -> ChannelConfig {
        let body = transaction.body
        guard body.contract == ConfigContract.name, body.function == ConfigContract.genesisFunction else {
            throw ChannelConfigError("genesis transaction: calls \(body.contract).\(body.function), not config.genesis")
        }
        guard body.arguments.count == 1, let argument = body.arguments.first, argument.name == "config" else {
            throw ChannelConfigError("genesis transaction: expected one argument, 'config'")
        }
        let config = try ChannelConfig.decode(argument.value, source: "genesis transaction")
        guard config.channel == body.channel else {
            throw ChannelConfigError("genesis transaction: is for channel \(quoted(body.channel)) but configures \(quoted(config.channel))")
        }
        let orderer = try config.checked().orderer
        guard orderer.der == body.creator else {
            throw ChannelConfigError("genesis transaction: not created by the configuration's orderer")
        }
        guard try transaction.hasValidSignature(by: orderer.publicKey) else {
            throw ChannelConfigError("genesis transaction: the orderer's signature does not verify")
        }
        return config
    }
}
