import CSPContracts
import CSPSQLite

/// SQL text on stdout for `sqlite3`, `psql` or `mysql`: the DDL, then one transaction per
/// batch holding its rows and its checkpoint row, then the secondary indexes and views.
/// Rows are upserts on the natural keys, and current state and the checkpoint change only
/// while the target is behind the batch (BatchSQL), so replaying a range changes nothing. PostgreSQL
/// gets `COPY ... FROM STDIN` blocks into a temporary staging table per table, inserted
/// past the target's checkpoint or merged with `INSERT ... ON CONFLICT` (BatchSQL), instead
/// of row-by-row INSERTs.
public final class SQLTextSink: Sink {
    public let target = "standard output"
    public let dialect: Dialect
    private let output: ByteWriter
    private var batch = BatchBuffer()

    public init(dialect: Dialect, output: ByteWriter) {
        self.dialect = dialect
        self.output = output
    }

    private var tables = Tables.tables

    public func prepare(channel: String, tables: [Table]) throws -> Checkpoint? {
        self.tables = tables
        var header = "-- csp-kvr export of channel '\(channel)' (\(dialect.rawValue)); each batch is one transaction with its checkpoint\n"
        switch dialect {
        case .postgres:
            header += "\\set ON_ERROR_STOP on\nSET client_min_messages = warning;\n"
        case .sqlite:
            header += "PRAGMA foreign_keys = OFF;\n"
        case .mysql:
            header += "SET NAMES utf8mb4;\n"
        }
        header += Tables.ddl(dialect, tables: tables, indexes: false)
        if dialect == .postgres {
            header += BatchSQL.stagingTables(tables).map { $0 + ";\n" }.joined()
        }
        try output.write(header)
        return nil
    }

    public func storedDefinitions(channel: String) throws -> [CanonicalJSON.Value]? { nil }

    public func apply(_ change: Change) throws {
        batch.add(change)
    }

    public func commit(_ checkpoint: Checkpoint) throws {
        batch.add(BatchBuffer.checkpointRow(checkpoint))
        try output.write(dialect == .mysql ? "START TRANSACTION;\n" : "BEGIN;\n")
        for step in BatchSQL.steps(batch, dialect) {
            switch step {
            case let .statement(sql):
                try output.write(sql + ";\n")
            case let .copy(table, columns, rows):
                let names = columns.map(dialect.quote).joined(separator: ", ")
                try output.write("COPY \(dialect.quote(table)) (\(names)) FROM STDIN;\n")
                for row in rows { try output.write(row + "\n") }
                try output.write("\\.\n")
            }
        }
        try output.write("COMMIT;\n")
        // Views after the commit: MySQL would commit implicitly at CREATE VIEW.
        for (definition, catalog) in batch.views.sorted(by: { $0.key < $1.key }) {
            try output.write(catalog.viewDDL(definition, dialect) + "\n")
        }
        batch.removeAll()
        try output.flush()
    }

    public func finish(catalog: DefinitionCatalog) throws {
        try output.write(Tables.indexDDL(dialect, tables: tables))
        try output.write(catalog.allViewsDDL(dialect))
        try output.flush()
    }

    public func abandon() {
        // What was written is whole transactions only; the open batch is simply never written.
        batch.removeAll()
        try? output.flush()
    }
}
