import ArgumentParser
import CSPAuthority
import CSPBasics
import CSPCLI
import Foundation

extension CSPCA {
    /// `csp-ca show`: one identity and its certificates.
    struct Show: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Show an identity and its certificates (exit 1 when unknown).")

        @OptionGroup(title: "Global Options") var global: CAOptions

        @Argument(help: "The identity.")
        var id: String

        func execute() throws -> ExitStatus {
            let ca = try CertificateAuthority(home: global.resolvedHome)
            guard let identity = try ca.identity(id) else { throw CARefusal("unknown identity \(quoted(id))") }
            let iso = ISO8601DateFormatter()
            let certificates = try ca.certificates(of: id)
            let json: [String: JSONValue] = [
                "id": .string(identity.id), "role": .string(identity.role), "organization": .string(identity.organization),
                "state": .string(identity.state), "enrollments": .int(Int64(identity.enrollments)),
                "max_enrollments": .int(Int64(identity.maxEnrollments)), "failed_attempts": .int(Int64(identity.failedAttempts)),
                "secret_pending": .bool(identity.hasSecret), "attributes": .object(identity.attributes.mapValues { .string($0) }),
                "created": .string(iso.string(from: identity.createdAt)),
                "certificates": .array(certificates.map { record in
                    .object(["serial": .string(record.serial), "not_before": .string(iso.string(from: record.notBefore)),
                             "not_after": .string(iso.string(from: record.notAfter)),
                             "revoked_at": record.revokedAt.map { .string(iso.string(from: $0)) } ?? .null])
                }),
            ]
            var lines = ["id \(identity.id)", "role \(identity.role)", "org \(identity.organization)", "state \(identity.state)",
                         "enrollments \(identity.enrollments)/\(identity.maxEnrollments)", "secret \(identity.hasSecret ? "pending" : "none")"]
            for name in identity.attributes.keys.sorted() { lines.append("attr \(name)=\(identity.attributes[name]!)") }
            for record in certificates {
                lines.append("certificate \(record.serial) \(iso.string(from: record.notBefore))..\(iso.string(from: record.notAfter))\(record.revokedAt.map { " revoked " + iso.string(from: $0) } ?? "")")
            }
            global.output.emit(json: json, text: lines.joined(separator: "\n"))
            return .success
        }
    }
}
