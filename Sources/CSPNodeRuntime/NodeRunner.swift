import CSPBasics
import CSPCertificates
import CSPChannel
import CSPFormat
import CSPLedger
import CSPWire
import Dispatch
import Foundation
import NIOCore

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
        let (record, _) = try BlockAssembler(identity: identity).assemble(
            channel: config.channel, number: 0, timestamp: now, previousHash: .zero, previousCommitHash: .zero,
            transactions: [transaction], validations: [.valid], effects: [Executor.genesisEffects(config: config)])
        try ledger.commit(record)
        return record
    }

    /// `csp-node start`: serves every channel in the home until SIGTERM or SIGINT, then
    /// finishes the block in flight, syncs and closes the ledgers.
    public static func run(home: NodeHome, socket path: String, verbose: Bool) throws {
        let identity = try home.identity()
        let names = home.channelNames()
        guard !names.isEmpty else { throw NodeError("no channels in \(quoted(home.path)): create one with 'csp-node init --channel NAME --config FILE'") }
        try home.prepare()
        if FileIO.exists(path) {
            if (try? FrameClient(path: path)) != nil { throw NodeError("\(quoted(path)) is in use by a running node") }
            unlink(path)
        }
        var services: [ChannelService] = []
        for name in names {
            let (ledger, config) = try ChannelLedger.open(directory: home.channel(name), channel: name)
            services.append(try ChannelService(name: name, ledger: ledger, config: config, identity: identity))
        }
        services.forEach { $0.start() }
        let server = NodeServer(channels: services, path: path, verbose: verbose)
        let done = DispatchSemaphore(value: 0)
        let listening = Locked<Channel?>(nil)
        let outcome = Locked<Error?>(nil)
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("csp-node: stopping\n".utf8))
                // Stop ordering first so subscribers and waiters are released, then the socket.
                services.forEach { $0.stop() }
                listening.value?.close(promise: nil)
            }
            source.resume()
            return source
        }
        Task {
            do {
                try await server.run { channel in
                    listening.value = channel
                    FileHandle.standardError.write(Data("csp-node: serving \(names.joined(separator: ", ")) on \(path)\n".utf8))
                }
            } catch {
                outcome.value = error
            }
            done.signal()
        }
        done.wait()
        sources.forEach { $0.cancel() }
        services.forEach { $0.stop() }
        services.forEach { $0.ledger.close() }
        unlink(path)
        if let error = outcome.value { throw NodeError("cannot serve on \(quoted(path)): \(error)") }
    }
}
