import CSPBasics
import CSPContracts
import CSPSQLite
import Foundation

/// One CSV file per table (with a header line), the DDL (`schema.sql`), the indexes and
/// views to run after the load (`indexes.sql`) and a load script for the dialect's own
/// loader (`load.sql`: sqlite3 `.import`, psql `\copy`, MySQL `LOAD DATA`). Tables that
/// rows only arrive in are streamed; current-state tables (state, accounts, definitions,
/// instances, the checkpoint) hold their last row per key and are written at the end.
/// Everything is written into `<dir>.partial` and renamed to `<dir>` when complete, so a
/// failed export leaves no half-written folder.
public final class CSVSink: Sink {
    public let target: String
    public let dialect: Dialect
    private let partial: String
    private var writers: [String: ByteWriter] = [:]
    private var current: [String: (keys: [[SQLiteValue]], rows: [[SQLiteValue]: [SQLiteValue]])] = [:]
    private var checkpoint: Checkpoint?

    public init(directory: String, dialect: Dialect) throws {
        target = directory
        self.dialect = dialect
        partial = directory + ".partial"
        if FileIO.exists(directory) {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? ["?"]
            guard FileIO.isDirectory(directory), entries.isEmpty else {
                throw KVRError(.refused, "\(quoted(directory)) exists and is not an empty folder")
            }
        }
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try FileIO.makeDirectory(partial)
        } catch {
            throw KVRError(.failure, "\(error)")
        }
    }

    private var tables = Tables.tables

    public func prepare(channel: String, tables: [Table]) throws -> Checkpoint? {
        self.tables = tables
        for table in tables where !table.isCurrentState {
            let writer = try ByteWriter(path: partial + "/" + table.name + ".csv")
            try writer.write(table.columns.map(\.name).joined(separator: ",") + "\n")
            writers[table.name] = writer
        }
        return nil
    }

    public func storedDefinitions(channel: String) throws -> [CanonicalJSON.Value]? { nil }

    public func apply(_ change: Change) throws {
        switch change {
        case let .upsert(table, values) where table.isCurrentState:
            let key = table.keyPositions.map { values[$0] }
            if current[table.name] == nil { current[table.name] = ([], [:]) }
            if current[table.name]!.rows.updateValue(values, forKey: key) == nil { current[table.name]!.keys.append(key) }
        case let .upsert(table, values):
            try writers[table.name]!.write(values.map(dialect.csvField).joined(separator: ",") + "\n")
        case let .delete(table, key):
            current[table.name]?.rows[key] = nil
        case .view:
            break
        }
    }

    public func commit(_ checkpoint: Checkpoint) throws {
        self.checkpoint = checkpoint
    }

    public func finish(catalog: DefinitionCatalog) throws {
        if let checkpoint {
            try apply(BatchBuffer.checkpointRow(checkpoint))
        }
        for table in tables where table.isCurrentState {
            let writer = try ByteWriter(path: partial + "/" + table.name + ".csv")
            try writer.write(table.columns.map(\.name).joined(separator: ",") + "\n")
            if let state = current[table.name] {
                for key in state.keys {
                    guard let row = state.rows[key] else { continue }
                    try writer.write(row.map(dialect.csvField).joined(separator: ",") + "\n")
                }
            }
            writers[table.name] = writer
        }
        for writer in writers.values { try writer.sync() }
        writers = [:]
        try FileIO.writeAtomically(partial + "/schema.sql", text: Tables.ddl(dialect, tables: tables, indexes: false))
        try FileIO.writeAtomically(partial + "/indexes.sql", text: Tables.indexDDL(dialect, tables: tables) + catalog.allViewsDDL(dialect))
        try FileIO.writeAtomically(partial + "/load.sql", text: loadScript())
        if FileIO.exists(target) { try? FileManager.default.removeItem(atPath: target) }
        guard rename(partial, target) == 0 else {
            throw KVRError(.failure, "\(SystemError("cannot rename \(quoted(partial)) to \(quoted(target))"))")
        }
    }

    /// Loads every file with the dialect's own loader, run from inside the folder.
    private func loadScript() -> String {
        tables.map { table in
            let columns = table.columns.map { dialect.quote($0.name) }.joined(separator: ", ")
            switch dialect {
            case .sqlite:
                return ".import --csv --skip 1 \(table.name).csv \(table.name)"
            case .postgres:
                return "\\copy \(dialect.quote(table.name)) (\(columns)) FROM '\(table.name).csv' WITH (FORMAT csv, HEADER true)"
            case .mysql:
                // Bytes are hex in the file: read into a variable and decoded with UNHEX (NULL stays NULL).
                let blobs = table.columns.filter { $0.type == .blob }.map(\.name)
                let targets = table.columns.map { blobs.contains($0.name) ? "@" + $0.name : dialect.quote($0.name) }.joined(separator: ", ")
                let decode = blobs.isEmpty ? "" : " SET " + blobs.map { "\(dialect.quote($0)) = UNHEX(@\($0))" }.joined(separator: ", ")
                return "LOAD DATA LOCAL INFILE '\(table.name).csv' INTO TABLE \(dialect.quote(table.name)) CHARACTER SET utf8mb4 "
                    + "FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\\n' IGNORE 1 LINES (\(targets))\(decode);"
            }
        }.joined(separator: "\n") + "\n"
    }

    public func abandon() {
        writers = [:]
        try? FileManager.default.removeItem(atPath: partial)
    }
}
