import ArgumentParser
import CSPCLI

/// `csp-ca`: the certificate authority that admits participants.
public struct CSPCA: ParsableCommand {
    public static let configuration = CommandConfiguration.csp(
        commandName: "csp-ca",
        abstract: "Admit participants with X.509 certificates carrying their role and organisation.",
        discussion: """
            A CA lives in a home folder (--home, mode 0700) holding its P-256 key, its \
            certificate chain, the newest CRL and a SQLite registry of identities, \
            certificates and an append-only audit log. Participants are registered, then \
            enroll with a one-time secret: the client makes its own key and request, so \
            no private key ever travels. Requests the CA refuses (wrong secret, unknown \
            identity, revoked, a CSR asking for CA:TRUE) exit 1.
            """,
        subcommands: [Init.self, Register.self, Enroll.self, Sign.self, Reenroll.self, Revoke.self, CRL.self,
                      List.self, Show.self, Log.self, Verify.self, Serve.self, Keygen.self])

    public init() {}
}
