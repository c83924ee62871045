import CSPBasics
import CSPChannel
import CSPFormat
import CSPLedger
import CSPNodeProtocol
import CSPWire
import Foundation

/// Where a follower channel takes its blocks from (`csp-node join`), kept in
/// `<home>/channels/<C>/follow.conf` as `orderer = HOST:PORT` (docs/NETWORK.md). The
/// orderer's certificate is checked against the channel's member CAs, written beside it
/// as `orderer-ca.pem` from the configuration in force whenever the follower connects.
public struct FollowTarget: Sendable {
    public var orderer: String
    /// The home whose node identity connects (not persisted).
    public var home: NodeHome

    public init(orderer: String, home: NodeHome) {
        self.orderer = orderer
        self.home = home
    }

    public static let fileName = "follow.conf"
    static let trustFileName = "orderer-ca.pem"

    /// The channel's follow settings, or nil when the node orders the channel itself.
    public static func load(home: NodeHome, channel: String) throws -> FollowTarget? {
        let directory = home.channel(channel)
        let path = directory + "/" + fileName
        guard FileIO.exists(path) else { return nil }
        let settings = try NodeSettings.parseKeys(try FileIO.readText(path), source: path, keys: ["orderer"])
        guard let orderer = settings["orderer"] else { throw NodeError("\(path): 'orderer' is missing") }
        guard NetworkAddress.parse(orderer) != nil else { throw NodeError("\(path): orderer \(quoted(orderer)) is not HOST:PORT") }
        return FollowTarget(orderer: orderer, home: home)
    }

    func save(channelDirectory directory: String) throws {
        try FileIO.writeAtomically(directory + "/" + Self.fileName,
                                   text: "# Written by csp-node join: this channel follows the orderer below (docs/NETWORK.md).\norderer = \(orderer)\n",
                                   mode: 0o640)
    }

    /// A signed, mutually authenticated connection to the orderer as this node: its
    /// certificate must chain to one of `config`'s member CAs.
    func connect(channelDirectory directory: String, config: ChannelConfig, timeout: Double) throws -> NodeClient {
        guard let (host, port) = NetworkAddress.parse(orderer) else { throw NodeError("orderer \(quoted(orderer)) is not HOST:PORT") }
        let trust = directory + "/" + Self.trustFileName
        let pem = config.organizations.flatMap(\.certificates).map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined()
        try FileIO.writeAtomically(trust, text: pem, mode: 0o640)
        let identity = try home.identity()
        return try NodeClient(host: host, port: port,
                              identity: TLSClientIdentity(certificate: home.certificate, key: home.key, trusted: trust),
                              key: identity.key, certificateDER: identity.certificate.der, timeout: timeout)
    }

    /// Up to `limit` committed blocks from `from`, decoded (which checks each Merkle root);
    /// empty when the orderer has none past `from` yet.
    static func fetch(_ client: NodeClient, channel: String, from: UInt64, limit: Int = 256) throws -> [CommittedBlock] {
        try receiveBlocks(client, try requestBlocks(client, channel: channel, from: from, limit: limit))
    }

    /// Sends a signed `blocks` request without waiting for its answer.
    static func requestBlocks(_ client: NodeClient, channel: String, from: UInt64, limit: Int = 256) throws -> NodeRequest {
        var request = client.makeRequest("blocks", channel: channel)
        request.from = from
        request.limit = limit
        try client.sign(&request)
        try client.send(request)
        return request
    }

    /// The answer to `request` (sent by `requestBlocks`), decoded.
    static func receiveBlocks(_ client: NodeClient, _ request: NodeRequest) throws -> [CommittedBlock] {
        var response = try client.receive()
        while response.id != request.id && response.id != 0 { response = try client.receive() }
        if response.status == 1, response.error?.hasPrefix("no block") == true { return [] }
        guard response.status == 0, let blocks = response.blocks else {
            throw NodeError("the orderer refused 'blocks': \(response.error ?? "status \(response.status)")")
        }
        let from = request.from ?? 0
        return try blocks.enumerated().map { offset, text in
            let number = from + UInt64(offset)
            guard let bytes = Data(base64Encoded: text) else { throw BlockVerificationError(block: number, reason: "it is not base64") }
            do {
                return try CommittedBlock(decoding: Array(bytes))
            } catch {
                throw BlockVerificationError(block: number, reason: "it does not decode: \(error)")
            }
        }
    }
}

extension ChannelService {
    /// How long a follower waits before asking again when it is level with the orderer,
    /// and after a failure (unreachable orderer, a block it refused).
    static let pollInterval: TimeInterval = 0.15
    static let retryInterval: TimeInterval = 1

    /// The follower's commit thread: pulls blocks from the orderer, verifies each in full
    /// and commits it; never commits a block it cannot verify.
    func followLoop(_ target: FollowTarget) {
        var lastProblem: String?
        // The next range, asked for before the current one is verified, so the orderer
        // reads and sends it meanwhile.
        var inFlight: NodeRequest?
        while !isStopping {
            do {
                let client = try connectedClient(target)
                let from = ledger.height
                let request = try inFlight.flatMap { $0.from == from ? $0 : nil }
                    ?? FollowTarget.requestBlocks(client, channel: name, from: from)
                inFlight = nil
                let records = try FollowTarget.receiveBlocks(client, request)
                if !records.isEmpty {
                    inFlight = try FollowTarget.requestBlocks(client, channel: name, from: from + UInt64(records.count))
                }
                // The signatures of the whole range at once, on every core (small blocks
                // alone would leave cores idle); each block's rules are applied in order.
                let signatures = SignatureCheck.verify(records.flatMap(\.block.transactions))
                var offset = 0
                for record in records {
                    if isStopping { break }
                    let count = record.block.transactions.count
                    try commitFollowed(record, signatures: Array(signatures[offset..<offset + count]))
                    offset += count
                }
                if lastProblem != nil { log("channel \(quoted(name)): following \(target.orderer) again at height \(ledger.height)") }
                lastProblem = nil
                if records.isEmpty { pause(Self.pollInterval) }
            } catch {
                let problem = error is BlockVerificationError
                    ? "refused block from \(target.orderer): \(error)"
                    : "cannot follow \(target.orderer): \(error)"
                // One line per distinct problem, not one per retry.
                if problem != lastProblem { log("channel \(quoted(name)): \(problem); retrying", level: .error) }
                lastProblem = problem
                inFlight = nil
                dropClient()
                pause(Self.retryInterval)
            }
        }
        dropClient()
        stopped.signal()
    }

    private func connectedClient(_ target: FollowTarget) throws -> NodeClient {
        condition.lock()
        let existing = followClient
        condition.unlock()
        if let existing { return existing }
        let client = try target.connect(channelDirectory: ledger.directory, config: currentRules.config, timeout: 10)
        condition.lock()
        followClient = client
        let stopping = state == .stopping
        condition.unlock()
        if stopping { client.close() }
        return client
    }

    private func dropClient() {
        condition.lock()
        let client = followClient
        followClient = nil
        condition.unlock()
        client?.close()
    }

    /// Waits `seconds`, or less when the node stops.
    private func pause(_ seconds: TimeInterval) {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        while state != .stopping && !followWake && condition.wait(until: deadline) {}
        followWake = false
        condition.unlock()
    }

    /// Verifies a block from the orderer as `BlockVerifier` does at start (orderer
    /// signature, timestamp order, every transaction's signature and admission under the
    /// rules in force at the block's timestamp, re-execution to the recorded codes and
    /// effects), then commits it through the ledger, which checks its number, hash chain
    /// and commit hash. The Merkle root was checked when it was decoded.
    func commitFollowed(_ record: CommittedBlock, signatures: [Bool]? = nil) throws {
        let number = record.block.header.number
        guard number == ledger.height else {
            throw BlockVerificationError(block: number, reason: "it is not the next block (height \(ledger.height))")
        }
        try BlockVerifier.verifyTimestamp(record, previous: lastTimestamp)
        let source = following?.orderer ?? "the orderer"
        let execution: BlockExecution
        do {
            execution = try BlockVerifier(rules: currentRules).verify(
                record, state: LedgerStateReader(ledger: ledger), signatures: signatures, isDuplicate: { try self.ledger.contains(transaction: $0) })
        } catch let error as BlockVerificationError {
            // A state fork holds this thread until the node stops, and commits nothing.
            if stopOnFork(record, source: source) { return }
            throw error
        }
        do {
            try ledger.commit(record)
        } catch let error as LedgerError where error.kind == .refused {
            if stopOnFork(record, source: source) { return }
            throw BlockVerificationError(block: number, reason: "\(error)")
        }
        let newRules = try execution.newConfig.map { try ChannelRules(config: $0) }
        condition.lock()
        if let newRules { rules = newRules }
        lastTimestamp = record.block.header.timestamp
        committedTransactions += UInt64(record.block.transactions.count)
        let heights = heightWaiters
        heightWaiters = []
        condition.unlock()
        heights.forEach { $0.resume() }
    }
}
