import CSPBasics
import CSPCertificates
import CSPChannel
import CSPFormat
import CSPLedger
import CSPWire
import CSPWireServer
import Foundation

/// Creates channels and runs the node process.
public enum NodeRunner {
    /// `csp-node init`: a new channel whose block 0 carries the genesis configuration,
    /// signed by this node as the channel's orderer. Everything is checked (the
    /// configuration, that it is for `channel`, the node's identity and that it is the
    /// orderer, that the channel is new) and block 0 is built before anything is
    /// written; if writing fails part way, what was created is removed.
    public static func createChannel(home: NodeHome, channel: String, configPath: String) throws -> CommittedBlock {
        let config = try ChannelConfig.load(path: configPath)
        guard config.channel == channel else {
            throw NodeError("--channel \(channel) does not match the configuration's channel \(quoted(config.channel)) in \(quoted(configPath))")
        }
        let identity = try home.identity()
        guard (try? Certificate(pem: Array(config.orderer.utf8)))?.der == identity.certificate.der else {
            throw NodeError("this node's certificate \(quoted(home.certificate)) is not the orderer named in \(quoted(configPath))")
        }
        let directory = home.channel(config.channel)
        if FileIO.exists(directory) { throw NodeError("channel \(quoted(config.channel)) already exists in \(quoted(home.path))") }
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let transaction = try Executor.genesisTransaction(config: config, ordererKey: identity.key,
                                                         ordererCertificate: identity.certificate.der, timestamp: now)
        let (record, _) = try BlockAssembler(identity: identity).assemble(
            channel: config.channel, number: 0, timestamp: now, previousHash: .zero, previousCommitHash: .zero,
            transactions: [transaction], validations: [.valid], effects: [Executor.genesisEffects(config: config)])

        try home.prepare()
        do {
            let ledger = try LedgerStore(directory: directory, channel: config.channel)
            defer { ledger.close() }
            try ledger.commit(record)
        } catch {
            // A half-made channel would be served at the next start; leave none behind.
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        // A commented example of the node's settings, never over the operator's own.
        if !FileIO.exists(home.settings) { try? FileIO.writeAtomically(home.settings, Array(NodeSettings.example.utf8), mode: 0o640) }
        return record
    }

    /// `csp-node join`: a channel this node follows rather than orders. Block 0 comes
    /// from `genesis` (a block record file, as stored: it must be that channel's valid
    /// genesis block) or, when `genesis` is the channel configuration, from the orderer,
    /// whose block 0 must carry exactly that configuration. Either way block 0 is verified
    /// (orderer signature, the configuration it establishes) before anything is kept, and
    /// the channel remembers its orderer in follow.conf (docs/NETWORK.md).
    ///
    /// With `access`, the channel is kept as an access node keeps it: verified block
    /// headers only (AccessLedger), no ledger and no state (docs/NETWORK.md, "Access nodes").
    public static func joinChannel(home: NodeHome, channel: String, genesis: String, orderer: String,
                                   peers: [String] = [], access: Bool = false) throws -> CommittedBlock {
        guard NetworkAddress.parse(orderer) != nil else { throw NodeError("orderer \(quoted(orderer)) is not HOST:PORT") }
        for peer in peers where NetworkAddress.parse(peer) == nil { throw NodeError("peer \(quoted(peer)) is not HOST:PORT") }
        // Only a node certificate follows a channel (and connects to the orderer).
        _ = try home.identity()
        let directory = home.channel(channel)
        if FileIO.exists(directory) { throw NodeError("channel \(quoted(channel)) already exists in \(quoted(home.path))") }
        let bytes = try FileIO.read(genesis, limit: 64 << 20)
        let target = FollowTarget(orderer: orderer, peers: peers, home: home)
        try home.prepare()
        try FileIO.makeDirectory(directory, mode: 0o750)
        do {
            let record: CommittedBlock
            if bytes.starts(with: CommittedBlock.magic) {
                record = try CommittedBlock(decoding: bytes)
                _ = try BlockVerifier.verifyGenesis(record, channel: channel)
            } else {
                let config = try ChannelConfig.load(path: genesis)
                guard config.channel == channel else {
                    throw NodeError("--channel \(channel) does not match the configuration's channel \(quoted(config.channel)) in \(quoted(genesis))")
                }
                let client = try target.connect(channelDirectory: directory, config: config, timeout: FrameClient.defaultTimeout)
                defer { client.close() }
                guard let first = try FollowTarget.fetch(client, channel: channel, from: 0, limit: 1).first else {
                    throw NodeError("the orderer at \(orderer) has no block 0 of channel \(quoted(channel))")
                }
                guard try BlockVerifier.verifyGenesis(first, channel: channel).canonicalJSON() == config.canonicalJSON() else {
                    throw NodeError("the orderer's block 0 of channel \(quoted(channel)) carries a different configuration than \(quoted(genesis))")
                }
                record = first
            }
            if access {
                try AccessLedger.create(directory: directory, channel: channel, genesis: record)
            } else {
                let ledger = try LedgerStore(directory: directory, channel: channel)
                defer { ledger.close() }
                try ledger.commit(record)
            }
            try target.save(channelDirectory: directory)
            return record
        } catch {
            // A half-made channel would be served at the next start; leave none behind.
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// `csp-node rebuild`: rebuilds a stopped channel's index from its block files,
    /// keeping the old index beside it (docs/STORAGE.md, "Damage to the index and rebuilding it").
    public static func rebuildChannel(home: NodeHome, channel: String) throws -> (blocks: UInt64, oldIndex: String?) {
        let directory = home.channel(channel)
        guard FileIO.isDirectory(directory) else { throw NodeError("no channel \(quoted(channel)) in \(quoted(home.path))") }
        guard !AccessChannel.isAccess(home: home, channel: channel) else { throw NodeError(AccessChannel.noBlockFiles(channel)) }
        // Opened as a node opens it, so every block is verified in full (signatures,
        // admission under its block's configuration, re-execution) before it is applied.
        let rebuilt = try LedgerStore.rebuildIndex(directory: directory, channel: channel) { options in
            try ChannelLedger.open(directory: directory, channel: channel, options: options).0
        }
        return (rebuilt.blocks, rebuilt.oldIndex)
    }

    /// Opens a channel's ledger; damage in its index alone names the command that repairs it.
    static func openLedger(home: NodeHome, channel: String) throws -> (LedgerStore, ChannelConfig) {
        do {
            return try ChannelLedger.open(directory: home.channel(channel), channel: channel)
        } catch let error as LedgerError {
            guard let damage = error.indexDamage else { throw error }
            throw NodeError("channel \(quoted(channel)): \(damage): the index is damaged; rebuild it with 'csp-node rebuild --home \(home.path) --channel \(channel)'")
        }
    }

    /// `csp-node start`: serves every channel in the home until SIGTERM or SIGINT, then
    /// finishes the block in flight, syncs and closes the ledgers. `listen` (HOST:PORT)
    /// overrides the settings file's; with either, TCP with mutual TLS is served too.
    /// `advertise` (HOST:PORT) overrides the settings file's address announced to other nodes.
    public static func run(home: NodeHome, socket path: String, verbose: Bool, listen: String? = nil, advertise: String? = nil) throws {
        // From now on a SIGTERM is kept, even while the ledgers open, and acted on once serving.
        let signals = StopSignals()
        // Every client connection is a descriptor.
        SocketServer.raiseDescriptorLimit()
        let identity = try home.identity()
        let settings = try NodeSettings.load(home.settings)
        let network = try (listen ?? settings.listen).map { text in
            let (host, port) = try NodeSettings.address(text)
            let chain = home.resolve(settings.tlsChain ?? "ca-chain.pem")
            return (host: host, port: port, certificate: home.resolve(settings.tlsCertificate ?? "cert.pem"),
                    chain: settings.tlsChain != nil || FileIO.exists(chain) ? chain : nil, key: home.resolve(settings.tlsKey ?? "key.pem"))
        }
        if let announced = advertise ?? settings.advertise { try NodeSettings.checkAdvertised(announced) }
        NodeAddresses.shared.configure(advertise: advertise ?? settings.advertise)
        // Known before any channel follows: another node's `nodes` answer may name this one
        // before its listener is bound, and a node must never take itself as a source.
        if let text = listen ?? settings.listen, let (_, port) = NetworkAddress.parse(text), port != 0 {
            NodeAddresses.shared.bound(text)
        }
        let names = home.channelNames()
        guard !names.isEmpty else { throw NodeError("no channels in \(quoted(home.path)): create one with 'csp-node init --channel NAME --config FILE'") }
        try home.prepare()
        // Before the ledgers: a running node holds them, and its socket says so more clearly.
        try SocketServer.claim(path)
        var services: [ChannelService] = []
        var access: [AccessChannel] = []
        defer { services.forEach { $0.ledger.close() } }
        for name in names where AccessChannel.isAccess(home: home, channel: name) {
            // Headers only: opened (every header and configuration block verified again) without a ledger.
            guard let target = try FollowTarget.load(home: home, channel: name) else {
                throw NodeError("channel \(quoted(name)): \(quoted(home.channel(name) + "/" + FollowTarget.fileName)) is missing: an access node needs the orderer it follows")
            }
            let channel = try AccessChannel(name: name, home: home, target: target)
            FileHandle.standardError.write(Data("csp-node: channel \(quoted(name)) is kept as an access node (headers only) following the orderer at \(target.orderer) from height \(channel.height)\n".utf8))
            access.append(channel)
        }
        for name in names where !AccessChannel.isAccess(home: home, channel: name) {
            let (ledger, config) = try openLedger(home: home, channel: name)
            for repair in ledger.recovery.repairs {
                nodeLog.notice("channel \(quoted(name)): \(repair)")
            }
            let following = try FollowTarget.load(home: home, channel: name)
            if let following {
                FileHandle.standardError.write(Data("csp-node: channel \(quoted(name)) follows the orderer at \(following.orderer) from height \(ledger.height)\n".utf8))
            }
            services.append(try ChannelService(name: name, ledger: ledger, config: config, identity: identity, following: following))
        }
        services.forEach { $0.start() }
        access.forEach { $0.start() }
        let all = services
        let allAccess = access
        let node = try NodeServer(channels: all, access: allAccess, path: path, verbose: verbose, listen: network)
        defer {
            all.forEach { $0.stop() }
            allAccess.forEach { $0.stop() }
        }
        do {
            try node.runUntilSignalled(
                signals,
                onSignal: {
                    nodeLog.notice("stopping")
                    // Stop ordering first so waiters get their answers and subscribers their
                    // last blocks; then the socket stops and gives connections the grace period.
                    all.forEach { $0.stop() }
                    allAccess.forEach { $0.stop() }
                },
                onListening: {
                    nodeLog.notice("serving \(names.joined(separator: ", ")) on \(path)")
                })
        } catch let error as SystemError {
            throw error
        } catch let error as SocketServerError {
            throw error
        } catch let error as TLSError {
            throw error
        } catch {
            throw NodeError("cannot serve on \(quoted(path)): \(error)")
        }
    }
}
