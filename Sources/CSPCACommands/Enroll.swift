import ArgumentParser
import CSPAuthority
import CSPBasics
import CSPCertificates
import CSPCLI
import CSPCrypto

extension CSPCA {
    /// `csp-ca enroll`: a participant's key, request and certificate.
    struct Enroll: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Enroll a registered identity: make a key and CSR here, get the certificate signed.",
            discussion: """
                The key is generated on this machine and never sent. Writes key.pem (0600), \
                cert.pem and ca-chain.pem into --out (default: --home), refusing to replace \
                an existing key.pem without --force.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup(title: "Certificate Authority") var ca: CAEndpointOptions

        @Argument(help: "The registered identity.")
        var id: String

        @Option(name: .long, help: "The one-time enrollment secret.")
        var secret: String?

        @Option(name: .long, help: ArgumentHelp("Read the secret from a file; - for standard input.", valueName: "file"), completion: .file())
        var secretFile: String?

        @Option(name: .long, help: ArgumentHelp("Folder for key.pem, cert.pem and ca-chain.pem (default: --home).", valueName: "dir"), completion: .directory)
        var out: String?

        @Flag(name: .long, help: "Replace an existing key.pem.")
        var force = false

        func validate() throws {
            if (secret == nil) == (secretFile == nil) { throw ValidationError("give exactly one of --secret and --secret-file") }
        }

        func execute() throws -> ExitStatus {
            let directory = out ?? global.resolvedHome
            if FileIO.exists(directory + "/key.pem") && !force {
                throw CommandFailure("\(quoted(directory + "/key.pem")) already exists; use --force to replace it")
            }
            let secret = try self.secret ?? FileIO.readText(secretFile!, limit: 4096).trimmingCharacters(in: .whitespacesAndNewlines)
            let key = try P256PrivateKey.generate()
            let csr = try CertificateSigningRequest.create(key: key, subject: DistinguishedName(organization: nil, organizationalUnit: nil, commonName: id))
            let response = try ca.endpoint.send(CARequest(op: "enroll", id: id, secret: secret, csr: csr.pem()))
            try ParticipantFiles.write(to: directory, key: key, certificate: response.certificate ?? "", chain: response.chain ?? "")
            try ParticipantFiles.describe(response.certificate ?? "", directory: directory, output: global.output)
            return .success
        }
    }
}
