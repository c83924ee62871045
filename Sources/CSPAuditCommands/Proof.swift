import ArgumentParser
import CSPAudit
import CSPBasics
import CSPCLI
import CSPContracts
import CSPCrypto
import CSPFormat
import CSPParticipant
import Foundation

extension CSPAudit {
    /// `csp-audit proof`: a self-contained proof file for an anchored document.
    struct Proof: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Write a self-contained proof file for a transaction or an anchored document already on the ledger.",
            discussion: """
                TARGET is the TXID of any valid transaction (64 hex digits), or a FILE: \
                one whose fingerprint is anchored and indexed (anchor.record), or, with \
                --receipt, one anchored in a batch, whose receipt (a receipt file or a \
                bundle) gives its salt and place in the batch. The proof \
                (docs/FORMAT.md, "Proof file") holds the transaction, its audit path in \
                the block's Merkle tree, the block header, the orderer's signature, the \
                commit hash's preimage (the transaction is valid), and, from the \
                channel's configuration in force at that block, the CA certificates above \
                the orderer's and those CAs' CRLs (revocation is judged as of the block), \
                so that 'csp-audit verify FILE|TXID --proof P --ca CA.pem' checks it \
                without a node. Reads the block and the history of the channel's \
                configuration: the read policy must allow 'block', 'history' and (for an \
                indexed FILE) 'state' to this identity. The proof is verified against \
                the channel's CAs before it is written.

                With --receipt and --ca, offline: no node and no identity. The document's \
                receipt is taken from the receipt file or bundle as it is (its \
                transaction's proof, with the CRLs of the block, was made when the batch \
                was anchored), verified against the pinned CA (and any --crl) like \
                'verify --proof', and written only if it holds.

                Exit status: 0 written, 1 not anchored, not found, not valid or (offline) \
                the receipt does not verify, 2 could not read or write, 64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Option(help: ArgumentHelp("Where to write the proof file.", valueName: "file"), completion: .file())
        var out: String

        @Option(help: ArgumentHelp("For a FILE anchored in a batch: its receipt, or a receipt bundle holding it.", valueName: "file"),
                completion: .file())
        var receipt: String?

        @Option(help: ArgumentHelp("With --receipt: a pinned CA certificate (PEM; repeatable) to check the receipt against offline, without a node.", valueName: "pem"),
                completion: .file())
        var ca: [String] = []

        @Option(help: ArgumentHelp("With --receipt and --ca: a CRL (PEM or DER; repeatable), as 'verify --crl'.", valueName: "file"), completion: .file())
        var crl: [String] = []

        @Argument(help: ArgumentHelp("A transaction id, or an anchored file.", valueName: "target"), completion: .file())
        var target: String

        func execute() throws -> ExitStatus {
            let isTransaction = !FileIO.exists(target) && SHA256Digest(hex: target) != nil
            if isTransaction && receipt != nil { throw CommandFailure("--receipt goes with a FILE, not a transaction id", status: .usage) }
            if receipt == nil && !(ca.isEmpty && crl.isEmpty) { throw CommandFailure("--ca and --crl go with --receipt (offline)", status: .usage) }
            if ca.isEmpty && !crl.isEmpty { throw CommandFailure("--crl needs --ca", status: .usage) }
            if let receipt, !ca.isEmpty { return try offline(receipt: receipt) }
            let node = try NodeAccess(global: global, channel: channel, timeout: timeout)
            defer { node.close() }
            let document: SHA256Digest?, batch: ProofFile.Batch?, txid: String, block: UInt64
            if isTransaction, let id = SHA256Digest(hex: target) {
                (document, batch) = (nil, nil)
                (txid, block) = try Self.validTransaction(id.hex, node)
            } else if let receipt {
                let digest = try SHA256.hash(file: target)
                let found: ProofFile?
                do { found = try ProofFile.Lookup(try FileIO.read(receipt, limit: 1 << 32), source: receipt).proof(for: digest) } catch let error as ProofError {
                    throw CommandFailure(error.description)
                }
                guard let found, found.document == digest.hex, let inBatch = found.batch,
                      let bytes = Data(base64Encoded: found.transaction), let transaction = try? Transaction(decoding: Array(bytes)) else {
                    throw CommandFailure("\(quoted(receipt)) holds no batch receipt for \(quoted(target)) (\(digest.hex))", status: .no)
                }
                (document, batch) = (digest, inBatch)
                (txid, block) = try Self.validTransaction(transaction.id.hex, node)
            } else {
                let digest = try SHA256.hash(file: target)
                let anchors = try node.range(prefix: SystemAnchors.documentPrefix + digest.hex + "/")
                guard let first = anchors.first, let key = first.key else {
                    throw CommandFailure("\(quoted(target)) is not anchored (\(digest.hex)); for a document anchored with --batch give its --receipt", status: .no)
                }
                (document, batch) = (digest, nil)
                (txid, block) = (String(key.split(separator: "/").last ?? ""), first.block ?? 0)
            }
            let proof = try node.proof(document: document, batch: batch, txid: txid, block: block)
            try FileIO.writeAtomically(out, proof.encoded())
            var json: [String: JSONValue] = ["txid": .string(txid), "block": .int(Int64(block)), "proof": .string(out)]
            if let document { json["sha256"] = .string(document.hex) }
            global.output.emit(json: json, text: "\(document?.hex ?? "transaction")  block \(block)  tx \(txid)  proof \(out)")
            return .success
        }

        /// `proof FILE --receipt R --ca CA`: the document's receipt cut out of R, written
        /// once it verifies against the pinned CA; no node, no identity.
        private func offline(receipt: String) throws -> ExitStatus {
            let verifier = try OfflineVerification.verifier(ca: ca, crl: crl)
            let digest = try SHA256.hash(file: target)
            let found: ProofFile?
            do { found = try ProofFile.Lookup(try FileIO.read(receipt, limit: 1 << 32), source: receipt).proof(for: digest) } catch let error as ProofError {
                throw CommandFailure(error.description)
            }
            guard let found, found.document == digest.hex, found.batch != nil else {
                throw CommandFailure("\(quoted(receipt)) holds no batch receipt for \(quoted(target)) (\(digest.hex))", status: .no)
            }
            let verified: ProofVerifier.Verified
            do { verified = try verifier.verify(found, document: digest) } catch let error as ProofError {
                switch error {
                case .mismatch(let reason): throw CommandFailure("the receipt for \(quoted(target)) does not verify: \(reason)", status: .no)
                case .malformed(let reason), .undecided(let reason): throw CommandFailure(reason)
                }
            }
            try FileIO.writeAtomically(out, found.encoded())
            global.output.emit(json: ["txid": .string(verified.txid), "block": .int(Int64(verified.block)), "proof": .string(out), "sha256": .string(digest.hex)],
                               text: "\(digest.hex)  block \(verified.block)  tx \(verified.txid)  proof \(out)")
            return .success
        }

        /// Where transaction `txid` is, if the node has it as valid.
        static func validTransaction(_ txid: String, _ node: NodeAccess) throws -> (String, UInt64) {
            let response = try node.read("tx") { $0.target = txid }
            guard let record = response.record, let block = record.block else {
                throw CommandFailure("transaction \(txid) is not on channel \(quoted(node.channel))", status: .no)
            }
            guard record.code == "valid" else {
                throw CommandFailure("transaction \(txid) is in block \(block) but was refused (\(record.code ?? "?")): a proof shows valid transactions", status: .no)
            }
            return (txid, block)
        }
    }
}
