import CSPBasics
import CSPNodeProtocol
import CSPWireServer
import Foundation

extension NodeServer {
    /// Seconds between heartbeats on an idle `follow` stream: each carries the node's
    /// height, and tells the follower the connection is alive.
    static let pushHeartbeat: Double = 2

    /// `follow`: pushes every committed block from `from` to a following node as soon as
    /// it is committed (docs/PROTOCOL.md, "Push: follow"). Blocks already committed go
    /// first, up to 256 (and 8 MiB) per frame; then each new block as the channel commits
    /// it. Every frame carries the node's height; an idle stream gets a heartbeat frame
    /// every 2 s. The stream is read at the follower's pace (the socket backpressures),
    /// so a slow follower never delays commits.
    func push(_ request: NodeRequest, writer: ResponseWriter) async throws {
        guard let service = try await openStream(request, writer: writer, kinds: ["block"]) else { return }
        var next = request.from ?? service.ledger.height
        let announcing = request.target.flatMap { $0.isEmpty || !Self.isNode(request, service) ? nil : $0 }
        var accepted = NodeResponse(id: request.id, status: 0)
        accepted.block = next
        accepted.height = service.ledger.height
        // Discovery (docs/NETWORK.md): the nodes this one knows and its last block's hashes,
        // with the first frame and then at most every heartbeat interval.
        var announcedAt = Date()
        if let announcing { service.announce(announcing) }
        accepted.nodes = service.knownNodes(excluding: request.target)
        accepted.record = try await BlockingWork.run { try service.blockHashes(at: nil) }
        try await writer.send(accepted)
        while true {
            let from = next
            // A block just made durable is sent as the committing thread encoded it, even
            // before it is indexed; older ones are read from the ledger.
            let recent = service.recentBlocks(from: from, limit: Reads.deliverBlocks) ?? ([], service.ledger.height)
            let height = recent.height
            var blocks = recent.blocks
            if blocks.isEmpty && from < height {
                // Reading and encoding blocks is blocking work: off the cooperative threads.
                blocks = try await BlockingWork.run {
                    try Reads.deliver(service.ledger, from: from, height: height, limit: Reads.deliverBlocks).0
                }
            }
            if !blocks.isEmpty {
                let after = from + UInt64(blocks.count)
                var frame = NodeResponse(id: request.id, status: 0)
                frame.blocks = blocks
                frame.block = after
                frame.height = max(height, after)
                if Date().timeIntervalSince(announcedAt) >= Self.pushHeartbeat {
                    announcedAt = Date()
                    if let announcing { service.announce(announcing) }
                    frame.nodes = service.knownNodes(excluding: request.target)
                    frame.record = try await BlockingWork.run { try service.blockHashes(at: after - 1) }
                }
                try await writer.send(frame)
                next = after
                continue
            }
            if service.isStopping { return }
            if service.currentFork != nil {
                // Its height no longer moves (and waiting for it would return at once).
                try await Task.sleep(nanoseconds: UInt64(Self.pushHeartbeat * 1e9))
            } else {
                await service.waitForHeight(above: next, durable: true, timeout: Self.pushHeartbeat)
            }
            if service.recentBlocks(from: next, limit: 1) == nil && service.ledger.height <= next {
                var heartbeat = NodeResponse(id: request.id, status: 0)
                heartbeat.block = next
                heartbeat.height = service.ledger.height
                announcedAt = Date()
                if let announcing { service.announce(announcing) }
                heartbeat.nodes = service.knownNodes(excluding: request.target)
                heartbeat.record = try await BlockingWork.run { try service.blockHashes(at: nil) }
                try await writer.send(heartbeat)
            }
        }
    }
}
