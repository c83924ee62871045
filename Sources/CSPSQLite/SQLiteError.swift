import CSQLite

/// A failed SQLite call: the result code, SQLite's own message and what was being run.
///
/// Bound values are never stored here, because they may be secrets and errors end up in logs;
/// the SQL text is kept since it is written by the program, not by users.
public struct SQLiteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What the connection was doing, which decides how the message reads.
    public enum Context: Sendable, Equatable {
        /// Opening (and configuring) the database file at this path.
        case open(path: String)
        /// Preparing, binding or running this SQL.
        case statement(sql: String)
        /// A call that concerns the connection rather than one statement.
        case connection
    }

    /// The primary result code (`SQLITE_CONSTRAINT`, `SQLITE_BUSY`, ...).
    public let code: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, ...), for callers that need the detail.
    public let extendedCode: Int32
    /// The message from `sqlite3_errmsg`, or the wrapper's own message for misuse it detects.
    public let message: String
    public let context: Context

    public init(code: Int32, extendedCode: Int32? = nil, message: String, context: Context) {
        self.code = code & 0xff
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.context = context
    }

    /// Reads the message straight from the connection, so call it before any other SQLite call.
    init(connection: OpaquePointer?, code: Int32, context: Context) {
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        // The connection's extended code belongs to the same failure only if its primary part matches.
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        self.init(code: code, extendedCode: extended & 0xff == code & 0xff ? extended : code,
                  message: message, context: context)
    }

    /// The SQL that failed, if the failure concerns a statement.
    public var sql: String? {
        if case .statement(let sql) = context { return sql }
        return nil
    }

    /// Short lower-case name of the primary code, e.g. `constraint` for 19.
    public var codeName: String {
        Self.codeNames[Int(code)] ?? "code \(code)"
    }

    public var description: String {
        switch context {
        case .open(let path):
            return "cannot open database '\(path)': \(message)"
        case .statement(let sql):
            return "sqlite error \(code) (\(codeName)): \(message) in '\(Self.abbreviated(sql))'"
        case .connection:
            return "sqlite error \(code) (\(codeName)): \(message)"
        }
    }

    /// One line, bounded length: long generated SQL would otherwise swamp the message.
    static func abbreviated(_ sql: String, limit: Int = 200) -> String {
        let oneLine = sql.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard oneLine.count > limit else { return oneLine }
        return String(oneLine.prefix(limit)) + "..."
    }

    /// Names of the primary result codes, as in the `SQLITE_` constants.
    private static let codeNames: [Int: String] = [
        0: "ok", 1: "error", 2: "internal", 3: "perm", 4: "abort", 5: "busy", 6: "locked",
        7: "nomem", 8: "readonly", 9: "interrupt", 10: "ioerr", 11: "corrupt", 12: "notfound",
        13: "full", 14: "cantopen", 15: "protocol", 16: "empty", 17: "schema", 18: "toobig",
        19: "constraint", 20: "mismatch", 21: "misuse", 22: "nolfs", 23: "auth", 24: "format",
        25: "range", 26: "notadb", 27: "notice", 28: "warning", 100: "row", 101: "done",
    ]
}
