import CSPFormat
import CSPWire
import CSPWireServer
import Foundation

/// A node that lies, for the tests: a TCP listener with TLS that presents a member node's
/// certificate, forwards every request frame to a real node over mutual TLS, and alters
/// the first block of every `blocks` answer and `follow` frame it passes back (docs/NETWORK.md,
/// "Several sources"). Everything else goes through untouched, so a follower sees a
/// healthy node whose blocks fail verification. No hook in the node: the lie is on the wire.
/// The proof tamperings pass blocks untouched and alter the inclusion proof of every `tx`
/// answer instead, as a source lying to an access node would; the others lie about
/// hashes, refuse, delay or misplace as `Tampering` says.
public final class TamperingRelay: @unchecked Sendable {
    /// What to alter in a block.
    public enum Tampering: Sendable {
        /// One bit of the orderer's signature.
        case flippedSignature
        /// The value of the first write of the first transaction that writes.
        case changedWrite
        /// Blocks pass unchanged, but the commit hash the node announces of a block (the
        /// `record` of a `peers` answer or `follow` frame) is altered: a peer that lies
        /// about its state, or whose state no longer matches its blocks.
        case announcedCommitHash
        /// A `follow` frame that carries blocks and hashes names its last block instead (as a
        /// node may), with an altered commit hash: the follower has not committed that
        /// block when it reads the frame.
        case announcedCommitHashOfPushedBlock
        /// Every `blocks` request is refused (status 2), as by an overloaded node: the ranges
        /// a follower claimed from it must be fetched from another source.
        case refusedBlocks
        /// Every frame that carries blocks (`follow` frames, `blocks` answers) is passed on
        /// `lateSeconds` late, and no frame names other nodes: the orderer's answers reach a
        /// follower long before the blocks they name, which come through here only.
        case lateBlocks
        /// As `lateBlocks`, and a `submit` answer that says committed in block B (B > 0)
        /// names block B-1 instead: an orderer whose answer a follower cannot confirm.
        case misplacedCommit
        /// One byte of the transaction in a `tx` answer's inclusion proof (and its record's arguments).
        case changedProofTransaction
        /// One digit of the first digest of a `tx` answer's audit path.
        case changedProofPath
    }

    public let tampering: Tampering
    /// How late `lateBlocks` and `misplacedCommit` pass on block frames.
    public static let lateSeconds: Double = 3
    /// When set, only this block is altered (wherever a frame carries it); else the first block of every frame.
    public let only: UInt64?
    private let server: SocketServer
    private let upstream: (host: String, port: Int)
    private let identity: TLSClientIdentity
    private let task: Task<Void, Error>
    /// Blocks altered so far, by number.
    public var altered: [UInt64] { lock.withLock { alteredBlocks } }
    private let lock = NSLock()
    private var alteredBlocks: [UInt64] = []
    /// `blocks` requests refused so far (`refusedBlocks`).
    public var refused: Int { lock.withLock { refusedRequests } }
    private var refusedRequests = 0

    /// Listens on 127.0.0.1 (any free port) as `certificate`/`key`, relaying to
    /// `upstream` (HOST, PORT) whose certificate must chain to `trusted`.
    public init(upstream: (host: String, port: Int), certificate: String, key: String, trusted: String, tampering: Tampering,
                only: UInt64? = nil) throws {
        self.tampering = tampering
        self.only = only
        self.upstream = upstream
        identity = TLSClientIdentity(certificate: certificate, key: key, trusted: trusted)
        let tls = try TLSServerContext(certificate: certificate, chain: nil, key: key, admit: { _ in nil })
        server = SocketServer(host: "127.0.0.1", port: 0, tls: tls,
                              limits: SocketServerLimits(maximumFrameSize: 64 << 20, requestsInFlight: 64, connections: 64, shutdownGraceSeconds: 0),
                              refusal: { Array($0.utf8) })
        let box = Box()
        let server = self.server
        task = Task { try await server.run(handle: { payload in box.relay?.handle(payload) ?? .concurrently { _ in } }) }
        box.relay = self
        for _ in 0..<500 where server.listeningAddress == nil { usleep(10_000) }
    }

    private final class Box: @unchecked Sendable { weak var relay: TamperingRelay? }

    /// HOST:PORT the relay listens on.
    public var address: String { server.listeningAddress ?? "" }

    public func stop() {
        server.stop()
        task.cancel()
    }

    private func handle(_ payload: [UInt8]) -> RequestHandling {
        let upstream = self.upstream, identity = self.identity
        let op = (try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])?["op"] as? String
        if op == "follow" {
            return .exclusively { [self] writer in
                let client = try await blocking { try FrameClient(host: upstream.host, port: upstream.port, identity: identity, maximumFrameSize: 64 << 20, timeout: 30) }
                defer { client.close() }
                try client.send(payload)
                while true {
                    let frame = try await blocking { try client.receive() }
                    try await holdBack(frame)
                    try await writer.send(tamper(frame))
                }
            }
        }
        if op == "blocks" && tampering == .refusedBlocks {
            let id = (try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])?["id"] as? Int ?? 0
            lock.withLock { refusedRequests += 1 }
            return .concurrently { writer in
                try await writer.send(Array(#"{"id":\#(id),"status":2,"error":"busy: ask another node"}"#.utf8))
            }
        }
        return .concurrently { [self] writer in
            let answer = try await blocking {
                let client = try FrameClient(host: upstream.host, port: upstream.port, identity: identity, maximumFrameSize: 64 << 20, timeout: 30)
                defer { client.close() }
                return try client.request(payload)
            }
            try await holdBack(answer)
            try await writer.send(tamper(answer))
        }
    }

    /// Waits `lateSeconds` before a frame that carries blocks is passed on, when the tampering says so.
    private func holdBack(_ frame: [UInt8]) async throws {
        guard tampering == .lateBlocks || tampering == .misplacedCommit,
              (try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any])?["blocks"] != nil else { return }
        try await Task.sleep(nanoseconds: UInt64(Self.lateSeconds * 1e9))
    }

    /// The frame as this relay passes it on: as `tampering` says, else unchanged.
    func tamper(_ frame: [UInt8]) -> [UInt8] {
        if tampering == .announcedCommitHashOfPushedBlock {
            guard var json = try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any], json["record"] != nil,
                  let last = (json["blocks"] as? [String])?.last,
                  let header = Data(base64Encoded: last).flatMap({ try? CommittedBlock(decoding: Array($0)) })?.block.header else { return frame }
            json["record"] = ["block": header.number, "hash": header.hash.hex, "commitHash": String(header.commitHash.hex.reversed())]
            lock.withLock { alteredBlocks.append(header.number) }
            return (try? Array(JSONSerialization.data(withJSONObject: json))) ?? frame
        }
        if tampering == .lateBlocks || tampering == .misplacedCommit {
            // The follower must learn of no other node: every block it gets comes through here.
            guard var json = try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any] else { return frame }
            json["nodes"] = nil
            if tampering == .misplacedCommit, json["outcome"] as? String == "committed", let block = json["block"] as? Int, block > 0 {
                json["block"] = block - 1
                lock.withLock { alteredBlocks.append(UInt64(block)) }
            }
            return (try? Array(JSONSerialization.data(withJSONObject: json))) ?? frame
        }
        if tampering == .announcedCommitHash {
            guard var json = try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any],
                  var item = json["record"] as? [String: Any], let hash = item["commitHash"] as? String, let number = item["block"] as? Int,
                  json["blocks"] == nil else { return frame }
            item["commitHash"] = String(hash.reversed())
            json["record"] = item
            lock.withLock { alteredBlocks.append(UInt64(number)) }
            return (try? Array(JSONSerialization.data(withJSONObject: json))) ?? frame
        }
        if tampering == .changedProofTransaction || tampering == .changedProofPath { return tamperProof(frame) }
        guard var json = try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any],
              var blocks = json["blocks"] as? [String], !blocks.isEmpty else { return frame }
        let records = blocks.map { Data(base64Encoded: $0).flatMap { try? CommittedBlock(decoding: Array($0)) } }
        let position: Int? = only == nil ? 0 : records.firstIndex { $0?.block.header.number == only }
        guard let position, var record = records[position] else { return frame }
        switch tampering {
        case .flippedSignature:
            guard !record.block.signature.isEmpty else { return frame }
            record.block.signature[record.block.signature.count / 2] ^= 0x01
        case .announcedCommitHash, .announcedCommitHashOfPushedBlock, .refusedBlocks, .lateBlocks, .misplacedCommit:
            return frame
        case .changedWrite:
            guard let index = record.effects.firstIndex(where: { !$0.writes.isEmpty }) else { return frame }
            record.effects[index].writes[0].value = Array("tampered".utf8)
        case .changedProofTransaction, .changedProofPath:
            return frame
        }
        blocks[position] = Data(record.encoded()).base64EncodedString()
        json["blocks"] = blocks
        lock.withLock { alteredBlocks.append(record.block.header.number) }
        return (try? Array(JSONSerialization.data(withJSONObject: json))) ?? frame
    }

    /// The frame with its inclusion proof altered, when it carries one.
    func tamperProof(_ frame: [UInt8]) -> [UInt8] {
        guard var json = try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any],
              var proof = json["proof"] as? [String: Any], let encoded = proof["transaction"] as? String,
              var transaction = Data(base64Encoded: encoded), var path = proof["path"] as? [String] else { return frame }
        if tampering == .changedProofTransaction {
            // A byte near the end: inside the body's arguments or the signature.
            transaction[transaction.count - 80] ^= 0x01
            proof["transaction"] = transaction.base64EncodedString()
        } else {
            guard var digest = path.first, let last = digest.popLast() else { return frame }
            path[0] = digest + (last == "0" ? "1" : "0")
            proof["path"] = path
        }
        json["proof"] = proof
        lock.withLock { alteredBlocks.append((proof["block"] as? UInt64) ?? UInt64((proof["block"] as? Int) ?? 0)) }
        return (try? Array(JSONSerialization.data(withJSONObject: json))) ?? frame
    }

    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}
