/// The tables csp-kvr writes (docs/KVR.md, "Tables"). Every table starts with `channel`, so
/// one target can hold several channels; natural keys make replaying a range change nothing.
public enum Tables {
    public static let channel = Column("channel", .text, keyLength: 64)
    public static let block = Column("block", .integer)
    public static let position = Column("position", .integer)

    public static let blocks = Table("blocks", [
        channel, Column("number", .integer), Column("hash", .hash), Column("previous_hash", .hash),
        Column("merkle_root", .hash), Column("commit_hash", .hash), Column("time", .integer),
        Column("transaction_count", .integer), Column("valid_count", .integer),
        Column("orderer_certificate", .blob), Column("signature", .blob),
    ], key: ["channel", "number"], indexes: [["channel", "hash"]], appendOnly: true)

    public static let transactions = Table("transactions", [
        channel, block, position, Column("id", .hash), Column("time", .integer),
        Column("creator", .text), Column("organization", .text), Column("role", .text),
        Column("contract", .text), Column("function", .text), Column("arguments", .json),
        Column("code", .integer), Column("validation", .text), Column("reason", .text),
        Column("creator_certificate", .blob), Column("signature", .blob),
    ], key: ["channel", "block", "position"], indexes: [["channel", "id"], ["channel", "creator"], ["channel", "contract", "function"]],
       appendOnly: true)

    public static let events = Table("events", [
        channel, block, position, Column("seq", .integer), Column("transaction_id", .hash),
        Column("contract", .text), Column("name", .text), Column("payload", .json),
    ], key: ["channel", "block", "position", "seq"], indexes: [["channel", "contract", "name"]], appendOnly: true)

    public static let state = Table("state", [
        channel, Column("namespace", .text, keyLength: 64), Column("key", .text, keyLength: 600),
        Column("value", .text), Column("value_bytes", .blob), block, position,
    ], key: ["channel", "namespace", "key"], currentState: true)

    public static let stateHistory = Table("state_history", [
        channel, block, position, Column("key", .text, keyLength: 600), Column("namespace", .text),
        Column("transaction_id", .hash), Column("deleted", .boolean), Column("value", .text), Column("value_bytes", .blob),
    ], key: ["channel", "block", "position", "key"], indexes: [["channel", "key"]], appendOnly: true)

    public static let accounts = Table("accounts", [
        channel, Column("account", .text), Column("organization", .text), Column("id", .text),
        Column("role", .text), Column("display_name", .text), Column("phone", .text), Column("email", .text),
        Column("address", .text), Column("status", .text), Column("registered_block", .integer),
        Column("registered_time", .integer), Column("registered_by", .text), Column("deregistered_block", .integer),
        Column("deregistered_time", .integer), Column("deregistered_by", .text),
    ], key: ["channel", "account"], currentState: true)

    public static let accountTransactions = Table("account_transactions", [
        channel, Column("account", .text), block, position,
    ], key: ["channel", "account", "block", "position"], appendOnly: true)

    public static let definitions = Table("definitions", [
        channel, Column("name", .text, keyLength: 64), Column("version", .integer), Column("hash", .hash),
        Column("status", .text), Column("definition", .json), Column("proposed_block", .integer),
        Column("proposed_time", .integer), Column("proposed_by", .text),
    ], key: ["channel", "name", "version"], currentState: true)

    public static let instances = Table("instances", [
        channel, Column("id", .text, keyLength: 64), Column("definition", .text), Column("version", .integer),
        Column("state", .text), Column("parties", .json), Column("fields", .json), Column("operators", .json),
        Column("deadline", .integer), Column("signatures", .json), Column("documents", .json), Column("links", .json),
        Column("timeline_length", .integer), Column("created_block", .integer), Column("created_time", .integer),
        Column("created_by", .text), Column("created_tx", .hash), Column("updated_block", .integer),
        Column("updated_time", .integer), Column("updated_by", .text), Column("updated_tx", .hash),
    ], key: ["channel", "id"], indexes: [["channel", "definition", "state"]], currentState: true)

    public static let transitions = Table("transitions", [
        channel, Column("instance", .text, keyLength: 64), Column("seq", .integer), Column("definition", .text),
        Column("transition", .text), Column("from_state", .text), Column("to_state", .text), block,
        Column("transaction_id", .hash), Column("time", .integer), Column("by_account", .text),
        Column("fields", .json), Column("signed", .json), Column("migrated", .json),
    ], key: ["channel", "instance", "seq"], indexes: [["channel", "definition", "transition"]])

    public static let milestones = Table("milestones", [
        channel, Column("instance", .text, keyLength: 64), Column("seq", .integer), Column("field", .text, keyLength: 64),
        Column("definition", .text), Column("transition", .text), Column("document", .text), Column("sha256", .hash),
        Column("size", .integer), block, Column("time", .integer), Column("by_account", .text),
    ], key: ["channel", "instance", "seq", "field"])

    /// Where a target stands: written in the same SQL transaction as each batch of rows.
    public static let checkpoint = Table("kvr_checkpoint", [
        channel, Column("block", .integer), Column("hash", .hash), Column("commit_hash", .hash),
    ], key: ["channel"], currentState: true)

    /// Every table, in the order they are created and loaded.
    public static let tables: [Table] = [
        blocks, transactions, events, state, stateHistory, accounts, accountTransactions,
        definitions, instances, transitions, milestones, checkpoint,
    ]

    public static func table(named name: String) -> Table? { tables.first { $0.name == name } }

    /// The DDL of every table, then (unless `indexes` is false) the secondary indexes.
    public static func ddl(_ dialect: Dialect, tables: [Table] = Tables.tables, indexes: Bool = true) -> String {
        var out = tables.map(dialect.createTable).joined(separator: "\n") + "\n"
        if indexes { out += indexDDL(dialect, tables: tables) }
        return out
    }

    public static func indexDDL(_ dialect: Dialect, tables: [Table] = Tables.tables) -> String {
        tables.flatMap(dialect.createIndexes).map { $0 + "\n" }.joined()
    }
}
