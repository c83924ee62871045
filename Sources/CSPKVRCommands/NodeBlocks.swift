import CSPBasics
import CSPCLI
import CSPCrypto
import CSPFormat
import CSPKVR
import CSPNodeProtocol
import CSPParticipant
import Foundation
import Synchronization

/// A channel's blocks through a running node (--socket, --node): `blocks` range requests,
/// several in flight, for what is there (NodeClient.blocks, as csp-audit reads), and in
/// follow mode the node's `follow` stream, which pushes each block as it commits
/// (docs/PROTOCOL.md). Nothing sent is trusted for being sent: each block is checked to
/// be the channel's next one and to chain to the one before by previous hash, and
/// LedgerSource recomputes every commit hash from the effects.
/// One thread uses it, except `interrupt()`, which any thread may call (hence unchecked).
final class NodeBlocks: BlockProvider, @unchecked Sendable {
    let channel: String
    let label: String
    /// Follow mode: a lost connection (the node restarting) is waited out, not an error.
    let resilient: Bool
    private let connect: (Double?) throws -> NodeClient
    /// Status and range requests.
    private var requests: NodeClient?
    /// The follow stream, its next block and the node's height as last announced.
    private var stream: NodeClient?
    private var streamNext: UInt64 = 0
    private var streamHeight: UInt64 = 0
    /// Blocks pushed and not handed out yet: `streamNext - pushed.count` onwards.
    private var pushed: [CommittedBlock] = []
    /// The last block handed out: the chain's link to the next, and the anchor a pass asks for again.
    private var last: CommittedBlock?
    private var lastHash = SHA256Digest.zero
    private var warnedLost = false
    /// The stream a wait is blocked on, for `interrupt()` to close from another thread.
    private let waitingOn = Mutex<NodeClient?>(nil)
    private let interrupted = Atomic<Bool>(false)

    var name: String { "the node at \(quoted(label))" }

    /// `connect` makes a connection whose waits last at most the given seconds.
    init(channel: String, label: String, resilient: Bool, connect: @escaping (Double?) throws -> NodeClient) {
        self.channel = channel
        self.label = label
        self.resilient = resilient
        self.connect = connect
    }

    deinit {
        requests?.close()
        stream?.close()
    }

    private func client() throws -> NodeClient {
        if let requests { return requests }
        let made = try connect(NodeClient.defaultTimeout)
        requests = made
        return made
    }

    func height() throws -> UInt64 {
        try answering { try client().height(channel: channel) }
    }

    func block(_ number: UInt64) throws -> CommittedBlock? {
        if let last, last.block.header.number == number { return last }
        guard number < (try height()) else { return nil }
        var found: CommittedBlock?
        try answering { try client().blocks(channel: channel, from: number, to: number + 1) { found = $0 } }
        return found
    }

    func forEach(from number: UInt64, _ body: (CommittedBlock) throws -> Bool) throws {
        var next = number
        if let last, last.block.header.number == number {
            guard try body(last) else { return }
            next += 1
        }
        do {
            if stream != nil, streamNext - UInt64(pushed.count) == next {
                // Pushed blocks, then what the stream still owes up to the height it announced.
                while true {
                    while !pushed.isEmpty {
                        let record = pushed.removeFirst()
                        guard try deliver(record, body) else { return }
                    }
                    guard streamNext < streamHeight else { return }
                    try receiveFrame()
                }
            }
            pushed = []
            let end = try height()
            guard next < end else { return }
            try answering {
                try client().blocks(channel: channel, from: next, to: end) { record in
                    guard try deliver(record, body) else { throw Stop() }
                }
            }
        } catch is Stop {
        } catch where resilient && Self.isConnectionLoss(error) {
            // The node went away mid-pass: what was handed out stays; the next wait reconnects.
            lost(error)
        }
    }

    func waitForBlocks(from next: UInt64, interval: Double) throws {
        guard !interrupted.load(ordering: .relaxed) else { return }
        do {
            if stream == nil || streamNext - UInt64(pushed.count) != next {
                try openStream(from: next)
            } else if pushed.isEmpty {
                try waitForFrame()
            }
        } catch where interrupted.load(ordering: .relaxed) {
            // interrupt() closed the stream: the command is stopping, nothing was lost.
        } catch where resilient && Self.isConnectionLoss(error) {
            lost(error)
            // A restarting node is back within a second or so; --interval paces the files only.
            Thread.sleep(forTimeInterval: 0.25)
        }
    }

    /// Checks `record` follows the last block handed out, then hands it out.
    private func deliver(_ record: CommittedBlock, _ body: (CommittedBlock) throws -> Bool) throws -> Bool {
        let header = record.block.header
        if let last, last.block.header.number + 1 == header.number, header.previousHash != lastHash {
            let reason = "previous hash \(header.previousHash) is not \(lastHash)"
            throw KVRError(.failure, "block \(header.number) from \(name) does not follow the block before it: \(reason)")
        }
        last = record
        lastHash = header.hash
        return try body(record)
    }

    /// A `follow` stream from `next`, on its own connection (the stream owns it). Heartbeats
    /// come every 2 s, so a stream silent for 10 s is taken for lost.
    private func openStream(from next: UInt64) throws {
        stream?.close()
        stream = nil
        pushed = []
        let made = try connect(10)
        var request = made.makeRequest("follow", channel: channel)
        request.from = next
        try answering {
            try made.sign(&request)
            try made.send(request)
            let first = try made.receive()
            try check(first)
        }
        stream = made
        streamNext = next
        streamHeight = next
        if warnedLost {
            Diagnostics.note("\(name) is back; following from block \(next)")
            warnedLost = false
        }
        try waitForFrame()
    }

    /// Stops a wait for the next pushed block now rather than at the node's next heartbeat
    /// (up to 2 s away): follow's SIGINT and SIGTERM. A wait happens only between batches,
    /// after the last checkpoint was committed, so closing the stream loses nothing.
    func interrupt() {
        interrupted.store(true, ordering: .relaxed)
        waitingOn.withLock { $0?.close() }
    }

    /// `receiveFrame()`, closable by `interrupt()` while it waits.
    private func waitForFrame() throws {
        guard let stream else { return }
        waitingOn.withLock { $0 = stream }
        defer { waitingOn.withLock { $0 = nil } }
        // Interrupted before the stream was published: interrupt() had nothing to close.
        guard !interrupted.load(ordering: .relaxed) else { return }
        try receiveFrame()
    }

    /// One frame of the stream: blocks (kept in `pushed`) or a heartbeat.
    private func receiveFrame() throws {
        guard let stream else { return }
        let response = try stream.receive()
        try answering { try check(response) }
        if let height = response.height { streamHeight = height }
        let records = try answering { try NodeClient.decodeBlocks(response.blocks ?? [], channel: channel, from: streamNext) }
        pushed += records
        streamNext += UInt64(records.count)
    }

    private func lost(_ error: any Error) {
        stream?.close()
        requests?.close()
        stream = nil
        requests = nil
        pushed = []
        if !warnedLost {
            Diagnostics.warning("lost \(name) (\(error)); waiting for it to come back")
            warnedLost = true
        }
    }

    /// A dropped or refused connection, a timeout: anything but the node's answer
    /// (CommandFailure) or a block that does not check (KVRError).
    private static func isConnectionLoss(_ error: any Error) -> Bool {
        !(error is KVRError) && !(error is CommandFailure)
    }

    /// The node's refusals as KV-R's errors: a read refused exits 1, anything else 2.
    private func answering<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as CommandFailure {
            throw KVRError(failure.status == .no ? .refused : .failure, "\(name): \(failure.message)")
        }
    }

    private struct Stop: Error {}
}
