import COpenSSL

/// The answer of a trust store. A failed check is a value with its reason, not a
/// throw: "no" is an ordinary answer for a node checking a stranger's certificate.
public enum VerificationResult: Equatable, Sendable {
    case valid(VerifiedIdentity)
    /// `reason` is one lower-case line, e.g. "certificate has expired"; `failure` says
    /// which kind of failure it is, for callers that react to the kind.
    case invalid(reason: String, failure: VerificationFailure = .other)

    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}

/// What kind of failure a chain check reported, from libcrypto's X509_V_ERR code rather
/// than its text (which is for people and may change between OpenSSL versions).
public enum VerificationFailure: Equatable, Sendable {
    /// The certificate, or a CA certificate in its chain, is outside its validity period
    /// at the time asked about.
    case outsideValidity
    /// On a CRL.
    case revoked
    /// Anything else: unknown issuer, bad signature, unusable certificate.
    case other

    init(code: Int32) {
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_CERT_NOT_YET_VALID: self = .outsideValidity
        case X509_V_ERR_CERT_REVOKED: self = .revoked
        default: self = .other
        }
    }
}
