import COpenSSL
import CSPBasics
import CSPCertificates
import CSPCrypto
import CSPFormat
import Foundation

/// Checks a proof file against a document or a transaction id, offline, trusting only
/// the CA certificates the reader pins. Every link is recomputed, never read from the proof:
/// document → (salted leaf → batch root) → anchoring transaction → block Merkle root →
/// block header → commit hash (the transaction is valid) → orderer signature → orderer
/// certificate → a pinned CA at the header's signed time, not revoked then by a CRL
/// signed by the CA itself.
public struct ProofVerifier {
    public let pinned: [Certificate]
    /// CRLs the reader supplies (`--crl`), beside those the proof carries; either kind is
    /// used only when the CA it names signed it.
    public let crls: [CertificateRevocationList]

    /// Signers already checked, by header, signature, chain and CRLs (see `verifyInclusion`).
    private let checkedSigners = CheckedSigners()

    /// Not a generic box keyed by [String]: instantiating such types (and looking up
    /// Array's Hashable conformance among every conformance in the binary) cost a
    /// one-proof process about 3 % of its run.
    final class CheckedSigners {
        var byKey: [String: Signer] = [:]
    }

    struct Signer {
        let orderer: String
        let anchor: String
    }

    public init(pinned: [Certificate], crls: [CertificateRevocationList] = []) {
        self.pinned = pinned
        self.crls = crls
    }

    /// What a verified proof establishes.
    public struct Verified: Sendable {
        public var channel: String
        public var block: UInt64
        public var txid: String
        /// From the signed block header, ms since the epoch.
        public var time: UInt64
        public var signer: String
        public var organization: String
        public var role: String
        public var reference: String?
        public var type: String?
        public var batch: Bool
        /// The orderer certificate's subject and the pinned CA it chains to.
        public var orderer: String
        public var anchor: String
        /// The transaction's contract and function.
        public var contract: String
        public var function: String
    }

    /// Verifies `proof` for the document whose SHA-256 is `document`; `explain` receives
    /// one line per hash step. Throws `ProofError.mismatch` when any link fails.
    public func verify(_ proof: ProofFile, document: SHA256Digest, explain: @escaping (String) -> Void = { _ in }) throws -> Verified {
        func fail(_ reason: String) -> ProofError { .mismatch(reason) }
        explain("document sha256 = \(document.hex)")
        // A transaction proof carries no label: its anchor.record transaction says which documents.
        if let label = proof.document, label != document.hex {
            throw fail("the document's fingerprint \(document.hex) is not the one the proof is for (\(label))")
        }
        if proof.isTransactionProof && proof.batch != nil { throw fail("a transaction proof carries no batch receipt") }
        let transactionBytes = try base64(proof.transaction, "transaction")
        let transaction: Transaction
        do { transaction = try Transaction(decoding: transactionBytes) } catch { throw fail("the proof's transaction: \(error)") }
        let body = transaction.body
        explain("txid = SHA-256(transaction body) = \(transaction.id.hex)")
        guard body.contract == "anchor" else { throw fail("transaction \(transaction.id.hex) is \(body.contract).\(body.function), not an anchor") }
        let arguments = Self.arguments(body)

        if let batch = proof.batch {
            guard body.function == "batch" else { throw fail("the proof is a batch receipt but the transaction is anchor.\(body.function)") }
            guard let salt = Hex.decode(batch.salt), salt.count == 32 else { throw fail("the receipt's salt is not 32 bytes of hex") }
            guard batch.size >= 1, batch.index >= 0, batch.index < batch.size else {
                throw fail("the receipt's index \(batch.index) is not below its batch size \(batch.size)")
            }
            guard arguments["count"] == String(batch.size) else {
                throw fail("the receipt says the batch holds \(batch.size) documents, the transaction \(arguments["count"] ?? "none")")
            }
            let leaf = MerkleTree.leafHash(salt + document.bytes)
            explain("leaf = SHA-256(00 || salt \(batch.salt) || document) = \(leaf.hex)")
            let path = try digests(batch.path, "batch path")
            guard let root = MerkleTree.root(fromLeaf: leaf, index: batch.index, treeSize: batch.size, path: path, explain: explain) else {
                throw fail("the batch path has \(path.count) steps, not the number leaf \(batch.index) of \(batch.size) needs")
            }
            explain("batch root = \(root.hex)")
            guard arguments["root"] == root.hex else {
                throw fail("the batch root \(root.hex) computed from the document is not the one transaction \(transaction.id.hex) anchored")
            }
        } else {
            guard body.function == "record" else { throw fail("the proof is for an indexed fingerprint but the transaction is anchor.\(body.function)") }
            guard (arguments["fingerprints"] ?? "").split(separator: ",").contains(Substring(document.hex)) else {
                throw fail("transaction \(transaction.id.hex) does not anchor fingerprint \(document.hex)")
            }
            explain("anchor.record lists \(document.hex)")
        }
        return try verifyInclusion(proof, transaction, transactionBytes, explain: explain)
    }

    /// Verifies that `proof` shows transaction `txid` valid in a block signed by an
    /// orderer a pinned CA vouched for: any proof file proves its transaction.
    public func verify(_ proof: ProofFile, transaction txid: SHA256Digest, explain: @escaping (String) -> Void = { _ in }) throws -> Verified {
        let transactionBytes = try base64(proof.transaction, "transaction")
        let transaction: Transaction
        do { transaction = try Transaction(decoding: transactionBytes) } catch { throw ProofError.mismatch("the proof's transaction: \(error)") }
        explain("txid = SHA-256(transaction body) = \(transaction.id.hex)")
        guard transaction.id == txid else {
            throw ProofError.mismatch("the proof is for transaction \(transaction.id.hex), not \(txid.hex)")
        }
        return try verifyInclusion(proof, transaction, transactionBytes, explain: explain)
    }

    /// Steps 3 to 6 of docs/FORMAT.md, "Proof file": the transaction in the block, valid,
    /// under a header the orderer signed, whose certificate chains to a pinned CA and was
    /// not revoked at the header's time.
    private func verifyInclusion(_ proof: ProofFile, _ transaction: Transaction, _ transactionBytes: [UInt8],
                                 explain: @escaping (String) -> Void) throws -> Verified {
        func fail(_ reason: String) -> ProofError { .mismatch(reason) }
        let body = transaction.body
        let headerBytes = try base64(proof.header, "header")
        let header: BlockHeader
        do { header = try BlockHeader(decoding: headerBytes) } catch { throw fail("the proof's block header: \(error)") }
        guard body.channel == header.channel else { throw fail("the transaction is for channel \(quoted(body.channel)), the block for \(quoted(header.channel))") }
        let count = Int(header.transactionCount)
        guard proof.position >= 0, proof.position < count else {
            throw fail("the transaction's position \(proof.position) is not below the block's \(count) transactions")
        }
        let txLeaf = MerkleTree.leafHash(transactionBytes)
        explain("transaction leaf = SHA-256(00 || signed transaction) = \(txLeaf.hex)")
        let blockPath = try digests(proof.blockPath, "block path")
        guard let merkleRoot = MerkleTree.root(fromLeaf: txLeaf, index: proof.position, treeSize: count, path: blockPath, explain: explain) else {
            throw fail("the block path has \(blockPath.count) steps, not the number transaction \(proof.position) of \(count) needs")
        }
        guard merkleRoot == header.merkleRoot else {
            throw fail("the Merkle root \(merkleRoot.hex) computed from the transaction is not block \(header.number)'s (\(header.merkleRoot.hex))")
        }
        explain("block \(header.number) Merkle root = \(merkleRoot.hex) (matches the header)")

        let commit = try base64(proof.commit, "commit")
        let commitHash = SHA256.hash(commit)
        explain("commit hash = SHA-256(commit preimage) = \(commitHash.hex)")
        guard commitHash == header.commitHash else { throw fail("the commit preimage does not hash to block \(header.number)'s commit hash") }
        let code = try validationCode(commit, position: proof.position, block: header.number, count: count)
        guard code == 0 else { throw fail("transaction \(transaction.id.hex) is in block \(header.number) but was refused (validation code \(code))") }
        explain("validation code of transaction \(proof.position) = 0 (valid)")

        let blockHash = header.hash
        explain("block hash = SHA-256(header) = \(blockHash.hex)")
        // Every receipt of a batch carries the same header, signature, chain and CRLs: their
        // checks (three ECDSA verifications and a chain) are made once per verifier.
        // One string per tuple of fields: the chain's length, then each field prefixed with its own.
        var key = "\(proof.chain.count)/"
        for field in [proof.header, proof.signature] + proof.chain + (proof.crls ?? []) { key += "\(field.utf8.count):" + field }
        let signer: Signer
        if let known = checkedSigners.byKey[key] {
            signer = known
            explain("orderer signature, chain and CRLs: the same as a proof verified above")
        } else {
            signer = try checkSigner(header, blockHash: blockHash, proof: proof, explain: explain)
            checkedSigners.byKey[key] = signer
        }

        let creator = try? Certificate(der: body.creator)
        let creatorIdentity = (try? creator?.identity) ?? nil
        let arguments = Self.arguments(body)
        return Verified(channel: header.channel, block: header.number, txid: transaction.id.hex, time: header.timestamp,
                        signer: creator?.subject.commonName ?? "?", organization: creatorIdentity?.organization ?? creator?.subject.organization ?? "?",
                        role: creatorIdentity?.role ?? "?", reference: body.contract == "anchor" ? arguments["ref"] : nil,
                        type: body.contract == "anchor" ? arguments["type"] : nil,
                        batch: proof.batch != nil, orderer: signer.orderer, anchor: signer.anchor, contract: body.contract, function: body.function)
    }

    /// Steps 5 and 6: the orderer's signature, its chain to a pinned CA and its CRLs.
    private func checkSigner(_ header: BlockHeader, blockHash: SHA256Digest, proof: ProofFile, explain: (String) -> Void) throws -> Signer {
        func fail(_ reason: String) -> ProofError { .mismatch(reason) }
        let orderer: Certificate
        do { orderer = try Certificate(der: header.orderer) } catch { throw fail("the header's orderer certificate: \(error)") }
        let signature = try base64(proof.signature, "signature")
        guard (try? orderer.publicKey.isValidLowSSignature(signature, digest: blockHash)) == true else {
            throw fail("the orderer's signature over block \(header.number) does not verify")
        }
        explain("orderer signature over \(blockHash.hex) verifies with \(orderer.subject)")
        var intermediates: [Certificate] = []
        for (index, der) in proof.chain.enumerated() {
            do { intermediates.append(try Certificate(der: try base64(der, "chain"))) } catch { throw fail("chain certificate \(index + 1): \(error)") }
        }
        let time = Date(timeIntervalSince1970: Double(header.timestamp) / 1000)
        let store = TrustStore(roots: pinned, intermediates: intermediates, checkRevocation: false)
        let identity: VerifiedIdentity
        switch store.verify(orderer, untrusted: intermediates, at: time) {
        case .valid(let verified): identity = verified
        case .invalid(let reason, _):
            throw fail("the orderer certificate \(orderer.subject) does not chain to a pinned CA at the block's time: \(reason)")
        }
        guard identity.role == CertificateRole.node.rawValue else {
            throw fail("block \(header.number) is signed by \(orderer.subject), whose role is \(identity.role ?? "none"), not node")
        }
        let path = Self.path(of: orderer, intermediates: intermediates, pinned: pinned)
        let anchor = path.last.map { "\($0.subject)" } ?? "?"
        explain("orderer certificate chains to the pinned CA \(anchor)")
        var carried: [CertificateRevocationList] = []
        for (index, der) in (proof.crls ?? []).enumerated() {
            do { carried.append(try CertificateRevocationList(der: try base64(der, "crls"))) } catch { throw fail("CRL \(index + 1) of the proof: \(error)") }
        }
        try RevocationCheck(crls: carried + crls).check(path: path, at: header.timestamp, explain: explain)

        return Signer(orderer: "\(orderer.subject)", anchor: anchor)
    }

    private static func arguments(_ body: TransactionBody) -> [String: String] {
        Dictionary(body.arguments.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }, uniquingKeysWith: { a, _ in a })
    }

    /// The certificates from `certificate` up to the pinned CA it chains to, both
    /// included (the trust decision is the trust store's; this is the path it took).
    static func path(of certificate: Certificate, intermediates: [Certificate], pinned: [Certificate]) -> [Certificate] {
        var path = [certificate]
        var current = certificate
        // Names first, compared as libcrypto's chain building compares them: a signature
        // check (an ECDSA verification) only for a possible issuer.
        func issued(_ certificate: Certificate, by issuer: Certificate) -> Bool {
            X509_NAME_cmp(X509_get_issuer_name(certificate.x509), X509_get_subject_name(issuer.x509)) == 0 && certificate.isIssued(by: issuer)
        }
        for _ in 0...intermediates.count {
            if let root = pinned.first(where: { issued(current, by: $0) }) { return path + (root == current ? [] : [root]) }
            guard let next = intermediates.first(where: { issued(current, by: $0) && $0 != current && !path.contains($0) }) else { break }
            path.append(next)
            current = next
        }
        return path
    }

    private func base64(_ text: String, _ what: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text) else { throw ProofError.malformed("the proof's \(what) is not base64") }
        return Array(data)
    }

    private func digests(_ hex: [String], _ what: String) throws -> [SHA256Digest] {
        try hex.map {
            guard let digest = SHA256Digest(hex: $0) else { throw ProofError.malformed("the proof's \(what) holds \(quoted(String($0.prefix(70)))), not a SHA-256 hex digest") }
            return digest
        }
    }

    /// Reads the validation code of transaction `position` from a commit-hash preimage:
    /// magic "CSPC", version 1, previous commit hash, number, list<u8> of codes, writes.
    private func validationCode(_ preimage: [UInt8], position: Int, block: UInt64, count: Int) throws -> UInt8 {
        var reader = CanonicalReader(preimage, structure: "commit preimage")
        do {
            try reader.expectMagic(CommitHash.magic, version: CommitHash.version)
            _ = try reader.fixed(32, "previous commit hash")
            guard try reader.u64("number") == block else { throw ProofError.mismatch("the commit preimage is not block \(block)'s") }
            let codes = try reader.lengthPrefixed("validation codes", max: 1 << 24)
            guard codes.count == count else { throw ProofError.mismatch("the commit preimage lists \(codes.count) validation codes for \(count) transactions") }
            return codes[position]
        } catch let error as ProofError { throw error } catch { throw ProofError.mismatch("\(error)") }
    }
}
