import Synchronization

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
///
/// Its fields live in one box that is kept for the life of the process, and a Table holds
/// it without a reference count: every derived row carries its table (`Change`), and a
/// count per copy (or three, one per array) would be touched by the reader thread that makes
/// rows and by the writer thread that applies them, the same cache line going back and forth
/// between the cores for every row. Tables are a handful of definitions made once (the
/// built-in ones, a mapping's), so keeping every box costs a few kilobytes.
public struct Table: Sendable, Equatable {
    private final class Storage: Sendable {
        let name: String
        let columns: [Column]
        let primaryKey: [String]
        let indexes: [[String]]
        let isCurrentState: Bool
        let isAppendOnly: Bool
        let keyPositions: [Int]

        init(name: String, columns: [Column], primaryKey: [String], indexes: [[String]], isCurrentState: Bool, isAppendOnly: Bool) {
            self.name = name
            self.columns = columns
            self.primaryKey = primaryKey
            self.indexes = indexes
            self.isCurrentState = isCurrentState
            self.isAppendOnly = isAppendOnly
            // A key column missing from the columns is a programming error, found on first use as before.
            keyPositions = primaryKey.map { name in columns.firstIndex { $0.name == name } ?? -1 }
        }
    }
    /// Every box ever made, so that none is freed while a Table may still point at it.
    private static let kept = Mutex<[Storage]>([])
    private unowned(unsafe) var storage: Storage

    private static func keep(_ storage: Storage) -> Storage {
        kept.withLock { $0.append(storage) }
        return storage
    }

    private mutating func update(name: String? = nil, columns: [Column]? = nil, primaryKey: [String]? = nil, indexes: [[String]]? = nil,
                                 isCurrentState: Bool? = nil, isAppendOnly: Bool? = nil) {
        storage = Self.keep(Storage(name: name ?? storage.name, columns: columns ?? storage.columns, primaryKey: primaryKey ?? storage.primaryKey,
                          indexes: indexes ?? storage.indexes, isCurrentState: isCurrentState ?? storage.isCurrentState,
                          isAppendOnly: isAppendOnly ?? storage.isAppendOnly))
    }

    public var name: String {
        get { storage.name }
        set { update(name: newValue) }
    }
    public var columns: [Column] {
        get { storage.columns }
        set { update(columns: newValue) }
    }
    public var primaryKey: [String] {
        get { storage.primaryKey }
        set { update(primaryKey: newValue) }
    }
    public var indexes: [[String]] {
        get { storage.indexes }
        set { update(indexes: newValue) }
    }
    /// Whether rows only ever arrive (blocks, transactions, history) or are replaced and
    /// deleted as the ledger's state changes (state, accounts, instances).
    public var isCurrentState: Bool {
        get { storage.isCurrentState }
        set { update(isCurrentState: newValue) }
    }
    /// Whether every row's key is new: no block repeats a key of this table, its own or an
    /// earlier block's (blocks, transactions, events, history, account_transactions). The
    /// rows after a target's checkpoint are then never in the target, so a bulk load inserts
    /// them without looking for a row to update.
    public var isAppendOnly: Bool {
        get { storage.isAppendOnly }
        set { update(isAppendOnly: newValue) }
    }

    public init(_ name: String, _ columns: [Column], key: [String], indexes: [[String]] = [], currentState: Bool = false,
                appendOnly: Bool = false) {
        precondition(!(currentState && appendOnly), "a current-state table replaces rows")
        storage = Self.keep(Storage(name: name, columns: columns, primaryKey: key, indexes: indexes, isCurrentState: currentState,
                                    isAppendOnly: appendOnly))
    }

    public static func == (left: Table, right: Table) -> Bool {
        left.storage === right.storage
            || (left.name == right.name && left.columns == right.columns && left.primaryKey == right.primaryKey
                && left.indexes == right.indexes && left.isCurrentState == right.isCurrentState && left.isAppendOnly == right.isAppendOnly)
    }

    /// Whether both are the same definition (one box): the quick check before comparing names.
    public func isIdentical(to other: Table) -> Bool { storage === other.storage }

    public func column(_ name: String) -> Column? { columns.first { $0.name == name } }

    /// Positions of the key columns in a row (worked out once per table).
    public var keyPositions: [Int] {
        precondition(!storage.keyPositions.contains(-1), "a key column of table \(name) is not one of its columns")
        return storage.keyPositions
    }
}
