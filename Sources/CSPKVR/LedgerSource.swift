import CSPBasics
import CSPCrypto
import CSPFormat
import CSPLedger
import Foundation

/// Where a channel's committed blocks come from: its block files here, or a node's socket
/// (csp-kvr's `--socket`, in CSPKVRCommands). LedgerSource checks what it gets from either.
public protocol BlockProvider: AnyObject {
    /// How messages name it: "the ledger '/srv/node'", "the node at '/srv/node/node.sock'".
    var name: String { get }
    /// Block `number`, nil when the channel has no such block (yet).
    func block(_ number: UInt64) throws -> CommittedBlock?
    /// Blocks `number`, `number + 1` … in order up to the last one there now, each checked
    /// to be that block of the channel and to chain to the one before by previous hash;
    /// `body` returns false to stop.
    func forEach(from number: UInt64, _ body: (CommittedBlock) throws -> Bool) throws
    /// The number of blocks there now.
    func height() throws -> UInt64
    /// Follow mode, after a pass found nothing new: returns once block `next` may be there,
    /// or after about `interval` seconds. Block files are looked at again; a node pushes.
    func waitForBlocks(from next: UInt64, interval: Double) throws
}

/// A channel's block files (docs/STORAGE.md), read while the node may be appending: every
/// complete record up to the last, each checked by `BlockFileReader` (checksum, block
/// number, Merkle root, previous-hash chain).
final class BlockFiles: BlockProvider {
    let directory: String
    private let reader: BlockFileReader
    var name: String { "the ledger \(quoted(directory))" }

    init(directory: String) throws {
        self.directory = directory
        reader = try BlockFileReader(directory: directory)
    }

    func block(_ number: UInt64) throws -> CommittedBlock? { try reader.block(number) }

    func forEach(from number: UInt64, _ body: (CommittedBlock) throws -> Bool) throws {
        do {
            try reader.forEach(from: number) { _, record in
                guard try body(record) else { throw Stop() }
            }
        } catch is Stop {}
    }

    func height() throws -> UInt64 {
        // Binary search over `block(_:)`, which reads only the file that holds the block.
        var low: UInt64 = 0, high: UInt64 = 1
        while try reader.block(high - 1) != nil { low = high; high *= 2 }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if try reader.block(middle - 1) != nil { low = middle } else { high = middle }
        }
        if low == 0 { return try reader.block(0) == nil ? 0 : 1 }
        return low
    }

    func waitForBlocks(from next: UInt64, interval: Double) throws {
        Thread.sleep(forTimeInterval: interval)
    }

    private struct Stop: Error {}
}

/// A channel's committed blocks from a provider, each checked as it comes: what the
/// provider checks (block number, channel, previous-hash chain; for files also checksums
/// and Merkle roots) and here the commit hash of the effects, since the rows come from
/// the effects.
public final class LedgerSource {
    public let channel: String
    public let provider: BlockProvider
    /// How messages name the source.
    public var name: String { provider.name }

    /// `ledger` is a node's home (holding `channels/<channel>`) or a channel directory.
    public convenience init(ledger: String, channel: String) throws {
        let nested = ledger + "/channels/" + channel
        let directory: String
        if FileIO.isDirectory(nested + "/blocks") {
            directory = nested
        } else if FileIO.isDirectory(ledger + "/blocks") {
            directory = ledger
        } else if FileIO.isDirectory(ledger + "/channels") {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: ledger + "/channels")) ?? []).sorted()
            throw KVRError(.refused, "no channel \(quoted(channel)) in ledger \(quoted(ledger))"
                + (names.isEmpty ? " (it has no channels)" : " (it has \(names.map(quoted).joined(separator: ", ")))"))
        } else if !FileIO.exists(ledger) {
            throw KVRError(.failure, "cannot open ledger \(quoted(ledger)): no such file or directory")
        } else {
            throw KVRError(.failure, "\(quoted(ledger)) is not a ledger (no 'channels/\(channel)' or 'blocks' folder)")
        }
        let files: BlockFiles
        do {
            files = try BlockFiles(directory: directory)
        } catch {
            throw KVRError(.failure, "\(error)")
        }
        try self.init(provider: files, channel: channel)
    }

    /// Blocks from `provider`, which must hold `channel`.
    public init(provider: BlockProvider, channel: String) throws {
        self.channel = channel
        self.provider = provider
        if let first = try read({ try provider.block(0) }), first.block.header.channel != channel {
            throw KVRError(.refused, "\(provider.name) holds channel \(quoted(first.block.header.channel)), not \(quoted(channel))")
        }
    }

    /// Calls `body` with every block from `from` to `to` (inclusive; nil: the last one
    /// there now), in order; `body` returns false to stop. With a checkpoint, the walk
    /// starts at the checkpoint's block, which must be in the ledger with the checkpoint's
    /// hash: otherwise the target was made from another ledger and is refused, before
    /// anything is written.
    public func forEach(from: UInt64, to: UInt64?, after checkpoint: Checkpoint?, target: String,
                        _ body: (CommittedBlock, SHA256Digest) throws -> Bool) throws {
        try forEach(from: from, to: to, after: checkpoint, target: target) { record, hash, _ in try body(record, hash) }
    }

    /// The same, also handing over the block's final writes, which checking its commit hash
    /// worked out (the deriver's current state needs them too).
    public func forEach(from: UInt64, to: UInt64?, after checkpoint: Checkpoint?, target: String,
                        _ body: (CommittedBlock, SHA256Digest, BlockWrites) throws -> Bool) throws {
        let anchor: UInt64? = checkpoint.map(\.block) ?? (from > 0 ? from - 1 : nil)
        let start = checkpoint.map { $0.block + 1 } ?? from
        if let to, start > to { return }
        var previousCommit = SHA256Digest.zero
        if let checkpoint {
            guard let block = try read({ try provider.block(checkpoint.block) }) else {
                throw KVRError(.refused, "target \(quoted(target)) holds channel \(quoted(channel)) up to block \(checkpoint.block), "
                    + "but \(name) ends before it: the target was made from another ledger")
            }
            let hash = block.block.header.hash
            guard hash == checkpoint.hash, block.block.header.commitHash == checkpoint.commitHash else {
                throw KVRError(.refused, "target \(quoted(target)) holds channel \(quoted(channel)) up to block \(checkpoint.block) "
                    + "with hash \(checkpoint.hash), but that block of \(name) has hash \(hash): "
                    + "the target was made from another ledger")
            }
        }
        var expected = anchor ?? start
        try read {
            try provider.forEach(from: anchor ?? start) { record in
                let header = record.block.header
                let number = header.number
                guard header.channel == channel, number == expected else {
                    throw KVRError(.failure, "\(name) sent block \(number) of channel \(quoted(header.channel)) where block \(expected) of \(quoted(channel)) belongs")
                }
                expected += 1
                if number == anchor {
                    previousCommit = header.commitHash
                    return true
                }
                if let to, number > to { return false }
                let writes = BlockWrites(record)
                let computed = try writes.commitHash(of: record, previous: previousCommit)
                guard computed == header.commitHash else {
                    throw KVRError(.failure, "block \(number) of \(name) is corrupt: commit hash \(header.commitHash) "
                        + "in the header does not match \(computed) computed from the effects")
                }
                previousCommit = computed
                return try body(record, header.hash, writes)
            }
        }
    }

    /// The number of complete blocks there now.
    public func height() throws -> UInt64 {
        try read { try provider.height() }
    }

    /// See `BlockProvider.waitForBlocks`.
    public func waitForBlocks(from next: UInt64, interval: Double) throws {
        try read { try provider.waitForBlocks(from: next, interval: interval) }
    }

    /// Runs a read, turning the ledger's errors (which name block, file and offset) into ours.
    private func read<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KVRError {
            throw error
        } catch {
            throw KVRError(.failure, "\(error)")
        }
    }
}
