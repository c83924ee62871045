/// Why a transaction in a block is valid or not. Every transaction stays in its block
/// with its code, so the history explains itself. Values are part of the format and
/// never renumbered (docs/FORMAT.md, "Validation codes").
public enum ValidationCode: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case valid = 0
    case malformed = 1
    case badSignature = 2
    case unknownCreator = 3
    case revokedCreator = 4
    case expiredCreator = 5
    case duplicateID = 6
    case policyDenied = 7
    case timestampOutOfWindow = 8
    case contractFailed = 9
    case unknownContract = 10
    /// The creator's account was deregistered (docs/CONTRACTS.md, "Accounts").
    case deregisteredAccount = 11
    /// Another transaction of the same creator with the same `csp.once` key committed
    /// first (docs/CHANNELS.md, "Submitting once").
    case onceKeyUsed = 12

    public var description: String {
        switch self {
        case .valid: return "valid"
        case .malformed: return "malformed"
        case .badSignature: return "bad-signature"
        case .unknownCreator: return "unknown-creator"
        case .revokedCreator: return "revoked-creator"
        case .expiredCreator: return "expired-creator"
        case .duplicateID: return "duplicate-id"
        case .policyDenied: return "policy-denied"
        case .timestampOutOfWindow: return "timestamp-out-of-window"
        case .contractFailed: return "contract-failed"
        case .unknownContract: return "unknown-contract"
        case .deregisteredAccount: return "deregistered-account"
        case .onceKeyUsed: return "once-key-used"
        }
    }
}

/// A transaction's validation code with the human reason (empty when valid).
public struct Validation: Equatable, Sendable {
    public var code: ValidationCode
    public var reason: String

    public init(code: ValidationCode, reason: String = "") {
        self.code = code
        self.reason = reason
    }

    public static let valid = Validation(code: .valid)
}
