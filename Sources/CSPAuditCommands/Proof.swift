import ArgumentParser
import CSPAudit
import CSPBasics
import CSPCLI
import CSPContracts
import CSPCrypto
import CSPParticipant
import Foundation

extension CSPAudit {
    /// `csp-audit proof`: a self-contained proof file for an anchored document.
    struct Proof: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Write a self-contained proof file for a document already anchored on the ledger.",
            discussion: """
                TARGET is a FILE whose fingerprint is anchored and indexed (anchor.record), \
                or the TXID of an anchor.record transaction that anchored exactly one \
                fingerprint. The proof (docs/FORMAT.md, "Proof file") holds the anchoring \
                transaction, its audit path in the block's Merkle tree, the block header, \
                the orderer's signature and the commit hash's preimage, so that \
                'csp-audit verify FILE --proof P --ca CA.pem' checks it without a node. \
                Reads the block: the channel's read policy must allow 'block' to this \
                identity. The proof is verified before it is written.

                Exit status: 0 written, 1 not anchored or not found, 2 could not read or \
                write, 64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Option(help: ArgumentHelp("Where to write the proof file.", valueName: "file"), completion: .file())
        var out: String

        @Argument(help: ArgumentHelp("An anchored file, or the id of an anchor.record transaction.", valueName: "target"), completion: .file())
        var target: String

        func execute() throws -> ExitStatus {
            let node = try NodeAccess(global: global, channel: channel, timeout: timeout)
            defer { node.close() }
            let document: SHA256Digest, txid: String, block: UInt64
            if !FileIO.exists(target), let id = SHA256Digest(hex: target) {
                let response = try node.read("tx") { $0.target = id.hex }
                guard let record = response.record, record.contract == SystemAnchors.name, record.function == "record", record.code == "valid" else {
                    throw CommandFailure("transaction \(id.hex) is not a valid anchor.record transaction", status: .no)
                }
                let fingerprints = (record.arguments?["fingerprints"] ?? "").split(separator: ",")
                guard fingerprints.count == 1, let only = SHA256Digest(hex: fingerprints[0]) else {
                    throw CommandFailure("transaction \(id.hex) anchors \(fingerprints.count) fingerprints: give the FILE to prove instead", status: .usage)
                }
                (document, txid, block) = (only, id.hex, record.block ?? 0)
            } else {
                document = try SHA256.hash(file: target)
                let anchors = try node.range(prefix: SystemAnchors.documentPrefix + document.hex + "/")
                guard let first = anchors.first, let key = first.key else {
                    throw CommandFailure("\(quoted(target)) is not anchored (\(document.hex))", status: .no)
                }
                (txid, block) = (String(key.split(separator: "/").last ?? ""), first.block ?? 0)
            }
            let proof = try node.proof(document: document, batch: nil, txid: txid, block: block)
            try FileIO.writeAtomically(out, proof.encoded())
            global.output.emit(json: ["sha256": .string(document.hex), "txid": .string(txid), "block": .int(Int64(block)), "proof": .string(out)],
                               text: "\(document.hex)  block \(block)  tx \(txid)  proof \(out)")
            return .success
        }
    }
}
