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

    /// For a process that only verifies offline (no TLS, nothing encrypted): as
    /// `skipConfigurationFile`, and without registering every cipher under its legacy
    /// names, which libcrypto 3 then copies into the name map of its first algorithm
    /// fetch (about 4 % of a one-proof process). X.509, CRLs, SHA-256 and ECDSA use no
    /// cipher. The digests stay registered: X.509 signature checks look theirs up by
    /// legacy NID. Must be the process's first libcrypto call, and nothing after it may
    /// need a cipher by legacy name (EVP_get_cipherbyname, encrypted PEM): later
    /// requests to register them do nothing.
    public static func offlineVerificationOnly() {
        _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ADD_ALL_CIPHERS), nil)
    }
}
