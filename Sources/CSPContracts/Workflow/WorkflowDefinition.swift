import CSPBasics
import CSPCrypto
import CSPFormat

/// A definition that passed every rule of docs/CONTRACTS.md ("Valid definitions"),
/// with its canonical JSON (what the ledger stores and approvals hash).
public struct WorkflowDefinition: Sendable {
    public let name: String
    public let version: Int
    public let organizations: [String]
    /// The definition as canonical JSON: the bytes stored and hashed.
    public let canonicalJSON: [UInt8]
    public let parties: [String: PartySpec]
    public let fields: [String: FieldSpec]
    public let states: [String]
    public let initial: String
    public let final: [String]
    public let transitions: [String: TransitionSpec]
    /// How instances of earlier versions move to this one, when the definition says so.
    public let migration: Migration?

    /// `"migrate": {"from": [1, 2], "states": {"old-state": "new-state"}}`: an instance of a
    /// listed earlier version moves to this version the next time a call acts on it, its
    /// state renamed through `states` (a state not listed keeps its name, which must exist
    /// here). Instances of versions not listed stay on their version.
    public struct Migration: Equatable, Sendable {
        public let from: [Int]
        public let states: [String: String]
    }

    public var hash: SHA256Digest { SHA256.hash(canonicalJSON) }

    /// Parses and validates a definition (JSON); throws `DefinitionError` with the first
    /// problem found.
    public init(json: [UInt8]) throws(DefinitionError) {
        let value: CanonicalJSON.Value
        do {
            value = try CanonicalJSON.parse(json)
        } catch {
            throw DefinitionError("the definition is not valid JSON: \(error.description)")
        }
        try self.init(value: value)
    }

    /// Validates a parsed definition (as the lifecycle stores it under "definition").
    public init(value: CanonicalJSON.Value) throws(DefinitionError) {
        let top = try JSONObject(value, "", known: ["name", "version", "description", "organizations", "parties", "fields",
                                                    "states", "initial", "final", "transitions", "migrate"])
        guard top.has("name") else { throw DefinitionError("the definition has no name") }
        name = try top.string("name")
        guard Names.isContractName(name) else {
            throw DefinitionError("name \(quoted(name)) must be 1-32 of a-z 0-9 '-', starting with a letter")
        }
        guard !["kv", "config", "account", "contract"].contains(name) else {
            throw DefinitionError("name \(quoted(name)) is a built-in contract")
        }
        guard top.has("version") else { throw DefinitionError("the definition has no version") }
        version = try top.integer("version")
        guard version >= 1 else { throw DefinitionError("version must be an integer of at least 1") }
        _ = try top.optionalString("description")
        organizations = try top.strings("organizations", required: true)
        guard !organizations.isEmpty else { throw DefinitionError("\"organizations\" must name at least one organisation") }
        for organization in organizations where !Names.isKeyPart(organization) {
            throw DefinitionError("organisation \(quoted(organization)) is not a valid organisation name")
        }

        var fields: [String: FieldSpec] = [:]
        for (fieldName, spec) in try top.object("fields") {
            guard Names.isIdentifier(fieldName), fieldName != "id" else {
                throw DefinitionError("field name \(quoted(fieldName)) must be 1-32 of a-z A-Z 0-9 '-' '_', starting with a letter, and not 'id'")
            }
            fields[fieldName] = try Self.field(fieldName, spec)
        }
        self.fields = fields

        var parties: [String: PartySpec] = [:]
        for (partyName, spec) in try top.object("parties") {
            guard Names.isIdentifier(partyName) else { throw DefinitionError("party name \(quoted(partyName)) is not a valid name") }
            let object = try JSONObject(spec, "party \(quoted(partyName)): ", known: ["role", "organization", "field", "description"])
            let role = try object.string("role")
            let organization = try object.optionalString("organization")
            let field = try object.optionalString("field")
            _ = try object.optionalString("description")
            guard Names.isKeyPart(role) else { throw object.problem("role \(quoted(role)) is not a valid role") }
            if let organization, !Names.isKeyPart(organization) { throw object.problem("organisation \(quoted(organization)) is not valid") }
            if let field {
                guard let spec = fields[field] else { throw object.problem("undeclared field \(quoted(field))") }
                guard case .account = spec.type, !spec.perAccount else { throw object.problem("field \(quoted(field)) must be of type account") }
            }
            parties[partyName] = PartySpec(role: role, organization: organization, field: field)
        }
        self.parties = parties

        guard top.has("states") else { throw DefinitionError("the definition has no states") }
        states = try top.strings("states")
        guard !states.isEmpty else { throw DefinitionError("the definition has no states") }
        for state in states where !Names.isIdentifier(state) { throw DefinitionError("state name \(quoted(state)) is not a valid name") }
        guard top.has("initial") else { throw DefinitionError("the definition has no initial state") }
        initial = try top.string("initial")
        guard states.contains(initial) else { throw DefinitionError("initial state \(quoted(initial)) is not a declared state") }
        final = try top.strings("final")
        for state in final where !states.contains(state) { throw DefinitionError("final state \(quoted(state)) is not a declared state") }

        var transitions: [String: TransitionSpec] = [:]
        for (transitionName, spec) in try top.object("transitions") {
            guard Names.isIdentifier(transitionName) else { throw DefinitionError("transition name \(quoted(transitionName)) is not a valid name") }
            transitions[transitionName] = try Self.transition(transitionName, spec, states: states, initial: initial, final: final,
                                                              parties: parties, fields: fields)
        }
        guard transitions.values.contains(where: \.creates) else {
            throw DefinitionError("no transition creates instances (one with an empty \"from\")")
        }
        self.transitions = transitions

        // Every state reachable from the initial one.
        var reached: Set<String> = [initial]
        var frontier = [initial]
        while let state = frontier.popLast() {
            for transition in transitions.values where transition.from.contains(state) && !reached.contains(transition.to) {
                reached.insert(transition.to)
                frontier.append(transition.to)
            }
        }
        for state in states where !reached.contains(state) {
            throw DefinitionError("state \(quoted(state)) is not reachable from the initial state \(quoted(initial))")
        }
        if top.has("migrate") {
            let object = try JSONObject(top.members["migrate"]!, "migrate: ", known: ["from", "states"])
            var from: [Int] = []
            for element in try object.array("from", required: true) {
                guard case .integer(let earlier) = element, earlier >= 1, earlier < version, !from.contains(earlier) else {
                    throw object.problem("\"from\" must list distinct earlier versions (1 to \(version - 1))")
                }
                from.append(earlier)
            }
            guard !from.isEmpty else { throw object.problem("\"from\" must list at least one earlier version") }
            var renames: [String: String] = [:]
            for (old, new) in try object.object("states") {
                guard Names.isIdentifier(old) else { throw object.problem("state name \(quoted(old)) is not a valid name") }
                guard case .string(let target) = new, states.contains(target) else {
                    throw object.problem("state \(quoted(old)) must map to a declared state")
                }
                renames[old] = target
            }
            migration = Migration(from: from, states: renames)
        } else {
            migration = nil
        }
        canonicalJSON = CanonicalJSON.encode(value)
    }

    private static func field(_ name: String, _ spec: CanonicalJSON.Value) throws(DefinitionError) -> FieldSpec {
        let context = "field \(quoted(name)): "
        guard case .object(let members) = spec, case .string(let type)? = members["type"] else {
            throw DefinitionError(context + "must be an object with a \"type\"")
        }
        let common = ["type", "description", "perAccount"]
        let fieldType: FieldType
        let object: JSONObject
        switch type {
        case "string":
            object = try JSONObject(spec, context, known: common + ["max"])
            let max = try object.optionalInteger("max") ?? 4000
            guard (1...65536).contains(max) else { throw object.problem("\"max\" must be 1 to 65536") }
            fieldType = .string(max: max)
        case "integer":
            object = try JSONObject(spec, context, known: common + ["min", "max"])
            let min = try object.optionalInteger("min"), max = try object.optionalInteger("max")
            if let min, let max, min > max { throw object.problem("\"min\" is greater than \"max\"") }
            fieldType = .integer(min: min, max: max)
        case "enum":
            object = try JSONObject(spec, context, known: common + ["values"])
            let values = try object.strings("values", required: true)
            guard !values.isEmpty else { throw object.problem("\"values\" must not be empty") }
            for value in values where value.isEmpty || value.utf8.count > 64 { throw object.problem("enum values must be 1 to 64 bytes") }
            fieldType = .enumeration(values)
        case "amount":
            object = try JSONObject(spec, context, known: common)
            fieldType = .amount
        case "date":
            object = try JSONObject(spec, context, known: common)
            fieldType = .date
        case "fingerprint":
            object = try JSONObject(spec, context, known: common)
            fieldType = .fingerprint
        case "reference":
            object = try JSONObject(spec, context, known: common + ["definition"])
            let definition = try object.string("definition")
            guard Names.isContractName(definition) else { throw object.problem("\"definition\" \(quoted(definition)) is not a definition name") }
            fieldType = .reference(definition: definition)
        case "account", "accounts":
            object = try JSONObject(spec, context, known: common + ["role", "organization"])
            let role = try object.optionalString("role"), organization = try object.optionalString("organization")
            if let role, !Names.isKeyPart(role) { throw object.problem("role \(quoted(role)) is not valid") }
            if let organization, !Names.isKeyPart(organization) { throw object.problem("organisation \(quoted(organization)) is not valid") }
            fieldType = type == "account" ? .account(role: role, organization: organization) : .accounts(role: role, organization: organization)
        default:
            throw DefinitionError(context + "unknown type \(quoted(type))")
        }
        _ = try object.optionalString("description")
        return FieldSpec(type: fieldType, perAccount: try object.bool("perAccount"))
    }

    private static func transition(_ name: String, _ spec: CanonicalJSON.Value, states: [String], initial: String, final: [String],
                                   parties: [String: PartySpec], fields: [String: FieldSpec]) throws(DefinitionError) -> TransitionSpec {
        let object = try JSONObject(spec, "transition \(quoted(name)): ",
                                    known: ["from", "to", "by", "bind", "requires", "optional", "operators", "deadline", "signers", "description"])
        _ = try object.optionalString("description")
        guard object.has("from") else { throw object.problem("missing \"from\" (empty to create instances)") }
        let from = try object.strings("from")
        for state in from where !states.contains(state) { throw object.problem("leaves from unknown state \(quoted(state))") }
        for state in from where final.contains(state) { throw object.problem("leaves the final state \(quoted(state))") }
        let to = try object.string("to")
        guard states.contains(to) else { throw object.problem("goes to unknown state \(quoted(to))") }
        if from.isEmpty, to != initial {
            throw object.problem("creates instances, so it must go to the initial state \(quoted(initial)), not \(quoted(to))")
        }

        func selectors(_ key: String) throws(DefinitionError) -> [Selector] {
            var result: [Selector] = []
            for element in try object.array(key) {
                let selector = try Self.selector(element, key: key, object: object, parties: parties, fields: fields)
                guard !result.contains(selector) else { throw object.problem("\(quoted(key)) repeats a selector") }
                result.append(selector)
            }
            return result
        }
        let by = try selectors("by")
        guard !by.isEmpty else { throw object.problem("\"by\" must name at least one selector") }
        if from.isEmpty {
            for selector in by {
                guard case .role = selector else { throw object.problem("creates instances, so \"by\" can only name roles") }
            }
        }
        let operators = try selectors("operators")
        if operators.contains(.operators) { throw object.problem("\"operators\" cannot name {\"operator\": true}") }

        let bind = try object.strings("bind")
        for party in bind {
            guard let spec = parties[party] else { throw object.problem("\"bind\" names undeclared party \(quoted(party))") }
            guard spec.field == nil else { throw object.problem("\"bind\" names party \(quoted(party)), which its field \(quoted(spec.field!)) sets") }
        }
        let requires = try object.strings("requires"), optional = try object.strings("optional")
        for field in requires + optional where fields[field] == nil { throw object.problem("undeclared field \(quoted(field))") }
        for field in requires where optional.contains(field) { throw object.problem("field \(quoted(field)) is both required and optional") }
        let signers = try object.strings("signers")
        for party in signers where parties[party] == nil { throw object.problem("\"signers\" names undeclared party \(quoted(party))") }
        if !signers.isEmpty, !bind.isEmpty { throw object.problem("\"bind\" and \"signers\" cannot be combined") }
        if !signers.isEmpty, from.isEmpty { throw object.problem("creates instances, so it cannot have \"signers\"") }

        var deadline: UInt64?
        if object.has("deadline") {
            let text = try object.string("deadline")
            guard let milliseconds = Self.duration(text) else {
                throw object.problem("deadline \(quoted(text)) must be a number of minutes, hours or days: \"30m\", \"24h\", \"5d\"")
            }
            deadline = milliseconds
        }
        if final.contains(to), !operators.isEmpty || deadline != nil {
            throw object.problem("goes to the final state \(quoted(to)), so it can have no \"operators\" or \"deadline\"")
        }
        return TransitionSpec(name: name, from: from, to: to, by: by, bind: bind, requires: requires, optional: optional,
                              operators: operators, deadline: deadline, signers: signers)
    }

    private static func selector(_ value: CanonicalJSON.Value, key: String, object: JSONObject,
                                 parties: [String: PartySpec], fields: [String: FieldSpec]) throws(DefinitionError) -> Selector {
        let members = value.objectValue ?? [:]
        let names = members.keys.sorted()
        if names == ["role"] || names == ["organization", "role"], case .string(let role)? = members["role"] {
            guard Names.isKeyPart(role) else { throw object.problem("role \(quoted(role)) is not valid") }
            if let organization = members["organization"] {
                guard case .string(let name) = organization, Names.isKeyPart(name) else { throw object.problem("a selector's organisation must be a valid name") }
                return .role(role, organization: name)
            }
            return .role(role, organization: nil)
        }
        if names == ["party"], case .string(let party)? = members["party"] {
            guard parties[party] != nil else { throw object.problem("\(quoted(key)) names undeclared party \(quoted(party))") }
            return .party(party)
        }
        if names == ["field"], case .string(let field)? = members["field"] {
            guard let spec = fields[field] else { throw object.problem("\(quoted(key)) names undeclared field \(quoted(field))") }
            guard spec.type.holdsAccounts, !spec.perAccount else {
                throw object.problem("\(quoted(key)) names field \(quoted(field)), which does not hold accounts")
            }
            return .field(field)
        }
        if names == ["operator"], members["operator"] == .bool(true) {
            return .operators
        }
        throw object.problem("\(quoted(key)) holds a selector that is none of {\"role\"[,\"organization\"]}, {\"party\"}, {\"field\"}, {\"operator\": true}")
    }

    /// "30m", "24h", "5d" (1 to 999999 units, no leading zero) in milliseconds.
    static func duration(_ text: String) -> UInt64? {
        let digits = Array(text.utf8.dropLast())
        guard let unit = text.last, (1...6).contains(digits.count), digits[0] != UInt8(ascii: "0"),
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let count = UInt64(String(decoding: digits, as: UTF8.self)) else { return nil }
        switch unit {
        case "m": return count * 60_000
        case "h": return count * 3_600_000
        case "d": return count * 86_400_000
        default: return nil
        }
    }
}

/// Why a definition is not valid: one line.
public struct DefinitionError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

