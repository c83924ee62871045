import CSPContracts
import CSPFormat

/// The verdict of `ChannelRules.admit` on one transaction: admitted with the creator its
/// certificate proves (and the endorsers theirs), or refused with a validation code. A refusal after the signature
/// proved the creator still names it (contracts never see it; logs and reasons may).
public enum Admission: Equatable, Sendable {
    case admitted(Creator, endorsers: [Creator] = [])
    case refused(Validation, creator: Creator? = nil)

    public var validation: Validation {
        switch self {
        case .admitted: return .valid
        case .refused(let validation, _): return validation
        }
    }

    public var creator: Creator? {
        switch self {
        case .admitted(let creator, _): return creator
        case .refused(_, let creator): return creator
        }
    }

    /// The endorsers of an admitted transaction, in the transaction's order.
    public var endorsers: [Creator] {
        if case .admitted(_, let endorsers) = self { return endorsers }
        return []
    }

    public var isAdmitted: Bool {
        if case .admitted = self { return true }
        return false
    }
}
