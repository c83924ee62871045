import CSPBasics
import CSPCrypto

/// Why a certificate, request or revocation list could not be read, issued or used.
/// One git-style line (lower case, no full stop, subjects quoted) that never contains
/// key material, so tools can print it as it is.
public struct CertificateError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// "malformed certificate '/x/cert.pem': not DER X.509 (…)".
    static func malformed(_ subject: String, _ reason: String) -> CertificateError {
        CertificateError("malformed \(subject): \(reason)")
    }

    /// A libcrypto refusal; drains OpenSSL's error queue into the reason so the next
    /// call starts clean.
    static func openssl(_ operation: String) -> CertificateError {
        CertificateError("\(operation) failed: \(CryptoError.drainReason())")
    }
}
