import ArgumentParser
import CSPAuthority
import CSPCLI

extension CSPCA {
    /// `csp-ca init`: a new root or intermediate CA.
    struct Init: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Create a CA in the home folder: key, self-signed root (or intermediate), registry.",
            discussion: """
                Creates --home with mode 0700, a P-256 key (0600), the CA certificate \
                (CA:TRUE with a path length, keyCertSign and cRLSign), an empty CRL and the \
                registry. With --parent, the new CA is an intermediate signed by the CA in \
                that folder, and the chain verifies up to its root.
                """)

        @OptionGroup(title: "Global Options") var global: CAOptions

        @Option(name: .long, help: "The organisation this CA admits participants of.")
        var org: String

        @Option(name: .long, help: "The CA's common name (default: '<org> CA').")
        var name: String?

        @Option(name: .long, help: "Validity of the CA certificate (e.g. 10y).")
        var validity: TimeSpan = TimeSpan(argument: "10y")!

        @Option(name: .long, help: "Default validity of participants' certificates (e.g. 1y, 90d).")
        var leafValidity: TimeSpan = TimeSpan(argument: "1y")!

        @Option(name: .long, help: "How many intermediate CAs may stand below this one (root default 1).")
        var pathLength: Int?

        @Option(name: .long, help: ArgumentHelp("Home of the parent CA, to create an intermediate.", valueName: "dir"), completion: .directory)
        var parent: String?

        func validate() throws {
            if let pathLength, pathLength < 0 { throw ValidationError("--path-length cannot be negative") }
        }

        func execute() throws -> ExitStatus {
            let parentCA = try parent.map { try CertificateAuthority(home: $0) }
            let home = global.resolvedHome
            let ca = try CertificateAuthority.initialize(
                home: home, organization: org, commonName: name ?? "\(org) CA",
                validityDays: validity.days, leafValidityDays: leafValidity.days, pathLength: pathLength,
                parent: parentCA, actor: Actor.local)
            global.output.emit(
                json: ["home": .string(home), "name": .string(ca.config.commonName), "serial": .string(ca.certificate.serialHex),
                       "certificate": .string(ca.home.certificate), "chain_length": .int(Int64(ca.chain.count))],
                text: "created CA '\(ca.config.commonName)' in \(home) (serial \(ca.certificate.serialHex)\(parentCA.map { ", issued by '\($0.config.commonName)'" } ?? ", self-signed"))")
            return .success
        }
    }
}
