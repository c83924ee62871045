import CSPContracts
/// The contracts compiled into the node and their functions: what admission checks a
/// call against (an unknown one is unknown-contract). The workflow engine's contracts
/// will join this list.
enum BuiltinContracts {
    static let functions: [String: Set<String>] = [
        KVContract.name: Set(KVContract.functions),
        ConfigContract.name: Set(ConfigContract.functions),
    ]
}
