import ArgumentParser
import CSPAuthority
import CSPCertificates
import CSPCLI

/// removeFromCRL is left out: it only undoes a hold in a delta CRL, which csp does not issue.
extension RevocationReason: ExpressibleByArgument {
    public init?(argument: String) {
        guard let reason = RevocationReason(name: argument), reason != .removeFromCRL else { return nil }
        self = reason
    }
    public static var allValueStrings: [String] { allCases.filter { $0 != .removeFromCRL }.map(\.name) }
}

extension CSPCA {
    /// `csp-ca revoke`: withdraw an identity's certificates, or one certificate.
    struct Revoke: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Revoke an identity (all its certificates; it cannot enroll again) or one certificate by serial.",
            discussion: """
                Re-issues the CRL in the CA home (crl.pem) at once; channels take it in \
                through a configuration transaction. Reasons: unspecified, keyCompromise, \
                CACompromise, affiliationChanged, superseded, cessationOfOperation, \
                certificateHold, privilegeWithdrawn, AACompromise.
                """)

        @OptionGroup(title: "Global Options") var global: CAOptions

        @Argument(help: "The identity to revoke.")
        var id: String?

        @Option(name: .long, help: "Revoke only the certificate with this serial (hex).")
        var serial: String?

        @Option(name: .long, help: "Why (RFC 5280 reason).")
        var reason: RevocationReason = .unspecified

        func validate() throws {
            if (id == nil) == (serial == nil) { throw ValidationError("give an identity or --serial, not both") }
        }

        func execute() throws -> ExitStatus {
            let ca = try CertificateAuthority(home: global.resolvedHome)
            let serials: [String]
            if let id {
                serials = try ca.revoke(id: id, reason: reason, actor: Actor.local)
            } else {
                serials = [try ca.revoke(serial: serial!, reason: reason, actor: Actor.local)]
            }
            let crl = try ca.currentCRL()
            global.output.emit(json: ["revoked": .array(serials.map { .string($0) }), "reason": .string(reason.name), "crl_number": .int(Int64(crl.number ?? 0))],
                               text: "revoked \(id.map { "'\($0)'" } ?? "certificate") (\(reason.name))\(serials.isEmpty ? "" : ": " + serials.joined(separator: " ")); CRL \(crl.number ?? 0) written to \(ca.home.crl)")
            return .success
        }
    }
}
