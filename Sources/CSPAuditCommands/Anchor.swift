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
    /// `csp-audit anchor`: puts documents' fingerprints on the ledger.
    struct Anchor: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Record documents' SHA-256 fingerprints on the ledger (anchor contract).",
            discussion: """
                By default every fingerprint is recorded and indexed (anchor.record, up to \
                1000 per transaction): anyone who may read the channel's state finds the \
                document by its hash with 'csp-audit verify FILE'. Prints one line per file: \
                fingerprint, name, block and transaction.

                With --batch, all documents go into one transaction as the RFC 6962 root of \
                salted leaves (anchor.batch): the ledger learns neither which documents \
                nor their fingerprints. Each document gets a receipt in --receipts DIR \
                (NAME.proof; a repeated name gets .2, .3 …), a proof file that \
                'csp-audit verify FILE --proof RECEIPT --ca CA.pem' checks offline, and/or \
                all of them in --bundle FILE (the batch transaction's proof and one line \
                per document, docs/FORMAT.md), which --proof also takes. \
                Writing receipts reads the block and the history of the channel's \
                configuration (the read policy must allow 'block' and 'history' \
                to this identity).

                Exit status: 0 anchored, 1 the node refused the transaction, 2 a file \
                could not be read or the node not reached, 75 when the transaction was \
                sent but no answer came within --timeout (the outcome is unknown: look \
                its txid up before anchoring again), 64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Option(help: "What the documents belong to: a demand, contract or invoice (instance id), up to 256 bytes.")
        var ref: String?

        @Option(help: ArgumentHelp("The kind of documents (e.g. invoice, inspection-report), up to 64 bytes.", valueName: "kind"))
        var type: String?

        @Flag(help: "Anchor every document in one transaction, as a Merkle root of salted leaves, with receipts.")
        var batch = false

        @Option(help: ArgumentHelp("With --batch: the folder to write one receipt per document into.", valueName: "dir"), completion: .directory)
        var receipts: String?

        @Option(help: ArgumentHelp("With --batch: one file holding every receipt, a line per document (faster and far smaller than a file each).", valueName: "file"),
                completion: .file())
        var bundle: String?

        @Argument(help: ArgumentHelp("Files or folders to anchor.", valueName: "path"), completion: .file())
        var paths: [String]

        func validate() throws {
            if batch && receipts == nil && bundle == nil {
                throw ValidationError("--batch needs --receipts DIR or --bundle FILE: without its receipt no document of a batch can be proved")
            }
            if !batch && (receipts != nil || bundle != nil) { throw ValidationError("--receipts and --bundle go with --batch") }
        }

        func execute() throws -> ExitStatus {
            let output = global.output
            let (names, digests) = try hashAll()
            let node = try NodeAccess(global: global, channel: channel, timeout: timeout)
            defer { node.close() }
            var described: [TransactionArgument] = []
            if let ref { described.append(TransactionArgument(name: "ref", text: ref)) }
            if let type { described.append(TransactionArgument(name: "type", text: type)) }

            guard batch else {
                // Each distinct fingerprint once per transaction (a copy of a file is the same document).
                var order: [String] = []
                var seen = Set<String>()
                for digest in digests where seen.insert(digest.hex).inserted { order.append(digest.hex) }
                var anchored: [String: (String, UInt64)] = [:]
                for start in stride(from: 0, to: order.count, by: SystemAnchors.maximumFingerprints) {
                    let chunk = order[start..<min(order.count, start + SystemAnchors.maximumFingerprints)]
                    let (txid, block) = try node.commit("anchor", "record", described + [TransactionArgument(name: "fingerprints", text: chunk.joined(separator: ","))])
                    for fingerprint in chunk { anchored[fingerprint] = (txid, block) }
                }
                for (name, digest) in zip(names, digests) {
                    let (txid, block) = anchored[digest.hex]!
                    output.emit(json: ["file": .string(name), "sha256": .string(digest.hex), "channel": .string(node.channel),
                                       "block": .int(Int64(block)), "txid": .string(txid)],
                                text: "\(digest.hex)  \(name)  block \(block)  tx \(txid)")
                }
                return .success
            }

            let anchorBatch = try AnchorBatch(documents: digests)
            let (txid, block) = try node.commit("anchor", "batch", described + [
                TransactionArgument(name: "root", text: anchorBatch.root.hex),
                TransactionArgument(name: "count", text: String(anchorBatch.count)),
            ])
            if let receipts { try FileIO.makeDirectory(receipts) }
            // The batch transaction's proof, checked against the channel's CAs; every
            // receipt is it plus the document's salt and path.
            let transactionProof = try node.proof(document: nil, batch: nil, txid: txid, block: block)
            var template = transactionProof
            template.kind = nil
            template.document = digests[0].hex
            template.batch = anchorBatch.receipt(0)
            let pretty = ProofFile.ReceiptEncoder(template: template, compact: false)
            var paths: [String?] = Array(repeating: nil, count: names.count)
            if let receipts {
                var used: [String: Int] = [:]
                for (index, name) in names.enumerated() {
                    let base = String(name.split(separator: "/").last ?? Substring(name))
                    used[base, default: 0] += 1
                    paths[index] = receipts + "/" + base + (used[base]! > 1 ? ".\(used[base]!)" : "") + ".proof"
                }
                // Creating 100,000 files is the kernel's work: on every core, in slices.
                let failure = Locked<String?>(nil), receiptPaths = paths
                let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)), count = names.count
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for index in stride(from: worker, to: count, by: workers) where failure.value == nil {
                        do { try FileIO.writeUnsynced(receiptPaths[index]!, pretty.encode(document: digests[index], batch: anchorBatch.receipt(index))) } catch {
                            failure.value = String(describing: error)
                        }
                    }
                }
                if let reason = failure.value { throw CommandFailure(reason) }
            }
            let json = output.format == .json
            for (index, (name, digest)) in zip(names, digests).enumerated() {
                let path = paths[index]
                if json {
                    var fields: [String: JSONValue] = ["file": .string(name), "sha256": .string(digest.hex), "channel": .string(node.channel),
                                                       "block": .int(Int64(block)), "txid": .string(txid), "root": .string(anchorBatch.root.hex)]
                    if let path { fields["receipt"] = .string(path) }
                    output.emit(json: fields, text: "")
                } else {
                    output.textOnly("\(digest.hex)  \(name)  block \(block)  tx \(txid)" + (path.map { "  receipt \($0)" } ?? ""))
                }
            }
            if let bundle { try FileIO.writeAtomically(bundle, ProofFile.bundle(transactionProof: transactionProof, batch: anchorBatch)) }
            // One flush for every receipt: they are the only proof of their documents.
            if let receipts { try FileIO.syncFiles(in: receipts) }
            return .success
        }

        /// Every file's fingerprint, in `hash`'s order; any unreadable file stops the
        /// anchoring before anything is submitted.
        private func hashAll() throws -> ([String], [SHA256Digest]) {
            var names: [String] = []
            for item in FileHashing.expand(paths) {
                switch item {
                case .file(let path): names.append(path)
                case .unlistable(_, let error): throw CommandFailure(String(describing: error))
                }
            }
            guard !names.isEmpty else { throw CommandFailure("no files to anchor under \(paths.map(quoted).joined(separator: ", "))", status: .usage) }
            var digests: [SHA256Digest] = []
            try FileHashing.hash(names) { _, result in
                switch result {
                case .success(let digest): digests.append(digest)
                case .failure(let error): throw CommandFailure(String(describing: error))
                }
            }
            return (names, digests)
        }
    }
}

