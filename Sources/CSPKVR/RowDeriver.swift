import CSPBasics
import CSPCertificates
import CSPContracts
import CSPCrypto
import CSPFormat
import CSPSQLite

/// Turns committed blocks into rows (docs/KVR.md, "Tables"). State comes only from valid
/// transactions, applied in order with the last write of a key in a block winning, as the
/// ledger applies them; deletes are honoured; every transaction is kept with its code.
public struct RowDeriver {
    public let channel: String
    /// Certificates and signatures are left out unless asked for.
    public var includeCertificates: Bool
    public private(set) var catalog: DefinitionCatalog
    /// Applied to every row before it leaves (masking); nil keeps rows as they are.
    public var transform: ((Table, inout [SQLiteValue]) -> Void)?
    /// Tables of other namespaces and definitions (`--mapping`).
    public var mapping: Mapping?
    /// Every table this deriver writes: the built-in ones, then the mapped ones.
    public var tables: [Table] { Tables.tables + (mapping?.tables ?? []) }
    /// Creators repeat: each certificate is parsed once.
    private var creators: [[UInt8]: CreatorInfo] = [:]
    private var lastCreator: (der: [UInt8], info: CreatorInfo)?

    struct CreatorInfo {
        var account: SQLiteValue
        var organization: SQLiteValue
        var role: SQLiteValue
    }

    public init(channel: String, includeCertificates: Bool = false, catalog: DefinitionCatalog = DefinitionCatalog(),
                transform: ((Table, inout [SQLiteValue]) -> Void)? = nil, mapping: Mapping? = nil) {
        self.mapping = mapping
        self.channel = channel
        self.includeCertificates = includeCertificates
        self.catalog = catalog
        self.transform = transform
    }

    /// Learns the definitions a block writes without producing rows: how a resumed export
    /// knows the views' columns from blocks it does not export again.
    public mutating func learnDefinitions(from record: CommittedBlock) {
        for (effects, validation) in zip(record.effects, record.block.validations) where validation.code == .valid {
            for write in effects.writes where write.key.starts(with: Self.definitionPrefix) {
                if let value = write.value, let stored = try? CanonicalJSON.parse(value), let definition = stored["definition"] {
                    catalog.add(definition)
                }
            }
        }
    }

    static let definitionPrefix = Array("contract/def/".utf8)

    /// Every change block `record` makes, in an order a sink can apply one by one.
    public mutating func derive(_ record: CommittedBlock, emit: (Change) throws -> Void) throws {
        try derive(record, writes: BlockWrites(record)).forEachChange(emit)
    }

    /// The same, with the block's final writes already worked out (checking its commit hash does).
    public mutating func derive(_ record: CommittedBlock, writes finalWrites: BlockWrites, emit: (Change) throws -> Void) throws {
        try derive(record, writes: finalWrites).forEachChange(emit)
    }

    /// Block `record`'s changes as one flat batch (`RowBatch`): what the export's writer takes.
    public mutating func derive(_ record: CommittedBlock, writes finalWrites: BlockWrites) -> RowBatch {
        let transactions = record.block.transactions.count
        let out = RowBatch(transform: transform, cells: 32 + transactions * 48, bytes: 1024 + transactions * 512)
        let header = record.block.header
        let number = Int64(bitPattern: header.number)
        let validCount = record.block.validations.filter { $0.code == .valid }.count
        out.beginRow(Tables.blocks)
        out.text(channel)
        out.integer(number)
        out.hex(header.hash.bytes)
        out.hex(header.previousHash.bytes)
        out.hex(header.merkleRoot.bytes)
        out.hex(header.commitHash.bytes)
        out.integer(Int64(bitPattern: header.timestamp))
        out.integer(Int64(header.transactionCount))
        out.integer(Int64(validCount))
        if includeCertificates { out.blob(header.orderer) } else { out.null() }
        if includeCertificates { out.blob(record.block.signature) } else { out.null() }
        out.endRow()
        // An instance is written just before its timeline entry, in the same transaction.
        var instanceDefinitions: [String: SQLiteValue] = [:]
        for (position, transaction) in record.block.transactions.enumerated() {
            let validation = record.block.validations[position]
            let effects = record.effects[position]
            let body = transaction.body
            let creator = creatorInfo(body.creator)
            let pos = Int64(position)
            let txid = transaction.id.bytes
            out.beginRow(Tables.transactions)
            out.text(channel)
            out.integer(number)
            out.integer(pos)
            out.hex(txid)
            out.integer(Int64(bitPattern: body.timestamp))
            out.value(creator.account)
            out.value(creator.organization)
            out.value(creator.role)
            out.text(body.contract)
            out.text(body.function)
            Self.argumentsJSON(body.arguments, into: out)
            out.integer(Int64(validation.code.rawValue))
            out.text(validation.code.description)
            if validation.reason.isEmpty { out.null() } else { out.text(validation.reason) }
            if includeCertificates { out.blob(body.creator) } else { out.null() }
            if includeCertificates { out.blob(transaction.signature) } else { out.null() }
            out.endRow()
            // Usually one account: no set to build.
            for account in effects.accounts.count < 2 ? effects.accounts : Array(Set(effects.accounts)) {
                out.beginRow(Tables.accountTransactions)
                out.text(channel)
                out.text(account)
                out.integer(number)
                out.integer(pos)
                out.endRow()
            }
            guard validation.code == .valid else { continue }
            for (seq, event) in effects.events.enumerated() {
                out.appendRow(Tables.events, [.text(channel), .integer(number), .integer(pos), .integer(Int64(seq)), .text(transaction.id.hex),
                                              .text(body.contract), .text(event.name), .text(Self.jsonText(event.payload))])
            }
            let writes = effects.writes
            // A transaction that writes a key twice leaves its last write: one history row per
            // key and transaction (the table's natural key, so a bulk load can append the rows).
            let lastWrite = writes.count > 8 ? Dictionary(writes.indices.map { (writes[$0].key, $0) }, uniquingKeysWith: { $1 }) : nil
            for (index, write) in writes.enumerated() {
                let superseded = lastWrite.map { $0[write.key] != index } ?? writes[(index + 1)...].contains { $0.key == write.key }
                if !superseded {
                    out.beginRow(Tables.stateHistory)
                    out.text(channel)
                    out.integer(number)
                    out.integer(pos)
                    Self.key(write.key, into: out)
                    out.hex(txid)
                    out.integer(write.value == nil ? 1 : 0)
                    Self.textOrBytes(write.value, into: out)
                    out.endRow()
                }
                if let stored = write.value, write.key.starts(with: Self.instancePrefix), let json = try? CanonicalJSON.parse(stored) {
                    instanceDefinitions[String(Self.text(write.key).dropFirst(3))] = Self.string(json["definition"])
                } else if let stored = write.value, write.key.starts(with: Self.timelinePrefix) {
                    timelineEntry(key: Self.text(write.key), stored, number: .integer(number), definitions: instanceDefinitions, out)
                }
            }
        }
        // Current state, in key order so the output is the same every run.
        for final in finalWrites.entries {
            let position = final.position, value = final.value
            if let mapping {
                let text = Self.text(final.key)
                for change in mapping.changes(channel: channel, key: text, value: value, block: .integer(number), position: .integer(Int64(position))) {
                    switch change {
                    case let .upsert(table, values): out.appendRow(table, values)
                    case let .delete(table, key): deleteRow(table, key, out)
                    case .view: break
                    }
                }
            }
            guard let value else {
                let text = Self.text(final.key)
                deleteRow(Tables.state, [.text(channel), .text(Self.namespace(text)), .text(text)], out)
                derivedDelete(text, out)
                continue
            }
            out.beginRow(Tables.state)
            out.text(channel)
            Self.key(final.key, into: out, namespaceFirst: true)
            Self.textOrBytes(value, into: out)
            out.integer(number)
            out.integer(Int64(position))
            out.endRow()
            if Self.derivedPrefixes.contains(where: { final.key.starts(with: $0) }) {
                derivedRow(Self.text(final.key), value, out)
            }
        }
        return out
    }

    static let instancePrefix = Array("wf/".utf8)
    static let timelinePrefix = Array("wft/".utf8)
    /// Keys whose values also make rows of their own tables (`derivedRow`).
    static let derivedPrefixes = [Array("account/".utf8), Array("contract/def/".utf8), Array("wf/".utf8)]

    /// A delete by key; a key that masking changes is changed the same way here.
    private func deleteRow(_ table: Table, _ key: [SQLiteValue], _ out: RowBatch) {
        guard let transform else { return out.appendDelete(table, key: key) }
        var values = [SQLiteValue](repeating: .null, count: table.columns.count)
        for (position, value) in zip(table.keyPositions, key) { values[position] = value }
        transform(table, &values)
        out.appendDelete(table, key: table.keyPositions.map { values[$0] })
    }

    /// Rows of the tables built from well-known state keys (accounts, definitions, instances).
    private mutating func derivedRow(_ key: String, _ value: [UInt8], _ out: RowBatch) {
        let chan = SQLiteValue.text(channel)
        if key.hasPrefix("account/") {
            guard let json = try? CanonicalJSON.parse(value) else { return }
            let contact = json["contact"]
            out.appendRow(Tables.accounts, [
                chan, .text(String(key.dropFirst(8))), Self.string(json["organization"]), Self.string(json["id"]), Self.string(json["role"]),
                Self.string(json["displayName"]), Self.string(contact?["phone"]), Self.string(contact?["email"]),
                Self.string(contact?["address"]), Self.string(json["status"]), Self.integer(json["registered"]?["block"]),
                Self.integer(json["registered"]?["time"]), Self.string(json["registered"]?["by"]),
                Self.integer(json["deregistered"]?["block"]), Self.integer(json["deregistered"]?["time"]),
                Self.string(json["deregistered"]?["by"]),
            ])
        } else if key.hasPrefix("contract/def/") {
            let parts = key.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 4, let version = Int64(parts[3]), let json = try? CanonicalJSON.parse(value) else { return }
            let proposed = json["proposed"]
            out.appendRow(Tables.definitions, [
                chan, .text(String(parts[2])), .integer(version), Self.string(json["hash"]), Self.string(json["status"]),
                json["definition"].map { .text(Self.encode($0)) } ?? .null, Self.integer(proposed?["block"]),
                Self.integer(proposed?["time"]), Self.string(proposed?["by"]),
            ])
            if let definition = json["definition"], let name = catalog.add(definition) {
                out.appendView(definition: name, catalog: catalog)
            }
        } else if key.hasPrefix("wf/") {
            guard let json = try? CanonicalJSON.parse(value) else { return }
            let created = json["created"], updated = json["updated"]
            out.appendRow(Tables.instances, [
                chan, .text(String(key.dropFirst(3))), Self.string(json["definition"]), Self.integer(json["version"]),
                Self.string(json["state"]), Self.json(json["parties"]), Self.json(json["fields"]), Self.json(json["operators"]),
                Self.integer(json["deadline"]), Self.json(json["signatures"]), Self.json(json["documents"]), Self.json(json["links"]),
                Self.integer(json["timeline"]), Self.integer(created?["block"]), Self.integer(created?["time"]),
                Self.string(created?["by"]), Self.string(created?["tx"]), Self.integer(updated?["block"]),
                Self.integer(updated?["time"]), Self.string(updated?["by"]), Self.string(updated?["tx"]),
            ])
        }
    }

    private func derivedDelete(_ key: String, _ out: RowBatch) {
        let chan = SQLiteValue.text(channel)
        if key.hasPrefix("account/") {
            deleteRow(Tables.accounts, [chan, .text(String(key.dropFirst(8)))], out)
        } else if key.hasPrefix("wf/") {
            deleteRow(Tables.instances, [chan, .text(String(key.dropFirst(3)))], out)
        } else if key.hasPrefix("contract/def/") {
            let parts = key.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 4, let version = Int64(parts[3]) {
                deleteRow(Tables.definitions, [chan, .text(String(parts[2])), .integer(version)], out)
            }
        }
    }

    /// `wft/<ID>/<SEQ>`: one transition of an instance, and a milestone per document it delivered.
    private func timelineEntry(key: String, _ value: [UInt8], number: SQLiteValue, definitions: [String: SQLiteValue],
                               _ out: RowBatch) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let seq = Int64(parts[2]), let json = try? CanonicalJSON.parse(value) else { return }
        let chan = SQLiteValue.text(channel), instance = SQLiteValue.text(String(parts[1]))
        let definition = definitions[String(parts[1])] ?? .null
        out.appendRow(Tables.transitions, [
            chan, instance, .integer(seq), definition, Self.string(json["transition"]), Self.string(json["from"]),
            Self.string(json["to"]), Self.integer(json["block"]) == .null ? number : Self.integer(json["block"]),
            Self.string(json["tx"]), Self.integer(json["time"]), Self.string(json["by"]), Self.json(json["fields"]),
            Self.json(json["signed"]), Self.json(json["migrated"]),
        ])
        for (field, value) in (json["fields"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let object = value.objectValue, object.count == 3, let name = object["name"]?.stringValue,
                  let sha256 = object["sha256"]?.stringValue, let size = object["size"]?.integerValue else { continue }
            out.appendRow(Tables.milestones, [
                chan, instance, .integer(seq), .text(field), definition, Self.string(json["transition"]), .text(name),
                .text(sha256), .integer(Int64(size)), number, Self.integer(json["time"]), Self.string(json["by"]),
            ])
        }
    }

    private mutating func creatorInfo(_ der: [UInt8]) -> CreatorInfo {
        // Consecutive transactions mostly share a creator: one comparison instead of hashing 600 bytes.
        if let last = lastCreator, compareBytes(last.der, der) == 0 { return last.info }
        if let known = creators[der] {
            lastCreator = (der, known)
            return known
        }
        var info = CreatorInfo(account: .null, organization: .null, role: .null)
        if let certificate = try? Certificate(der: der) {
            let identity = (try? certificate.identity) ?? nil
            let organization = identity?.organization ?? certificate.subject.organization
            info.organization = organization.map(SQLiteValue.text) ?? .null
            info.role = identity.map { .text($0.role) } ?? .null
            info.account = .text((organization.map { $0 + "/" } ?? "") + certificate.subject.commonName)
        }
        if creators.count > 10_000 { creators.removeAll() }
        creators[der] = info
        lastCreator = (der, info)
        return info
    }

    // MARK: Values

    /// The namespace of a state key: what comes before its first `/` (`wf`, `account`, `kv`).
    static func namespace(_ key: String) -> String {
        key.firstIndex(of: "/").map { String(key[..<$0]) } ?? ""
    }

    /// Keys are text when they are UTF-8, else `0x` and hex.
    static func text(_ bytes: [UInt8]) -> String {
        UTF8Text.decode(bytes) ?? "0x" + Hex.encode(bytes)
    }

    /// A key's two cells: its text (as `text(_:)` gives it) and its namespace (as
    /// `namespace(_:)` gives it), in that order or namespace first. ASCII keys, nearly all,
    /// go straight from their bytes.
    static func key(_ bytes: [UInt8], into out: RowBatch, namespaceFirst: Bool = false) {
        let ascii = bytes.withUnsafeBufferPointer { $0.allSatisfy { $0 < 0x80 } }
        guard ascii else {
            let text = text(bytes)
            if namespaceFirst { out.text(namespace(text)) }
            out.text(text)
            if !namespaceFirst { out.text(namespace(text)) }
            return
        }
        bytes.withUnsafeBytes { raw in
            // What comes before the first `/`, or nothing when there is none.
            let slash = raw.firstIndex(of: UInt8(ascii: "/"))
            let namespace = UnsafeRawBufferPointer(rebasing: raw[..<(slash ?? 0)])
            if namespaceFirst { out.text(utf8: namespace) }
            out.text(utf8: raw)
            if !namespaceFirst { out.text(utf8: namespace) }
        }
    }

    /// A value a person reads is text; bytes that are not UTF-8 go to the `_bytes` column.
    static func textOrBytes(_ bytes: [UInt8]?) -> (SQLiteValue, SQLiteValue) {
        guard let bytes else { return (.null, .null) }
        if let text = UTF8Text.decode(bytes) { return (.text(text), .null) }
        return (.null, .blob(bytes))
    }

    /// The same two cells, written into `out`.
    static func textOrBytes(_ bytes: [UInt8]?, into out: RowBatch) {
        guard let bytes else {
            out.null()
            out.null()
            return
        }
        let ascii = bytes.withUnsafeBufferPointer { $0.allSatisfy { $0 < 0x80 } }
        if ascii {
            bytes.withUnsafeBytes { out.text(utf8: $0) }
            out.null()
        } else {
            let (text, blob) = textOrBytes(bytes)
            out.value(text)
            out.value(blob)
        }
    }

    /// Arguments as one JSON object, written into `out` as one text cell: text values as
    /// strings, others as `{"hex": …}`.
    static func argumentsJSON(_ arguments: [TransactionArgument], into out: RowBatch) {
        guard let length = plainArgumentsLength(arguments) else { return out.text(generalArgumentsJSON(arguments)) }
        out.text(capacity: length) { writePlainArguments(arguments, to: $0) }
    }

    private static func generalArgumentsJSON(_ arguments: [TransactionArgument]) -> String {
        var object: [String: CanonicalJSON.Value] = [:]
        for argument in arguments {
            object[argument.name] = UTF8Text.decode(argument.value).map(CanonicalJSON.Value.string)
                ?? .object(["hex": .string(Hex.encode(argument.value))])
        }
        return encode(.object(object))
    }

    /// The length of the arguments' plain form, nil when they need the general one. The
    /// plain form is the common case written directly, byte for byte what `CanonicalJSON`
    /// writes: names in order and distinct, names and values printable ASCII without `"` or
    /// `\\` (so nothing to escape). It saves a dictionary, a sort and a 4 KiB buffer per
    /// transaction.
    static func plainArgumentsLength(_ arguments: [TransactionArgument]) -> Int? {
        var length = 2
        var previous: String?
        for argument in arguments {
            if let previous, !previous.utf8.lexicographicallyPrecedes(argument.name.utf8) { return nil }
            previous = argument.name
            guard argument.name.utf8.allSatisfy(isPlain), argument.value.allSatisfy(isPlain) else { return nil }
            length += argument.name.utf8.count + argument.value.count + 6
        }
        return length
    }

    /// Writes the plain form (its length checked before) and returns the bytes written.
    private static func writePlainArguments(_ arguments: [TransactionArgument], to out: UnsafeMutablePointer<UInt8>) -> Int {
        var at = 0
        func put(_ byte: UInt8) { out[at] = byte; at += 1 }
        put(UInt8(ascii: "{"))
        for (index, argument) in arguments.enumerated() {
            if index > 0 { put(UInt8(ascii: ",")) }
            put(UInt8(ascii: "\""))
            for byte in argument.name.utf8 { put(byte) }
            put(UInt8(ascii: "\""))
            put(UInt8(ascii: ":"))
            put(UInt8(ascii: "\""))
            for byte in argument.value { put(byte) }
            put(UInt8(ascii: "\""))
        }
        put(UInt8(ascii: "}"))
        return at
    }

    private static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7f && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
    }

    /// A payload as JSON: itself when it is JSON, else a JSON string (or `{"hex": …}`).
    static func jsonText(_ bytes: [UInt8]) -> String {
        if let first = bytes.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "["), (try? CanonicalJSON.parse(bytes)) != nil {
            return String(decoding: bytes, as: UTF8.self)
        }
        if let text = UTF8Text.decode(bytes) { return encode(.string(text)) }
        return encode(.object(["hex": .string(Hex.encode(bytes))]))
    }

    static func encode(_ value: CanonicalJSON.Value) -> String {
        String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
    }

    static func string(_ value: CanonicalJSON.Value?) -> SQLiteValue {
        value?.stringValue.map(SQLiteValue.text) ?? .null
    }

    static func integer(_ value: CanonicalJSON.Value?) -> SQLiteValue {
        value?.integerValue.map { .integer(Int64($0)) } ?? .null
    }

    static func json(_ value: CanonicalJSON.Value?) -> SQLiteValue {
        guard let value, value != .null else { return .null }
        return .text(encode(value))
    }
}
