import CSPBasics
import CSPChannel
import CSPCrypto
import CSPFormat
import CSPNodeProtocol
import CSPWireServer
import Foundation

/// Subscriptions (`csp-tx watch`) through an access node (docs/NETWORK.md, "Access nodes").
/// The access node checks the subscriber against the channel's read policy in force, as
/// for every read, then fetches the blocks from its sources (peers first, then the
/// orderer; as the node, like when following) and proves each whole block against the
/// header it verified: the same header, its transactions that header's Merkle root, its
/// validation codes and writes that header's commit hash. Each event's transaction is
/// therefore proven to be in that block and valid there, and no valid transaction of the
/// block is left out. The events themselves (name, payload) and a transaction's own writes
/// are the source's word: the commit hash covers the block's codes and its merged writes,
/// not events. Every event frame is marked `unproven`, saying so. A block that does not
/// prove is never streamed: the next source is asked, and when none serves one that
/// proves, the stream ends with status 2 naming why.
extension AccessChannel {
    /// Blocks fetched at once for a subscription.
    static let subscriptionBatch = 64

    func subscribe(_ request: NodeRequest, writer: ResponseWriter) async throws {
        // Values are state: a subscriber who may not read the state gets no values.
        for kind in request.values == true ? ["events", "state"] : ["events"] {
            if let refusal = Reads.authorize(request, kind: kind, rules: currentRules) {
                try await writer.send(refusal)
                return
            }
        }
        var next = request.from ?? height
        var accepted = NodeResponse(id: request.id, status: 0)
        accepted.block = next
        try await writer.send(accepted)
        let fetcher = ProvenBlocks(channel: self)
        defer { fetcher.close() }
        while true {
            while next < height {
                let from = next, limit = Int(min(UInt64(Self.subscriptionBatch), height - next))
                let fetched: (records: [CommittedBlock], source: String)
                do {
                    fetched = try await BlockingWork.run { try fetcher.fetch(from: from, limit: limit) }
                } catch {
                    var end = NodeResponse(id: request.id, status: 2, error: "cannot stream block \(from) of channel \(quoted(name)): \(error)")
                    end.block = next
                    try await writer.send(end)
                    return
                }
                let unproven = "the event is \(fetched.source)'s word: this access node proved its transaction in its verified block and valid there (the block's Merkle root and commit hash), but the commit hash does not cover events"
                    + (request.values == true ? " nor one transaction's own writes" : "")
                for record in fetched.records {
                    for var response in NodeServer.eventFrames(record, matching: request) {
                        response.unproven = unproven
                        try await writer.send(response)
                    }
                    var marker = NodeResponse(id: request.id, status: 0)
                    marker.block = next
                    try await writer.send(marker)
                    next += 1
                }
            }
            if isStopping { return }
            await waitForHeight(above: next, timeout: nil)
        }
    }
}

/// A subscription's blocks from the access node's sources, each proven against its
/// verified headers. One connection at a time, kept while its source serves blocks that
/// prove; a source that fails is left for the next one.
final class ProvenBlocks: @unchecked Sendable {
    private let channel: AccessChannel
    private let addresses: [String]
    private var position = 0
    private var client: NodeClient?
    private let lock = NSLock()

    init(channel: AccessChannel) {
        self.channel = channel
        addresses = channel.target.peers + [channel.target.orderer]
    }

    /// Up to `limit` blocks from `from`, consecutive and proven, and the source that served them.
    func fetch(from: UInt64, limit: Int) throws -> (records: [CommittedBlock], source: String) {
        lock.lock()
        defer { lock.unlock() }
        var failures: [String] = []
        for _ in addresses.indices {
            let address = addresses[position]
            do {
                if client == nil {
                    client = try channel.target.connect(address, channelDirectory: channel.ledger.directory,
                                                        config: channel.currentRules.config, timeout: AccessChannel.relayTimeout)
                }
                let records = try FollowTarget.fetch(client!, channel: channel.name, from: from, limit: limit)
                guard !records.isEmpty else { throw NodeError("it has no block \(from) yet") }
                for (offset, record) in records.enumerated() {
                    let number = from + UInt64(offset)
                    guard record.block.header.number == number, let header = channel.ledger.headers.header(number) else {
                        throw NodeError("it served block \(record.block.header.number) where block \(number) belongs")
                    }
                    let previous = number == 0 ? SHA256Digest.zero : channel.ledger.headers.header(number - 1)?.commitHash ?? .zero
                    do { try AccessChannel.prove(record, header: header, previousCommitHash: previous) } catch {
                        nodeLog.error("channel \(quoted(channel.name)): refused block \(number) for a subscription: the block from \(address) does not verify against this node's block headers: \(error)",
                                      metadata: ["channel": "\(channel.name)"])
                        throw NodeError("the block from \(address) does not verify against this node's block headers: \(error)")
                    }
                }
                return (records, address)
            } catch {
                failures.append("\(address): \(error)")
                client?.close()
                client = nil
                position = (position + 1) % addresses.count
            }
        }
        throw NodeError("no source served it: " + failures.joined(separator: "; "))
    }

    func close() {
        lock.lock()
        client?.close()
        client = nil
        lock.unlock()
    }
}
