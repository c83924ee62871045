import COpenSSL

/// How a process sets libcrypto up before its first use of it.
public enum LibCryptoSetup {
    /// Initialises libcrypto without reading openssl.cnf (or $OPENSSL_CONF): its built-in
    /// default provider, which has everything csp verifies with (SHA-256, P-256 ECDSA,
    /// X.509). Reading and applying the system file costs about half a millisecond of a
    /// process that checks one proof, and a verifier whose answer does not depend on the
    /// machine's TLS settings is what an auditor wants. Has effect only as the process's
    /// first libcrypto call; later it does nothing (libcrypto initialises once).
    public static func skipConfigurationFile() {
        _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_LOAD_CONFIG), nil)
    }
}
