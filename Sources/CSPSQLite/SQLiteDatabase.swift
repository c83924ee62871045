import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide settings, applied once before the first connection (`sqlite3_config`).
private let processSetup: Void = {
    _ = csp_sqlite3_disable_memstatus()
}()

/// One SQLite connection, tuned for a single writer thread exporting many rows.
///
/// Opened NOMUTEX: SQLite skips its per-call locking, so the connection must stay on one
/// thread at a time (open one connection per thread). Writable connections use WAL with
/// `synchronous=NORMAL`, which keeps readers unblocked and commits cheap but durable on crash.
public final class SQLiteDatabase {
    /// The path given at open, or `":memory:"`.
    public let path: String
    public let isReadOnly: Bool
    let connection: Connection
    /// Prepared statements by SQL text, so a hot loop does not re-parse.
    private var statementCache: [String: Statement] = [:]
    /// Depth of nested `inTransaction` calls, to name their savepoints.
    var savepointDepth = 0

    /// Opens (creating it unless read-only) the database and makes sure it really is one.
    ///
    /// SQLite opens files lazily and would only report "file is not a database" on first use;
    /// reading the schema here surfaces that at open, where the path is still known.
    public init(path: String, readOnly: Bool = false, busyTimeout: Duration = .seconds(5)) throws {
        self.path = path
        self.isReadOnly = readOnly
        _ = processSetup
        let access = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, access | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let handle else {
            let error = SQLiteError(connection: handle, code: code == SQLITE_OK ? SQLITE_NOMEM : code,
                                    context: .open(path: path))
            sqlite3_close_v2(handle) // SQLite allocates a handle even when open fails.
            throw error
        }
        let milliseconds = busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
        sqlite3_busy_timeout(handle, Int32(clamping: milliseconds))
        do {
            try Self.exec(handle, "SELECT count(*) FROM sqlite_master", context: .open(path: path))
            try Self.exec(handle, "PRAGMA foreign_keys = ON", context: .open(path: path))
            if !readOnly {
                try Self.exec(handle, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", context: .open(path: path))
            }
        } catch {
            sqlite3_close_v2(handle)
            throw error
        }
        connection = Connection(handle)
    }

    deinit {
        close()
    }

    /// Has the kernel start writing this database file's dirty pages to the disk, without
    /// waiting for them: for loads that commit with `synchronous=OFF`, so the disk works
    /// while they compute and their one closing fsync has little left to do.
    public func startWriteback() {
        #if canImport(Glibc)
        guard path != ":memory:", !path.isEmpty else { return }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        csp_start_writeback(fd)
        Glibc.close(fd)
        #endif
    }

    /// Finalizes cached statements and closes; safe to call more than once.
    ///
    /// Uses `sqlite3_close_v2`, so statements the caller still holds keep the C connection
    /// alive until they are released; they throw "database is closed" if used meanwhile.
    public func close() {
        guard let handle = connection.pointer else { return }
        for statement in statementCache.values {
            statement.finalize()
        }
        statementCache.removeAll()
        sqlite3_close_v2(handle)
        connection.pointer = nil
    }

    public var isClosed: Bool { connection.pointer == nil }

    /// Runs one or more statements that return no rows (schema scripts, PRAGMAs, BEGIN/COMMIT).
    public func execute(_ sql: String) throws {
        let handle = try connection.checkedPointer(context: .statement(sql: sql))
        try Self.exec(handle, sql, context: .statement(sql: sql))
    }

    private static func exec(_ handle: OpaquePointer, _ sql: String, context: SQLiteError.Context) throws {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else {
            throw SQLiteError(connection: handle, code: code, context: context)
        }
    }

    /// Prepares a single statement that the caller owns; it is finalized when released.
    public func prepare(_ sql: String) throws -> Statement {
        try prepare(sql, persistent: false)
    }

    /// The cached statement for this SQL, reset and with its bindings cleared.
    ///
    /// Always the same object for the same SQL, so do not hold one across another request
    /// for the same SQL: the second request rewinds the first.
    public func cachedStatement(_ sql: String) throws -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            statement.clearBindings()
            return statement
        }
        let statement = try prepare(sql, persistent: true)
        statementCache[sql] = statement
        return statement
    }

    /// The cached statement unless it is mid-iteration (a helper called from inside a row loop
    /// over the same SQL), in which case a private one, so the outer loop is not rewound.
    func helperStatement(_ sql: String) throws -> Statement {
        if let statement = statementCache[sql], statement.isBusy {
            return try prepare(sql, persistent: false)
        }
        return try cachedStatement(sql)
    }

    /// Drops every cached statement, e.g. after a schema change in a long-lived connection.
    public func clearStatementCache() {
        for statement in statementCache.values {
            statement.finalize()
        }
        statementCache.removeAll()
    }

    private func prepare(_ sql: String, persistent: Bool) throws -> Statement {
        let handle = try connection.checkedPointer(context: .statement(sql: sql))
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        var statement: OpaquePointer?
        var restIsEmpty = true
        let code = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(handle, text, -1, flags, &statement, &tail)
            if code == SQLITE_OK, let tail, tail.pointee != 0 {
                // Something follows the first statement; only whitespace and comments are harmless.
                var next: OpaquePointer?
                let tailCode = sqlite3_prepare_v3(handle, tail, -1, 0, &next, nil)
                restIsEmpty = tailCode == SQLITE_OK && next == nil
                sqlite3_finalize(next)
            }
            return code
        }
        guard code == SQLITE_OK else {
            throw SQLiteError(connection: handle, code: code, context: .statement(sql: sql))
        }
        guard let statement else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "no statement to prepare", context: .statement(sql: sql))
        }
        guard restIsEmpty else {
            sqlite3_finalize(statement)
            throw SQLiteError(code: SQLITE_MISUSE, message: "prepare takes one statement; use execute for several",
                              context: .statement(sql: sql))
        }
        return Statement(sql: sql, handle: statement, connection: connection)
    }

    /// Row id of the most recent successful INSERT on this connection (0 when closed).
    public var lastInsertRowID: Int64 {
        connection.pointer.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE (0 when closed).
    public var changes: Int {
        connection.pointer.map { Int(sqlite3_changes($0)) } ?? 0
    }

    /// Rows changed since the connection opened.
    public var totalChanges: Int {
        connection.pointer.map { Int(sqlite3_total_changes($0)) } ?? 0
    }

    /// True while a transaction is open, whether begun by `inTransaction` or by plain SQL.
    public var isInTransaction: Bool {
        connection.pointer.map { sqlite3_get_autocommit($0) == 0 } ?? false
    }
}

/// A connection is opened NOMUTEX and must only be used from one thread at a time.
@available(*, unavailable)
extension SQLiteDatabase: Sendable {}
