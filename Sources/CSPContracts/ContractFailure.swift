/// A contract's refusal: becomes contract-failed with this one-line reason, which
/// names the function ("kv.delete: key 'x' does not exist").
public struct ContractFailure: Error, Equatable, Sendable {
    public let reason: String
    public init(reason: String) { self.reason = reason }
}
