/// RFC 5280 CRLReason codes (value 7 is unused by the standard).
public enum RevocationReason: Int, CaseIterable, Sendable {
    case unspecified = 0, keyCompromise = 1, caCompromise = 2, affiliationChanged = 3, superseded = 4
    case cessationOfOperation = 5, certificateHold = 6, removeFromCRL = 8, privilegeWithdrawn = 9, aaCompromise = 10

    /// Accepts "keyCompromise", "key-compromise", "key_compromise" and "keycompromise",
    /// in any case: people type the name the way their last tool printed it.
    public init?(name: String) {
        let wanted = Self.folded(name)
        guard let match = Self.allCases.first(where: { Self.folded($0.name) == wanted }) else { return nil }
        self = match
    }

    /// The RFC 5280 and openssl spelling, e.g. "keyCompromise".
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .keyCompromise: "keyCompromise"
        case .caCompromise: "CACompromise"
        case .affiliationChanged: "affiliationChanged"
        case .superseded: "superseded"
        case .cessationOfOperation: "cessationOfOperation"
        case .certificateHold: "certificateHold"
        case .removeFromCRL: "removeFromCRL"
        case .privilegeWithdrawn: "privilegeWithdrawn"
        case .aaCompromise: "AACompromise"
        }
    }

    private static func folded(_ name: String) -> String {
        name.lowercased().filter { $0 != "-" && $0 != "_" }
    }
}
