import CSPFormat

/// A plain key-value store under "kv/": the smallest useful contract, and the one the
/// tools and tests exercise the ledger with. Reading is a query, not a transaction.
public enum KVContract {
    public static let name = "kv"
    public static let functions = ["put", "delete"]
    static let prefix = Array("kv/".utf8)
    /// Keys become LevelDB keys and index entries; a megabyte key helps no one.
    static let maximumKeyBytes = 1024

    public static func execute(_ call: ContractCall, _ state: inout TransactionState) throws -> ContractOutcome {
        switch call.function {
        case "put":
            try call.expect(required: ["key", "value"])
            let key = try checkedKey(call)
            state.write(prefix + key, try call.bytes("value"))
            return ContractOutcome(events: [ContractEvent(name: "put", payload: key)])
        case "delete":
            try call.expect(required: ["key"])
            let key = try checkedKey(call)
            guard try state.value(for: prefix + key) != nil else {
                throw call.failure("key \(describeKey(key)) does not exist")
            }
            state.write(prefix + key, nil)
            return ContractOutcome(events: [ContractEvent(name: "delete", payload: key)])
        default:
            throw call.failure("no such function")
        }
    }

    private static func checkedKey(_ call: ContractCall) throws(ContractFailure) -> [UInt8] {
        let key = try call.bytes("key")
        guard !key.isEmpty else { throw call.failure("key must not be empty") }
        guard key.count <= maximumKeyBytes else { throw call.failure("key is longer than \(maximumKeyBytes) bytes") }
        return key
    }
}
