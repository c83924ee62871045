import CSPBasics
import CSPCrypto
import CSPFormat

/// The `contract` contract (docs/CONTRACTS.md, "The contract lifecycle"): a definition
/// is proposed (or, for a name with an active version, upgraded to a higher version),
/// approved per organisation by that organisation's admin over the exact document's
/// hash, and becomes active when every organisation it names has approved it.
///
/// The executor passes in the channel's member organisations (a definition naming a
/// stranger could never be approved) and the built-in contract names (a definition by
/// such a name could never be called).
public enum SystemLifecycle {
    public static let name = "contract"
    public static let functions = ["propose", "upgrade", "approve"]
    static let adminRole = "admin"

    /// `contract/def/<NAME>/<VERSION>`: a version's record.
    public static func definitionKey(_ name: String, version: Int) -> [UInt8] { Array("contract/def/\(name)/\(version)".utf8) }
    /// `contract/active/<NAME>`: `{"version","hash"}` of the active version.
    public static func activeKey(_ name: String) -> [UInt8] { Array("contract/active/\(name)".utf8) }

    public static func execute(_ call: ContractCall, organizations: Set<String>, reserved: Set<String>,
                               _ state: inout TransactionState) throws -> ContractOutcome {
        switch call.function {
        case "propose", "upgrade":
            return try propose(call, organizations: organizations, reserved: reserved, &state)
        case "approve":
            return try approve(call, &state)
        default:
            throw call.failure("no such function")
        }
    }

    private static func propose(_ call: ContractCall, organizations: Set<String>, reserved: Set<String>,
                                _ state: inout TransactionState) throws -> ContractOutcome {
        try call.expect(required: ["definition"])
        let json = try call.bytes("definition")
        let definition: WorkflowDefinition
        do { definition = try WorkflowDefinition(json: json) } catch {
            throw call.failure("invalid definition: \(error.message)")
        }
        let name = definition.name
        let version = definition.version
        guard !reserved.contains(name) else {
            throw call.failure("\(quoted(name)) is the name of a built-in contract")
        }
        for organization in definition.organizations where !organizations.contains(organization) {
            throw call.failure("the definition names organization \(quoted(organization)), which is not a member of the channel")
        }
        try checkAdmin(call, of: definition.organizations, "propose \(quoted(name))")
        let active = try activeVersion(name, state)
        if call.function == "propose", let active {
            throw call.failure("contract \(quoted(name)) has active version \(active): use contract.upgrade")
        }
        if call.function == "upgrade" {
            guard let active else { throw call.failure("contract \(quoted(name)) has no active version: use contract.propose") }
            guard version > active else {
                throw call.failure("version \(version) of \(quoted(name)) is not higher than the active version \(active)")
            }
        }
        guard try state.value(for: definitionKey(name, version: version)) == nil else {
            throw call.failure("version \(version) of \(quoted(name)) was proposed already")
        }
        guard let document = try? CanonicalJSON.parse(definition.canonicalJSON) else {
            throw call.failure("invalid definition: its canonical form does not parse")
        }
        let hash = definition.hash.hex
        let record: [String: CanonicalJSON.Value] = [
            "name": .string(name),
            "version": .integer(version),
            "hash": .string(hash),
            "definition": document,
            "status": .string("proposed"),
            "proposed": SystemRecord.stamp(call),
            "approvals": .object([:]),
        ]
        state.write(definitionKey(name, version: version), CanonicalJSON.encode(.object(record)))
        return ContractOutcome(events: [event(call.function, name: name, version: version, hash: hash)])
    }

    private static func approve(_ call: ContractCall, _ state: inout TransactionState) throws -> ContractOutcome {
        try call.expect(required: ["name", "version", "hash"])
        let name = try call.text("name")
        guard Names.isContractName(name) else {
            throw call.failure("\(quoted(String(name.prefix(64)))) is not a contract name (1-32 of a-z 0-9 '-', starting with a letter)")
        }
        guard let version = try call.integer("version"), version >= 1 else {
            throw call.failure("argument 'version' must be an integer of at least 1")
        }
        let hash = try call.text("hash")
        let key = definitionKey(name, version: version)
        guard let stored = try state.value(for: key) else {
            throw call.failure("contract \(quoted(name)) has no version \(version)")
        }
        guard var record = SystemRecord(stored), let proposedHash = record.string("hash") else {
            throw call.failure("version \(version) of \(quoted(name)): the stored record is not a definition record")
        }
        var required: [String] = []
        if case .array(let names)? = record.object("definition")?["organizations"] {
            required = names.compactMap { if case .string(let organization) = $0 { return organization } else { return nil } }
        }
        try checkAdmin(call, of: required, "approve \(quoted(name))")
        let status = record.string("status") ?? ""
        guard status == "proposed" else {
            throw call.failure("version \(version) of \(quoted(name)) is \(status), not proposed")
        }
        guard hash == proposedHash else {
            throw call.failure("hash \(quoted(String(hash.prefix(64)))) is not the hash of version \(version) of \(quoted(name)) (\(proposedHash))")
        }
        var approvals = record.object("approvals") ?? [:]
        let organization = call.creator.organization
        guard approvals[organization] == nil else {
            throw call.failure("organization \(quoted(organization)) has approved version \(version) of \(quoted(name)) already")
        }
        let active = try activeVersion(name, state)
        if let active, active >= version {
            throw call.failure("version \(version) of \(quoted(name)) is not newer than the active version \(active)")
        }
        approvals[organization] = SystemRecord.stamp(call)
        record.members["approvals"] = .object(approvals)

        var events = [ContractEvent(name: "approve", payload: CanonicalJSON.encode(.object([
            "name": .string(name), "version": .integer(version), "hash": .string(hash), "organization": .string(organization),
        ])))]
        if required.allSatisfy({ approvals[$0] != nil }) {
            record.members["status"] = .string("active")
            if let active {
                let previousKey = definitionKey(name, version: active)
                if let previousBytes = try state.value(for: previousKey), var previous = SystemRecord(previousBytes) {
                    previous.members["status"] = .string("superseded")
                    state.write(previousKey, previous.encoded)
                }
            }
            state.write(activeKey(name), CanonicalJSON.encode(.object(["version": .integer(version), "hash": .string(hash)])))
            events.append(event("activate", name: name, version: version, hash: hash))
        }
        state.write(key, record.encoded)
        return ContractOutcome(events: events)
    }

    /// Only role admin of one of `organizations` may propose or approve.
    private static func checkAdmin(_ call: ContractCall, of organizations: [String], _ action: String) throws(ContractFailure) {
        guard call.creator.role == adminRole, organizations.contains(call.creator.organization) else {
            throw call.failure("only role \(quoted(adminRole)) of an organization the definition names (\(organizations.joined(separator: ", "))) may \(action)")
        }
    }

    /// The active version of `name`, or nil.
    static func activeVersion(_ name: String, _ state: TransactionState) throws -> Int? {
        guard let bytes = try state.value(for: activeKey(name)) else { return nil }
        return SystemRecord(bytes)?.integer("version")
    }

    private static func event(_ name: String, name contract: String, version: Int, hash: String) -> ContractEvent {
        ContractEvent(name: name, payload: CanonicalJSON.encode(.object([
            "name": .string(contract), "version": .integer(version), "hash": .string(hash),
        ])))
    }
}
