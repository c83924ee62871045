import ArgumentParser
import CSPCLI

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
