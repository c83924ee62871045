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
    func height() throws -> UInt64 { try client.height(channel: channel) }

    /// Blocks `first..<end`, several range requests in flight (NodeClient.blocks).
    func blocks(from first: UInt64, to end: UInt64, _ body: (CommittedBlock) throws -> Void) throws {
        try client.blocks(channel: channel, from: first, to: end, body)
    }
}
