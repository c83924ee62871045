import CSPBasics
import CSPChannel
import CSPFormat
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The operator's commands on an access node's channel (docs/NETWORK.md, "Access nodes:
/// checking, configuration, rebuilding"): `csp-node check` and `config show` verify its
/// headers and configuration blocks exactly as a start does (HeaderStore, HeaderVerifier)
/// without writing anything; `csp-node rebuild` cuts them at the first record that does
/// not verify, so the next start fetches those blocks again from its sources.
extension AccessChannel {
    /// What `csp-node check` found on an access channel that verifies.
    public struct CheckReport: Sendable {
        /// Block headers kept and verified.
        public let headers: UInt64
        public let configBlocks: Int
        public let lastBlockHash: String
        /// The last header's commit hash (the orderer's, as signed).
        public let commitHash: String
    }

    /// Verifies the channel's files read-only. Throws `AccessDamage` naming the first
    /// record that does not verify (a record cut short at the end is read again after a
    /// moment, since a serving node may be appending it), anything else when they cannot be read.
    public static func check(home: NodeHome, channel name: String) throws -> CheckReport {
        let ledger = try openReadOnly(home.channel(name), channel: name)
        let last = ledger.headers.last
        return CheckReport(headers: ledger.headers.height, configBlocks: ledger.configBlocks.count,
                           lastBlockHash: last?.hash.hex ?? "", commitHash: last?.commitHash.hex ?? "")
    }

    /// The configuration in force after the last header kept, from the verified
    /// configuration blocks (`csp-node config show`).
    public static func configInForce(home: NodeHome, channel name: String) throws -> ConfigInForce {
        let ledger = try openReadOnly(home.channel(name), channel: name)
        let (config, block) = ledger.config
        guard let record = ledger.configBlocks.first(where: { $0.record.block.header.number == block })?.record,
              let transaction = record.block.transactions.first else {
            throw NodeError("channel \(quoted(name)): no configuration block \(block) is kept")
        }
        return ConfigInForce(config: config, block: block, txid: transaction.id,
                             function: block == 0 ? "genesis" : transaction.body.function, height: ledger.headers.height)
    }

    private static func openReadOnly(_ directory: String, channel: String) throws -> AccessLedger {
        do {
            return try AccessLedger(directory: directory, channel: channel, appendingGenesis: nil, repair: false)
        } catch is AccessDamage {
            // Perhaps an append in progress: read again once it had a moment to complete.
            Thread.sleep(forTimeInterval: 0.2)
            return try AccessLedger(directory: directory, channel: channel, appendingGenesis: nil, repair: false)
        }
    }

    /// What `csp-node rebuild` did on an access channel.
    public struct Rebuilt: Sendable {
        /// The damage found first, nil when everything verified (nothing was changed).
        public let damage: String?
        /// Headers kept after the cut (the block the next start fetches from).
        public let headers: UInt64
        public let configBlocks: Int
        /// The files as they were, kept beside the channel's.
        public let keptFiles: [String]
    }

    /// `csp-node rebuild` on an access node's channel, the node stopped: an access node
    /// keeps no derived data (no index, no state), only signed headers and whole
    /// configuration blocks, which cannot be made again from anything local. So it
    /// verifies them all again and, when a record does not verify, keeps the files as
    /// they were (`headers.broken-<UTC time>`, `config-blocks.broken-<UTC time>`) and cuts
    /// both before the first block in doubt: the next start fetches that block and the
    /// ones after from its sources and verifies them. Block 0 cannot be fetched again
    /// (it is the channel's root of trust): damage there is refused, naming `join`.
    public static func rebuild(home: NodeHome, channel name: String) throws -> Rebuilt {
        let directory = home.channel(name)
        let headersPath = directory + "/" + HeaderStore.fileName
        let configPath = directory + "/" + AccessLedger.configFileName
        let lock = try lockExclusive(configPath, channel: name)
        defer { close(lock) }
        var first: AccessDamage?
        var kept: [String] = []
        while true {
            let damage: AccessDamage
            do {
                let ledger = try AccessLedger(directory: directory, channel: name, appendingGenesis: nil, repair: false)
                return Rebuilt(damage: first.map(\.description), headers: ledger.headers.height,
                               configBlocks: ledger.configBlocks.count, keptFiles: kept)
            } catch let error as AccessDamage {
                damage = error
            }
            guard damage.block > 0 else {
                throw NodeError("channel \(quoted(name)): \(damage): block 0 cannot be fetched again, it is what every other block is verified against; join the channel again in a new home (csp-node join --access)")
            }
            if first == nil {
                first = damage
                let stamp = StateFork.time(UInt64(Date().timeIntervalSince1970 * 1000)).replacingOccurrences(of: ":", with: "")
                for path in [headersPath, configPath] where FileIO.exists(path) {
                    let copy = path + ".broken-" + stamp
                    try FileIO.writeAtomically(copy, try FileIO.read(path), mode: 0o640)
                    kept.append(copy)
                }
            }
            // Everything from the block in doubt on goes: its header and the configuration
            // blocks at or past it (a damaged configuration record at its own offset).
            let headerCut = try HeaderStore.offset(of: damage.block, in: headersPath)
            var configCut = try configOffset(from: damage.block, in: configPath)
            if damage.path == configPath { configCut = min(configCut, damage.offset) }
            let before = size(configPath) + size(headersPath)
            try cut(configPath, at: configCut)
            try cut(headersPath, at: headerCut)
            // Each pass cuts something, or the damage is not one a cut repairs.
            guard size(configPath) + size(headersPath) < before else { throw NodeError("channel \(quoted(name)): \(damage)") }
        }
    }

    private static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Truncates `path` to `length` when it is longer, and syncs it.
    private static func cut(_ path: String, at length: Int) throws {
        guard FileIO.exists(path), size(path) > length else { return }
        try HeaderStore.truncate(path, to: length)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("cannot open \(quoted(path))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw SystemError("cannot sync \(quoted(path))") }
    }

    /// Where the first configuration block numbered `block` or more (or the first record
    /// that does not decode) starts in `path`.
    private static func configOffset(from block: UInt64, in path: String) throws -> Int {
        guard FileIO.exists(path) else { return 0 }
        let bytes = try FileIO.read(path)
        var offset = 0
        while offset + 4 <= bytes.count {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            guard offset + 4 + length <= bytes.count,
                  let record = try? CommittedBlock(decoding: Array(bytes[offset + 4..<offset + 4 + length])),
                  record.block.header.number < block else { return offset }
            offset += 4 + length
        }
        return offset
    }

    /// An advisory lock on the channel's configuration blocks (always there, from the
    /// join on), which a node holds while it serves the channel: refused while one runs.
    static func lockExclusive(_ path: String, channel: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("cannot open \(quoted(path))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { throw NodeError("channel \(quoted(channel)) is open in a running node: stop it first") }
            throw SystemError("cannot lock \(quoted(path))", code: code)
        }
        return fd
    }
}

extension HeaderStore {
    /// Where block `block`'s record starts in the headers file at `path` (its length
    /// when the file holds fewer whole records), read by framing only.
    static func offset(of block: UInt64, in path: String) throws -> Int {
        let bytes = try FileIO.read(path)
        var offset = 0
        var number: UInt64 = 0
        func skip(_ at: Int) -> Int? {
            guard at + 4 <= bytes.count else { return nil }
            let end = at + 4 + bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
            return end <= bytes.count ? end : nil
        }
        while number < block, let header = skip(offset), let signature = skip(header) {
            offset = signature
            number += 1
        }
        return offset
    }
}
