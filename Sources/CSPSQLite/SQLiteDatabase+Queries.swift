extension SQLiteDatabase {
    /// Runs one statement with bindings to completion, through the statement cache.
    public func run(_ sql: String, _ bindings: (any SQLiteBindable)?...) throws {
        try run(sql, bindings: bindings.map { $0?.sqliteValue ?? .null })
    }

    public func run(_ sql: String, bindings: [SQLiteValue]) throws {
        let statement = try helperStatement(sql)
        defer { statement.reset() }
        try statement.run(bindings: bindings)
    }

    /// Every row as values; for small results (use `forEachRow` to stream large ones).
    public func query(_ sql: String, _ bindings: (any SQLiteBindable)?...) throws -> [[SQLiteValue]] {
        try query(sql, bindings: bindings.map { $0?.sqliteValue ?? .null })
    }

    public func query(_ sql: String, bindings: [SQLiteValue]) throws -> [[SQLiteValue]] {
        var rows: [[SQLiteValue]] = []
        try forEachRow(sql, bindings: bindings) { rows.append($0.row()) }
        return rows
    }

    /// Calls `body` for each row with the statement positioned on it; read columns there.
    public func forEachRow(_ sql: String, _ bindings: (any SQLiteBindable)?...,
                           body: (Statement) throws -> Void) throws {
        try forEachRow(sql, bindings: bindings.map { $0?.sqliteValue ?? .null }, body: body)
    }

    public func forEachRow(_ sql: String, bindings: [SQLiteValue], body: (Statement) throws -> Void) throws {
        let statement = try helperStatement(sql)
        // Resetting releases the read snapshot, which would otherwise hold back WAL checkpoints.
        defer { statement.reset() }
        try statement.bind(bindings)
        while try statement.step() {
            try body(statement)
        }
    }

    /// First column of the first row, or nil when there is no row (a NULL cell is `.null`).
    public func scalar(_ sql: String, _ bindings: (any SQLiteBindable)?...) throws -> SQLiteValue? {
        try scalar(sql, bindings: bindings.map { $0?.sqliteValue ?? .null })
    }

    public func scalar(_ sql: String, bindings: [SQLiteValue]) throws -> SQLiteValue? {
        let statement = try helperStatement(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        guard try statement.step(), statement.columnCount > 0 else { return nil }
        return statement.value(at: 0)
    }
}
