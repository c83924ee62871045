import CSPBasics
import CSPCrypto
import CSPFormat

/// A call names a contract that is neither built in nor an active definition, nor an
/// instance's definition: the executor records it as unknown-contract.
public struct UnknownContract: Error, CustomStringConvertible, Equatable, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Interprets definitions: one transition of one instance per call (docs/CONTRACTS.md,
/// "Instances"). Reads the definition from state (`contract/active/<NAME>`,
/// `contract/def/<NAME>/<VERSION>`), the instance from `wf/<ID>`.
public enum WorkflowEngine {
    /// Throws `ContractFailure` for an illegal call (contract-failed) and `UnknownContract`
    /// when no definition answers to the call's contract name. Other errors are the
    /// state's (I/O) and stop the block.
    public static func execute(_ call: ContractCall, _ state: inout TransactionState) throws -> ContractOutcome {
        let name = call.contract
        // The instance, when the id names one.
        var existing: WorkflowInstance?
        if let raw = call.arguments["id"], let id = String(validating: raw, as: UTF8.self), Names.isInstanceID(id),
           let bytes = try state.value(for: Array("wf/\(id)".utf8)) {
            guard let instance = WorkflowInstance(json: bytes) else { throw call.failure("instance \(quoted(id)) is damaged in the state") }
            existing = instance
        }
        let version: Int
        if let existing, existing.definition == name {
            version = existing.version
        } else if let bytes = try state.value(for: Array("contract/active/\(name)".utf8)) {
            guard let active = try? CanonicalJSON.parse(bytes), let number = active["version"]?.integerValue else {
                throw call.failure("the active version of \(quoted(name)) is damaged in the state")
            }
            version = number
        } else {
            throw UnknownContract("no contract \(quoted(name))")
        }
        var definition = try load(name, version, call, state)
        var migratedFrom: (version: Int, state: String)?
        // An instance of an earlier version moves to the active one when that one says how.
        if var instance = existing, instance.definition == name,
           let bytes = try state.value(for: Array("contract/active/\(name)".utf8)),
           let active = (try? CanonicalJSON.parse(bytes))?["version"]?.integerValue, active != instance.version {
            let newer = try load(name, active, call, state)
            if let migration = newer.migration, migration.from.contains(instance.version) {
                let renamed = migration.states[instance.state] ?? instance.state
                guard newer.states.contains(renamed) else {
                    throw call.failure("instance \(quoted(instance.id)) cannot move from version \(instance.version) to \(active): state \(quoted(instance.state)) is not a state of version \(active) and its \"migrate\" does not map it")
                }
                migratedFrom = (instance.version, instance.state)
                instance.version = active
                instance.state = renamed
                // Signatures collected under the old version's rules are not carried over.
                instance.signatures = nil
                existing = instance
                definition = newer
            }
        }
        var run = Run(call: call, definition: definition, migratedFrom: migratedFrom)
        return try run.execute(existing, &state)
    }

    /// Definitions parsed and validated, by the key of their stored record, with that
    /// record: a block of transitions on one definition validates it once. A hit must be
    /// the very bytes stored (another channel may hold other bytes under the same key),
    /// so the result is a pure function of the bytes, whichever channel or thread filled
    /// it. Keyed by the short key, not the record: hashing a record of kilobytes byte by
    /// byte on every call cost a fifth of a workflow block's commit.
    private static let cache = Locked<[String: (record: [UInt8], definition: WorkflowDefinition)]>([:])

    private static func load(_ name: String, _ version: Int, _ call: ContractCall, _ state: TransactionState) throws -> WorkflowDefinition {
        let key = "contract/def/\(name)/\(version)"
        guard let record = try state.value(for: Array(key.utf8)) else {
            throw call.failure("version \(version) of \(quoted(name)) is missing from the state")
        }
        if let entry = cache.value[key], entry.record == record { return entry.definition }
        guard let value = try? CanonicalJSON.parse(record), let document = value["definition"],
              let definition = try? WorkflowDefinition(value: document), definition.name == name, definition.version == version else {
            throw call.failure("version \(version) of \(quoted(name)) is damaged in the state")
        }
        // Two calls racing may each insert: the loser's entry is only parsed again later.
        var cached = cache.value
        if cached.count >= 256 { cached.removeAll() }
        cached[key] = (record, definition)
        cache.value = cached
        return definition
    }
}

/// One call's work.
private struct Run {
    let call: ContractCall
    let definition: WorkflowDefinition
    /// Set when this call moved the instance from an earlier version (and its state).
    let migratedFrom: (version: Int, state: String)?
    var creator: Creator { call.creator }

    init(call: ContractCall, definition: WorkflowDefinition, migratedFrom: (version: Int, state: String)? = nil) {
        self.call = call
        self.definition = definition
        self.migratedFrom = migratedFrom
    }

    mutating func execute(_ existing: WorkflowInstance?, _ state: inout TransactionState) throws -> ContractOutcome {
        guard let transition = definition.transitions[call.function] else {
            let current = existing.map { " in state \(quoted($0.state))" } ?? ""
            throw call.failure("no transition \(quoted(call.function))\(current); \(allowed(from: existing))")
        }
        guard call.arguments["id"] != nil else { throw call.failure("missing argument \(quoted("id"))") }
        let id = try call.text("id")
        guard Names.isInstanceID(id) else { throw call.failure("id \(quoted(id)) must be 1-64 of A-Z a-z 0-9 '-' '_' '.'") }

        // 2. The instance: new, or existing and in a state this transition leaves.
        if transition.creates {
            if existing != nil { throw call.failure("instance \(quoted(id)) already exists") }
        } else {
            guard let existing else { throw call.failure("no instance \(quoted(id))") }
            guard existing.definition == definition.name else {
                throw call.failure("instance \(quoted(id)) is a \(quoted(existing.definition)), not a \(quoted(definition.name))")
            }
            guard transition.from.contains(existing.state) else {
                throw call.failure("not allowed in state \(quoted(existing.state)); \(allowed(from: existing))")
            }
        }

        // 3. Who, and the fields.
        guard transition.by.contains(where: { matches($0, existing) }) else {
            let state = existing.map { "in state \(quoted($0.state))" } ?? "to create an instance"
            throw call.failure("\(quoted(creator.account)) (role \(creator.role) of \(creator.organization)) may not fire it \(state); \(allowed(from: existing))")
        }
        try call.expect(required: ["id"] + transition.requires, optional: transition.optional)
        let checker = FieldValues(call: call, state: state)
        var given: [String: CanonicalJSON.Value] = [:]
        for field in (transition.requires + transition.optional).sorted() {
            guard let raw = call.arguments[field] else { continue }
            given[field] = try checker.typed(field, definition.fields[field]!, raw)
        }

        let stamp = CanonicalJSON.Value.object([
            "block": .integer(Int(clamping: call.block.number)), "tx": .string(call.transaction.id.hex),
            "time": .integer(Int(clamping: call.block.timestamp)), "by": .string(creator.account),
        ])
        var instance = existing ?? WorkflowInstance(id: id, definition: definition.name, version: definition.version,
                                                    state: definition.initial, stamp: stamp)
        let before = existing
        instance.updated = stamp

        // 4. Co-signatures: collect until every signer party has signed, the creator and
        // any endorsers of this one transaction together.
        var signedNow: [String]?
        if transition.signers.isEmpty {
            if let endorser = call.endorsers.first {
                throw call.failure("unexpected endorser \(quoted(endorser.account)): \(quoted(transition.name)) takes no co-signatures")
            }
        } else {
            func needed() -> String {
                transition.signers.map { party in instance.parties[party].map { "\(party) (\($0))" } ?? "\(party) (not bound)" }.joined(separator: ", ")
            }
            var pending = PendingSignatures(transition: transition.name, signed: [], fields: given)
            if let collected = instance.signatures, collected.transition == transition.name {
                for field in Set(collected.fields.keys).union(given.keys).sorted() where collected.fields[field] != given[field] {
                    throw call.failure("co-signature over different content: field \(quoted(field)) differs from the first signature's")
                }
                pending = collected
            }
            var new: [String] = []
            for (index, signer) in ([creator] + call.endorsers).enumerated() {
                let who = index == 0 ? quoted(signer.account) : "endorser \(quoted(signer.account))"
                let parties = transition.signers.filter { instance.parties[$0] == signer.account }
                guard !parties.isEmpty else { throw call.failure("\(who) is not a signer; \(quoted(transition.name)) needs \(needed())") }
                let fresh = parties.filter { !pending.signed.contains($0) && !new.contains($0) }
                guard !fresh.isEmpty else { throw call.failure("\(who) has signed \(quoted(transition.name)) already") }
                new += fresh
            }
            pending.signed = transition.signers.filter { pending.signed.contains($0) || new.contains($0) }
            signedNow = transition.signers.filter { new.contains($0) }
            if pending.signed.count < transition.signers.count {
                instance.signatures = pending
                return try finish(instance, before: before, transition: transition, given: given, signed: signedNow, &state)
            }
        }

        // 5. Effects.
        instance.signatures = nil
        instance.state = transition.to
        for (field, value) in given.sorted(by: { $0.key < $1.key }) {
            let spec = definition.fields[field]!
            if spec.perAccount {
                var entries = instance.fields[field]?.objectValue ?? [:]
                entries[creator.account] = value
                instance.fields[field] = .object(entries)
            } else {
                instance.fields[field] = value
            }
            switch spec.type {
            case .fingerprint:
                guard let members = value.objectValue else { break }
                var document = members
                document["field"] = .string(field)
                if !instance.documents.contains(.object(document)) { instance.documents.append(.object(document)) }
            case .reference:
                if let link = value.stringValue, !instance.links.contains(link) { instance.links.append(link) }
            case .account:
                for (party, partySpec) in definition.parties.sorted(by: { $0.key < $1.key }) where partySpec.field == field {
                    let account = value.stringValue!
                    let record = try FieldValues.accountRecord(account, state)
                    guard let record, record.role == partySpec.role, partySpec.organization == nil || record.organization == partySpec.organization else {
                        throw call.failure("field \(quoted(field)) names \(quoted(account)), which cannot be party \(quoted(party)) (\(describe(partySpec)))")
                    }
                    instance.parties[party] = account
                }
            default:
                break
            }
        }
        for party in transition.bind {
            let spec = definition.parties[party]!
            guard Names.isAccount(creator.account) else {
                throw call.failure("\(quoted(creator.account)) cannot be a party: an account is ORGANIZATION/ID without '/' or '*' in either")
            }
            guard creator.role == spec.role, spec.organization == nil || creator.organization == spec.organization else {
                throw call.failure("\(quoted(creator.account)) cannot be party \(quoted(party)) (\(describe(spec)))")
            }
            if let bound = instance.parties[party], bound != creator.account {
                throw call.failure("party \(quoted(party)) is \(quoted(bound)) already")
            }
            instance.parties[party] = creator.account
        }
        instance.operators = Array(Set(transition.operators.flatMap { resolve($0, instance) })).sorted()
        instance.deadline = instance.operators.isEmpty ? nil : transition.deadline.map { duration in
            let (sum, overflow) = call.block.timestamp.addingReportingOverflow(duration)
            return overflow ? Int.max : Int(clamping: sum)
        }
        return try finish(instance, before: before, transition: transition, given: given, signed: signedNow, &state)
    }

    /// Writes the instance, its timeline entry and todo entries; the event and accounts.
    private func finish(_ instance: WorkflowInstance, before: WorkflowInstance?, transition: TransitionSpec,
                        given: [String: CanonicalJSON.Value], signed: [String]?, _ state: inout TransactionState) throws -> ContractOutcome {
        var instance = instance
        let sequence = instance.timeline
        instance.timeline += 1
        var entry: [String: CanonicalJSON.Value] = [
            "seq": .integer(sequence), "transition": .string(transition.name),
            "from": before.map { .string($0.state) } ?? .null, "to": .string(instance.state),
            "block": .integer(Int(clamping: call.block.number)), "tx": .string(call.transaction.id.hex),
            "time": .integer(Int(clamping: call.block.timestamp)), "by": .string(creator.account), "fields": .object(given),
        ]
        if let signed { entry["signed"] = .array(signed.map(CanonicalJSON.Value.string)) }
        if !call.endorsers.isEmpty { entry["endorsers"] = .array(call.endorsers.map { .string($0.account) }) }
        let migrated = migratedFrom.map { CanonicalJSON.Value.object(["version": .integer($0.version), "state": .string($0.state)]) }
        if let migrated { entry["migrated"] = migrated }

        state.write(Array("wf/\(instance.id)".utf8), CanonicalJSON.encode(instance.json))
        let padded = String(sequence)
        state.write(Array("wft/\(instance.id)/\(String(repeating: "0", count: max(0, 10 - padded.count)))\(padded)".utf8),
                    CanonicalJSON.encode(.object(entry)))
        let old = before?.todoKeys ?? [], new = instance.todoKeys
        for key in old.subtracting(new).sorted(by: { $0.lexicographicallyPrecedes($1) }) { state.write(key, nil) }
        for key in new.subtracting(old).sorted(by: { $0.lexicographicallyPrecedes($1) }) { state.write(key, []) }

        let payload = CanonicalJSON.Value.object([
            "id": .string(instance.id), "definition": .string(definition.name), "transition": .string(transition.name),
            "from": before.map { .string($0.state) } ?? .null, "to": .string(instance.state), "by": .string(creator.account),
            "operators": .array(instance.operators.map(\.json)), "parties": .object(instance.parties.mapValues(CanonicalJSON.Value.string)),
            "deadline": instance.deadline.map(CanonicalJSON.Value.integer) ?? .null, "signatures": instance.signatures?.json ?? .null,
        ].merging(migrated.map { ["migrated": $0] } ?? [:]) { first, _ in first })
        var accounts = Set(instance.parties.values)
        for case .account(let account) in instance.operators { accounts.insert(account) }
        accounts.remove(creator.account)
        return ContractOutcome(events: [ContractEvent(name: transition.name, payload: CanonicalJSON.encode(payload))],
                               accounts: accounts.sorted())
    }

    private func matches(_ selector: Selector, _ instance: WorkflowInstance?) -> Bool {
        switch selector {
        case .role(let role, let organization):
            return creator.role == role && (organization == nil || creator.organization == organization)
        case .party(let party):
            return instance?.parties[party] == creator.account
        case .field(let field):
            switch instance?.fields[field] {
            case .string(let account)?: return account == creator.account
            case .array(let accounts)?: return accounts.contains(.string(creator.account))
            default: return false
            }
        case .operators:
            return (instance?.operators ?? []).contains { current in
                switch current {
                case .account(let account): return account == creator.account
                case .role(let role, let organization): return creator.role == role && (organization == nil || creator.organization == organization)
                }
            }
        }
    }

    /// Parties and fields become the accounts they hold now (none when unset).
    private func resolve(_ selector: Selector, _ instance: WorkflowInstance) -> [Operator] {
        switch selector {
        case .role(let role, let organization): return [.role(role, organization: organization)]
        case .party(let party): return instance.parties[party].map { [.account($0)] } ?? []
        case .field(let field):
            switch instance.fields[field] {
            case .string(let account)?: return [.account(account)]
            case .array(let accounts)?: return accounts.compactMap(\.stringValue).map(Operator.account)
            default: return []
            }
        case .operators: return instance.operators
        }
    }

    /// "from 'submitted': accept (role enterprise of Acme), reject (…)": what could happen
    /// next and who may do it; for no instance, the transitions that create one.
    private func allowed(from instance: WorkflowInstance?) -> String {
        let names = definition.transitions.keys.sorted().filter { name in
            let transition = definition.transitions[name]!
            return instance.map { transition.from.contains($0.state) } ?? transition.creates
        }
        let list = names.map { name in
            "\(name) (\(definition.transitions[name]!.by.map { describe($0, instance) }.joined(separator: " or ")))"
        }
        let origin = instance.map { "from \(quoted($0.state))" } ?? "to create an instance"
        return "\(origin): \(list.isEmpty ? "none" : list.joined(separator: ", "))"
    }

    private func describe(_ selector: Selector, _ instance: WorkflowInstance?) -> String {
        switch selector {
        case .role(let role, let organization?): return "role \(role) of \(organization)"
        case .role(let role, nil): return "role \(role)"
        case .party(let party): return instance?.parties[party].map { "party \(party), \($0)" } ?? "party \(party)"
        case .field(let field):
            let accounts = instance.map { resolve(selector, $0) } ?? []
            let names = accounts.compactMap { if case .account(let account) = $0 { return account } else { return nil } }
            return names.isEmpty ? "field \(field)" : "field \(field), \(names.joined(separator: ", "))"
        case .operators:
            let current = instance?.operators.map { operand -> String in
                switch operand {
                case .account(let account): return account
                case .role(let role, let organization): return "role \(role)" + (organization.map { " of \($0)" } ?? "")
                }
            } ?? []
            return current.isEmpty ? "the current operators" : "the current operators: \(current.joined(separator: ", "))"
        }
    }

    private func describe(_ party: PartySpec) -> String {
        "role \(party.role)" + (party.organization.map { " of \($0)" } ?? "")
    }
}
