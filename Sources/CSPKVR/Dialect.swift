/// The SQL dialects csp-kvr writes: each has its own column types, quoting and upsert.
public enum Dialect: String, CaseIterable, Sendable {
    case sqlite
    case postgres
    case mysql

    /// An identifier quoted for this dialect (names are ours, lower-case ASCII, but quoting
    /// keeps words such as `key` and `from` usable as column names everywhere).
    public func quote(_ name: String) -> String {
        self == .mysql ? "`\(name)`" : "\"\(name)\""
    }

    /// The type of a column: JSONB and BYTEA in PostgreSQL, JSON and BLOB in MySQL, TEXT
    /// and BLOB in SQLite. MySQL cannot index TEXT, so key columns get a bounded VARCHAR.
    public func type(of column: Column, inKey: Bool) -> String {
        switch (self, column.type) {
        case (.sqlite, .integer), (.sqlite, .boolean): return "INTEGER"
        case (.sqlite, .text), (.sqlite, .json), (.sqlite, .hash): return "TEXT"
        case (.sqlite, .blob): return "BLOB"
        case (.postgres, .integer): return "BIGINT"
        case (.postgres, .boolean): return "BOOLEAN"
        case (.postgres, .text), (.postgres, .hash): return "TEXT"
        case (.postgres, .json): return "JSONB"
        case (.postgres, .blob): return "BYTEA"
        case (.mysql, .integer): return "BIGINT"
        case (.mysql, .boolean): return "BOOLEAN"
        case (.mysql, .hash): return "CHAR(64)"
        case (.mysql, .text): return inKey ? "VARCHAR(\(column.keyLength))" : "LONGTEXT"
        case (.mysql, .json): return "JSON"
        case (.mysql, .blob): return "LONGBLOB"
        }
    }

    /// `CREATE TABLE IF NOT EXISTS` with the natural key as primary key.
    public func createTable(_ table: Table) -> String {
        let key = Set(table.primaryKey)
        var lines = table.columns.map { column in
            "  \(quote(column.name)) \(type(of: column, inKey: key.contains(column.name)))\(key.contains(column.name) ? " NOT NULL" : "")"
        }
        lines.append("  PRIMARY KEY (\(table.primaryKey.map(quote).joined(separator: ", ")))")
        // SQLite: the natural key is the table's only B-tree (no rowid tree beside it), so a row is written once.
        let suffix = self == .mysql ? " DEFAULT CHARSET=utf8mb4" : self == .sqlite ? " WITHOUT ROWID" : ""
        return "CREATE TABLE IF NOT EXISTS \(quote(table.name)) (\n\(lines.joined(separator: ",\n"))\n)\(suffix);"
    }

    /// The secondary indexes of `table`, built after a bulk load.
    public func createIndexes(_ table: Table) -> [String] {
        table.indexes.map { index in
            let name = quote("\(table.name)_by_\(index.joined(separator: "_"))")
            let columns = index.map { column -> String in
                // MySQL indexes only a prefix of LONGTEXT; key columns are VARCHARs, indexed whole
                // (a prefix longer than a VARCHAR(64) is refused).
                if self == .mysql, let spec = table.column(column), spec.type == .text, !table.primaryKey.contains(column) {
                    return "\(quote(column))(191)"
                }
                return quote(column)
            }.joined(separator: ", ")
            switch self {
            case .mysql:
                // MySQL has no CREATE INDEX IF NOT EXISTS; ALTER ... ADD INDEX fails if present, so the
                // script guards it through information_schema.
                return "SET @kvr_sql = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = '\(table.name)' AND index_name = '\(table.name)_by_\(index.joined(separator: "_"))') = 0, 'CREATE INDEX \(name) ON \(quote(table.name)) (\(columns))', 'DO 0'); PREPARE kvr_statement FROM @kvr_sql; EXECUTE kvr_statement; DEALLOCATE PREPARE kvr_statement;"
            default:
                return "CREATE INDEX IF NOT EXISTS \(name) ON \(quote(table.name)) (\(columns));"
            }
        }
    }

    /// The clause that turns an INSERT of `table`'s columns into an upsert on its natural key.
    public func upsertClause(_ table: Table) -> String {
        let key = Set(table.primaryKey)
        let others = table.columns.map(\.name).filter { !key.contains($0) }
        switch self {
        case .sqlite, .postgres:
            let set = others.map { "\(quote($0)) = excluded.\(quote($0))" }.joined(separator: ", ")
            let target = table.primaryKey.map(quote).joined(separator: ", ")
            return others.isEmpty ? " ON CONFLICT (\(target)) DO NOTHING" : " ON CONFLICT (\(target)) DO UPDATE SET \(set)"
        case .mysql:
            let set = (others.isEmpty ? [table.primaryKey[0]] : others).map { "\(quote($0)) = VALUES(\(quote($0)))" }.joined(separator: ", ")
            return " ON DUPLICATE KEY UPDATE \(set)"
        }
    }
}
