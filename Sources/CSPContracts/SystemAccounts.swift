import CSPBasics
import CSPFormat

/// The `account` contract (docs/CONTRACTS.md, "Accounts"): binds a certificate identity
/// (`ORGANIZATION/CN`) to an on-chain account with a profile, and ends it. Listing and
/// showing accounts are state reads of `account/`, not calls.
///
/// It cannot see the channel configuration, so the executor passes in what it needs
/// of it: the member organisations (an admin registers accounts of members only) and
/// the roles a certificate may carry.
public enum SystemAccounts {
    public static let name = "account"
    public static let functions = ["register", "deregister"]
    public static let prefix = Array("account/".utf8)
    static let contactFields = ["phone", "email", "address"]
    /// A profile is a few lines a person reads; not a place for documents.
    static let maximumFieldBytes = 256
    static let adminRole = "admin"
    /// What csp-ca accepts in an identity (the CN of an enrolled certificate), no longer
    /// than a workflow field accepts in an account's id, so the account can be a party.
    static let identityCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@".utf8)
    static let maximumIDBytes = 64

    /// The state key of an account's record.
    public static func key(_ account: String) -> [UInt8] { prefix + Array(account.utf8) }

    /// Whether a stored account record says the account was deregistered.
    public static func isDeregistered(_ record: [UInt8]?) -> Bool {
        guard let record, let parsed = SystemRecord(record) else { return false }
        return parsed.string("status") == "deregistered"
    }

    /// The reason a transaction of a deregistered account is refused with.
    public static func deregisteredReason(_ account: String) -> String {
        "account \(quoted(account)) is deregistered"
    }

    public static func execute(_ call: ContractCall, organizations: Set<String>, roles: [String],
                               _ state: inout TransactionState) throws -> ContractOutcome {
        switch call.function {
        case "register":
            return try register(call, organizations: organizations, roles: roles, &state)
        case "deregister":
            return try deregister(call, &state)
        default:
            throw call.failure("no such function")
        }
    }

    private static func register(_ call: ContractCall, organizations: Set<String>, roles: [String],
                                 _ state: inout TransactionState) throws -> ContractOutcome {
        try call.expect(required: ["displayName"], optional: contactFields + ["account", "role"])
        let creator = call.creator
        let account = call.arguments["account"] == nil ? creator.account : try call.text("account")
        let organization: String
        let id: String
        let role: String
        if account == creator.account {
            (organization, id, role) = (creator.organization, creator.id, creator.role)
            if call.arguments["role"] != nil, try call.text("role") != creator.role {
                throw call.failure("an account registering itself has its certificate's role \(quoted(creator.role)), not \(quoted(try call.text("role")))")
            }
        } else {
            guard creator.role == adminRole else {
                throw call.failure("only role \(quoted(adminRole)) may register another account than its own (\(quoted(account)))")
            }
            guard let slash = account.firstIndex(of: "/") else {
                throw call.failure("account \(quoted(account)) is not ORGANIZATION/ID")
            }
            organization = String(account[..<slash])
            id = String(account[account.index(after: slash)...])
            guard organizations.contains(organization) else {
                throw call.failure("organization \(quoted(organization)) is not a member of the channel")
            }
            // An organisation's admin speaks for its own people only.
            guard organization == creator.organization else {
                throw call.failure("an admin of \(quoted(creator.organization)) may not register accounts of \(quoted(organization))")
            }
            guard !id.isEmpty, id.utf8.count <= maximumIDBytes, id.utf8.allSatisfy(identityCharacters.contains) else {
                throw call.failure("account \(quoted(account)): the id must be 1 to \(maximumIDBytes) letters, digits and - _ . @")
            }
            guard call.arguments["role"] != nil else { throw call.failure("missing argument 'role' (the role of account \(quoted(account)))") }
            role = try call.text("role")
            guard roles.contains(role) else {
                throw call.failure("unknown role \(quoted(role)) (roles: \(roles.joined(separator: ", ")))")
            }
        }
        if let existing = try state.value(for: key(account)) {
            throw call.failure(isDeregistered(existing)
                ? "account \(quoted(account)) was deregistered; its name cannot be registered again"
                : "account \(quoted(account)) is already registered")
        }
        var contact: [String: CanonicalJSON.Value] = [:]
        for field in contactFields where call.arguments[field] != nil {
            contact[field] = .string(try profileText(call, field))
        }
        let record: [String: CanonicalJSON.Value] = [
            "account": .string(account),
            "organization": .string(organization),
            "id": .string(id),
            "role": .string(role),
            "displayName": .string(try profileText(call, "displayName")),
            "contact": .object(contact),
            "status": .string("active"),
            "registered": SystemRecord.stamp(call),
        ]
        state.write(key(account), CanonicalJSON.encode(.object(record)))
        return ContractOutcome(events: [event("register", account)], accounts: [account])
    }

    private static func deregister(_ call: ContractCall, _ state: inout TransactionState) throws -> ContractOutcome {
        try call.expect(required: [], optional: ["account"])
        let account = call.arguments["account"] == nil ? call.creator.account : try call.text("account")
        guard account == call.creator.account
                || (call.creator.role == adminRole && account.hasPrefix(call.creator.organization + "/")) else {
            throw call.failure("only the account itself or role \(quoted(adminRole)) of its organization may deregister \(quoted(account))")
        }
        guard let stored = try state.value(for: key(account)) else {
            throw call.failure("account \(quoted(account)) is not registered")
        }
        guard var record = SystemRecord(stored) else {
            throw call.failure("account \(quoted(account)): the stored record is not a JSON object")
        }
        guard record.string("status") != "deregistered" else {
            throw call.failure("account \(quoted(account)) is already deregistered")
        }
        record.members["status"] = .string("deregistered")
        record.members["deregistered"] = SystemRecord.stamp(call)
        state.write(key(account), record.encoded)
        return ContractOutcome(events: [event("deregister", account)], accounts: [account])
    }

    /// Profile text: one line a person reads.
    private static func profileText(_ call: ContractCall, _ name: String) throws(ContractFailure) -> String {
        let text = try call.text(name)
        guard !text.isEmpty else { throw call.failure("argument \(quoted(name)) must not be empty") }
        guard text.utf8.count <= maximumFieldBytes else {
            throw call.failure("argument \(quoted(name)) is longer than \(maximumFieldBytes) bytes")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw call.failure("argument \(quoted(name)) must not contain control characters")
        }
        return text
    }

    private static func event(_ name: String, _ account: String) -> ContractEvent {
        ContractEvent(name: name, payload: CanonicalJSON.encode(.object(["account": .string(account)])))
    }
}

extension SystemRecord {
    /// When and by whom: `{"block","time","by"}`, from the block's signed header.
    static func stamp(_ call: ContractCall) -> CanonicalJSON.Value {
        .object([
            "block": .integer(Int(clamping: call.block.number)),
            "time": .integer(Int(clamping: call.block.timestamp)),
            "by": .string(call.creator.account),
        ])
    }
}
