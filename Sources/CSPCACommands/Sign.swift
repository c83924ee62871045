import ArgumentParser
import CSPAuthority
import CSPBasics
import CSPCertificates
import CSPCLI

extension CSPCA {
    /// `csp-ca sign`: certify a CSR made elsewhere, e.g. by `openssl req`.
    struct Sign: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Sign a certificate request made elsewhere for a registered identity.",
            discussion: """
                The certificate carries the registered role, organisation and attributes; \
                what the request asks for in its subject or extensions is not trusted, and a \
                request asking for CA:TRUE is refused. Prints the certificate in PEM.
                """)

        @OptionGroup(title: "Global Options") var global: CAOptions

        @Option(name: .long, help: ArgumentHelp("The PEM certificate request; - for standard input.", valueName: "file"), completion: .file())
        var csr: String

        @Option(name: .long, help: "The registered identity the certificate is for.")
        var id: String

        @Option(name: .long, help: ArgumentHelp("Write the certificate here instead of standard output.", valueName: "file"), completion: .file())
        var out: String?

        func execute() throws -> ExitStatus {
            let ca = try CertificateAuthority(home: global.resolvedHome)
            let request: CertificateSigningRequest
            do {
                request = try CertificateSigningRequest(pem: try FileIO.read(csr, limit: 1 << 20))
            } catch let error as SystemError {
                throw error
            } catch {
                throw CommandFailure("\(quoted(csr)): \(error)")
            }
            let issued = try ca.sign(csr: request, id: id, actor: Actor.local)
            if let out {
                try FileIO.writeAtomically(out, text: issued.certificate.pem())
                global.output.emit(json: ["id": .string(id), "serial": .string(issued.certificate.serialHex), "file": .string(out)],
                                   text: "signed '\(id)': serial \(issued.certificate.serialHex), written to \(out)")
            } else if global.format == .json {
                global.output.emit(json: ["id": .string(id), "serial": .string(issued.certificate.serialHex), "certificate": .string(issued.certificate.pem())], text: "")
            } else if !global.quiet {
                print(issued.certificate.pem(), terminator: "")
            }
            return .success
        }
    }
}
