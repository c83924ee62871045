import CSPBasics
import CSPFormat
import CSPLedger
import CSPNodeProtocol
import CSPWire
import Dispatch
import Foundation
import NIOCore
import NIOPosix

/// The node's client socket: length-prefixed JSON frames (docs/PROTOCOL.md). Each
/// connection is one task; each request in it is a child task, so a client can keep
/// thousands of submissions in flight and they are admitted on all cores.
public final class NodeServer: Sendable {
    public static let maximumFrameSize = 4 << 20
    let channels: [String: ChannelService]
    let path: String
    let verbose: Bool
    let started = Date()

    public init(channels: [ChannelService], path: String, verbose: Bool) {
        self.channels = Dictionary(uniqueKeysWithValues: channels.map { ($0.name, $0) })
        self.path = path
        self.verbose = verbose
    }

    /// Serves until `stop` is closed; returns after every connection is done.
    public func run(onListening: @Sendable (Channel) -> Void) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maximumFrameSize: Self.maximumFrameSize)))
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        guard chmod(path, 0o660) == 0 else { throw SystemError("cannot set permissions of \(quoted(path))") }
        onListening(server.channel)
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                let writer = ResponseWriter(outbound: outbound)
                try await withThrowingDiscardingTaskGroup { group in
                    for try await frame in inbound {
                        guard let request = try? JSONDecoder().decode(NodeRequest.self, from: Data(Array(buffer: frame))) else {
                            try await writer.send(NodeResponse(id: 0, status: 2, error: "malformed request: expected a JSON object with 'id' and 'op'"))
                            continue
                        }
                        if request.op == "subscribe" {
                            // A subscription owns the rest of the connection.
                            try await self.subscribe(request, writer: writer)
                            return
                        }
                        group.addTask { try await writer.send(await self.answer(request)) }
                    }
                }
            }
        } catch {
            if verbose { FileHandle.standardError.write(Data("csp-node: connection closed: \(error)\n".utf8)) }
        }
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
            response.channels = channels.values.sorted { $0.name < $1.name }.map { service in
                let status = service.status
                var row = ChannelStatus(channel: service.name, height: service.ledger.height,
                                        lastBlockHash: service.ledger.lastBlockHash?.hex ?? "",
                                        commitHash: service.ledger.lastCommitHash.hex,
                                        transactions: status.transactions, pending: status.pending)
                let condition = service.currentCondition
                row.state = condition.reason == nil ? "running" : "stopped"
                row.reason = condition.reason
                return row
            }
            response.uptime = Date().timeIntervalSince(started)
            return response
        case "submit":
            switch channel(request) {
            case .refused(let response): return response
            case .found(let service): return await submit(request, service)
            }
        default:
            switch channel(request) {
            case .refused(let response): return response
            case .found(let service): return Reads(service: service).answer(request)
            }
        }
    }

    private func submit(_ request: NodeRequest, _ service: ChannelService) async -> NodeResponse {
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
        guard transaction.body.channel == service.name else {
            return NodeResponse(id: request.id, status: 1, error: "rejected: transaction is for channel \(quoted(transaction.body.channel)), sent to \(quoted(service.name))")
        }
        let outcome = await service.submit(transaction, wait: request.wait ?? true)
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
        }
        return response
    }
}

/// Serialises writes from a connection's concurrent request tasks.
final class ResponseWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    init(outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) { self.outbound = outbound }

    func send(_ response: NodeResponse) async throws {
        if let frame = Self.committedFrame(response) {
            try await outbound.write(ByteBuffer(bytes: frame))
            return
        }
        let data = try JSONEncoder().encode(response)
        try await outbound.write(ByteBuffer(bytes: data))
    }

    /// The answer to a valid submission is most of what the node writes: its JSON is
    /// written directly (it holds only numbers, hex and a fixed code).
    static func committedFrame(_ response: NodeResponse) -> [UInt8]? {
        guard response.status == 0, response.error == nil, response.reason == nil, let txid = response.txid,
              let code = response.code, response.value == nil, response.items == nil, response.record == nil,
              response.eventItem == nil, response.channels == nil, response.next == nil, response.version == nil,
              response.behind == nil, response.uptime == nil else { return nil }
        var json = "{\"id\":\(response.id),\"status\":0,\"txid\":\"\(txid)\",\"code\":\"\(code)\""
        if let outcome = response.outcome { json += ",\"outcome\":\"\(outcome)\"" }
        if let block = response.block { json += ",\"block\":\(block)" }
        if let index = response.index { json += ",\"index\":\(index)" }
        json += "}"
        return Array(json.utf8)
    }
}
