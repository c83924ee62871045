import CSPBasics
import CSPFormat
import CSPNodeProtocol
import CSPWireServer

extension NodeServer {
    /// The channel a stream (`subscribe`, `follow`) reads, once the reader may read every
    /// kind in `kinds`; nil after sending the refusal.
    func openStream(_ request: NodeRequest, writer: ResponseWriter, kinds: [String]) async throws -> ChannelService? {
        let service: ChannelService
        switch channel(request) {
        case .refused(let response):
            try await writer.send(response)
            return nil
        case .found(let found): service = found
        }
        let reads = Reads(service: service)
        for kind in kinds {
            if let refusal = reads.authorize(request, kind: kind) {
                try await writer.send(refusal)
                return nil
            }
        }
        return service
    }

    /// Streams matching events from `from` (default: the next block) in commit order.
    /// After each block the client gets a marker with the block number, so it can resume
    /// from the next one. The stream reads committed blocks at its own pace: a slow
    /// reader is backpressured by the socket and never holds up commits; at shutdown it
    /// is closed after the server's grace period.
    func subscribe(_ request: NodeRequest, writer: ResponseWriter) async throws {
        // Values are state: a subscriber who may not read the state gets no values.
        let kinds = request.values == true ? ["events", "state"] : ["events"]
        guard let service = try await openStream(request, writer: writer, kinds: kinds) else { return }
        var next = request.from ?? service.ledger.height
        var accepted = NodeResponse(id: request.id, status: 0)
        accepted.block = next
        // Events from a state that forked from another node's: said on every frame.
        accepted.suspect = service.currentFork?.message(channel: service.name)
        try await writer.send(accepted)
        while true {
            while next < service.ledger.height {
                let number = next
                // Reading and decoding a block is blocking work: off the cooperative threads.
                guard let record = try await BlockingWork.run({ try service.ledger.block(number: number) }) else { break }
                for var response in Self.eventFrames(record, matching: request) {
                    response.suspect = service.currentFork?.message(channel: service.name)
                    try await writer.send(response)
                }
                var marker = NodeResponse(id: request.id, status: 0)
                marker.block = next
                marker.suspect = service.currentFork?.message(channel: service.name)
                try await writer.send(marker)
                next += 1
            }
            if let fork = service.currentFork, next >= service.ledger.height {
                // A forked channel commits nothing more: the stream ends, saying why.
                var end = NodeResponse(id: request.id, status: 2,
                                       error: fork.message(channel: service.name) + "; this node commits no more blocks on the channel until its ledger is repaired")
                end.block = next
                end.suspect = fork.message(channel: service.name)
                try await writer.send(end)
                return
            }
            let before = service.ledger.height
            await service.waitForHeight(above: next)
            if service.ledger.height == before && service.isStopping { return }
        }
    }

    /// The event frames of `record` that `request` (a `subscribe`) asks for: the events of
    /// its valid transactions, filtered by contract, account and event name, with the
    /// transaction's writes when it asks for values.
    static func eventFrames(_ record: CommittedBlock, matching request: NodeRequest) -> [NodeResponse] {
        var frames: [NodeResponse] = []
        for (index, transaction) in record.block.transactions.enumerated() where record.block.validations[index].code == .valid {
            let effects = record.effects[index]
            if let contract = request.contract, transaction.body.contract != contract { continue }
            if let account = request.account, !effects.accounts.contains(account) { continue }
            for event in effects.events {
                if let name = request.event, event.name != name { continue }
                var item = NodeItem()
                item.block = record.block.header.number
                item.index = UInt32(index)
                item.txid = transaction.id.hex
                item.contract = transaction.body.contract
                item.function = transaction.body.function
                item.event = event.name
                item.payload = Reads.text(event.payload)
                item.timestamp = transaction.body.timestamp
                if request.values == true {
                    item.writes = Dictionary(effects.writes.map { (String(decoding: $0.key, as: UTF8.self), $0.value.map(Reads.text)) },
                                             uniquingKeysWith: { $1 })
                }
                var response = NodeResponse(id: request.id, status: 0)
                response.eventItem = item
                frames.append(response)
            }
        }
        return frames
    }
}
