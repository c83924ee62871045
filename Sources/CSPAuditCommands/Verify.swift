import ArgumentParser
import CSPAudit
import CSPBasics
import CSPCertificates
import CSPCLI
import CSPContracts
import CSPCrypto
import CSPParticipant
import Foundation

extension CSPAudit {
    /// `csp-audit verify`: is this document anchored, and where.
    struct Verify: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Check that documents are anchored on the ledger, through the node or offline with a proof.",
            discussion: """
                Through the node (the default), finds each FILE's fingerprint in the anchor \
                index and prints where it stands: channel, block, transaction, the block's \
                time, who anchored it (identity, organisation, role) and the reference. \
                Documents anchored with --batch are not in the index: check them with their \
                receipt.

                With --proof P, offline and without a node: recomputes the \
                document's fingerprint, the salted leaf and batch root of a receipt, the \
                transaction, the block's Merkle root, the commit hash that says the \
                transaction is valid, the block hash and the orderer's signature, and \
                accepts the orderer's certificate only if it chains, at the block's signed \
                time, to a CA certificate given with --ca. Keys in the proof or from a node \
                are never trusted on their own. With a receipt bundle, each FILE is \
                checked against its own line. --explain prints every hash step.

                With -c LIST, checks a sha256sum-style list: each file must match its \
                listed fingerprint, and that fingerprint must be anchored.

                Exit status: 0 every document anchored and matching, 1 some document not \
                anchored, not matching, or its proof does not verify, 2 could not check \
                (unreadable file or proof, node unreachable), 64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Option(help: ArgumentHelp("A proof file, batch receipt or receipt bundle: verify offline.", valueName: "file"), completion: .file())
        var proof: String?

        @Option(help: ArgumentHelp("A pinned CA certificate (PEM; repeatable, or a file of several): the only trust anchor of --proof.", valueName: "pem"),
                completion: .file())
        var ca: [String] = []

        @Option(name: .customShort("c"), help: ArgumentHelp("A sha256sum-style list of files and fingerprints to check.", valueName: "list"), completion: .file())
        var list: String?

        @Flag(help: "Print every hash step of an offline proof.")
        var explain = false

        @Argument(help: ArgumentHelp("The documents to check.", valueName: "file"), completion: .file())
        var files: [String] = []

        func validate() throws {
            if proof != nil {
                if ca.isEmpty { throw ValidationError("--proof needs --ca PEM: the CA certificate you trust, never one the proof carries") }
                if files.isEmpty || list != nil { throw ValidationError("--proof checks FILE... (with a bundle, many at once), not -c") }
            } else {
                if files.isEmpty && list == nil { throw ValidationError("give FILE... or -c LIST") }
                if explain { throw ValidationError("--explain goes with --proof") }
            }
        }

        func execute() throws -> ExitStatus {
            if let proof { return try offline(files: files, proofPath: proof) }
            var entries: [(name: String, expected: SHA256Digest?)] = files.map { ($0, nil) }
            if let list {
                let bytes = try FileIO.read(list)
                for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                    if case .entry(let entry) = SHA256SumLine.parse(Substring(String(decoding: line, as: UTF8.self))) {
                        entries.append((entry.name, entry.digest))
                    }
                }
                if entries.isEmpty { throw CommandFailure("\(quoted(list)): no fingerprint lines found") }
            }
            let node = try NodeAccess(global: global, channel: channel, timeout: timeout)
            defer { node.close() }
            let output = global.output
            var status = ExitStatus.success
            var digests: [Result<SHA256Digest, any Error>] = []
            FileHashing.hash(entries.map(\.name)) { _, result in digests.append(result) }
            for (entry, result) in zip(entries, digests) {
                let digest: SHA256Digest
                switch result {
                case .failure(let error):
                    Diagnostics.error(String(describing: error))
                    status = .failure
                    continue
                case .success(let value): digest = value
                }
                if let expected = entry.expected, expected != digest {
                    output.emit(json: ["file": .string(entry.name), "sha256": .string(digest.hex), "expected": .string(expected.hex), "anchored": false, "ok": false],
                                text: "\(entry.name): FAILED does not match its listed fingerprint")
                    if status == .success { status = .no }
                    continue
                }
                let anchors = try node.range(prefix: SystemAnchors.documentPrefix + digest.hex + "/")
                guard !anchors.isEmpty else {
                    output.emit(json: ["file": .string(entry.name), "sha256": .string(digest.hex), "anchored": false, "ok": false],
                                text: "\(entry.name): not anchored (\(digest.hex))")
                    if status == .success { status = .no }
                    continue
                }
                for item in anchors {
                    let txid = String((item.key ?? "").split(separator: "/").last ?? "")
                    let record = (try? JSONSerialization.jsonObject(with: Data((item.value ?? "{}").utf8))) as? [String: Any] ?? [:]
                    let block = (record["block"] as? NSNumber)?.uint64Value ?? item.block ?? 0
                    let time = (record["time"] as? NSNumber)?.uint64Value ?? 0
                    var json: [String: JSONValue] = ["file": .string(entry.name), "sha256": .string(digest.hex), "anchored": true, "ok": true,
                                                     "channel": .string(node.channel), "block": .int(Int64(block)), "txid": .string(txid),
                                                     "time": .string(Self.iso(time)), "by": .string(record["by"] as? String ?? ""),
                                                     "organization": .string(record["organization"] as? String ?? ""), "role": .string(record["role"] as? String ?? "")]
                    if let ref = record["ref"] as? String { json["ref"] = .string(ref) }
                    if let type = record["type"] as? String { json["type"] = .string(type) }
                    let described = [(record["ref"] as? String).map { "ref \($0)" }, (record["type"] as? String).map { "type \($0)" }].compactMap { $0 }
                    output.emit(json: json, text: "\(entry.name): anchored in \(node.channel) block \(block) tx \(txid) at \(Self.iso(time)) by \(record["by"] as? String ?? "?") (\(record["role"] as? String ?? "?"))\(described.isEmpty ? "" : ", " + described.joined(separator: ", "))")
                }
            }
            return status
        }

        private func offline(files: [String], proofPath: String) throws -> ExitStatus {
            var pinned: [Certificate] = []
            for path in ca {
                do { pinned += try Certificate.all(pemFile: path) } catch { throw CommandFailure("cannot read CA certificate \(quoted(path)): \(error)") }
            }
            if pinned.isEmpty { throw CommandFailure("no certificate in \(ca.map(quoted).joined(separator: ", "))") }
            let lookup: ProofFile.Lookup
            do { lookup = try ProofFile.Lookup(try FileIO.read(proofPath, limit: 1 << 32), source: proofPath) } catch let error as ProofError {
                throw CommandFailure(error.description)
            }
            let verifier = ProofVerifier(pinned: pinned)
            let output = global.output
            var status = ExitStatus.success
            for file in files {
                let digest: SHA256Digest
                do { digest = try SHA256.hash(file: file) } catch {
                    Diagnostics.error(String(describing: error))
                    status = .failure
                    continue
                }
                let found: ProofFile?
                do { found = try lookup.proof(for: digest) } catch let error as ProofError { throw CommandFailure(error.description) }
                guard let proofFile = found else {
                    output.emit(json: ["file": .string(file), "sha256": .string(digest.hex), "ok": false, "reason": "no receipt for it in the bundle"],
                                text: "\(file): FAILED \(quoted(proofPath)) holds no receipt for it (\(digest.hex))")
                    if status == .success { status = .no }
                    continue
                }
                do {
                    // The steps go to stdout in text, to stderr beside JSON lines.
                    let stepsToStderr = output.format == .json
                    let verified = try verifier.verify(proofFile, document: digest) { step in
                        guard explain else { return }
                        if stepsToStderr { Diagnostics.note("  " + step) } else { Swift.print("  " + step) }
                    }
                    var json: [String: JSONValue] = ["file": .string(file), "sha256": .string(digest.hex), "ok": true, "channel": .string(verified.channel),
                                                     "block": .int(Int64(verified.block)), "txid": .string(verified.txid), "time": .string(Self.iso(verified.time)),
                                                     "by": .string(verified.organization + "/" + verified.signer), "organization": .string(verified.organization), "role": .string(verified.role),
                                                     "batch": .bool(verified.batch), "orderer": .string(verified.orderer), "ca": .string(verified.anchor)]
                    if let ref = verified.reference { json["ref"] = .string(ref) }
                    if let type = verified.type { json["type"] = .string(type) }
                    let described = [verified.reference.map { "ref \($0)" }, verified.type.map { "type \($0)" }].compactMap { $0 }
                    output.emit(json: json, text: "\(file): OK anchored in \(verified.channel) block \(verified.block) tx \(verified.txid) at \(Self.iso(verified.time)) by \(verified.organization)/\(verified.signer) (\(verified.role))\(described.isEmpty ? "" : ", " + described.joined(separator: ", ")); signed by \(verified.orderer) under pinned CA \(verified.anchor)")
                } catch let error as ProofError {
                    if case .malformed(let reason) = error { throw CommandFailure(reason) }
                    output.emit(json: ["file": .string(file), "sha256": .string(digest.hex), "ok": false, "reason": .string(error.description)],
                                text: "\(file): FAILED \(error.description)")
                    if status == .success { status = .no }
                }
            }
            return status
        }

        /// A block time in UTC, to the millisecond.
        static func iso(_ milliseconds: UInt64) -> String { UTCTime.format(milliseconds: milliseconds) }
    }
}
