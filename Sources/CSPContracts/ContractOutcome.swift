import CSPFormat

/// What a successful call leaves besides its writes.
public struct ContractOutcome: Sendable {
    public var events: [ContractEvent]

    public init(events: [ContractEvent] = []) { self.events = events }
}
