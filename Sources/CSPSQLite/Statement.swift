import CSQLite

/// A prepared statement: bind parameters, step through rows, read typed columns.
///
/// Parameters are 1-based (as in SQL's `?1`), columns are 0-based (as in SQLite's C API).
/// Binding always resets the statement first, so a loop can simply bind, step, bind, step.
public final class Statement {
    /// The SQL this statement was prepared from; error messages quote it.
    public let sql: String
    private let connection: Connection
    /// nil once finalized, which happens when the owning database closes its cache.
    private var handle: OpaquePointer?

    init(sql: String, handle: OpaquePointer, connection: Connection) {
        self.sql = sql
        self.handle = handle
        self.connection = connection
    }

    deinit {
        finalize()
    }

    /// Frees the C statement; with `sqlite3_close_v2` this also lets a closed connection go.
    func finalize() {
        if let handle {
            sqlite3_finalize(handle)
            self.handle = nil
        }
    }

    /// The C statement, after checking that it and its connection are still usable.
    private func live() throws -> (db: OpaquePointer, stmt: OpaquePointer) {
        let db = try connection.checkedPointer(context: .statement(sql: sql))
        guard let handle else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "statement is finalized", context: .statement(sql: sql))
        }
        return (db, handle)
    }

    private func failure(_ db: OpaquePointer, _ code: Int32) -> SQLiteError {
        SQLiteError(connection: db, code: code, context: .statement(sql: sql))
    }

    private func misuse(_ code: Int32, _ message: String) -> SQLiteError {
        SQLiteError(code: code, message: message, context: .statement(sql: sql))
    }

    // MARK: Binding

    /// Number of parameters the SQL declares (the largest `?NNN` index).
    public var parameterCount: Int {
        handle.map { Int(sqlite3_bind_parameter_count($0)) } ?? 0
    }

    /// Binds every parameter in order; the count must match so a forgotten value is not silently NULL.
    public func bind(_ values: [SQLiteValue]) throws {
        _ = try resetForBinding(values.count)
        for (offset, value) in values.enumerated() {
            try bindValue(value, at: offset + 1)
        }
    }

    /// Resets the statement and checks that `count` values fill its parameters exactly.
    private func resetForBinding(_ count: Int) throws -> (db: OpaquePointer, stmt: OpaquePointer) {
        let (db, stmt) = try live()
        sqlite3_reset(stmt)
        let expected = Int(sqlite3_bind_parameter_count(stmt))
        guard count == expected else {
            throw misuse(SQLITE_RANGE, "statement takes \(expected) parameters but \(count) were given")
        }
        return (db, stmt)
    }

    /// Variadic form: `try insert.bind(id, name, nil, bytes)`.
    public func bind(_ values: (any SQLiteBindable)?...) throws {
        try bind(values.map { $0?.sqliteValue ?? .null })
    }

    /// Binds one parameter (1-based); use in hot loops to avoid building arrays.
    public func bind(_ value: some SQLiteBindable, at index: Int) throws {
        let (_, stmt) = try live()
        sqlite3_reset(stmt)
        try bindValue(value.sqliteValue, at: index)
    }

    /// Non-generic form so `nil` and `.blob(bytes)` can be written directly.
    public func bind(_ value: SQLiteValue, at index: Int) throws {
        let (_, stmt) = try live()
        sqlite3_reset(stmt)
        try bindValue(value, at: index)
    }

    /// Binds a value by its parameter name, including the prefix: `:id`, `@id` or `$id`.
    public func bind(_ value: some SQLiteBindable, named name: String) throws {
        let (_, stmt) = try live()
        let index = Int(sqlite3_bind_parameter_index(stmt, name))
        guard index > 0 else {
            throw misuse(SQLITE_RANGE, "no parameter named '\(name)'")
        }
        try bind(value, at: index)
    }

    /// Makes every parameter NULL again, so values from a previous use cannot leak into the next.
    public func clearBindings() {
        if let handle { sqlite3_clear_bindings(handle) }
    }

    /// Rewinds to before the first row and releases read locks; keeps the bindings.
    /// SQLite's return code here repeats the last step's error, already reported, so it is ignored.
    public func reset() {
        if let handle { sqlite3_reset(handle) }
    }

    private func bindValue(_ value: SQLiteValue, at index: Int) throws {
        let (db, stmt) = try live()
        guard let position = Int32(exactly: index) else {
            throw misuse(SQLITE_RANGE, "parameter index \(index) is out of range")
        }
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(stmt, position)
        case .integer(let number):
            code = sqlite3_bind_int64(stmt, position, number)
        case .real(let number):
            code = sqlite3_bind_double(stmt, position, number)
        case .text(let text):
            guard let length = Int32(exactly: text.utf8.count) else {
                throw misuse(SQLITE_TOOBIG, "text for parameter \(index) is too big")
            }
            // withCString points at the full UTF-8, embedded NULs included; the length bounds it.
            code = text.withCString { csp_sqlite3_bind_text_copy(stmt, position, $0, length) }
        case .blob(let bytes):
            guard let length = Int32(exactly: bytes.count) else {
                throw misuse(SQLITE_TOOBIG, "blob for parameter \(index) is too big")
            }
            if bytes.isEmpty {
                // A nil pointer would bind NULL; an empty blob must stay distinct from NULL.
                code = sqlite3_bind_zeroblob(stmt, position, 0)
            } else {
                code = bytes.withUnsafeBytes { csp_sqlite3_bind_blob_copy(stmt, position, $0.baseAddress, length) }
            }
        }
        guard code == SQLITE_OK else { throw failure(db, code) }
    }

    // MARK: Stepping

    /// Stepped but neither finished nor reset: it holds a read snapshot and its position.
    var isBusy: Bool {
        handle.map { sqlite3_stmt_busy($0) != 0 } ?? false
    }

    /// Advances to the next row; false when the statement has finished.
    @discardableResult
    public func step() throws -> Bool {
        let (db, stmt) = try live()
        let code = sqlite3_step(stmt)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw failure(db, code)
        }
    }

    /// Binds, then runs to completion: the usual way to execute an INSERT/UPDATE/DELETE.
    public func run(_ values: (any SQLiteBindable)?...) throws {
        try bind(values.map { $0?.sqliteValue ?? .null })
        while try step() {}
    }

    /// Array form of `run`, for forwarding bindings.
    public func run(bindings values: [SQLiteValue]) throws {
        try bind(values)
        while try step() {}
    }

    /// `run(bindings:)` without copying: text and blobs are bound where they lie
    /// (SQLITE_STATIC), which saves a malloc and a copy per value in bulk loads. The
    /// statement runs to completion inside the call, then is reset with its bindings
    /// cleared, so SQLite never keeps a pointer into memory that the call no longer holds.
    public func run(borrowing values: [SQLiteValue]) throws {
        let (db, stmt) = try resetForBinding(values.count)
        defer {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
        try values.withUnsafeBufferPointer { try bindBorrowed($0, from: 0, db, stmt) }
    }

    /// Binds `values[from...]`, each text or blob inside the scope of its own pointer (so
    /// the call nests once per such value), then steps to completion at the innermost level.
    private func bindBorrowed(_ values: UnsafeBufferPointer<SQLiteValue>, from start: Int,
                              _ db: OpaquePointer, _ stmt: OpaquePointer) throws {
        var index = start
        while index < values.count {
            let position = Int32(index + 1)
            switch values[index] {
            case .text(var text) where !text.isEmpty:
                return try text.withUTF8 { bytes in
                    guard let length = Int32(exactly: bytes.count) else {
                        throw misuse(SQLITE_TOOBIG, "text for parameter \(position) is too big")
                    }
                    let code = bytes.withMemoryRebound(to: CChar.self) { csp_sqlite3_bind_text_static(stmt, position, $0.baseAddress, length) }
                    guard code == SQLITE_OK else { throw failure(db, code) }
                    try bindBorrowed(values, from: index + 1, db, stmt)
                }
            case .blob(let bytes) where !bytes.isEmpty:
                return try bytes.withUnsafeBytes { raw in
                    guard let length = Int32(exactly: raw.count) else {
                        throw misuse(SQLITE_TOOBIG, "blob for parameter \(position) is too big")
                    }
                    let code = csp_sqlite3_bind_blob_static(stmt, position, raw.baseAddress, length)
                    guard code == SQLITE_OK else { throw failure(db, code) }
                    try bindBorrowed(values, from: index + 1, db, stmt)
                }
            default:
                // Numbers, NULL, empty text and blobs: nothing to borrow (and a nil pointer would bind NULL).
                try bindValue(values[index], at: index + 1)
            }
            index += 1
        }
        while true {
            let code = sqlite3_step(stmt)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw failure(db, code) }
        }
    }

    /// Binds `rows` one after the other (row i's first cell at parameter `i * width + 1`),
    /// text and blobs where they lie in each row's buffer (SQLITE_STATIC), then runs the
    /// statement to completion and resets it with its bindings cleared. For multi-row
    /// INSERTs in bulk loads: no copy, malloc or reference count per value. The buffers
    /// must not change during the call; SQLite keeps no pointer into them after it.
    public func run(rows: UnsafeBufferPointer<SQLiteRowCells>, width: Int) throws {
        let (db, stmt) = try live()
        guard rows.count * width == Int(sqlite3_bind_parameter_count(stmt)) else {
            throw misuse(SQLITE_RANGE, "statement takes \(sqlite3_bind_parameter_count(stmt)) parameters but \(rows.count * width) were given")
        }
        defer {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
        var position: Int32 = 1
        for row in rows {
            for column in 0..<width {
                let cell = row.cells[column]
                let code: Int32
                switch cell.kind {
                case .null:
                    code = sqlite3_bind_null(stmt, position)
                case .integer:
                    code = sqlite3_bind_int64(stmt, position, cell.payload)
                case .real:
                    code = sqlite3_bind_double(stmt, position, Double(bitPattern: UInt64(bitPattern: cell.payload)))
                case .text:
                    // A non-nil pointer even for empty text: a nil one would bind NULL.
                    let text = (row.buffer + Int(cell.payload)).assumingMemoryBound(to: CChar.self)
                    code = csp_sqlite3_bind_text_static(stmt, position, text, cell.length)
                case .blob:
                    // An empty blob stays distinct from NULL.
                    code = cell.length == 0 ? sqlite3_bind_zeroblob(stmt, position, 0)
                        : csp_sqlite3_bind_blob_static(stmt, position, row.buffer + Int(cell.payload), cell.length)
                }
                guard code == SQLITE_OK else { throw failure(db, code) }
                position += 1
            }
        }
        while true {
            let code = sqlite3_step(stmt)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw failure(db, code) }
        }
    }

    // MARK: Reading the current row

    public var columnCount: Int {
        handle.map { Int(sqlite3_column_count($0)) } ?? 0
    }

    public func columnName(at column: Int) -> String {
        let (stmt, index) = checked(column)
        return sqlite3_column_name(stmt, index).map { String(cString: $0) } ?? ""
    }

    public var columnNames: [String] {
        (0..<columnCount).map { columnName(at: $0) }
    }

    public func isNull(at column: Int) -> Bool {
        let (stmt, index) = checked(column)
        return sqlite3_column_type(stmt, index) == SQLITE_NULL
    }

    /// The column as an integer; NULL reads as 0, following SQLite's conversion rules.
    public func int64(at column: Int) -> Int64 {
        let (stmt, index) = checked(column)
        return sqlite3_column_int64(stmt, index)
    }

    public func int(at column: Int) -> Int {
        Int(int64(at: column))
    }

    /// Non-zero is true, as in SQL.
    public func bool(at column: Int) -> Bool {
        int64(at: column) != 0
    }

    /// The column as a double; NULL reads as 0.0.
    public func double(at column: Int) -> Double {
        let (stmt, index) = checked(column)
        return sqlite3_column_double(stmt, index)
    }

    /// The column as text, or nil for NULL (unlike numbers, "" and NULL must stay distinct).
    public func string(at column: Int) -> String? {
        let (stmt, index) = checked(column)
        guard sqlite3_column_type(stmt, index) != SQLITE_NULL else { return nil }
        // Ask for the text before its length: the conversion may change the byte count.
        guard let text = sqlite3_column_text(stmt, index) else { return "" }
        let length = Int(sqlite3_column_bytes(stmt, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self)
    }

    /// The column as bytes, or nil for NULL; an empty blob reads as `[]`.
    public func blob(at column: Int) -> [UInt8]? {
        let (stmt, index) = checked(column)
        guard sqlite3_column_type(stmt, index) != SQLITE_NULL else { return nil }
        guard let bytes = sqlite3_column_blob(stmt, index) else { return [] }
        let length = Int(sqlite3_column_bytes(stmt, index))
        return Array(UnsafeRawBufferPointer(start: bytes, count: length))
    }

    /// The column in its own storage class, with no conversion.
    public func value(at column: Int) -> SQLiteValue {
        let (stmt, index) = checked(column)
        switch sqlite3_column_type(stmt, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(stmt, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(stmt, index))
        case SQLITE_TEXT: return .text(string(at: column) ?? "")
        case SQLITE_BLOB: return .blob(blob(at: column) ?? [])
        default: return .null
        }
    }

    /// Every column of the current row.
    public func row() -> [SQLiteValue] {
        (0..<columnCount).map { value(at: $0) }
    }

    /// An out-of-range column is a programming error, and SQLite leaves it undefined, so trap.
    private func checked(_ column: Int) -> (OpaquePointer, Int32) {
        guard let handle, connection.pointer != nil else {
            preconditionFailure("column read on a finalized statement: \(SQLiteError.abbreviated(sql))")
        }
        precondition(column >= 0 && column < Int(sqlite3_column_count(handle)),
                     "column \(column) is out of range for \(SQLiteError.abbreviated(sql))")
        return (handle, Int32(column))
    }
}

/// A statement belongs to one connection, and connections are opened NOMUTEX for one thread.
@available(*, unavailable)
extension Statement: Sendable {}
