import CSPBasics
import CSPCertificates
import CSPContracts

/// Which roles (the `role` of a certificate's identity extension) may call which
/// contract functions and read what. Anything the policy does not grant is denied.
public struct AccessPolicy: Codable, Equatable, Sendable {
    /// "contract.function", "contract.*" or "*" → roles allowed to submit it.
    public var invoke: [String: [String]]
    /// One of `AccessPolicy.readKinds` or "*" → roles allowed to read it.
    public var read: [String: [String]]

    /// What a query can ask for; each kind is granted separately.
    public static let readKinds = ["state", "history", "transaction", "block", "account", "events"]

    public init(invoke: [String: [String]] = [:], read: [String: [String]] = [:]) {
        self.invoke = invoke
        self.read = read
    }

    /// The most specific key present decides, alone: "kv.put" over "kv.*" over "*".
    /// So `"*": [admin, enterprise]` with `"kv.delete": [admin]` takes delete away from
    /// enterprise staff; a narrower rule never has to repeat a broader one's denials.
    public func mayInvoke(role: String, contract: String, function: String) -> Bool {
        let roles = invoke["\(contract).\(function)"] ?? invoke["\(contract).*"] ?? invoke["*"] ?? []
        return roles.contains(role)
    }

    /// Configuration calls answer to the policy's `config.FUNCTION` or `config.*` key
    /// alone (the broad "*" key never grants them: a policy written for business calls
    /// must not hand the configuration to customers); with neither key, role admin may
    /// call them. The creator must also be listed in the channel's `admins`.
    public func mayInvokeConfig(role: String, function: String) -> Bool {
        let roles = invoke["config.\(function)"] ?? invoke["config.*"] ?? [CertificateRole.admin.rawValue]
        return roles.contains(role)
    }

    /// The kind's own entry decides when present, else "*".
    /// A member's node may always read blocks: peers replicate the channel with `blocks`
    /// (docs/NETWORK.md), and a node of a member organisation keeps the whole ledger anyway.
    public func mayRead(role: String, _ kind: String) -> Bool {
        if role == CertificateRole.node.rawValue && kind == "block" { return true }
        return (read[kind] ?? read["*"] ?? []).contains(role)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case invoke, read
    }

    public init(from decoder: any Decoder) throws {
        try ConfigDecoding.rejectUnknownKeys(decoder, CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        invoke = try container.decodeIfPresent([String: [String]].self, forKey: .invoke) ?? [:]
        read = try container.decodeIfPresent([String: [String]].self, forKey: .read) ?? [:]
    }

    /// Reads and validates the `policy` argument of config.set-policy. JSON only: a
    /// transaction argument is executed by every node, and one strict format leaves
    /// less room for two parsers to disagree.
    public static func decode(json bytes: [UInt8]) throws -> AccessPolicy {
        let policy = try ConfigDecoding.decode(AccessPolicy.self, from: bytes, format: .json)
        try policy.validate()
        return policy
    }

    /// Reads and validates a policy file (the `policy` schema alone), JSON or YAML as
    /// for a genesis file: what `csp-node genesis --policy FILE` takes.
    public static func load(path: String) throws -> AccessPolicy {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: 16 << 20) } catch { throw ChannelConfigError("\(error)") }
        do {
            let policy = try ConfigDecoding.decode(AccessPolicy.self, from: bytes, format: ConfigDecoding.Format(source: path, bytes: bytes))
            try policy.validate()
            return policy
        } catch {
            throw error.located(in: path)
        }
    }

    /// Keys well formed, roles known, read kinds known. Contract names are not checked
    /// against the built-in contracts: a policy may grant a contract deployed later.
    public func validate() throws(ChannelConfigError) {
        let roles = CertificateRole.allCases.map(\.rawValue)
        func checkRoles(_ list: [String], _ subject: String) throws(ChannelConfigError) {
            for role in list where !roles.contains(role) {
                throw ChannelConfigError("\(subject): unknown role \(quoted(role)) (roles: \(roles.joined(separator: ", ")))")
            }
        }
        for key in invoke.keys.sorted() {
            guard Self.isInvokeKey(key) else {
                throw ChannelConfigError("policy.invoke key \(quoted(key)) must be '*', 'CONTRACT.*' or 'CONTRACT.FUNCTION'")
            }
            try checkRoles(invoke[key]!, "policy.invoke \(quoted(key))")
        }
        // A policy that nobody may replace could never be corrected.
        guard !(invoke["config.set-policy"] ?? invoke["config.*"] ?? [CertificateRole.admin.rawValue]).isEmpty else {
            throw ChannelConfigError("policy.invoke: no role may call config.set-policy, so the policy could never be changed again")
        }
        for key in read.keys.sorted() {
            guard key == "*" || Self.readKinds.contains(key) else {
                throw ChannelConfigError("policy.read: unknown kind \(quoted(key)) (kinds: \(Self.readKinds.joined(separator: ", ")), *)")
            }
            try checkRoles(read[key]!, "policy.read \(quoted(key))")
        }
    }

    private static func isInvokeKey(_ key: String) -> Bool {
        if key == "*" { return true }
        let parts = key.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !parts[0].contains("*") else { return false }
        return parts[1] == "*" || !parts[1].contains("*")
    }

    var jsonValue: CanonicalJSON.Value {
        .object([
            "invoke": .object(invoke.mapValues { .array($0.map(CanonicalJSON.Value.string)) }),
            "read": .object(read.mapValues { .array($0.map(CanonicalJSON.Value.string)) }),
        ])
    }
}
