/// The answer of a trust store. A failed check is a value with its reason, not a
/// throw: "no" is an ordinary answer for a node checking a stranger's certificate.
public enum VerificationResult: Equatable, Sendable {
    case valid(VerifiedIdentity)
    /// `reason` is one lower-case line, e.g. "certificate has expired".
    case invalid(reason: String)

    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}
