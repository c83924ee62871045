#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CSPBasics
import CSPCLI
import CSPFormat
import CSPLedger
import CSPNodeProtocol
import CSPParticipant
import Foundation

/// Where a ledger's blocks come from: block files (a node's home or a channel's folder,
/// readable beside a running node) or a node's socket. Nothing a source says is trusted:
/// the commands recompute every hash and signature from the blocks themselves.
enum LedgerSource {
    case folder(String)
    case node(NodeAccess)

    /// `spec` is a folder, or a node's Unix socket.
    static func open(_ spec: String, channel: String, global: GlobalOptions, timeout: ReadTimeoutOption) throws -> LedgerSource {
        var info = stat()
        if stat(spec, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK {
            var options = global
            options.socket = spec
            var channelOption = ChannelOption()
            channelOption.channel = channel
            return .node(try NodeAccess(global: options, channel: channelOption, timeout: timeout))
        }
        guard FileIO.isDirectory(spec) else { throw CommandFailure("no ledger at \(quoted(spec)): give a node's home, a channel's folder or a node's socket") }
        for candidate in [spec + "/channels/" + channel, spec] where FileIO.isDirectory(candidate + "/blocks") {
            return .folder(candidate)
        }
        throw CommandFailure("no channel \(quoted(channel)) in \(quoted(spec))")
    }

    var label: String {
        switch self {
        case .folder(let path): quoted(path)
        case .node(let node): "the node at \(quoted(node.socket))"
        }
    }

    func close() { if case .node(let node) = self { node.close() } }

    /// Calls `body` with block `first`, `first + 1` … up to the head.
    func forEach(from first: UInt64 = 0, _ body: (CommittedBlock) throws -> Void) throws {
        switch self {
        case .folder(let path):
            try BlockFileReader(directory: path, completeTail: true).forEach(from: first) { _, record in try body(record) }
        case .node(let node):
            try node.blocks(from: first, to: try node.height(), body)
        }
    }
}

extension NodeAccess {
    /// The channel's height as the node reports it.
    func height() throws -> UInt64 {
        let response = try client.call(client.makeRequest("status", channel: nil))
        try check(response)
        guard let row = response.channels?.first(where: { $0.channel == channel }) else {
            throw CommandFailure("the node serves no channel \(quoted(channel))", status: .no)
        }
        return row.height
    }
}

extension NodeAccess {
    /// Blocks `first..<end` through `blocks` range requests (docs/PROTOCOL.md, "Deliver"),
    /// `depth` of them in flight on the connection so the node reads and encodes the next
    /// ranges while these are verified; handed to `body` in order. A short answer (the
    /// node stops before 8 MiB) is followed by a request for the rest of its range.
    func blocks(from first: UInt64, to end: UInt64, depth: Int = 4, range: UInt64 = 256, _ body: (CommittedBlock) throws -> Void) throws {
        var requested = first
        var inFlight: [UInt64: Range<UInt64>] = [:]
        var arrived: [UInt64: [CommittedBlock]] = [:]
        var next = first
        func request(_ wanted: Range<UInt64>) throws {
            var request = client.makeRequest("blocks", channel: channel)
            request.from = wanted.lowerBound
            request.limit = Int(wanted.count)
            try client.sign(&request)
            try client.send(request)
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
            let response = try client.receive()
            if response.id == 0 { try check(response) }
            guard let wanted = inFlight.removeValue(forKey: response.id) else { continue }
            try check(response)
            var records: [CommittedBlock] = []
            for (offset, text) in (response.blocks ?? []).prefix(Int(wanted.count)).enumerated() {
                let number = wanted.lowerBound + UInt64(offset)
                guard let data = Data(base64Encoded: text) else { throw CommandFailure("the node sent block \(number) not in base64") }
                let record: CommittedBlock
                do { record = try CommittedBlock(decoding: Array(data)) } catch { throw CommandFailure("the node sent a malformed block \(number): \(error)") }
                guard record.block.header.number == number, record.block.header.channel == channel else {
                    throw CommandFailure("the node sent another block than \(channel) block \(number)")
                }
                records.append(record)
            }
            guard !records.isEmpty else { throw CommandFailure("the node sent no blocks from \(wanted.lowerBound) (height \(end))") }
            let got = wanted.lowerBound + UInt64(records.count)
            if got < wanted.upperBound { try request(got..<wanted.upperBound) }
            arrived[wanted.lowerBound] = records
        }
    }
}
