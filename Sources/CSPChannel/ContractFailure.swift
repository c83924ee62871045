/// A contract's refusal: becomes contract-failed with this one-line reason, which
/// names the function ("kv.delete: key 'x' does not exist").
struct ContractFailure: Error {
    let reason: String
}
