import CSPFormat

/// What a successful call leaves besides its writes.
public struct ContractOutcome: Sendable {
    public var events: [ContractEvent]
    /// Accounts the call concerns besides its creator (a workflow's parties and
    /// operators): the per-account index lists the transaction under each.
    public var accounts: [String]

    public init(events: [ContractEvent] = [], accounts: [String] = []) {
        self.events = events
        self.accounts = accounts
    }
}
