#if canImport(Glibc)
import Glibc
#endif
import CSPBasics
import CSPCrypto
import CSPFormat
import Foundation

/// A self-contained proof that a document's fingerprint is on a ledger (docs/FORMAT.md,
/// "Proof file"): everything from the document's hash up to the orderer's signature, so
/// it verifies offline against a CA certificate the reader pins, without a node.
public struct ProofFile: Codable, Equatable, Sendable {
    public static let formatName = "csp-proof"
    public static let currentVersion = 1

    /// Where a batch receipt places the document: its salt and its audit path in the
    /// batch's tree, whose root and size the anchoring transaction carries.
    public struct Batch: Codable, Equatable, Sendable {
        public var salt: String
        public var index: Int
        public var size: Int
        public var path: [String]

        public init(salt: String, index: Int, size: Int, path: [String]) {
            self.salt = salt
            self.index = index
            self.size = size
            self.path = path
        }
    }

    public var format: String
    public var version: Int
    /// The document's SHA-256, hex. Verifiers recompute it from the file; this copy only
    /// says which document the proof is for.
    public var document: String
    public var batch: Batch?
    /// The anchoring transaction as signed (docs/FORMAT.md, "Signed transaction"), base64.
    public var transaction: String
    /// The transaction's position in its block, and its audit path in the block's tree.
    public var position: Int
    public var blockPath: [String]
    /// The block header and the orderer's signature over its hash, base64.
    public var header: String
    public var signature: String
    /// The commit hash's preimage (docs/FORMAT.md, "Commit hash"), base64: it shows the
    /// transaction's validation code is 0 (valid).
    public var commit: String
    /// CA certificates between the orderer's and a CA the reader may pin, DER base64.
    /// Helpers for building the chain only: never trusted on their own.
    public var chain: [String]

    public init(document: SHA256Digest, batch: Batch?, transaction: [UInt8], position: Int, blockPath: [SHA256Digest],
                header: [UInt8], signature: [UInt8], commit: [UInt8], chain: [[UInt8]]) {
        format = Self.formatName
        version = Self.currentVersion
        self.document = document.hex
        self.batch = batch
        self.transaction = Data(transaction).base64EncodedString()
        self.position = position
        self.blockPath = blockPath.map(\.hex)
        self.header = Data(header).base64EncodedString()
        self.signature = Data(signature).base64EncodedString()
        self.commit = Data(commit).base64EncodedString()
        self.chain = chain.map { Data($0).base64EncodedString() }
    }

    /// JSON, one member per line in sorted order, with a final newline: stable and
    /// diffable. Written by hand (every value is a number, hex or base64, nothing to
    /// escape) because a batch writes one per document. `compact` puts it on one line,
    /// as a line of a receipt bundle.
    public func encoded(compact: Bool = false) -> [UInt8] {
        func list(_ items: [String]) -> String { "[" + items.map { "\"\($0)\"" }.joined(separator: compact ? "," : ", ") + "]" }
        let (open, next, colon) = compact ? ("{", ",", ":") : ("{\n  ", ",\n  ", ": ")
        var members: [String] = []
        if let batch {
            members.append("\"batch\"\(colon){\"index\"\(colon)\(batch.index),\"path\"\(colon)\(list(batch.path)),\"salt\"\(colon)\"\(batch.salt)\",\"size\"\(colon)\(batch.size)}")
        }
        members += ["\"blockPath\"\(colon)\(list(blockPath))", "\"chain\"\(colon)\(list(chain))", "\"commit\"\(colon)\"\(commit)\"",
                    "\"document\"\(colon)\"\(document)\"", "\"format\"\(colon)\"\(format)\"", "\"header\"\(colon)\"\(header)\"",
                    "\"position\"\(colon)\(position)", "\"signature\"\(colon)\"\(signature)\"", "\"transaction\"\(colon)\"\(transaction)\"",
                    "\"version\"\(colon)\(version)"]
        return Array((open + members.joined(separator: next) + (compact ? "}\n" : "\n}\n")).utf8)
    }

    /// Encodes the receipts of one batch fast: they differ only in `document` and
    /// `batch`, so the other members are encoded once. Same bytes as `encoded(compact:)`.
    public struct ReceiptEncoder {
        let compact: Bool
        let middle: [UInt8]
        let tail: [UInt8]

        public init(template: ProofFile, compact: Bool) {
            self.compact = compact
            var probe = template
            probe.batch = Batch(salt: "", index: 0, size: 0, path: [])
            probe.document = "\u{1}"
            let whole = probe.encoded(compact: compact)
            // Cut around the batch member (first) and the document's value.
            let afterBatch = whole.firstRange(of: Array((compact ? "},\"blockPath\"" : "},\n  \"blockPath\"").utf8))!.lowerBound + 1
            let marker = whole.firstIndex(of: 1)!
            middle = Array(whole[afterBatch..<marker])
            tail = Array(whole[(marker + 1)...])
        }

        public func encode(document: SHA256Digest, batch: Batch) -> [UInt8] {
            let colon = compact ? ":" : ": "
            let path = "[" + batch.path.map { "\"\($0)\"" }.joined(separator: compact ? "," : ", ") + "]"
            var out = Array(((compact ? "{" : "{\n  ") + "\"batch\"\(colon){\"index\"\(colon)\(batch.index),\"path\"\(colon)\(path),\"salt\"\(colon)\"\(batch.salt)\",\"size\"\(colon)\(batch.size)}").utf8)
            out.reserveCapacity(out.count + middle.count + 64 + tail.count)
            out += middle
            out += Array(document.hex.utf8)
            out += tail
            return out
        }
    }

    /// The proof for `document` in `bytes`: a proof file, or a receipt bundle (one
    /// compact proof per line, `csp-audit anchor --batch --bundle`), where the line for
    /// the document is looked up by its fingerprint. Only a lookup: the proof found is
    /// verified like any other.
    public static func find(_ document: SHA256Digest, in bytes: [UInt8], source: String) throws -> ProofFile? {
        try Lookup(bytes, source: source).proof(for: document)
    }

    /// A proof file or a bundle, read once, for looking up many documents' proofs.
    public struct Lookup {
        let source: String
        let single: ProofFile?
        let bytes: [UInt8]
        /// Document fingerprint (hex) → the byte range of its line in a bundle.
        let lines: [String: Range<Int>]

        public init(_ bytes: [UInt8], source: String) throws {
            self.source = source
            self.bytes = bytes
            // A proof file opens with "{" alone on its line; a bundle's lines are whole objects.
            guard bytes.count > 2, bytes[0] == UInt8(ascii: "{"), bytes[1] != UInt8(ascii: "\n") else {
                single = try ProofFile(decoding: bytes, source: source)
                lines = [:]
                return
            }
            single = nil
            // memchr and memmem over the raw bytes: a bundle of 100,000 receipts is 300 MB.
            var lines: [String: Range<Int>] = [:]
            let key = Array("\"document\":\"".utf8)
            bytes.withUnsafeBytes { raw in
                let base = raw.baseAddress!
                func search(from: Int, to: Int) -> Int? {
                    var at = from
                    while at + key.count <= to {
                        guard let found = memchr(base + at, Int32(key[0]), to - at - key.count + 1) else { return nil }
                        let index = UnsafeRawPointer(found) - base
                        if memcmp(base + index, key, key.count) == 0 { return index }
                        at = index + 1
                    }
                    return nil
                }
                var start = 0
                while start < raw.count {
                    let end = memchr(base + start, 0x0a, raw.count - start).map { UnsafeRawPointer($0) - base } ?? raw.count
                    if let hit = search(from: start, to: end) {
                        let at = hit + key.count
                        if at + 64 <= end {
                            let hex = String(decoding: UnsafeRawBufferPointer(start: base + at, count: 64), as: UTF8.self)
                            if lines[hex] == nil { lines[hex] = start..<end }
                        }
                    }
                    start = end + 1
                }
            }
            guard !lines.isEmpty else {
                throw ProofError.malformed("\(quoted(source)) is not a csp proof file (JSON with format \(quoted(ProofFile.formatName)))")
            }
            self.lines = lines
        }

        public func proof(for document: SHA256Digest) throws -> ProofFile? {
            if let single { return single }
            guard let range = lines[document.hex] else { return nil }
            return try ProofFile(decoding: Array(bytes[range]), source: source)
        }
    }

    public init(decoding bytes: [UInt8], source: String) throws {
        let proof: ProofFile
        do { proof = try JSONDecoder().decode(ProofFile.self, from: Data(bytes)) } catch {
            throw ProofError.malformed("\(quoted(source)) is not a csp proof file (JSON with format \(quoted(Self.formatName)))")
        }
        guard proof.format == Self.formatName else { throw ProofError.malformed("\(quoted(source)): format is \(quoted(proof.format)), not \(quoted(Self.formatName))") }
        guard proof.version == Self.currentVersion else { throw ProofError.malformed("\(quoted(source)): proof version \(proof.version) is not supported (only \(Self.currentVersion))") }
        self = proof
    }

    /// The proof of transaction `position` of `record`, whose commit hash chains from
    /// `previousCommit`; with `batch`, a receipt for one document of a batch.
    public static func make(document: SHA256Digest, batch: Batch?, record: CommittedBlock, position: Int,
                            previousCommit: SHA256Digest, chain: [[UInt8]]) throws -> ProofFile {
        let block = record.block
        let leaves = block.transactions.map { MerkleTree.leafHash($0.encoded()) }
        let commit = try CommitHash.preimage(previous: previousCommit, number: block.header.number,
                                         validations: block.validations.map(\.code), writes: record.finalWrites)
        return ProofFile(document: document, batch: batch, transaction: block.transactions[position].encoded(), position: position,
                         blockPath: MerkleTree.auditPath(index: position, leafHashes: leaves), header: block.header.encoded(),
                         signature: block.signature, commit: commit, chain: chain)
    }
}

/// Why a proof does not hold (the answer "no") or cannot be read ("could not check").
public enum ProofError: Error, CustomStringConvertible, Equatable, Sendable {
    case mismatch(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .mismatch(let reason), .malformed(let reason): reason
        }
    }
}
