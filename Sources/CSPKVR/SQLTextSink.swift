import CSPContracts
import CSPSQLite

/// SQL text on stdout for `sqlite3`, `psql` or `mysql`: the DDL, then one transaction per
/// batch holding its rows and its checkpoint row, then the secondary indexes and views.
/// Rows are upserts on the natural keys, so replaying a range changes nothing. PostgreSQL
/// gets `COPY ... FROM STDIN` blocks into a temporary staging table per table, merged
/// with `INSERT ... ON CONFLICT`, instead of row-by-row INSERTs.
public final class SQLTextSink: Sink {
    public let target = "standard output"
    public let dialect: Dialect
    private let output: ByteWriter
    private var batch = BatchBuffer()
    /// Rows per multi-row INSERT statement (sqlite and mysql).
    private let rowsPerStatement = 500

    public init(dialect: Dialect, output: ByteWriter) {
        self.dialect = dialect
        self.output = output
    }

    public func prepare(channel: String) throws -> Checkpoint? {
        var header = "-- csp-kvr export of channel '\(channel)' (\(dialect.rawValue)); each batch is one transaction with its checkpoint\n"
        switch dialect {
        case .postgres:
            header += "\\set ON_ERROR_STOP on\nSET client_min_messages = warning;\n"
        case .sqlite:
            header += "PRAGMA foreign_keys = OFF;\n"
        case .mysql:
            header += "SET NAMES utf8mb4;\n"
        }
        header += Tables.ddl(dialect, indexes: false)
        if dialect == .postgres {
            for table in Tables.tables {
                header += "CREATE TEMP TABLE IF NOT EXISTS \(stage(table)) (LIKE \(dialect.quote(table.name))) ON COMMIT DELETE ROWS;\n"
            }
        }
        try output.write(header)
        return nil
    }

    public func storedDefinitions(channel: String) throws -> [CanonicalJSON.Value]? { nil }

    public func apply(_ change: Change) throws {
        batch.add(change)
    }

    public func commit(_ checkpoint: Checkpoint) throws {
        batch.add(.upsert(Tables.checkpoint, [.text(checkpoint.channel), .integer(Int64(bitPattern: checkpoint.block)),
                                              .text(checkpoint.hash.hex), .text(checkpoint.commitHash.hex)]))
        try output.write(dialect == .mysql ? "START TRANSACTION;\n" : "BEGIN;\n")
        for changes in batch.ordered {
            let deleted = changes.keys.filter { if case .delete = changes.operations[$0]! { return true } else { return false } }
            for key in deleted {
                let condition = zip(changes.table.primaryKey, key).map { "\(dialect.quote($0)) = \(dialect.literal($1))" }
                try output.write("DELETE FROM \(dialect.quote(changes.table.name)) WHERE \(condition.joined(separator: " AND "));\n")
            }
            let rows: [[SQLiteValue]] = changes.keys.compactMap {
                if case let .upsert(values) = changes.operations[$0]! { return values } else { return nil }
            }
            if !rows.isEmpty { try write(rows, into: changes.table) }
        }
        try output.write("COMMIT;\n")
        // Views after the commit: MySQL would commit implicitly at CREATE VIEW.
        for (definition, catalog) in batch.views.sorted(by: { $0.key < $1.key }) {
            try output.write(catalog.viewDDL(definition, dialect) + "\n")
        }
        batch.removeAll()
        try output.flush()
    }

    private func columnList(_ table: Table) -> String {
        table.columns.map { dialect.quote($0.name) }.joined(separator: ", ")
    }

    private func stage(_ table: Table) -> String { dialect.quote("kvr_stage_" + table.name) }

    private func write(_ rows: [[SQLiteValue]], into table: Table) throws {
        let columns = columnList(table)
        if dialect == .postgres {
            try output.write("COPY \(stage(table)) (\(columns)) FROM STDIN;\n")
            for row in rows {
                try output.write(row.map(Dialect.copyField).joined(separator: "\t") + "\n")
            }
            try output.write("\\.\nINSERT INTO \(dialect.quote(table.name)) (\(columns)) SELECT \(columns) FROM \(stage(table))"
                + dialect.upsertClause(table) + ";\n")
            return
        }
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
            var statement = "INSERT INTO \(dialect.quote(table.name)) (\(columns)) VALUES\n"
            statement += chunk.map { "(" + $0.map(dialect.literal).joined(separator: ",") + ")" }.joined(separator: ",\n")
            statement += dialect.upsertClause(table) + ";\n"
            try output.write(statement)
            start += rowsPerStatement
        }
    }

    public func finish(catalog: DefinitionCatalog) throws {
        try output.write(Tables.indexDDL(dialect))
        try output.write(catalog.allViewsDDL(dialect))
        try output.flush()
    }

    public func abandon() {
        // What was written is whole transactions only; the open batch is simply never written.
        batch.removeAll()
        try? output.flush()
    }
}
