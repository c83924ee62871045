import CSPBasics
import CSPContracts
import CSPCrypto
import CSPSQLite

/// The default sink: an embedded SQLite database written through libsqlite3 with cached
/// prepared statements, one large transaction per batch with its checkpoint row, and the
/// secondary indexes built after a bulk load (docs/KVR.md).
public final class SQLiteSink: Sink {
    public let target: String
    private let database: SQLiteDatabase
    private var inBatch = false
    /// Whether the tables were empty when opened: then indexes wait for the end.
    private var bulkLoad = false
    private var upserts: [String: Statement] = [:]
    private var deletes: [String: Statement] = [:]

    public init(path: String) throws {
        target = path
        do {
            database = try SQLiteDatabase(path: path, busyTimeout: .milliseconds(500))
            try database.execute("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY")
        } catch let error as SQLiteError {
            throw Self.describe(error, path)
        }
    }

    /// SQLite's errors in our words: what is wrong with which file first.
    static func describe(_ error: SQLiteError, _ path: String) -> KVRError {
        switch error.codeName {
        case "busy", "locked":
            return KVRError(.failure, "database \(quoted(path)) is locked by another writer")
        case "notadb":
            return KVRError(.failure, "\(quoted(path)) is not an SQLite database")
        case "cantopen":
            return KVRError(.failure, "cannot open database \(quoted(path)): \(error.message)")
        default:
            return KVRError(.failure, "database \(quoted(path)): \(error.message)")
        }
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError {
            throw Self.describe(error, target)
        }
    }

    /// Switches the journal mode, a speed choice only: a reader that has the database open
    /// at that moment (an analyst's query, a poller) makes SQLite refuse the switch as busy,
    /// and the export goes on in the mode it has rather than failing.
    private func setJournalMode(_ mode: String) throws {
        do {
            try database.execute("PRAGMA journal_mode = \(mode)")
        } catch let error as SQLiteError where error.codeName == "busy" || error.codeName == "locked" {
        }
    }

    private var tables = Tables.tables
    /// Tables whose natural key a block never repeats (a transaction may write a key twice,
    /// so state_history is not one of them).
    static let uniqueRows: Set<String> = [Tables.blocks.name, Tables.transactions.name, Tables.events.name, Tables.accountTransactions.name]

    public func prepare(channel: String, tables: [Table]) throws -> Checkpoint? {
        self.tables = tables
        return try guarded {
            try database.execute("BEGIN IMMEDIATE")
            do {
                try database.execute(Tables.ddl(.sqlite, tables: tables, indexes: false))
                // A bulk load: no checkpoint of any channel, so no rows (every row is committed
                // with a checkpoint); also after an export killed before its first commit.
                bulkLoad = try database.scalar("SELECT count(*) FROM kvr_checkpoint")?.int64Value == 0
                    && database.scalar("SELECT count(*) FROM (SELECT 1 FROM blocks LIMIT 1)")?.int64Value == 0
                let row = try database.query("SELECT block, hash, commit_hash FROM kvr_checkpoint WHERE channel = ?", channel).first
                try database.execute("COMMIT")
                // A bulk load into a new database: a rollback journal writes new pages once, where
                // WAL would write every page twice (log, then checkpoint). WAL again after the load.
                if bulkLoad {
                    try setJournalMode("DELETE")
                    // The current-state tables take rows at random places in their B-trees: keep them in memory.
                    try database.execute("PRAGMA cache_size = -262144")
                }
                guard let row else { return nil }
                guard let block = row[0].int64Value, let hash = row[1].stringValue.flatMap(SHA256Digest.init(hex:)),
                      let commit = row[2].stringValue.flatMap(SHA256Digest.init(hex:)) else {
                    throw KVRError(.failure, "database \(quoted(target)) holds a damaged checkpoint for channel \(quoted(channel))")
                }
                return Checkpoint(channel: channel, block: UInt64(block), hash: hash, commitHash: commit)
            } catch {
                try? database.execute("ROLLBACK")
                throw error
            }
        }
    }

    public func storedDefinitions(channel: String) throws -> [CanonicalJSON.Value]? {
        try guarded {
            try database.query("SELECT definition FROM definitions WHERE channel = ? ORDER BY name, version", channel)
                .compactMap { $0[0].stringValue.flatMap { try? CanonicalJSON.parse(Array($0.utf8)) } }
        }
    }

    private func begin() throws {
        guard !inBatch else { return }
        try database.execute("BEGIN IMMEDIATE")
        inBatch = true
    }

    public func apply(_ change: Change) throws {
        try guarded {
            try begin()
            switch change {
            case let .upsert(table, values):
                try statement(&upserts, table) {
                    let columns = table.columns.map { Dialect.sqlite.quote($0.name) }.joined(separator: ", ")
                    let marks = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
                    // In a bulk load these tables cannot hold the row already (it comes after the
                    // checkpoint, and a block gives each key once): a plain INSERT skips the upsert's
                    // extra B-tree search. A row there anyway fails the batch, never doubles.
                    let upsert = bulkLoad && Self.uniqueRows.contains(table.name) ? "" : Dialect.sqlite.upsertClause(table)
                    return "INSERT INTO \(Dialect.sqlite.quote(table.name)) (\(columns)) VALUES (\(marks))" + upsert
                }.run(bindings: values)
            case let .delete(table, key):
                try statement(&deletes, table) {
                    "DELETE FROM \(Dialect.sqlite.quote(table.name)) WHERE "
                        + table.primaryKey.map { "\(Dialect.sqlite.quote($0)) = ?" }.joined(separator: " AND ")
                }.run(bindings: key)
            case let .view(definition, catalog):
                try database.execute(catalog.viewDDL(definition, .sqlite))
            }
        }
    }

    private func statement(_ cache: inout [String: Statement], _ table: Table, _ sql: () -> String) throws -> Statement {
        if let cached = cache[table.name] { return cached }
        let prepared = try database.prepare(sql())
        cache[table.name] = prepared
        return prepared
    }

    public func commit(_ checkpoint: Checkpoint) throws {
        try apply(BatchBuffer.checkpointRow(checkpoint))
        try guarded { try database.execute("COMMIT") }
        inBatch = false
    }

    public func finish(catalog: DefinitionCatalog) throws {
        try guarded {
            // Indexes after the rows are in: one sorted build instead of a B-tree update per row.
            try database.execute(Tables.indexDDL(.sqlite, tables: tables))
            if bulkLoad {
                // Statistics from a sample of each index: a full ANALYZE reads every row again.
                try database.execute("PRAGMA analysis_limit = 1000; ANALYZE")
                try setJournalMode("WAL")
                try database.execute("PRAGMA cache_size = -65536")
                // Batches after this (follow) may meet rows again: upserts from now on.
                upserts = [:]
            }
            bulkLoad = false
        }
    }

    /// Finalizes the statements and closes the database; also done on release.
    public func close() {
        upserts = [:]
        deletes = [:]
        database.close()
    }

    deinit {
        close()
    }

    public func abandon() {
        if inBatch { try? database.execute("ROLLBACK") }
        inBatch = false
    }
}
