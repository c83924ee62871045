import CSPFormat

/// What executing one block produced: a validation and effects per transaction (empty
/// effects for invalid ones) and, after a configuration transaction, the new
/// configuration, from which the node builds new `ChannelRules` before admitting the
/// next block.
public struct BlockExecution: Equatable, Sendable {
    public var validations: [Validation]
    public var effects: [TransactionEffects]
    public var newConfig: ChannelConfig?

    public init(validations: [Validation], effects: [TransactionEffects], newConfig: ChannelConfig?) {
        self.validations = validations
        self.effects = effects
        self.newConfig = newConfig
    }

    /// Whether a transaction with this final code uses up its id, so that the same id
    /// later is a duplicate: it passed admission, and the contract ran (valid) or
    /// refused (contract-failed). The ledger's `isDuplicate` should answer true exactly
    /// for ids committed with such a code.
    ///
    /// Ids of refused transactions stay free on purpose: otherwise anyone could copy a
    /// pending transaction, spoil its signature and get the copy ordered first, and the
    /// genuine one would be rejected as a duplicate.
    public static func consumesID(_ code: ValidationCode) -> Bool {
        code == .valid || code == .contractFailed
    }
}
