/// Access policies for the two kinds of channel csp is for, so a genesis file starts
/// from a policy someone thought through (`csp-node genesis --policy NAME`).
public struct PolicyPreset: Sendable {
    public let name: String
    public let summary: String
    public let policy: AccessPolicy

    public static let all: [PolicyPreset] = [consortium, `private`, closed]

    public static func named(_ name: String) -> PolicyPreset? { all.first { $0.name == name } }

    private static let everyone = ["customer", "enterprise", "department", "regulator", "admin"]

    /// The enterprise, its customers and its regulator on one chain.
    public static let consortium = PolicyPreset(
        name: "consortium",
        summary: "customers and enterprise staff file and handle business calls (workflows, kv); only enterprise and admins delete kv keys; everyone registers an account; admins deploy contracts and change the configuration; every role reads everything, the regulator included",
        policy: AccessPolicy(
            invoke: ["*": ["customer", "enterprise", "admin"], "kv.*": ["customer", "enterprise", "admin"],
                     "kv.delete": ["enterprise", "admin"], "account.*": everyone, "contract.*": ["admin"], "config.*": ["admin"]],
            read: ["*": everyone]))

    /// The departments of one enterprise; customers have no place on it.
    public static let `private` = PolicyPreset(
        name: "private",
        summary: "enterprise staff and departments make every business call; admins deploy contracts and change the configuration; staff, departments, the regulator and admins read everything; customers nothing",
        policy: AccessPolicy(
            invoke: ["*": ["enterprise", "department", "admin"], "account.*": ["enterprise", "department", "regulator", "admin"],
                     "contract.*": ["admin"], "config.*": ["admin"]],
            read: ["*": ["enterprise", "department", "regulator", "admin"]]))

    /// Nothing but administration until a set-policy opens it.
    public static let closed = PolicyPreset(
        name: "closed",
        summary: "only admins call anything, only admins and the regulator read; open it later with config.set-policy",
        policy: AccessPolicy(invoke: ["*": ["admin"], "config.*": ["admin"]], read: ["*": ["admin", "regulator"]]))
}
