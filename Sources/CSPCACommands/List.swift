import ArgumentParser
import CSPAuthority
import CSPCLI
import Foundation

extension CSPCA {
    /// `csp-ca list`: identities, revoked certificates, or what expires soon.
    struct List: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "List identities, revoked certificates (--revoked) or certificates expiring soon (--expiring).",
            discussion: """
                With --expiring, exits 1 when any live certificate expires within the span, \
                so a cron line can alert: csp-ca list --expiring 30d || mail ...
                """)

        @OptionGroup(title: "Global Options") var global: CAOptions

        @Flag(name: .long, help: "List revoked certificates.")
        var revoked = false

        @Option(name: .long, help: "List live certificates that expire within this span (e.g. 30d).")
        var expiring: TimeSpan?

        func validate() throws {
            if revoked && expiring != nil { throw ValidationError("--revoked and --expiring cannot be used together") }
        }

        func execute() throws -> ExitStatus {
            let ca = try CertificateAuthority(home: global.resolvedHome)
            let output = global.output
            let iso = ISO8601DateFormatter()
            if revoked || expiring != nil {
                let records = revoked
                    ? try ca.certificates(revoked: true)
                    : try ca.certificates(revoked: false, expiringBefore: Date().addingTimeInterval(expiring!.seconds))
                for record in records {
                    output.emit(json: ["serial": .string(record.serial), "id": .string(record.identity),
                                       "not_after": .string(iso.string(from: record.notAfter)),
                                       "revoked_at": record.revokedAt.map { .string(iso.string(from: $0)) } ?? .null,
                                       "reason": record.reason.map { .int(Int64($0)) } ?? .null],
                                text: "\(record.serial)  \(record.identity)  \(revoked ? "revoked " + iso.string(from: record.revokedAt ?? Date()) : "expires " + iso.string(from: record.notAfter))")
                }
                return expiring != nil && !records.isEmpty ? .no : .success
            }
            for identity in try ca.identities() {
                let attributes = identity.attributes.keys.sorted().map { "\($0)=\(identity.attributes[$0]!)" }
                output.emit(json: ["id": .string(identity.id), "role": .string(identity.role), "organization": .string(identity.organization),
                                   "state": .string(identity.state), "enrollments": .int(Int64(identity.enrollments)),
                                   "max_enrollments": .int(Int64(identity.maxEnrollments)),
                                   "attributes": .object(identity.attributes.mapValues { .string($0) })],
                            text: "\(identity.id)  \(identity.role)  \(identity.organization)  \(identity.state)  \(identity.enrollments)/\(identity.maxEnrollments)\(attributes.isEmpty ? "" : "  " + attributes.joined(separator: " "))")
            }
            return .success
        }
    }
}
