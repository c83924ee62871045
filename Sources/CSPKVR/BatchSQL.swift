import CSPSQLite

/// The SQL of one batch, shared by the SQL text sink and the PostgreSQL sink: deletes,
/// then upserts per table in schema order (multi-row INSERTs for sqlite and mysql).
/// PostgreSQL gets COPY, and no upsert where none is needed: a table that only gathers rows
/// of blocks (blocks, transactions, history …) holds exactly the blocks up to the target's
/// checkpoint, so the rows of later blocks are new. The PostgreSQL sink, which has read the
/// checkpoint and holds the channel's lock, copies them straight into the table; SQL text,
/// which cannot know the target, copies them into a staging table and inserts those past
/// the target's checkpoint. Current-state tables are merged with INSERT ... ON CONFLICT,
/// unless the target's checkpoint is already at or past the batch (a replayed script):
/// then the batch changes nothing, and the checkpoint never moves back. SQL text for sqlite
/// and mysql guards its current-state rows and its deletes the same way; their rows of blocks
/// are natural-key upserts, which rewrite a replayed row with itself.
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

    /// The column that numbers a row's block in a table that only gathers rows of blocks;
    /// nil for current-state tables (and mapped tables without one).
    static func blockColumn(_ table: Table) -> String? {
        guard !table.isCurrentState else { return nil }
        if table.name == Tables.blocks.name { return "number" }
        return table.column("block") != nil ? "block" : nil
    }

    /// `direct`: the PostgreSQL sink, which knows the target's checkpoint (see above).
    static func steps(_ batch: BatchBuffer, _ dialect: Dialect, direct: Bool = false) -> [Step] {
        var steps: [Step] = []
        // The batch's own checkpoint row (the last change of every batch): channel and last block.
        let checkpoint = batch.tables[Tables.checkpoint.name].flatMap { changes -> (channel: String, block: Int64)? in
            guard let key = changes.keys.last, case let .upsert(values)? = changes.operations[key],
                  let channel = values[0].stringValue, let block = values[1].int64Value else { return nil }
            return (channel, block)
        }
        let target = checkpoint.map {
            "(SELECT \(dialect.quote("block")) FROM \(dialect.quote(Tables.checkpoint.name)) WHERE \(dialect.quote("channel")) = \(dialect.literal(.text($0.channel))))"
        }
        // SQL text: true unless the target is already at or past this batch. Every statement
        // before the checkpoint row (the batch's last) reads the checkpoint the batch found.
        var behind = checkpoint.map { "COALESCE(\(target!), -1) < \($0.block)" }
        if dialect == .mysql, let condition = behind, !direct {
            // MySQL: read once per batch into a session variable, not once per statement, and no
            // statement (the checkpoint row's own upsert included) reads the table it writes,
            // which MySQL refuses in DELETE and makes a temporary copy for in INSERT ... SELECT.
            steps.append(.statement("SET @kvr_behind = (\(condition))"))
            behind = "@kvr_behind"
        }
        for changes in batch.ordered {
            let table = changes.table
            var rows: [[SQLiteValue]] = []
            for key in changes.keys {
                switch changes.operations[key]! {
                case let .upsert(values):
                    rows.append(values)
                case .delete:
                    let condition = zip(table.primaryKey, key).map { "\(dialect.quote($0)) = \(dialect.literal($1))" }
                        + (!direct ? behind.map { [$0] } ?? [] : [])
                    steps.append(.statement("DELETE FROM \(dialect.quote(table.name)) WHERE \(condition.joined(separator: " AND "))"))
                }
            }
            guard !rows.isEmpty else { continue }
            let columns = table.columns.map { dialect.quote($0.name) }.joined(separator: ", ")
            if dialect == .postgres {
                let copied = rows.map { $0.map(Dialect.copyField).joined(separator: "\t") }
                let blockColumn = checkpoint == nil ? nil : blockColumn(table)
                if direct, blockColumn != nil {
                    steps.append(.copy(table: table.name, columns: table.columns.map(\.name), rows: copied))
                    continue
                }
                steps.append(.copy(table: "kvr_stage_" + table.name, columns: table.columns.map(\.name), rows: copied))
                let insert = "INSERT INTO \(dialect.quote(table.name)) (\(columns)) SELECT \(columns) FROM \(stage(table))"
                if let blockColumn, let target {
                    steps.append(.statement(insert + " WHERE \(dialect.quote(blockColumn)) > COALESCE(\(target), -1)"))
                } else if let behind, !direct {
                    steps.append(.statement(insert + " WHERE \(behind)" + dialect.upsertClause(table)))
                } else {
                    steps.append(.statement(insert + dialect.upsertClause(table)))
                }
                continue
            }
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
                let insert = "INSERT INTO \(dialect.quote(table.name)) (\(columns)) "
                if table.isCurrentState, let behind {
                    steps.append(.statement(insert + guardedRows(chunk, table, dialect, behind) + dialect.upsertClause(table)))
                } else {
                    // Rows of blocks: the natural-key upsert rewrites a replayed row with itself.
                    steps.append(.statement(insert + "VALUES\n"
                        + chunk.map { "(" + $0.map(dialect.literal).joined(separator: ",") + ")" }.joined(separator: ",\n")
                        + dialect.upsertClause(table)))
                }
                start += rowsPerStatement
            }
        }
        return steps
    }

    /// `SELECT` of literal rows that yields them only while `condition` holds (sqlite and mysql). SQLite
    /// selects from a VALUES list (its upsert after a SELECT needs a WHERE anyway); MySQL 8
    /// wants `VALUES ROW(...)` where MariaDB wants `VALUES (...)`, so MySQL gets a derived
    /// table of `SELECT ... UNION ALL SELECT ...`, valid in both, its first row naming the
    /// columns (two equal literals would otherwise name two columns alike).
    static func guardedRows(_ rows: ArraySlice<[SQLiteValue]>, _ table: Table, _ dialect: Dialect, _ condition: String) -> String {
        if dialect == .mysql {
            let names = table.columns.map { dialect.quote($0.name) }
            let selects = rows.enumerated().map { index, row in
                "SELECT " + zip(row, names).map { index == 0 ? "\(dialect.literal($0)) AS \($1)" : dialect.literal($0) }.joined(separator: ",")
            }
            return "SELECT * FROM (\n" + selects.joined(separator: "\nUNION ALL ") + "\n) AS \(dialect.quote("kvr_rows")) WHERE \(condition)"
        }
        return "SELECT * FROM (VALUES\n" + rows.map { "(" + $0.map(dialect.literal).joined(separator: ",") + ")" }.joined(separator: ",\n")
            + ") WHERE \(condition)"
    }
}
