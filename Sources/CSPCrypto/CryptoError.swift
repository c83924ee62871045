import COpenSSL

/// Why a cryptographic operation failed. Messages are one git-style line and never
/// contain key material.
public enum CryptoError: Error, CustomStringConvertible, Equatable, Sendable {
    /// libcrypto refused a call; `reason` is OpenSSL's own error text.
    case openssl(operation: String, reason: String)
    /// The input is not a PEM or DER structure of the expected kind.
    case malformed(subject: String, reason: String)
    /// A well-formed key of an algorithm or curve csp does not use.
    case wrongKeyType(subject: String, found: String)
    /// A signature that is not a DER-encoded ECDSA-Sig-Value.
    case malformedSignature(reason: String)

    public var description: String {
        switch self {
        case .openssl(let operation, let reason):
            return "\(operation) failed: \(reason)"
        case .malformed(let subject, let reason):
            return "malformed \(subject): \(reason)"
        case .wrongKeyType(let subject, let found):
            return "\(subject) is \(found), expected an EC P-256 key"
        case .malformedSignature(let reason):
            return "malformed signature: \(reason)"
        }
    }

    /// Drains OpenSSL's thread-local error queue into one reason; the queue must be
    /// empty afterwards so a later call does not report a stale error.
    package static func drainReason() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if let text = ERR_reason_error_string(code) {
                reasons.append(String(cString: text))
            } else {
                reasons.append("error 0x\(String(code, radix: 16))")
            }
        }
        return reasons.first ?? "unknown error"
    }

    package static func openssl(_ operation: String) -> CryptoError {
        .openssl(operation: operation, reason: drainReason())
    }
}
