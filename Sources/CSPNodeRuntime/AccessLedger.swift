import CSPBasics
import CSPChannel
import CSPFormat
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An access node's channel on disk (docs/NETWORK.md, "Access nodes"), in
/// `<home>/channels/<C>/`: no block files, no index, no state; only
///
///     headers        every verified block header with the orderer's signature (HeaderStore)
///     config-blocks  the whole blocks that set the configuration: block 0, then each block
///                    whose valid configuration transaction changed it (records
///                    `u32 length, block record`), so the configuration in force at
///                    every height can be rebuilt and checked again
///     follow.conf    the orderer and peers, as for a follower
///
/// Opening verifies everything again: every header (HeaderStore), block 0 as a genesis
/// block, and every later configuration block in full against the header kept for it and
/// the configuration before it (`HeaderVerifier`). A configuration block is appended
/// before its header, so a crash between the two leaves a record past the headers, which
/// is dropped (its block is fetched and verified again); a record cut short is dropped too.
final class AccessLedger: @unchecked Sendable {
    static let configFileName = "config-blocks"

    let directory: String
    let channel: String
    let headers: HeaderStore
    private let lock = NSLock()
    private var configuration: (config: ChannelConfig, block: UInt64)

    /// Whether `directory` holds an access node's channel (its headers) rather than a ledger.
    static func isAccess(_ directory: String) -> Bool {
        FileIO.exists(directory + "/" + HeaderStore.fileName)
    }

    /// Creates the channel's files in `directory` (which exists and is empty) from a
    /// verified block 0.
    static func create(directory: String, channel: String, genesis: CommittedBlock) throws {
        try HeaderStore.appendSynced(record(genesis), to: directory + "/" + configFileName)
        _ = try AccessLedger(directory: directory, channel: channel, appendingGenesis: genesis)
    }

    convenience init(directory: String, channel: String) throws {
        try self.init(directory: directory, channel: channel, appendingGenesis: nil)
    }

    /// Opens and verifies everything as a start does. With `repair` false nothing is
    /// written (`csp-node check`, `config show`): a record cut short at the end, or a
    /// configuration block whose header was not kept, is reported as an `AccessDamage`
    /// instead of dropped.
    init(directory: String, channel: String, appendingGenesis genesis: CommittedBlock?, repair: Bool = true) throws {
        self.directory = directory
        self.channel = channel
        let path = directory + "/" + Self.configFileName
        // The node holds this lock while it serves the channel, so `csp-node rebuild` never races it.
        let held = repair ? try AccessChannel.lockExclusive(path, channel: channel) : -1
        lockDescriptor = held
        do {
            var records = try Self.readRecords(path, repair: repair)
            guard let first = records.first else { throw NodeError("\(quoted(path)): no block 0: the channel was never joined (csp-node join --access)") }
            var config: ChannelConfig
            do { config = try BlockVerifier.verifyGenesis(first.record, channel: channel) } catch {
                throw AccessDamage(path: path, block: 0, offset: 0, reason: "\((error as? BlockVerificationError)?.reason ?? "\(error)")")
            }
            var rules = try ChannelRules(config: config)
            let headers = try HeaderStore(path: directory + "/" + HeaderStore.fileName, channel: channel,
                                          orderer: rules.orderer.der, ordererKey: rules.ordererKey, repair: repair)
            if let genesis { try headers.append(genesis.block.header, signature: genesis.block.signature) }
            guard headers.header(0) == first.record.block.header else {
                throw AccessDamage(path: path, block: 0, offset: 0, reason: "it is not the block whose header \(quoted(headers.path)) keeps")
            }
            var block: UInt64 = 0
            for (position, entry) in records.enumerated().dropFirst() {
                let number = entry.record.block.header.number
                func damage(_ reason: String) -> AccessDamage { AccessDamage(path: path, block: number, offset: entry.offset, reason: reason) }
                guard number < headers.height else {
                    // Appended before a crash kept its header: fetched and verified again.
                    guard repair else { throw damage("its header was never kept (a crash between the two appends, which the node drops at its next start)") }
                    try HeaderStore.truncate(path, to: entry.offset)
                    records = Array(records.prefix(position))
                    break
                }
                guard number > block, let previous = headers.header(number - 1), headers.header(number) == entry.record.block.header else {
                    throw damage("it is not the block whose header \(quoted(headers.path)) keeps")
                }
                do {
                    guard let next = try HeaderVerifier(rules: rules).verify(entry.record, after: previous) else {
                        throw BlockVerificationError(block: number, reason: "it does not change the configuration")
                    }
                    config = next
                    rules = try ChannelRules(config: next)
                    block = number
                } catch let error as BlockVerificationError {
                    throw damage(error.reason)
                } catch {
                    throw damage("\(error)")
                }
            }
            self.headers = headers
            configuration = (config, block)
            configBlocks = records.map { ($0.record, $0.offset) }
        } catch {
            if held >= 0 { close(held) }
            throw error
        }
    }

    /// The configuration blocks kept (block 0 first), each with its offset in the file.
    let configBlocks: [(record: CommittedBlock, offset: Int)]
    private let lockDescriptor: Int32

    deinit { if lockDescriptor >= 0 { close(lockDescriptor) } }

    /// The configuration in force after the last header, and the block that set it.
    var config: (config: ChannelConfig, block: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        return configuration
    }

    /// Keeps verified blocks: the configuration blocks among them whole (first, fsynced),
    /// then every header, with one fsync each. `newConfig` is the configuration a block
    /// put in force.
    func append(_ blocks: [(record: CommittedBlock, newConfig: ChannelConfig?)]) throws {
        let changing = blocks.filter { $0.newConfig != nil }
        if !changing.isEmpty {
            try HeaderStore.appendSynced(changing.flatMap { Self.record($0.record) }, to: directory + "/" + Self.configFileName)
        }
        try headers.append(blocks.map { ($0.record.block.header, $0.record.block.signature) })
        if let last = changing.last, let config = last.newConfig {
            lock.lock()
            configuration = (config, last.record.block.header.number)
            lock.unlock()
        }
    }

    private static func record(_ block: CommittedBlock) -> [UInt8] {
        let encoded = block.encoded()
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt32(encoded.count).bigEndian) { bytes.append(contentsOf: $0) }
        return bytes + encoded
    }

    /// The records of the configuration file, each with its offset; a record cut short
    /// at the end (a crash while appending) is cut off.
    private static func readRecords(_ path: String, repair: Bool) throws -> [(record: CommittedBlock, offset: Int)] {
        guard FileIO.exists(path) else { return [] }
        let bytes = try FileIO.read(path)
        var records: [(CommittedBlock, Int)] = []
        var offset = 0
        // A record whose block number cannot be read: the blocks after the last good one are in doubt.
        func damage(_ offset: Int, _ what: String) -> AccessDamage {
            let after = records.last?.0.block.header.number
            let which = after.map { "a configuration block after block \($0)" } ?? "block 0"
            return AccessDamage(path: path, block: after.map { $0 + 1 } ?? 0, offset: offset, named: false,
                                reason: "the record at offset \(offset) (\(which)) " + what)
        }
        while offset < bytes.count {
            guard offset + 4 <= bytes.count else { break }
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            guard offset + 4 + length <= bytes.count else { break }
            do {
                records.append((try CommittedBlock(decoding: Array(bytes[offset + 4..<offset + 4 + length])), offset))
            } catch {
                // Its block's number is in the record: the blocks after the last good one are in doubt.
                throw damage(offset, "does not decode: \(error)")
            }
            offset += 4 + length
        }
        if offset < bytes.count {
            guard repair else { throw damage(offset, "is cut short at the end of the file (a crash during an append, which the node drops at its next start)") }
            try HeaderStore.truncate(path, to: offset)
        }
        return records
    }
}
