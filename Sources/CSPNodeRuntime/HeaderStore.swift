import CSPBasics
import CSPChannel
import CSPCrypto
import CSPFormat
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The block headers an access node keeps instead of a ledger (docs/NETWORK.md, "Access
/// nodes"): one append-only file, `headers`, of records `u32 length, header, u32 length,
/// orderer signature`, block 0 first. Every header is verified before it is kept, and
/// again when the file is opened: signed (low-S) by the channel's orderer over its hash,
/// numbered one past the previous, chained to the previous header's hash, and not older
/// than it. Without the transactions and the state nothing more can be checked: not the
/// transactions' signatures or admission, not the validation codes, not the commit hash
/// (it covers a state the access node does not hold); a transaction is checked later,
/// when one is read, with its inclusion proof against the header kept here.
final class HeaderStore: @unchecked Sendable {
    static let fileName = "headers"

    let path: String
    let channel: String
    /// The channel's orderer: its certificate (DER), which headers must name, and its key.
    let orderer: [UInt8]
    let ordererKey: P256PublicKey
    private let lock = NSLock()
    private var headers: [(header: BlockHeader, signature: [UInt8])] = []

    /// Opens (or creates) the store at `path`, verifying every record. A record cut short
    /// at the end (a crash while appending) is dropped, or with `repair` false (`csp-node
    /// check`, which writes nothing) reported; anything else that does not verify is an
    /// `AccessDamage` naming the block.
    init(path: String, channel: String, orderer: [UInt8], ordererKey: P256PublicKey, repair: Bool = true) throws {
        self.path = path
        self.channel = channel
        self.orderer = orderer
        self.ordererKey = ordererKey
        guard FileIO.exists(path) else { return }
        let bytes = try FileIO.read(path)
        var offset = 0
        func field() -> [UInt8]? {
            guard offset + 4 <= bytes.count else { return nil }
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            guard offset + 4 + length <= bytes.count else { return nil }
            defer { offset += 4 + length }
            return Array(bytes[offset + 4..<offset + 4 + length])
        }
        while offset < bytes.count {
            let start = offset
            guard let header = field(), let signature = field() else {
                // A torn tail: what a crash mid-append leaves. Cut it off.
                guard repair else { throw AccessDamage(path: path, block: UInt64(headers.count), offset: start, reason: AccessDamage.tornTail) }
                try Self.truncate(path, to: start)
                break
            }
            let decoded: BlockHeader
            do { decoded = try BlockHeader(decoding: header) } catch {
                throw AccessDamage(path: path, block: UInt64(headers.count), offset: start, reason: "the header does not decode: \(error)")
            }
            if let failure = check(decoded, signature: signature) {
                throw AccessDamage(path: path, block: UInt64(headers.count), offset: start, reason: failure)
            }
            headers.append((decoded, signature))
        }
    }

    var height: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return UInt64(headers.count)
    }

    func header(_ number: UInt64) -> BlockHeader? {
        lock.lock()
        defer { lock.unlock() }
        return number < UInt64(headers.count) ? headers[Int(number)].header : nil
    }

    /// The last header kept; nil before block 0.
    var last: BlockHeader? {
        lock.lock()
        defer { lock.unlock() }
        return headers.last?.header
    }

    /// Verifies the next block's header and appends it (fsynced). Throws a
    /// BlockVerificationError naming the block when it does not verify.
    func append(_ header: BlockHeader, signature: [UInt8]) throws {
        try append([(header, signature)])
    }

    /// Verifies the next headers in order and appends them with one write and one fsync;
    /// nothing is appended when one does not verify.
    func append(_ batch: [(header: BlockHeader, signature: [UInt8])]) throws {
        lock.lock()
        var previous = headers.last?.header
        lock.unlock()
        var bytes: [UInt8] = []
        for (header, signature) in batch {
            if let failure = check(header, signature: signature, previous: previous) {
                throw BlockVerificationError(block: header.number, reason: failure)
            }
            for part in [header.encoded(), signature] {
                withUnsafeBytes(of: UInt32(part.count).bigEndian) { bytes.append(contentsOf: $0) }
                bytes.append(contentsOf: part)
            }
            previous = header
        }
        guard !batch.isEmpty else { return }
        try Self.appendSynced(bytes, to: path)
        lock.lock()
        headers.append(contentsOf: batch.map { ($0.header, $0.signature) })
        lock.unlock()
    }

    /// Appends `bytes` to the file at `path` (created 0640) and fsyncs it.
    static func appendSynced(_ bytes: [UInt8], to path: String) throws {
        if !FileIO.exists(path) { FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640]) }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw SystemError("cannot open \(quoted(path))") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
        try handle.synchronize()
    }

    private func check(_ header: BlockHeader, signature: [UInt8]) -> String? {
        lock.lock()
        let previous = headers.last?.header
        lock.unlock()
        return check(header, signature: signature, previous: previous)
    }

    /// Why `header` cannot follow `previous`; nil when it can.
    private func check(_ header: BlockHeader, signature: [UInt8], previous: BlockHeader?) -> String? {
        let expected = previous.map { $0.number + 1 } ?? 0
        guard header.number == expected else { return "it is not the next block (height \(expected))" }
        guard header.channel == channel else { return "it is for channel \(quoted(header.channel))" }
        guard header.previousHash == (previous?.hash ?? .zero) else { return "its previous hash does not chain to block \(expected == 0 ? 0 : expected - 1)" }
        if let previous, header.timestamp < previous.timestamp {
            return "its timestamp \(header.timestamp) is before the previous block's (\(previous.timestamp))"
        }
        guard header.orderer == orderer else { return "it is signed by a certificate that is not the channel's orderer" }
        guard (try? ordererKey.isValidLowSSignature(signature, digest: header.hash)) == true else {
            return "the orderer's signature does not verify"
        }
        return nil
    }

    static func truncate(_ path: String, to length: Int) throws {
        guard Glibc.truncate(path, off_t(length)) == 0 else { throw SystemError("cannot truncate \(quoted(path))") }
    }
}

/// A record of an access node's files that does not verify (or is cut short): the block
/// it holds, where it starts and why. `csp-node start` stops on it; `csp-node check`
/// names it (exit 1); `csp-node rebuild` cuts the file there.
public struct AccessDamage: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let block: UInt64
    /// The record's offset in the file.
    let offset: Int
    public let reason: String
    /// Whether the record's block number is known (a record that does not decode names only its offset).
    var named = true

    init(path: String, block: UInt64, offset: Int, named: Bool = true, reason: String) {
        self.path = path
        self.block = block
        self.offset = offset
        self.named = named
        self.reason = reason
    }

    static let tornTail = "its record is cut short at the end of the file (a crash during an append, which the node drops at its next start)"

    public var description: String { named ? "\(quoted(path)): block \(block): \(reason)" : "\(quoted(path)): \(reason)" }
}
