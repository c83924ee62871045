import ArgumentParser
import CSPAuthority
import CSPCLI
import CSPCertificates

extension CSPCA {
    /// `csp-ca register`: records an identity and prints its one-time secret.
    struct Register: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Register an identity and print its one-time enrollment secret.",
            discussion: """
                The secret (128 random bits unless --secret gives one) is stored only as a \
                salted scrypt hash. It dies after --max-enrollments uses or after 5 wrong \
                attempts; --new-secret issues a fresh one for an existing identity. Roles: \
                customer, enterprise, department, regulator, node, admin.
                """)

        @OptionGroup(title: "Global Options") var global: CAOptions

        @Argument(help: "The identity: letters, digits and - _ . @ (it becomes the certificate's CN).")
        var id: String

        @Option(name: .long, help: "The participant's role: \(CertificateRole.allCases.map(\.rawValue).joined(separator: ", ")).",
                completion: .list(CertificateRole.allCases.map(\.rawValue)))
        var role: String?

        @Option(name: .long, help: "The participant's organisation (default: the CA's).")
        var org: String?

        @Option(name: .customLong("attr"), help: ArgumentHelp("An attribute carried in the certificate, as name=value (repeatable).", valueName: "name=value"))
        var attributes: [String] = []

        @Option(name: .long, help: "How many times the secret may be used (at least 1).")
        var maxEnrollments: Int = 1

        @Option(name: .long, help: "Use this secret instead of a generated one (at least 8 characters).")
        var secret: String?

        @Flag(name: .long, help: "Issue a new secret for an identity already registered.")
        var newSecret = false

        func validate() throws {
            if !newSecret && role == nil { throw ValidationError("missing expected argument '--role <role>'") }
            if let role, CertificateRole(rawValue: role) == nil {
                throw ValidationError("unknown role '\(role)'; roles are \(CertificateRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            // The ranges the help states are usage errors (64), as in every tool.
            if maxEnrollments < 1 { throw ValidationError("--max-enrollments must be at least 1, got \(maxEnrollments)") }
            if let secret, secret.count < 8 { throw ValidationError("--secret must be at least 8 characters") }
            for attribute in attributes where !attribute.contains("=") {
                throw ValidationError("--attr takes name=value, got '\(attribute)'")
            }
        }

        func execute() throws -> ExitStatus {
            let ca = try CertificateAuthority(home: global.resolvedHome)
            var parsed: [String: String] = [:]
            for attribute in attributes {
                let parts = attribute.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                parsed[String(parts[0])] = String(parts[1])
            }
            let existing = try ca.identity(id)
            let issued = try ca.register(id: id, role: role ?? existing?.role ?? "", organization: org, attributes: parsed,
                                         maxEnrollments: maxEnrollments, secret: secret, resetSecret: newSecret, actor: Actor.local)
            global.output.emit(json: ["id": .string(id), "secret": .string(issued)], text: issued)
            return .success
        }
    }
}
