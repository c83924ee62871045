import CSPContracts
/// The contracts compiled into the node and their functions: what admission checks a
/// call to one of them against (an unknown function is unknown-contract). Any other
/// contract name is a workflow definition's, which only execution can look up.
public enum BuiltinContracts {
    /// Every built-in call as contract.function, sorted: what shell completion offers.
    public static var calls: [String] { functions.flatMap { contract, names in names.map { "\(contract).\($0)" } }.sorted() }

    static let functions: [String: Set<String>] = [
        KVContract.name: Set(KVContract.functions),
        ConfigContract.name: Set(ConfigContract.functions),
        SystemAccounts.name: Set(SystemAccounts.functions),
        SystemLifecycle.name: Set(SystemLifecycle.functions),
        SystemAnchors.name: Set(SystemAnchors.functions),
    ]
}
