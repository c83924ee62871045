import CSPBasics
import CSPChannel
import CSPFormat
import CSPLedger
import CSPNodeProtocol
import CSPWireServer
import Foundation

/// The node's client socket: length-prefixed JSON frames (docs/PROTOCOL.md) on the
/// shared `SocketServer`. Requests on one connection are answered concurrently (up to
/// `limits.requestsInFlight`), so a client can keep thousands of submissions in flight
/// and they are admitted on all cores.
public final class NodeServer: Sendable {
    /// Requests in flight per connection: twice `csp-tx submit --batch`'s default window of 2,000.
    public static let limits = SocketServerLimits(maximumFrameSize: 4 << 20, requestsInFlight: 4096, connections: 1024,
                                                  shutdownGraceSeconds: 2)
    let channels: [String: ChannelService]
    /// Channels this node follows as an access node (headers only; AccessChannel.swift).
    let access: [String: AccessChannel]
    let socket: SocketServer
    /// The TCP listener with mutual TLS, when the node has one (docs/NETWORK.md).
    let network: SocketServer?
    let started = Date()

    /// With `listen`, the node also accepts TCP connections on that address whose TLS
    /// client certificate belongs to a current member of one of `channels`.
    public init(channels: [ChannelService], access: [AccessChannel] = [], path: String, verbose: Bool,
                listen: (host: String, port: Int, certificate: String, chain: String?, key: String)? = nil) throws {
        self.channels = Dictionary(uniqueKeysWithValues: channels.map { ($0.name, $0) })
        self.access = Dictionary(uniqueKeysWithValues: access.map { ($0.name, $0) })
        let rules: @Sendable () -> [(String, ChannelRules)] = {
            channels.map { ($0.name, $0.currentRules) } + access.map { ($0.name, $0.currentRules) }
        }
        let log: (@Sendable (String) -> Void)? = verbose ? Self.log : nil
        socket = SocketServer(path: path, limits: Self.limits, refusal: Self.refusal, log: log)
        if let listen {
            // Refusals at the handshake are always logged: they are what an operator looks for.
            let tls = try TLSServerContext(certificate: listen.certificate, chain: listen.chain, key: listen.key,
                                           admit: { der in Self.admit(der, rules: rules()) }, log: Self.notice)
            network = SocketServer(host: listen.host, port: listen.port, tls: tls, limits: Self.limits, refusal: Self.refusal, log: log)
        } else {
            network = nil
        }
    }

    /// Nil when the certificate (DER) speaks for a current member of one of `channels`:
    /// the channel's CAs and CRLs in force, at this moment. Otherwise why not.
    static func admit(_ der: [UInt8], rules: [(String, ChannelRules)]) -> String? {
        var refusals: [String] = []
        for (channel, rules) in rules {
            switch rules.creator(certificate: der, now: Date()) {
            case .success: return nil
            case .failure(let refusal): refusals.append("channel \(quoted(channel)): \(refusal.reason)")
            }
        }
        return refusals.isEmpty ? "no channel" : refusals.joined(separator: "; ")
    }

    /// Serves until SIGTERM or SIGINT; `onSignal` runs first, then the sockets stop
    /// accepting and reading, and connections still open after the grace period are closed.
    /// A TCP listener that cannot listen stops the node with its error.
    public func runUntilSignalled(_ signals: StopSignals, onSignal: @escaping @Sendable () -> Void,
                                  onListening: @escaping @Sendable () -> Void) throws {
        guard let network else {
            return try socket.runUntilSignalled(signals, onSignal: onSignal, onListening: onListening) { payload in self.handle(payload) }
        }
        let failure = Locked<Error?>(nil)
        let done = DispatchSemaphore(value: 0)
        let socket = self.socket
        Task {
            do {
                try await network.run(onListening: {
                    if let bound = network.listeningAddress { NodeAddresses.shared.bound(bound) }
                    Self.notice("listening on \(network.listeningAddress ?? network.path) (TCP, mutual TLS 1.3)")
                    if let notice = NodeAddresses.shared.wildcardNotice { Self.notice(notice) }
                }, handle: { payload in self.handle(payload) })
            } catch {
                failure.value = error
                socket.stop()
            }
            done.signal()
        }
        do {
            try socket.runUntilSignalled(signals, onSignal: {
                onSignal()
                network.stop()
            }, onListening: onListening) { payload in self.handle(payload) }
        } catch {
            network.stop()
            done.wait()
            throw error
        }
        network.stop()
        done.wait()
        if let error = failure.value { throw error }
    }

    /// Connection-level detail, at --verbose.
    @Sendable static func log(_ message: String) {
        nodeLog.info("\(message)")
    }

    /// What an operator always wants in the log: the TCP address served, and every
    /// certificate refused at the TLS handshake.
    @Sendable static func notice(_ message: String) {
        nodeLog.notice("\(message)")
    }

    @Sendable static func refusal(_ reason: String) -> [UInt8] {
        ResponseWriter.encode(NodeResponse(id: 0, status: 2, error: reason))
    }

    func handle(_ payload: [UInt8]) -> RequestHandling {
        guard let request = try? JSONDecoder().decode(NodeRequest.self, from: Data(payload)) else {
            return .concurrently { writer in
                try await ResponseWriter(writer).send(NodeResponse(id: 0, status: 2, error: "malformed request: expected a JSON object with 'id' and 'op'"))
            }
        }
        // An access node relays reads and submissions; it streams events from blocks it proves.
        if let channel = request.channel, let access = access[channel], request.op == "subscribe" {
            return .exclusively { writer in try await access.subscribe(request, writer: ResponseWriter(writer)) }
        }
        if let channel = request.channel, let access = access[channel], request.op != "status" {
            return .concurrently { writer in
                let response = request.op == "submit" ? await self.submit(request, access) : await access.answer(read: request)
                try await ResponseWriter(writer).send(response)
            }
        }
        // A subscription owns the rest of the connection.
        if request.op == "subscribe" { return .exclusively { writer in try await self.subscribe(request, writer: ResponseWriter(writer)) } }
        if request.op == "follow" { return .exclusively { writer in try await self.push(request, writer: ResponseWriter(writer)) } }
        return .concurrently { writer in try await ResponseWriter(writer).send(await self.answer(request)) }
    }

    /// The channel a request names, or the response refusing it.
    enum Lookup {
        case found(ChannelService)
        case refused(NodeResponse)
    }

    func channel(_ request: NodeRequest) -> Lookup {
        guard let name = request.channel else { return .refused(NodeResponse(id: request.id, status: 2, error: "request needs a channel")) }
        guard let service = channels[name] else {
            return .refused(NodeResponse(id: request.id, status: 1, error: "no channel \(quoted(name)) on this node"))
        }
        return .found(service)
    }

    func answer(_ request: NodeRequest) async -> NodeResponse {
        switch request.op {
        case "status":
            var response = NodeResponse(id: request.id, status: 0)
            var rows: [ChannelStatus] = channels.values.map { service -> ChannelStatus in
                let status = service.status
                var row = ChannelStatus(channel: service.name, height: service.ledger.height,
                                        lastBlockHash: service.ledger.lastBlockHash?.hex ?? "",
                                        commitHash: service.ledger.lastCommitHash.hex,
                                        transactions: status.transactions, pending: status.pending)
                let condition = service.currentCondition
                row.state = condition.reason == nil ? "running" : "stopped"
                row.reason = condition.reason
                row.following = service.following?.orderer
                if let fork = service.currentFork {
                    row.state = "forked"
                    row.reason = fork.message(channel: service.name)
                    row.fork = fork.report
                }
                row.peers = service.sources?.statuses()
                return row
            }
            rows += access.values.map { $0.statusRow() }
            response.channels = rows.sorted { $0.channel < $1.channel }
            response.uptime = Date().timeIntervalSince(started)
            return response
        case "peers":
            switch channel(request) {
            case .refused(let response): return response
            case .found(let service): return await peers(request, service)
            }
        case "submit":
            switch channel(request) {
            case .refused(let response): return response
            case .found(let service): return await submit(request, service)
            }
        default:
            switch channel(request) {
            case .refused(let response): return response
            case .found(let service):
                let reads = Reads(service: service)
                var response = (try? await BlockingWork.run { reads.answer(request) })
                    ?? NodeResponse(id: request.id, status: 2, error: "the node is stopping")
                // Read from a state that forked from another node's: said on every answer.
                response.suspect = service.currentFork?.message(channel: service.name)
                return response
            }
        }
    }

    private func submit(_ request: NodeRequest, _ service: ChannelService) async -> NodeResponse {
        await submit(request, name: service.name) { transaction, wait, encoded in
            await service.submit(transaction, wait: wait, encoded: encoded)
        }
    }

    private func submit(_ request: NodeRequest, _ access: AccessChannel) async -> NodeResponse {
        await submit(request, name: access.name) { transaction, wait, encoded in
            await access.submit(transaction, wait: wait, encoded: encoded)
        }
    }

    /// Decodes a submission for channel `name` and answers with what `submit` made of it.
    private func submit(_ request: NodeRequest, name: String,
                        _ submit: (Transaction, Bool, String) async -> CommitOutcome) async -> NodeResponse {
        guard let encoded = request.tx, let bytes = Data(base64Encoded: encoded) else {
            return NodeResponse(id: request.id, status: 2, error: "submit needs 'tx': a base64 signed transaction")
        }
        let transaction: Transaction
        do {
            transaction = try Transaction(decoding: Array(bytes))
        } catch {
            var response = NodeResponse(id: request.id, status: 1, error: "rejected: \(error)")
            response.code = ValidationCode.malformed.description
            response.reason = String(describing: error)
            return response
        }
        guard transaction.body.channel == name else {
            return NodeResponse(id: request.id, status: 1, error: "rejected: transaction is for channel \(quoted(transaction.body.channel)), sent to \(quoted(name))")
        }
        let outcome = await submit(transaction, request.wait ?? true, encoded)
        var response = NodeResponse(id: request.id, status: 0)
        response.txid = outcome.txid.hex
        switch outcome.result {
        case let .committed(block, index, validation):
            response.outcome = SubmitOutcome.committed.rawValue
            response.block = block
            response.index = index
            response.code = validation.code.description
            if validation.code != .valid {
                response.status = 1
                response.error = "invalid: \(validation.reason)"
                response.reason = validation.reason
            }
        case .accepted:
            response.outcome = SubmitOutcome.accepted.rawValue
            response.code = ValidationCode.valid.description
        case .refused(let validation):
            response.outcome = SubmitOutcome.refused.rawValue
            response.status = 1
            response.error = "rejected: \(validation.reason)"
            response.code = validation.code.description
            response.reason = validation.reason
        case .notCommitted(let message):
            response.outcome = SubmitOutcome.notCommitted.rawValue
            response.status = 2
            response.error = "not committed: \(message)"
        case .unknown(let message):
            response.outcome = SubmitOutcome.unknown.rawValue
            response.status = 2
            response.error = "outcome unknown: \(message)"
        case let .alreadyDone(record, key):
            // The original's answer: only a valid transaction uses up a key.
            response.outcome = SubmitOutcome.alreadyDone.rawValue
            response.block = record.block
            response.index = record.index
            response.code = ValidationCode.valid.description
            response.reason = "already done: once key \(quoted(key)) was used by this transaction"
        }
        return response
    }
}

/// Writes NodeResponses to one connection.
struct ResponseWriter: Sendable {
    let writer: ReplyWriter

    init(_ writer: ReplyWriter) { self.writer = writer }

    func send(_ response: NodeResponse) async throws {
        try await writer.send(Self.encode(response))
    }

    static func encode(_ response: NodeResponse) -> [UInt8] {
        if let frame = committedFrame(response) { return frame }
        // Encoding a NodeResponse cannot fail: it holds only strings, numbers and arrays of them.
        // Unescaped slashes: base64 blocks are full of them, and "\/" sends the reader's
        // JSON decoder down its slow path for every block (measured on `blocks` answers).
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return Array((try? encoder.encode(response)) ?? Data())
    }
    /// The answer to a valid submission is most of what the node writes: its JSON is
    /// written directly (it holds only numbers, hex and a fixed code).
    static func committedFrame(_ response: NodeResponse) -> [UInt8]? {
        guard response.status == 0, response.error == nil, response.reason == nil, let txid = response.txid,
              let code = response.code, response.value == nil, response.items == nil, response.record == nil,
              response.eventItem == nil, response.blocks == nil, response.channels == nil, response.next == nil, response.version == nil,
              response.behind == nil, response.uptime == nil, response.suspect == nil, response.proof == nil, response.unproven == nil,
              response.height == nil, response.nodes == nil else { return nil }
        var json = "{\"id\":\(response.id),\"status\":0,\"txid\":\"\(txid)\",\"code\":\"\(code)\""
        if let outcome = response.outcome { json += ",\"outcome\":\"\(outcome)\"" }
        if let block = response.block { json += ",\"block\":\(block)" }
        if let index = response.index { json += ",\"index\":\(index)" }
        json += "}"
        return Array(json.utf8)
    }
}
