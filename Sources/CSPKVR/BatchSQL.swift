import CSPSQLite

/// The SQL of one batch, shared by the SQL text sink and the PostgreSQL sink: deletes,
/// then upserts per table in schema order (multi-row INSERTs; for PostgreSQL a COPY into
/// the table's staging table merged with INSERT ... SELECT ... ON CONFLICT).
enum BatchSQL {
    enum Step {
        /// One statement, without its `;`.
        case statement(String)
        /// `COPY <table> (<columns>) FROM STDIN` with these rows in COPY's text format (names unquoted).
        case copy(table: String, columns: [String], rows: [String])
    }

    /// Rows per multi-row INSERT statement (sqlite and mysql).
    static let rowsPerStatement = 500

    static func stage(_ table: Table) -> String { Dialect.postgres.quote("kvr_stage_" + table.name) }

    /// PostgreSQL's staging tables, emptied at every commit.
    static func stagingTables(_ tables: [Table]) -> [String] {
        tables.map {
            "CREATE TEMP TABLE IF NOT EXISTS \(stage($0)) (LIKE \(Dialect.postgres.quote($0.name))) ON COMMIT DELETE ROWS"
        }
    }

    static func steps(_ batch: BatchBuffer, _ dialect: Dialect) -> [Step] {
        var steps: [Step] = []
        for changes in batch.ordered {
            let table = changes.table
            var rows: [[SQLiteValue]] = []
            for key in changes.keys {
                switch changes.operations[key]! {
                case let .upsert(values):
                    rows.append(values)
                case .delete:
                    let condition = zip(table.primaryKey, key).map { "\(dialect.quote($0)) = \(dialect.literal($1))" }
                    steps.append(.statement("DELETE FROM \(dialect.quote(table.name)) WHERE \(condition.joined(separator: " AND "))"))
                }
            }
            guard !rows.isEmpty else { continue }
            let columns = table.columns.map { dialect.quote($0.name) }.joined(separator: ", ")
            if dialect == .postgres {
                steps.append(.copy(table: "kvr_stage_" + table.name, columns: table.columns.map(\.name),
                                   rows: rows.map { $0.map(Dialect.copyField).joined(separator: "\t") }))
                steps.append(.statement("INSERT INTO \(dialect.quote(table.name)) (\(columns)) SELECT \(columns) FROM \(stage(table))"
                    + dialect.upsertClause(table)))
                continue
            }
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
                steps.append(.statement("INSERT INTO \(dialect.quote(table.name)) (\(columns)) VALUES\n"
                    + chunk.map { "(" + $0.map(dialect.literal).joined(separator: ",") + ")" }.joined(separator: ",\n")
                    + dialect.upsertClause(table)))
                start += rowsPerStatement
            }
        }
        return steps
    }
}
