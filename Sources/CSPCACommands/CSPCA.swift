import ArgumentParser
import CSPCLI

/// `csp-ca`: the certificate authority that admits participants.
public struct CSPCA: ParsableCommand {
    public static let configuration = CommandConfiguration.csp(
        commandName: "csp-ca",
        abstract: "Admit participants with X.509 certificates carrying their role and organisation.",
        discussion: """
            Keys are ECDSA P-256, stored as PKCS#8 PEM files readable by openssl.
            """,
        subcommands: [Keygen.self])

    public init() {}
}
