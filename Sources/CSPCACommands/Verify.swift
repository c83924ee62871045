import ArgumentParser
import CSPAuthority
import CSPBasics
import CSPCertificates
import CSPCLI
import Foundation

extension CSPCA {
    /// `csp-ca verify`: is this certificate admitted?
    struct Verify: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Verify a certificate: chain, validity period, revocation, role and attributes.",
            discussion: """
                Trusts the chain in --ca-file (root and intermediates, PEM), or the CA home's \
                ca-chain.pem. Revocation is checked against every --crl, plus the home's \
                crl.pem when the home is used; every CA in the chain needs a CRL. Extra certificates in CERT are untrusted intermediates. \
                Exits 0 valid, 1 invalid (the reason on stderr), 2 could not check.
                """)

        @OptionGroup(title: "Global Options") var global: CAOptions

        @Argument(help: "The certificate (PEM); - for standard input.", completion: .file())
        var certificate: String

        @Option(name: .long, help: ArgumentHelp("Trusted CA certificates (PEM bundle).", valueName: "file"), completion: .file())
        var caFile: String?

        @Option(name: .long, help: ArgumentHelp("A CRL to check revocation against (PEM); repeatable.", valueName: "file"), completion: .file())
        var crl: [String] = []

        @Flag(name: .long, help: "Do not check revocation.")
        var noCRLCheck = false

        @Option(name: .long, help: "Require this role.")
        var role: String?

        func execute() throws -> ExitStatus {
            let chain: [Certificate]
            var crls: [CertificateRevocationList] = []
            do {
                let presented = try Certificate.all(pem: try FileIO.read(certificate, limit: 1 << 20))
                if let caFile {
                    chain = try Certificate.all(pem: try FileIO.read(caFile, limit: 4 << 20))
                } else {
                    let home = CAHome(global.resolvedHome)
                    chain = try Certificate.all(pem: try FileIO.read(home.chain, limit: 4 << 20))
                    if !noCRLCheck {
                        // Every CA in the chain needs its CRL: an intermediate's home has only its own.
                        if chain.count > 1 && crl.isEmpty {
                            throw CommandFailure("\(quoted(home.path)) is an intermediate CA: give its parents' CRLs with --crl, or use --no-crl-check")
                        }
                        crls.append(try CertificateRevocationList(pemFile: home.crl))
                    }
                }
                crls += try crl.map { try CertificateRevocationList(pemFile: $0) }
                let roots = chain.filter { $0.subject == $0.issuer && $0.isIssued(by: $0) }
                guard !roots.isEmpty else { throw CommandFailure("no self-signed root among the trusted certificates") }
                let store = TrustStore(roots: roots, intermediates: chain.filter { !roots.contains($0) },
                                       crls: crls, checkRevocation: !noCRLCheck)
                let result = store.verify(presented[0], untrusted: Array(presented.dropFirst()))
                switch result {
                case .invalid(let reason, _):
                    throw CARefusal("\(quoted(certificate)) is not valid: \(reason)")
                case .valid(let identity):
                    if let role, identity.role != role {
                        throw CARefusal("\(quoted(certificate)) has role \(quoted(identity.role ?? "none")), not \(quoted(role))")
                    }
                    let iso = ISO8601DateFormatter()
                    let attributes = identity.attributes.keys.sorted().map { "\($0)=\(identity.attributes[$0]!)" }
                    global.output.emit(
                        json: ["valid": true, "id": .string(identity.subject.commonName), "role": identity.role.map { .string($0) } ?? .null,
                               "organization": identity.organization.map { .string($0) } ?? .null, "serial": .string(identity.serialHex),
                               "not_after": .string(iso.string(from: identity.notAfter)),
                               "attributes": .object(identity.attributes.mapValues { .string($0) })],
                        text: "valid: \(identity.subject.commonName), role \(identity.role ?? "none"), org \(identity.organization ?? "none"), serial \(identity.serialHex), until \(iso.string(from: identity.notAfter))\(attributes.isEmpty ? "" : ", " + attributes.joined(separator: " "))")
                    return .success
                }
            } catch let error as CommandFailure {
                throw error
            } catch let refusal as CARefusal {
                throw refusal
            } catch {
                throw CommandFailure(String(describing: error))
            }
        }
    }
}
