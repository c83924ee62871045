import CSPBasics
import CSPCLI
import CSPFormat
import CSPNodeProtocol
import Foundation

/// Reading a channel's blocks through a node (docs/PROTOCOL.md, "Deliver"), shared by the
/// tools that verify what they read (csp-audit ledger --socket, csp-kvr export --socket).
extension NodeClient {
    /// The channel's height as the node reports it (`status`, unsigned).
    public func height(channel: String) throws -> UInt64 {
        let response = try call(makeRequest("status", channel: nil))
        try check(response)
        guard let row = response.channels?.first(where: { $0.channel == channel }) else {
            throw CommandFailure("the node serves no channel \(quoted(channel))", status: .no)
        }
        return row.height
    }

    /// Blocks `first..<end` through `blocks` range requests, `depth` of them in flight on
    /// the connection so the node reads and encodes the next ranges while these are
    /// verified; handed to `body` in order. A short answer (the node stops before 8 MiB)
    /// is followed by a request for the rest of its range. Each block is checked to be the
    /// channel's block of that number; the caller checks the rest.
    public func blocks(channel: String, from first: UInt64, to end: UInt64, depth: Int = 4, range: UInt64 = 256,
                       _ body: (CommittedBlock) throws -> Void) throws {
        var requested = first
        var inFlight: [UInt64: Range<UInt64>] = [:]
        var arrived: [UInt64: [CommittedBlock]] = [:]
        var next = first
        func request(_ wanted: Range<UInt64>) throws {
            var request = makeRequest("blocks", channel: channel)
            request.from = wanted.lowerBound
            request.limit = Int(wanted.count)
            try sign(&request)
            try send(request)
            inFlight[request.id] = wanted
        }
        while next < end {
            while inFlight.count < depth, requested < end {
                let upper = min(end, requested + range)
                try request(requested..<upper)
                requested = upper
            }
            if let ready = arrived.removeValue(forKey: next) {
                for record in ready { try body(record) }
                next += UInt64(ready.count)
                continue
            }
            let response = try receive()
            if response.id == 0 { try check(response) }
            guard let wanted = inFlight.removeValue(forKey: response.id) else { continue }
            try check(response)
            let records = try Self.decodeBlocks(response.blocks ?? [], channel: channel, from: wanted.lowerBound, limit: UInt64(wanted.count))
            guard !records.isEmpty else { throw CommandFailure("the node sent no blocks from \(wanted.lowerBound) (height \(end))") }
            let got = wanted.lowerBound + UInt64(records.count)
            if got < wanted.upperBound { try request(got..<wanted.upperBound) }
            arrived[wanted.lowerBound] = records
        }
    }

    /// The blocks of a `blocks` answer or `follow` frame (base64 records), checked to be the
    /// channel's blocks `from`, `from + 1` …; at most `limit` of them.
    public static func decodeBlocks(_ texts: [String], channel: String, from: UInt64, limit: UInt64 = .max) throws -> [CommittedBlock] {
        var records: [CommittedBlock] = []
        for (offset, text) in texts.prefix(Int(min(limit, UInt64(Int.max)))).enumerated() {
            let number = from + UInt64(offset)
            guard let data = Data(base64Encoded: text) else { throw CommandFailure("the node sent block \(number) not in base64") }
            let record: CommittedBlock
            do { record = try CommittedBlock(decoding: Array(data)) } catch { throw CommandFailure("the node sent a malformed block \(number): \(error)") }
            guard record.block.header.number == number, record.block.header.channel == channel else {
                throw CommandFailure("the node sent another block than \(channel) block \(number)")
            }
            records.append(record)
        }
        return records
    }
}
