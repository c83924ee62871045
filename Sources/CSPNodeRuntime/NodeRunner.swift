import CSPBasics
import CSPCertificates
import CSPChannel
import CSPFormat
import CSPLedger
import CSPWireServer
import Foundation

/// Creates channels and runs the node process.
public enum NodeRunner {
    /// `csp-node init`: a new channel whose block 0 carries the genesis configuration,
    /// signed by this node as the channel's orderer.
    public static func createChannel(home: NodeHome, configPath: String) throws -> CommittedBlock {
        let config = try ChannelConfig.load(path: configPath)
        let identity = try home.identity()
        guard (try? Certificate(pem: Array(config.orderer.utf8)))?.der == identity.certificate.der else {
            throw NodeError("this node's certificate \(quoted(home.certificate)) is not the orderer named in \(quoted(configPath))")
        }
        try home.prepare()
        let directory = home.channel(config.channel)
        if FileIO.exists(directory) { throw NodeError("channel \(quoted(config.channel)) already exists in \(quoted(home.path))") }
        let ledger = try LedgerStore(directory: directory, channel: config.channel)
        defer { ledger.close() }
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let transaction = try Executor.genesisTransaction(config: config, ordererKey: identity.key,
                                                         ordererCertificate: identity.certificate.der, timestamp: now)
        let record = try BlockAssembler(identity: identity).assemble(
            channel: config.channel, number: 0, previousHash: .zero, previousCommitHash: .zero,
            transactions: [transaction], validations: [.valid], effects: [Executor.genesisEffects(config: config)])
        try ledger.commit(record)
        return record
    }

    /// `csp-node start`: serves every channel in the home until SIGTERM or SIGINT, then
    /// finishes the block in flight, syncs and closes the ledgers.
    public static func run(home: NodeHome, socket path: String, verbose: Bool) throws {
        // From now on a SIGTERM is kept, even while the ledgers open, and acted on once serving.
        let signals = StopSignals()
        // Every client connection is a descriptor.
        SocketServer.raiseDescriptorLimit()
        let identity = try home.identity()
        let names = home.channelNames()
        guard !names.isEmpty else { throw NodeError("no channels in \(quoted(home.path)): create one with 'csp-node init --channel NAME --config FILE'") }
        try home.prepare()
        // Before the ledgers: a running node holds them, and its socket says so more clearly.
        try SocketServer.claim(path)
        var services: [ChannelService] = []
        defer { services.forEach { $0.ledger.close() } }
        for name in names {
            let ledger = try LedgerStore(directory: home.channel(name), channel: name)
            services.append(try ChannelService(name: name, ledger: ledger, identity: identity))
        }
        services.forEach { $0.start() }
        let all = services
        let node = NodeServer(channels: all, path: path, verbose: verbose)
        defer { all.forEach { $0.stop() } }
        do {
            try node.runUntilSignalled(
                signals,
                onSignal: {
                    FileHandle.standardError.write(Data("csp-node: stopping\n".utf8))
                    // Stop ordering first so waiters get their answers and subscribers their
                    // last blocks; then the socket stops and gives connections the grace period.
                    all.forEach { $0.stop() }
                },
                onListening: {
                    FileHandle.standardError.write(Data("csp-node: serving \(names.joined(separator: ", ")) on \(path)\n".utf8))
                })
        } catch let error as SystemError {
            throw error
        } catch let error as SocketServerError {
            throw error
        } catch {
            throw NodeError("cannot serve on \(quoted(path)): \(error)")
        }
    }
}
