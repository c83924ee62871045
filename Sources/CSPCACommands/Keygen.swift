import ArgumentParser
import CSPBasics
import CSPCLI
import CSPCrypto

extension CSPCA {
    /// `csp-ca keygen`: a P-256 key for a participant, as openssl reads it.
    struct Keygen: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Generate an ECDSA P-256 private key (PKCS#8 PEM, mode 0600).",
            discussion: """
                Writes the private key to --out (refusing to overwrite an existing file) \
                and prints the public key in PEM, or its SHA-256 fingerprint with --format json.
                """)

        @OptionGroup(title: "Global Options") var global: CAOptions

        @Option(name: .long, help: ArgumentHelp("Where to write the private key.", valueName: "file"), completion: .file())
        var out: String

        @Flag(name: .long, help: "Replace an existing key file.")
        var force = false

        func execute() throws -> ExitStatus {
            if FileIO.exists(out) && !force {
                throw CommandFailure("\(quoted(out)) already exists; use --force to replace it", status: .no)
            }
            let key = try P256PrivateKey.generate()
            try key.write(to: out)
            let publicKey = try key.publicKey
            let pem = String(decoding: try publicKey.pem(), as: UTF8.self)
            global.output.emit(
                json: ["key": .string(out), "public_key_sha256": .string(SHA256.hash(publicKey.der).hex)],
                text: pem.hasSuffix("\n") ? String(pem.dropLast()) : pem)
            return .success
        }
    }
}
