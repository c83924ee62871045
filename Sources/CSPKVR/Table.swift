/// What a column holds; each dialect picks its own type for it (`Dialect.type(of:inKey:)`).
public enum ColumnType: String, Sendable {
    case integer
    case boolean
    /// Text a person reads: keys, names, text values.
    case text
    /// A SHA-256 digest in lower-case hex.
    case hash
    /// A JSON document (JSONB in PostgreSQL, JSON in MySQL, TEXT in SQLite).
    case json
    /// Bytes that are not text (certificates, signatures, values that are not UTF-8).
    case blob
}

public struct Column: Sendable, Equatable {
    public var name: String
    public var type: ColumnType
    /// Longest value MySQL must index when this column is part of a key.
    public var keyLength: Int

    public init(_ name: String, _ type: ColumnType, keyLength: Int = 255) {
        self.name = name
        self.type = type
        self.keyLength = keyLength
    }
}

/// One relational table: columns, natural key, secondary indexes.
public struct Table: Sendable, Equatable {
    public var name: String
    public var columns: [Column]
    public var primaryKey: [String]
    public var indexes: [[String]]
    /// Whether rows only ever arrive (blocks, transactions, history) or are replaced and
    /// deleted as the ledger's state changes (state, accounts, instances).
    public var isCurrentState: Bool
    /// Whether every row's key is new: no block repeats a key of this table, its own or an
    /// earlier block's (blocks, transactions, events, history, account_transactions). The
    /// rows after a target's checkpoint are then never in the target, so a bulk load inserts
    /// them without looking for a row to update.
    public var isAppendOnly: Bool

    public init(_ name: String, _ columns: [Column], key: [String], indexes: [[String]] = [], currentState: Bool = false,
                appendOnly: Bool = false) {
        precondition(!(currentState && appendOnly), "a current-state table replaces rows")
        self.name = name
        self.columns = columns
        self.primaryKey = key
        self.indexes = indexes
        self.isCurrentState = currentState
        self.isAppendOnly = appendOnly
    }

    public func column(_ name: String) -> Column? { columns.first { $0.name == name } }

    /// Positions of the key columns in a row.
    public var keyPositions: [Int] {
        primaryKey.map { name in columns.firstIndex { $0.name == name }! }
    }
}
