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
                cert.pem and ca-chain.pem into --out (default: --home; created 0700), \
                refusing to replace an existing key.pem without --force. The folder is \
                checked before the CA is asked, so a wrong --out costs no enrollment. The \
                new key is written first (as key-ID.pending.pem) and becomes key.pem once \
                the certificate is written; if writing fails, run the same command again: \
                it reuses that key, and the CA answers a key it already certified for the \
                identity with the same certificate instead of spending another enrollment. \
                Prefer --secret-file (or --secret-file - for standard input) to --secret: \
                a command line is visible to every user of the machine in ps.
                """)

        @OptionGroup(title: "Global Options") var global: CAOptions
        @OptionGroup(title: "Certificate Authority") var ca: CAEndpointOptions

        @Argument(help: "The registered identity.")
        var id: String

        @Option(name: .long, help: "The one-time enrollment secret (visible to other users in ps: prefer --secret-file).")
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
                throw CommandFailure("\(quoted(directory + "/key.pem")) already exists; use --force to replace it", status: .no)
            }
            let secret = try self.secret ?? FileIO.readText(secretFile!, limit: 4096).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else {
                throw CommandFailure(secretFile.map { "\(quoted($0 == "-" ? "standard input" : $0)) holds no secret" } ?? "the secret is empty")
            }
            try ParticipantFiles.prepare(directory)
            // The key is on disk before the CA spends the secret on it, so a retry can
            // present the same key and get the certificate already issued for it.
            let pending = directory + "/key-\(id).pending.pem"
            let key: P256PrivateKey
            if FileIO.exists(pending) {
                key = try P256PrivateKey(pemFile: pending)
                if global.verbose { Diagnostics.note("csp-ca enroll: reusing the key of an earlier attempt in \(quoted(pending))") }
            } else {
                key = try P256PrivateKey.generate()
                try key.write(to: pending)
            }
            let csr = try CertificateSigningRequest.create(key: key, subject: DistinguishedName(organization: nil, organizationalUnit: nil, commonName: id))
            let response = try ca.endpoint.send(CARequest(op: "enroll", id: id, secret: secret, csr: csr.pem()))
            do {
                try ParticipantFiles.write(to: directory, pendingKey: pending, certificate: response.certificate ?? "", chain: response.chain ?? "")
            } catch {
                throw CommandFailure("\(error); the new key stays in \(quoted(pending)): run the same command again to fetch its certificate")
            }
            try ParticipantFiles.describe(response.certificate ?? "", directory: directory, output: global.output)
            return .success
        }
    }
}
