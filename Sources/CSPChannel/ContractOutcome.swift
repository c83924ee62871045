import CSPFormat

/// What a successful call leaves besides its writes.
struct ContractOutcome {
    var events: [ContractEvent] = []
    /// Set by a configuration change.
    var newConfig: ChannelConfig?
}
