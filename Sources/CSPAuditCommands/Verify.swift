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
                are never trusted on their own. The orderer's certificate (and every CA \
                certificate above it) must not have been revoked at the block's time, \
                shown by a CRL its CA signed: the proof carries the CRLs of the channel's \
                configuration at the block, and --crl adds one (a newer CRL, or one for a proof that carries none); a key \
                revoked as compromised fails at any time. With a receipt bundle, each FILE \
                is checked against its own line. --proof may be repeated: each FILE is \
                then checked against the proof about it (the one labelled with its \
                fingerprint, an anchor.record transaction proof listing it, or a bundle \
                with its line), so one process checks many documents; -c LIST with \
                --proof also checks each file against its listed fingerprint. --explain \
                prints every hash step.

                A TXID (64 hex digits, not a file) instead of a FILE checks a transaction \
                proof ('csp-audit proof TXID'), or the transaction of any proof: that the \
                transaction is in the block, valid, under the orderer's signature.

                With -c LIST, checks a sha256sum-style list: each file must match its \
                listed fingerprint, and that fingerprint must be anchored (through the \
                node, or offline with --proof).

                Exit status: 0 every document anchored and matching, 1 some document not \
                anchored, not matching, or its proof does not verify, 2 could not check \
                (unreadable file or proof, no CRL to show the orderer was not revoked, \
                node unreachable), 64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Option(help: ArgumentHelp("A proof file, batch receipt or receipt bundle: verify offline (repeatable: each document is checked against the proof that is about it).",
                                   valueName: "file"), completion: .file())
        var proof: [String] = []

        @Option(help: ArgumentHelp("A pinned CA certificate (PEM; repeatable, or a file of several): the only trust anchor of --proof.", valueName: "pem"),
                completion: .file())
        var ca: [String] = []

        @Option(help: ArgumentHelp("A CRL (PEM or DER; repeatable) for --proof, used only if the CA it names signed it.", valueName: "file"),
                completion: .file())
        var crl: [String] = []

        @Option(name: .customShort("c"), help: ArgumentHelp("A sha256sum-style list of files and fingerprints to check.", valueName: "list"), completion: .file())
        var list: String?

        @Flag(help: "Print every hash step of an offline proof.")
        var explain = false

        @Argument(help: ArgumentHelp("The documents to check (with --proof, or a transaction id).", valueName: "file"), completion: .file())
        var files: [String] = []

        func validate() throws {
            if !proof.isEmpty {
                if ca.isEmpty { throw ValidationError("--proof needs --ca PEM: the CA certificate you trust, never one the proof carries") }
                if files.isEmpty && list == nil { throw ValidationError("give FILE... or -c LIST to check against --proof") }
            } else {
                if files.isEmpty && list == nil { throw ValidationError("give FILE... or -c LIST") }
                if explain { throw ValidationError("--explain goes with --proof") }
                if !crl.isEmpty { throw ValidationError("--crl goes with --proof") }
            }
        }

        func execute() throws -> ExitStatus {
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
            if !proof.isEmpty { return try OfflineVerification(ca: ca, crl: crl, explain: explain, output: global.output).run(entries: entries, proofPaths: proof) }
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

        /// A block time in UTC, to the millisecond.
        static func iso(_ milliseconds: UInt64) -> String { UTCTime.format(milliseconds: milliseconds) }
    }
}

/// `verify --proof`: offline, no node, no home. Apart from ArgumentParser so that the
/// common case, one proof per process, can skip its start-up cost (see `CSPAudit.start`).
struct OfflineVerification {
    let ca: [String]
    let crl: [String]
    let explain: Bool
    let output: Output

    /// Checks each entry (a file, or a transaction id where no such file exists; with
    /// the fingerprint a list gave it, if any) against the proof among `proofPaths` that
    /// is about it: with one proof file, that one; with several, the one labelled with
    /// its fingerprint, the transaction proof of an anchor.record listing it, or a bundle
    /// with a line for it (for a transaction id, the proof of that transaction).
    /// The verifier of `--ca` (the pinned CAs, PEM files) and `--crl` (PEM or DER).
    static func verifier(ca: [String], crl: [String]) throws -> ProofVerifier {
        // libcrypto's first use in an offline check: leave openssl.cnf unread (docs/FORMAT.md).
        LibCryptoSetup.skipConfigurationFile()
        var pinned: [Certificate] = []
        for path in ca {
            do { pinned += try Certificate.all(pemFile: path) } catch { throw CommandFailure("cannot read CA certificate \(quoted(path)): \(error)") }
        }
        if pinned.isEmpty { throw CommandFailure("no certificate in \(ca.map(quoted).joined(separator: ", "))") }
        var crls: [CertificateRevocationList] = []
        for path in crl {
            let bytes = try FileIO.read(path, limit: 64 << 20)
            do { crls.append(bytes.starts(with: Array("-----".utf8)) ? try CertificateRevocationList(pem: bytes) : try CertificateRevocationList(der: bytes)) } catch {
                throw CommandFailure("cannot read CRL \(quoted(path)): \(error)")
            }
        }
        return ProofVerifier(pinned: pinned, crls: crls)
    }

    func run(entries: [(name: String, expected: SHA256Digest?)], proofPaths: [String]) throws -> ExitStatus {
        let verifier = try Self.verifier(ca: ca, crl: crl)
        var lookups: [ProofFile.Lookup] = []
        for path in proofPaths {
            do { lookups.append(try ProofFile.Lookup(try FileIO.read(path, limit: 1 << 32), source: path)) } catch let error as ProofError {
                throw CommandFailure(error.description)
            }
        }
        // With several proofs, each is indexed by what it is about.
        var byDocument: [String: Int] = [:], byTransaction: [String: Int] = [:]
        if lookups.count > 1 {
            for (index, lookup) in lookups.enumerated() {
                guard let first = lookup.first else { continue }
                let subjects = first.subjects
                if !lookup.isBundle { for document in subjects.documents where byDocument[document] == nil { byDocument[document] = index } }
                if let transaction = subjects.transaction, byTransaction[transaction] == nil { byTransaction[transaction] = index }
            }
        }
        func choose(_ digest: SHA256Digest, transaction: Bool) -> Int? {
            if lookups.count == 1 { return 0 }
            if transaction { return byTransaction[digest.hex] }
            return byDocument[digest.hex] ?? lookups.firstIndex { $0.isBundle && $0.holds(digest) }
        }
        var status = ExitStatus.success
        func worsen(_ to: ExitStatus) { if status == .success || to == .failure { status = to } }
        for (file, expected) in entries {
            // A transaction id where no such file exists: the proof's transaction is checked.
            let txid = FileIO.exists(file) || expected != nil ? nil : SHA256Digest(hex: file)
            let digest: SHA256Digest
            if let txid { digest = txid } else {
                do { digest = try SHA256.hash(file: file) } catch {
                    Diagnostics.error(String(describing: error))
                    worsen(.failure)
                    continue
                }
            }
            if let expected, expected != digest {
                output.emit(json: ["file": .string(file), "sha256": .string(digest.hex), "expected": .string(expected.hex), "ok": false],
                            text: "\(file): FAILED does not match its listed fingerprint")
                worsen(.no)
                continue
            }
            guard let chosen = choose(digest, transaction: txid != nil) else {
                output.emit(json: ["file": .string(file), "sha256": .string(digest.hex), "ok": false, "reason": "none of the proofs is for it"],
                            text: "\(file): FAILED none of the \(lookups.count) proofs is for it (\(digest.hex))")
                worsen(.no)
                continue
            }
            let proofPath = proofPaths[chosen]
            let found: ProofFile?
            do { found = try lookups[chosen].proof(for: txid == nil ? digest : nil) } catch let error as ProofError { throw CommandFailure(error.description) }
            guard let proofFile = found else {
                output.emit(json: ["file": .string(file), "sha256": .string(digest.hex), "ok": false, "reason": "no receipt for it in the bundle"],
                            text: "\(file): FAILED \(quoted(proofPath)) holds no receipt for it (\(digest.hex))")
                worsen(.no)
                continue
            }
            do {
                // The steps go to stdout in text, to stderr beside JSON lines.
                let stepsToStderr = output.format == .json
                let step: (String) -> Void = { step in
                    guard explain else { return }
                    if stepsToStderr { Diagnostics.note("  " + step) } else { Swift.print("  " + step) }
                }
                let verified = try txid.map { try verifier.verify(proofFile, transaction: $0, explain: step) }
                    ?? verifier.verify(proofFile, document: digest, explain: step)
                var json: [String: JSONValue] = ["ok": true, "channel": .string(verified.channel),
                                                 "block": .int(Int64(verified.block)), "txid": .string(verified.txid), "time": .string(CSPAudit.Verify.iso(verified.time)),
                                                 "by": .string(verified.organization + "/" + verified.signer), "organization": .string(verified.organization), "role": .string(verified.role),
                                                 "batch": .bool(verified.batch), "orderer": .string(verified.orderer), "ca": .string(verified.anchor)]
                if txid == nil {
                    json["file"] = .string(file)
                    json["sha256"] = .string(digest.hex)
                } else {
                    json["call"] = .string(verified.contract + "." + verified.function)
                }
                if let ref = verified.reference { json["ref"] = .string(ref) }
                if let type = verified.type { json["type"] = .string(type) }
                let described = [verified.reference.map { "ref \($0)" }, verified.type.map { "type \($0)" }].compactMap { $0 }
                let what = txid == nil ? "anchored in" : "\(verified.contract).\(verified.function) valid in"
                output.emit(json: json, text: "\(file): OK \(what) \(verified.channel) block \(verified.block) tx \(verified.txid) at \(CSPAudit.Verify.iso(verified.time)) by \(verified.organization)/\(verified.signer) (\(verified.role))\(described.isEmpty ? "" : ", " + described.joined(separator: ", ")); signed by \(verified.orderer) under pinned CA \(verified.anchor)")
            } catch let error as ProofError {
                switch error {
                case .malformed(let reason): throw CommandFailure(reason)
                case .undecided(let reason):
                    output.emit(json: ["file": .string(file), "ok": false, "reason": .string(reason)], text: "\(file): CANNOT CHECK \(reason)")
                    worsen(.failure)
                case .mismatch:
                    output.emit(json: ["file": .string(file), "sha256": .string(digest.hex), "ok": false, "reason": .string(error.description)],
                                text: "\(file): FAILED \(error.description)")
                    worsen(.no)
                }
            }
        }
        return status
    }
}
