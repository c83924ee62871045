import CSPBasics
import CSPContracts
import CSPCrypto
import CSPFormat
import Foundation

/// A self-contained proof that a document's fingerprint, or a transaction, is on a ledger
/// (docs/FORMAT.md, "Proof file"): everything from the document's hash (or the
/// transaction) up to the orderer's signature and the CRLs that show the orderer was not
/// revoked, so it verifies offline against a CA certificate the reader pins, without a node.
public struct ProofFile: Codable, Equatable, Sendable {
    public static let formatName = "csp-proof"
    public static let currentVersion = 1
    /// `kind` of a proof of a transaction (no document): any contract, any function.
    public static let transactionKind = "transaction"

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
    /// says which document the proof is for. Absent in a transaction proof.
    public var document: String?
    /// `"transaction"` for a proof of a transaction; absent in a document's proof.
    public var kind: String?
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
    /// CRLs of the CAs on the orderer's chain, DER base64: signed by those CAs, so
    /// carrying them is safe; they show the orderer's certificate was not revoked.
    public var crls: [String]?

    public var isTransactionProof: Bool { kind == Self.transactionKind }

    /// A document's proof (`document` set), or a transaction's (`document` nil).
    public init(document: SHA256Digest?, batch: Batch?, transaction: [UInt8], position: Int, blockPath: [SHA256Digest],
                header: [UInt8], signature: [UInt8], commit: [UInt8], chain: [[UInt8]], crls: [[UInt8]] = []) {
        format = Self.formatName
        version = Self.currentVersion
        self.document = document?.hex
        kind = document == nil ? Self.transactionKind : nil
        self.batch = batch
        self.transaction = Data(transaction).base64EncodedString()
        self.position = position
        self.blockPath = blockPath.map(\.hex)
        self.header = Data(header).base64EncodedString()
        self.signature = Data(signature).base64EncodedString()
        self.commit = Data(commit).base64EncodedString()
        self.chain = chain.map { Data($0).base64EncodedString() }
        self.crls = crls.isEmpty ? nil : crls.map { Data($0).base64EncodedString() }
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
        members += ["\"blockPath\"\(colon)\(list(blockPath))", "\"chain\"\(colon)\(list(chain))", "\"commit\"\(colon)\"\(commit)\""]
        if let crls { members.append("\"crls\"\(colon)\(list(crls))") }
        if let document { members.append("\"document\"\(colon)\"\(document)\"") }
        members += ["\"format\"\(colon)\"\(format)\"", "\"header\"\(colon)\"\(header)\""]
        if let kind { members.append("\"kind\"\(colon)\"\(kind)\"") }
        members += ["\"position\"\(colon)\(position)", "\"signature\"\(colon)\"\(signature)\"", "\"transaction\"\(colon)\"\(transaction)\"",
                    "\"version\"\(colon)\(version)"]
        return Array((open + members.joined(separator: next) + (compact ? "}\n" : "\n}\n")).utf8)
    }

    /// Encodes the receipts of one batch fast: they differ only in `document` and
    /// `batch`, so the other members are encoded once. Same bytes as `encoded(compact:)`.
    public struct ReceiptEncoder: Sendable {
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

    /// A receipt bundle (docs/FORMAT.md, "Receipt bundle"): on its first line the proof of
    /// the anchor.batch transaction, then one line per document in batch order with its
    /// fingerprint, index and salt. Paths are left out (a verifier rebuilds the tree from
    /// every line), so 100,000 receipts take 15 MB instead of 300.
    public static func bundle(transactionProof: ProofFile, batch: AnchorBatch) -> [UInt8] {
        var out = transactionProof.encoded(compact: true)
        out.reserveCapacity(out.count + batch.count * 152)
        let open = Array(#"{"document":""#.utf8), middle = Array(#"","index":"#.utf8), salt = Array(#","salt":""#.utf8), close = Array(#""}"#.utf8) + [0x0a]
        for index in 0..<batch.count {
            out += open
            appendHex(batch.documents[index].bytes, to: &out)
            out += middle
            out += Array(String(index).utf8)
            out += salt
            appendHex(batch.salts[index], to: &out)
            out += close
        }
        return out
    }

    private static func appendHex(_ bytes: [UInt8], to out: inout [UInt8]) {
        for byte in bytes {
            let high = byte >> 4, low = byte & 0x0f
            out.append(high < 10 ? high + 48 : high + 87)
            out.append(low < 10 ? low + 48 : low + 87)
        }
    }

    /// The proof for `document` in `bytes`: a proof file, or a receipt bundle, where the
    /// document's line is looked up by its fingerprint. Only a lookup: the proof found is
    /// verified like any other.
    public static func find(_ document: SHA256Digest, in bytes: [UInt8], source: String) throws -> ProofFile? {
        try Lookup(bytes, source: source).proof(for: document)
    }

    /// A proof file or a bundle, read once, for looking up many documents' proofs.
    public final class Lookup {
        let source: String
        let single: ProofFile?
        /// A bundle's first line (the batch transaction's proof) and its documents' lines,
        /// in batch order.
        let head: ProofFile?
        let documents: [SHA256Digest]
        let salts: [[UInt8]]
        let firstLine: [SHA256Digest: Int]
        /// The batch's tree, built from every line on the first lookup.
        private lazy var levels = MerkleLevels(leafHashes: zip(salts, documents).map { AnchorBatch.leafHash(salt: $0, document: $1) })

        public init(_ bytes: [UInt8], source: String) throws {
            self.source = source
            func malformed(_ why: String) -> ProofError { .malformed("\(quoted(source)) \(why)") }
            // A proof file opens with "{" alone on its line; a bundle's lines are whole objects.
            let newline = bytes.firstIndex(of: 0x0a) ?? bytes.count
            guard bytes.count > 2, bytes[0] == UInt8(ascii: "{"), bytes[1] != 0x0a, newline + 1 < bytes.count else {
                single = try ProofFile(decoding: bytes, source: source)
                (head, documents, salts, firstLine) = (nil, [], [], [:])
                return
            }
            let first = try ProofFile(decoding: Array(bytes[..<newline]), source: source)
            guard first.isTransactionProof else {
                throw malformed("is not a receipt bundle: its first line is not the proof of the batch's transaction")
            }
            single = nil
            head = first
            // Each line exactly {"document":"HEX64","index":N,"salt":"HEX64"}, N counting from 0.
            var documents: [SHA256Digest] = [], salts: [[UInt8]] = [], firstLine: [SHA256Digest: Int] = [:]
            let open = Array(#"{"document":""#.utf8), middle = Array(#"","index":"#.utf8), salt = Array(#","salt":""#.utf8), close = Array(#""}"#.utf8)
            var at = newline + 1
            while at < bytes.count {
                let end = bytes[at...].firstIndex(of: 0x0a) ?? bytes.count
                let line = bytes[at..<end]
                let index = documents.count
                let digits = Array(String(index).utf8)
                var cursor = line.startIndex
                func take(_ expected: [UInt8]) -> Bool {
                    guard line.count - (cursor - line.startIndex) >= expected.count, line[cursor..<(cursor + expected.count)].elementsEqual(expected) else { return false }
                    cursor += expected.count
                    return true
                }
                func hex() -> [UInt8]? {
                    guard line.endIndex - cursor >= 64, let value = Hex.decode(String(decoding: line[cursor..<(cursor + 64)], as: UTF8.self)) else { return nil }
                    cursor += 64
                    return value
                }
                guard take(open), let document = hex(), take(middle), take(digits), take(salt), let saltBytes = hex(), take(close), cursor == line.endIndex else {
                    throw malformed("line \(index + 2) is not the receipt line of document \(index) ({\"document\":HEX,\"index\":\(index),\"salt\":HEX})")
                }
                let digest = SHA256Digest(bytes: document)!
                documents.append(digest)
                salts.append(saltBytes)
                if firstLine[digest] == nil { firstLine[digest] = index }
                at = end + 1
            }
            (self.documents, self.salts, self.firstLine) = (documents, salts, firstLine)
        }

        /// The file's proof, or a bundle's first line (the batch transaction's proof).
        public var first: ProofFile? { single ?? head }
        public var isBundle: Bool { head != nil }
        /// Whether a bundle has a line for `document`.
        public func holds(_ document: SHA256Digest) -> Bool { firstLine[document] != nil }

        /// The proof for `document` (a bundle's line made a whole receipt); with nil, the
        /// proof of the file's transaction.
        public func proof(for document: SHA256Digest?) throws -> ProofFile? {
            if let single { return single }
            guard var proof = head else { return nil }
            guard let document else { return proof }
            guard let index = firstLine[document] else { return nil }
            proof.kind = nil
            proof.document = document.hex
            proof.batch = Batch(salt: Hex.encode(salts[index]), index: index, size: documents.count, path: levels.auditPath(index: index).map(\.hex))
            return proof
        }
    }

    /// Which documents (fingerprints, hex) and which transaction a proof file is about,
    /// for choosing among many proofs: its `document`, or, for a transaction proof of an
    /// `anchor.record`, every fingerprint the transaction lists; and the transaction's id.
    /// Only a choice: the proof chosen is verified like any other.
    public var subjects: (documents: [String], transaction: String?) {
        guard let bytes = Data(base64Encoded: transaction), let decoded = try? Transaction(decoding: Array(bytes)) else { return (document.map { [$0] } ?? [], nil) }
        if let document { return ([document], decoded.id.hex) }
        let body = decoded.body
        guard body.contract == "anchor", body.function == "record",
              let listed = body.arguments.first(where: { $0.name == "fingerprints" }) else { return ([], decoded.id.hex) }
        return (String(decoding: listed.value, as: UTF8.self).split(separator: ",").map(String.init), decoded.id.hex)
    }

    public init(decoding bytes: [UInt8], source: String) throws {
        guard let proof = Self.members(of: bytes) else {
            throw ProofError.malformed("\(quoted(source)) is not a csp proof file (JSON with format \(quoted(Self.formatName)))")
        }
        guard proof.format == Self.formatName else { throw ProofError.malformed("\(quoted(source)): format is \(quoted(proof.format)), not \(quoted(Self.formatName))") }
        guard proof.version == Self.currentVersion else { throw ProofError.malformed("\(quoted(source)): proof version \(proof.version) is not supported (only \(Self.currentVersion))") }
        self = proof
    }

    /// The members of docs/FORMAT.md's table with their types, read by the repository's
    /// strict JSON reader (one value, nothing after it, no member named twice, integers
    /// only); an optional member may be absent or null, a member not in the table is
    /// ignored. Nil for anything else. Not JSONDecoder: its start-up (generic metadata,
    /// conformance lookups) cost more than checking the proof, and it let a member given
    /// twice pass with one of its values.
    static func members(of bytes: [UInt8]) -> ProofFile? {
        guard let object = (try? CanonicalJSON.parse(bytes))?.objectValue else { return nil }
        func strings(_ value: CanonicalJSON.Value) -> [String]? {
            guard let items = value.arrayValue else { return nil }
            let texts = items.compactMap(\.stringValue)
            return texts.count == items.count ? texts : nil
        }
        /// .some(nil) when absent or null, nil when of another type.
        func optional<T>(_ value: CanonicalJSON.Value?, _ read: (CanonicalJSON.Value) -> T?) -> T?? {
            guard let value, value != .null else { return .some(nil) }
            return read(value).map { .some($0) }
        }
        func batch(_ value: CanonicalJSON.Value) -> Batch? {
            guard let salt = value["salt"]?.stringValue, let index = value["index"]?.integerValue, let size = value["size"]?.integerValue,
                  let path = value["path"].flatMap(strings) else { return nil }
            return Batch(salt: salt, index: index, size: size, path: path)
        }
        guard let format = object["format"]?.stringValue, let version = object["version"]?.integerValue,
              let document = optional(object["document"], \.stringValue), let kind = optional(object["kind"], \.stringValue),
              let batch = optional(object["batch"], batch), let transaction = object["transaction"]?.stringValue,
              let position = object["position"]?.integerValue, let blockPath = object["blockPath"].flatMap(strings),
              let header = object["header"]?.stringValue, let signature = object["signature"]?.stringValue,
              let commit = object["commit"]?.stringValue, let chain = object["chain"].flatMap(strings),
              let crls = optional(object["crls"], strings) else { return nil }
        return ProofFile(format: format, version: version, document: document, kind: kind, batch: batch, transaction: transaction,
                         position: position, blockPath: blockPath, header: header, signature: signature, commit: commit, chain: chain, crls: crls)
    }

    /// Every member as given.
    init(format: String, version: Int, document: String?, kind: String?, batch: Batch?, transaction: String, position: Int,
         blockPath: [String], header: String, signature: String, commit: String, chain: [String], crls: [String]?) {
        self.format = format
        self.version = version
        self.document = document
        self.kind = kind
        self.batch = batch
        self.transaction = transaction
        self.position = position
        self.blockPath = blockPath
        self.header = header
        self.signature = signature
        self.commit = commit
        self.chain = chain
        self.crls = crls
    }

    /// The proof of transaction `position` of `record`, whose commit hash chains from
    /// `previousCommit`: for `document` (with `batch`, a receipt for one document of a
    /// batch), or for the transaction itself when `document` is nil.
    public static func make(document: SHA256Digest?, batch: Batch?, record: CommittedBlock, position: Int,
                            previousCommit: SHA256Digest, chain: [[UInt8]], crls: [[UInt8]] = []) throws -> ProofFile {
        let block = record.block
        let leaves = block.transactions.map { MerkleTree.leafHash($0.encoded()) }
        let commit = try CommitHash.preimage(previous: previousCommit, number: block.header.number,
                                         validations: block.validations.map(\.code), writes: record.finalWrites)
        return ProofFile(document: document, batch: batch, transaction: block.transactions[position].encoded(), position: position,
                         blockPath: MerkleTree.auditPath(index: position, leafHashes: leaves), header: block.header.encoded(),
                         signature: block.signature, commit: commit, chain: chain, crls: crls)
    }
}

/// Why a proof does not hold (the answer "no") or cannot be read ("could not check").
public enum ProofError: Error, CustomStringConvertible, Equatable, Sendable {
    case mismatch(String)
    case malformed(String)
    /// The proof holds as far as it goes but cannot settle the question (no CRL that
    /// covers the block's time): "could not check", never "yes".
    case undecided(String)

    public var description: String {
        switch self {
        case .mismatch(let reason), .malformed(let reason), .undecided(let reason): reason
        }
    }
}
