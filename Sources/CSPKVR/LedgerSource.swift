import CSPBasics
import CSPCrypto
import CSPFormat
import CSPLedger
import Foundation

/// A channel's committed blocks, read from its block files (docs/STORAGE.md) while the node
/// may be appending: every complete record up to the last, each checked (checksum, block
/// number, Merkle root, previous-hash chain by `BlockFileReader`; the commit hash of the
/// effects here, since the rows come from the effects).
public final class LedgerSource {
    public let channel: String
    /// The channel's directory (holding `blocks/`).
    public let directory: String
    private let reader: BlockFileReader

    /// `ledger` is a node's home (holding `channels/<channel>`) or a channel directory.
    public init(ledger: String, channel: String) throws {
        self.channel = channel
        let nested = ledger + "/channels/" + channel
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
        do {
            reader = try BlockFileReader(directory: directory)
        } catch {
            throw KVRError(.failure, "\(error)")
        }
        if let first = try read({ try reader.block(0) }), first.block.header.channel != channel {
            throw KVRError(.refused, "ledger \(quoted(directory)) holds channel \(quoted(first.block.header.channel)), not \(quoted(channel))")
        }
    }

    /// Calls `body` with every block from `from` to `to` (inclusive; nil: the last complete
    /// one), in order; `body` returns false to stop. With a checkpoint, the walk starts at
    /// the checkpoint's block, which must be in the ledger with the checkpoint's hash:
    /// otherwise the target was made from another ledger and is refused, before anything
    /// is written.
    public func forEach(from: UInt64, to: UInt64?, after checkpoint: Checkpoint?, target: String,
                        _ body: (CommittedBlock, SHA256Digest) throws -> Bool) throws {
        let anchor: UInt64? = checkpoint.map(\.block) ?? (from > 0 ? from - 1 : nil)
        let start = checkpoint.map { $0.block + 1 } ?? from
        if let to, start > to { return }
        var previousCommit = SHA256Digest.zero
        if let checkpoint {
            guard let block = try read({ try reader.block(checkpoint.block) }) else {
                throw KVRError(.refused, "target \(quoted(target)) holds channel \(quoted(channel)) up to block \(checkpoint.block), "
                    + "but the ledger \(quoted(directory)) ends before it: the target was made from another ledger")
            }
            let hash = block.block.header.hash
            guard hash == checkpoint.hash, block.block.header.commitHash == checkpoint.commitHash else {
                throw KVRError(.refused, "target \(quoted(target)) holds channel \(quoted(channel)) up to block \(checkpoint.block) "
                    + "with hash \(checkpoint.hash), but that block of the ledger \(quoted(directory)) has hash \(hash): "
                    + "the target was made from another ledger")
            }
        }
        do {
            try read {
                try reader.forEach(from: anchor ?? start) { number, record in
                let header = record.block.header
                guard header.channel == channel else {
                    throw KVRError(.failure, "block \(number) in \(quoted(directory)) belongs to channel \(quoted(header.channel)), not \(quoted(channel))")
                }
                if number == anchor {
                    previousCommit = header.commitHash
                    return
                }
                if let to, number > to { throw Stop() }
                let computed = try record.commitHash(previous: previousCommit)
                guard computed == header.commitHash else {
                    throw KVRError(.failure, "block \(number) in \(quoted(directory + "/blocks")) is corrupt: commit hash \(header.commitHash) "
                        + "in the header does not match \(computed) computed from the effects")
                }
                previousCommit = computed
                guard try body(record, header.hash) else { throw Stop() }
                }
            }
        } catch is Stop {}
    }

    /// The number of complete blocks on disk now.
    public func height() throws -> UInt64 {
        // Binary search over `block(_:)`, which reads only the file that holds the block.
        var low: UInt64 = 0, high: UInt64 = 1
        while try read({ try reader.block(high - 1) }) != nil { low = high; high *= 2 }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if try read({ try reader.block(middle - 1) }) != nil { low = middle } else { high = middle }
        }
        if low == 0 { return try read({ try reader.block(0) }) == nil ? 0 : 1 }
        return low
    }

    private struct Stop: Error {}

    /// Runs a read, turning the ledger's errors (which name block, file and offset) into ours.
    private func read<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KVRError {
            throw error
        } catch let stop as Stop {
            throw stop
        } catch {
            throw KVRError(.failure, "\(error)")
        }
    }
}
