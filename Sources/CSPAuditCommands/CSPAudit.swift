import ArgumentParser
import CSPAudit
import CSPCLI
import Foundation

/// `csp-audit`: hash-fingerprint audits of documents and ledgers.
public struct CSPAudit: ParsableCommand {
    public static let configuration = CommandConfiguration.csp(
        commandName: "csp-audit",
        abstract: "Fingerprint documents with SHA-256 and verify them against the ledger.",
        discussion: """
            Off-chain documents keep their SHA-256 fingerprint on chain. 'hash' prints \
            fingerprints in the format of sha256sum; 'check' verifies a list of them; \
            'anchor' records them on the ledger, 'verify' checks a document through the \
            node or offline with a proof file that 'proof' writes; 'ledger' re-verifies \
            a whole channel, 'compare' finds where two copies part, and 'trust' catches \
            a ledger rolled back or rewritten since it was last verified.
            """,
        subcommands: [Hash.self, Check.self, Anchor.self, Verify.self, Proof.self, Ledger.self, Compare.self, Trust.self])

    public init() {}
}

extension CSPAudit {
    /// The executable's entry point: `cspMain()`, except that an offline proof check in
    /// its plain form (`verify FILE|TXID... --proof P... --ca CA [--crl C] [--explain]
    /// [--format F] [-q]`) runs without ArgumentParser, whose reflection over the
    /// commands cost a third of such a process (docs/FORMAT.md's verifier is meant to be
    /// run once per document from scripts). Anything else, or anything unusual in those
    /// arguments, takes the ordinary path, which then parses and reports exactly as before.
    public static func start() -> Never {
        if let status = quickOfflineVerify(Array(CommandLine.arguments.dropFirst())) {
            // Nothing to close or remove: flush the output (an unwritten "OK" is no answer)
            // and skip the exit handlers, libcrypto's freeing of every table it built (2 %
            // of a one-proof process).
            let unwritten = Output.flushStandardOutput()
            _exit(status == 0 ? unwritten?.rawValue ?? 0 : status)
        }
        cspMain()
    }

    static func quickOfflineVerify(_ arguments: [String]) -> Int32? {
        // Arguments that were not UTF-8 arrive with U+FFFD: the ordinary path refuses them.
        guard arguments.first == "verify", !arguments.contains(where: { $0.contains("\u{FFFD}") }) else { return nil }
        var proofs: [String] = [], ca: [String] = [], crl: [String] = [], files: [String] = []
        var explain = false, quiet = false, format: OutputFormat?
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            if !argument.hasPrefix("-") {
                files.append(argument)
                continue
            }
            if argument == "--explain" { explain = true; continue }
            if argument == "-q" || argument == "--quiet" { quiet = true; continue }
            var name = argument, value: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            guard ["--proof", "--ca", "--crl", "--format"].contains(name), let given = value ?? rest.popFirst(), !given.hasPrefix("-") || value != nil else { return nil }
            switch name {
            case "--proof": proofs.append(given)
            case "--ca": ca.append(given)
            case "--crl": crl.append(given)
            default:
                guard format == nil, let parsed = OutputFormat(rawValue: given) else { return nil }
                format = parsed
            }
        }
        guard !proofs.isEmpty, !ca.isEmpty, !files.isEmpty else { return nil }
        do {
            // The format in force ($CSP_FORMAT, the home's config) as GlobalOptions finds it.
            _ = try GlobalOptions.prepare(home: nil, format: &format, quiet: quiet, verbose: false)
        } catch let status as ExitCode {
            return status.rawValue
        } catch {
            return nil
        }
        // Offline only from here on: libcrypto without openssl.cnf and legacy names.
        LibCryptoSetup.offlineVerificationOnly()
        do {
            let output = Output(format: format ?? .text, quiet: quiet)
            return try OfflineVerification(ca: ca, crl: crl, explain: explain, output: output).run(entries: files.map { ($0, nil) }, proofPaths: proofs).exitCode.rawValue
        } catch let failure as CommandFailure {
            Diagnostics.error(failure.message)
            return failure.status.exitCode.rawValue
        } catch {
            Diagnostics.error(String(describing: error))
            return ExitStatus.failure.exitCode.rawValue
        }
    }
}
