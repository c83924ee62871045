import ArgumentParser
import CSPAuthority
import CSPBasics
import CSPCLI

extension CSPCA {
    /// `csp-ca crl`: issue a fresh signed CRL.
    struct CRL: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            commandName: "crl",
            abstract: "Issue a new signed CRL (PEM) with an increasing CRL number.",
            discussion: """
                Writes crl.pem in the CA home and prints it (or writes --out). Run it from \
                cron before the previous CRL's nextUpdate. With --format json: crl_number, \
                revoked (the serials the CRL lists, in hex as 'csp-ca revoke' prints them) \
                and crl (the PEM).
                """)

        @OptionGroup(title: "Global Options") var global: CAOptions

        @Option(name: .long, help: "How long the CRL stays current (its nextUpdate).")
        var nextUpdate: TimeSpan?

        @Option(name: .long, help: ArgumentHelp("Also write the CRL here.", valueName: "file"), completion: .file())
        var out: String?

        func execute() throws -> ExitStatus {
            let ca = try CertificateAuthority(home: global.resolvedHome)
            let crl = try ca.issueCRL(validityDays: nextUpdate?.days, actor: Actor.local)
            if let out { try FileIO.writeAtomically(out, text: crl.pem()) }
            if global.format == .json {
                global.output.emit(json: ["crl_number": .int(Int64(crl.number ?? 0)), "revoked": .array(crl.revoked.map { .string($0.serialHex) }), "crl": .string(crl.pem())], text: "")
            } else if !global.quiet && out == nil {
                print(crl.pem(), terminator: "")
            }
            return .success
        }
    }
}
