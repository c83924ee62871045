import CSPBasics

/// An operator as stored: a selector resolved when the transition took effect. Parties
/// and fields become the accounts they held; roles stay roles.
enum Operator: Hashable, Comparable {
    case account(String)
    case role(String, organization: String?)

    var json: CanonicalJSON.Value {
        switch self {
        case .account(let account): return .object(["account": .string(account)])
        case .role(let role, let organization?): return .object(["role": .string(role), "organization": .string(organization)])
        case .role(let role, nil): return .object(["role": .string(role)])
        }
    }

    init?(json: CanonicalJSON.Value) {
        guard let members = json.objectValue else { return nil }
        if let account = members["account"]?.stringValue {
            self = .account(account)
        } else if let role = members["role"]?.stringValue {
            self = .role(role, organization: members["organization"]?.stringValue)
        } else {
            return nil
        }
    }

    /// The todo key this operator's entry has (docs/CONTRACTS.md, "Instances").
    func todoKey(deadline: Int?, id: String) -> [UInt8] {
        let due = deadline.map { String(UInt64($0), radix: 16) } ?? "ffffffffffffffff"
        let padded = String(repeating: "0", count: 16 - due.count) + due
        switch self {
        case .account(let account): return Array("todo/a/\(account)/\(padded)/\(id)".utf8)
        case .role(let role, let organization): return Array("todo/r/\(role)/\(organization ?? "*")/\(padded)/\(id)".utf8)
        }
    }

    static func < (left: Operator, right: Operator) -> Bool {
        CanonicalJSON.encode(left.json).lexicographicallyPrecedes(CanonicalJSON.encode(right.json))
    }
}

/// Co-signatures collected so far for one transition.
struct PendingSignatures: Equatable {
    var transition: String
    var signed: [String]
    var fields: [String: CanonicalJSON.Value]

    var json: CanonicalJSON.Value {
        .object(["transition": .string(transition), "signed": .array(signed.map(CanonicalJSON.Value.string)), "fields": .object(fields)])
    }
}

/// `wf/<ID>`: one instance (docs/CONTRACTS.md, "Instances").
struct WorkflowInstance {
    var id: String
    var definition: String
    var version: Int
    var state: String
    var parties: [String: String] = [:]
    var fields: [String: CanonicalJSON.Value] = [:]
    var operators: [Operator] = []
    var deadline: Int?
    var signatures: PendingSignatures?
    var created: CanonicalJSON.Value
    var updated: CanonicalJSON.Value
    var documents: [CanonicalJSON.Value] = []
    var links: [String] = []
    /// How many timeline entries `wft/<ID>/` holds: the next entry's sequence number.
    var timeline: Int = 0

    init(id: String, definition: String, version: Int, state: String, stamp: CanonicalJSON.Value) {
        self.id = id
        self.definition = definition
        self.version = version
        self.state = state
        created = stamp
        updated = stamp
    }

    /// Reads a stored instance; nil when the bytes are not one (state written by
    /// something else under `wf/`).
    init?(json bytes: [UInt8]) {
        guard let value = try? CanonicalJSON.parse(bytes), let members = value.objectValue,
              let id = members["id"]?.stringValue, let definition = members["definition"]?.stringValue,
              let version = members["version"]?.integerValue, let state = members["state"]?.stringValue,
              let created = members["created"], let updated = members["updated"] else { return nil }
        self.init(id: id, definition: definition, version: version, state: state, stamp: created)
        self.updated = updated
        for (party, account) in members["parties"]?.objectValue ?? [:] {
            guard let account = account.stringValue else { return nil }
            parties[party] = account
        }
        fields = members["fields"]?.objectValue ?? [:]
        operators = (members["operators"]?.arrayValue ?? []).compactMap(Operator.init(json:))
        deadline = members["deadline"]?.integerValue
        if let pending = members["signatures"]?.objectValue, let transition = pending["transition"]?.stringValue {
            signatures = PendingSignatures(transition: transition, signed: (pending["signed"]?.arrayValue ?? []).compactMap(\.stringValue),
                                           fields: pending["fields"]?.objectValue ?? [:])
        }
        documents = members["documents"]?.arrayValue ?? []
        links = (members["links"]?.arrayValue ?? []).compactMap(\.stringValue)
        timeline = members["timeline"]?.integerValue ?? 0
    }

    var json: CanonicalJSON.Value {
        .object([
            "id": .string(id), "definition": .string(definition), "version": .integer(version), "state": .string(state),
            "parties": .object(parties.mapValues(CanonicalJSON.Value.string)), "fields": .object(fields),
            "operators": .array(operators.map(\.json)), "deadline": deadline.map(CanonicalJSON.Value.integer) ?? .null,
            "signatures": signatures?.json ?? .null, "created": created, "updated": updated,
            "documents": .array(documents), "links": .array(links.map(CanonicalJSON.Value.string)), "timeline": .integer(timeline),
        ])
    }

    var todoKeys: Set<[UInt8]> { Set(operators.map { $0.todoKey(deadline: deadline, id: id) }) }
}
