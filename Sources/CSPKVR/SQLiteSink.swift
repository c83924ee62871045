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
    /// The connection's secure_delete setting before a bulk load turned it off.
    private var secureDelete: Int64 = 0
    /// Whether the target holds the unsynced-load mark (set by this load or a killed one).
    private var unsynced = false
    /// Whether batches commit with synchronous=OFF now.
    private var unsyncedBatches = false
    /// Prepared DELETEs per table name: a short list scanned in order, cheaper per row than
    /// hashing the name (the names come from the same static tables, so comparing is quick).
    private var deletes: [(table: String, statement: Statement)] = []

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
                try checkUnsyncedLoad()
                if bulkLoad, let boot = Self.bootID() {
                    // Written and synced before any row: the mark of a load whose batches are not synced.
                    try database.execute("CREATE TABLE IF NOT EXISTS \(Self.unsyncedLoad) (boot_id TEXT NOT NULL); DELETE FROM \(Self.unsyncedLoad)")
                    _ = try database.query("INSERT INTO \(Self.unsyncedLoad) (boot_id) VALUES (?)", boot)
                    unsynced = true
                }
                try database.execute("COMMIT")
                // A bulk load into a new database: a rollback journal writes new pages once, where
                // WAL would write every page twice (log, then checkpoint). WAL again after the load.
                if bulkLoad {
                    try setJournalMode("DELETE")
                    // Batches unsynced: a commit no longer waits for the disk (a 1,000,000-transaction
                    // load would wait seconds), and a killed process loses nothing the kernel was handed.
                    // Only under a rollback journal, whose switch checkpointed the mark to the disk.
                    if unsynced, try database.scalar("PRAGMA journal_mode")?.stringValue == "delete" {
                        // A synced commit first (journal, then file), so the mark is on the disk for certain.
                        try database.execute("UPDATE \(Self.unsyncedLoad) SET boot_id = boot_id; PRAGMA synchronous = OFF")
                        unsyncedBatches = true
                    }
                    // The current-state tables take rows at random places in their B-trees: keep them in memory.
                    // secure_delete (on in Debian's build) zeroes every byte a B-tree page gives up, and
                    // pages give up cells all the time while rows are appended: off for the load.
                    secureDelete = try database.scalar("PRAGMA secure_delete")?.int64Value ?? 0
                    try database.execute("PRAGMA cache_size = -262144; PRAGMA secure_delete = 0")
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

    /// The table that marks a bulk load running with `synchronous=OFF` (docs/KVR.md, "Sinks"):
    /// the boot it started in. Dropped, after a synced commit, when the load ends.
    static let unsyncedLoad = "kvr_unsynced_load"

    /// This boot of the machine (Linux); nil where unknown, and then every batch is synced.
    static func bootID() -> String? {
        guard let text = try? FileIO.readText("/proc/sys/kernel/random/boot_id", limit: 100) else { return nil }
        let id = text.filter { !$0.isWhitespace }
        return id.isEmpty ? nil : id
    }

    /// An unsynced load that the process was killed in is whole up to its checkpoint (the
    /// kernel still wrote every page the process handed it), so it resumes. One that the
    /// machine stopped in (another boot now) may have lost any page since its start: refused.
    private func checkUnsyncedLoad() throws {
        guard try database.scalar("SELECT count(*) FROM sqlite_master WHERE name = '\(Self.unsyncedLoad)'")?.int64Value == 1 else { return }
        unsynced = true
        let started = try database.scalar("SELECT boot_id FROM \(Self.unsyncedLoad)")?.stringValue
        guard let started, started == Self.bootID() else {
            throw KVRError(.refused, "database \(quoted(target)) was being loaded without syncing when the machine stopped, "
                + "so its last batches may be incomplete: delete it and export again")
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

    /// Rows of one table waiting for their multi-row statement: a plain INSERT for an
    /// append-only table in a bulk load, else an upsert. Each row is its cells where they lie
    /// in the batch that brought them (kept in `held` until the row is stepped).
    private struct Pending {
        var table: Table
        var upsert: Bool
        /// Rows per statement: `rowsPerInsert`, fewer for very wide tables (SQLite's limit of
        /// 32,766 parameters per statement).
        var capacity: Int
        var rows: [SQLiteRowCells] = []
        /// The statements by rows per statement, each made on first use.
        var statements: [Int: Statement] = [:]
    }
    private var pending: [Pending] = []
    /// The batches that pending rows point into, released once every row is stepped: at the
    /// commit, or sooner when they hold more than `heldLimit` bytes (a ledger of tiny
    /// blocks brings thousands of batches to a commit).
    private var held: [RowBatch] = []
    private var heldBytes = 0
    var heldLimit = 64 << 20
    /// Rows per multi-row INSERT (256 measured a little faster than 64). One statement
    /// keeps its cursor on the table between rows, so a row whose key follows the last one
    /// is placed without a search from the B-tree's root (SQLite's own shortcut for
    /// appends), and the statement's start, reset and cursor opening are paid once for all
    /// of them. Upserts too: SQLite inserts a statement's rows one after the other, so a
    /// key repeated among them ends with its last row, as with one statement per row.
    static let rowsPerInsert = 256

    private func insertSQL(_ table: Table, rows: Int, upsert: Bool) -> String {
        let columns = table.columns.map { Dialect.sqlite.quote($0.name) }.joined(separator: ", ")
        let marks = "(" + Array(repeating: "?", count: table.columns.count).joined(separator: ", ") + ")"
        return "INSERT INTO \(Dialect.sqlite.quote(table.name)) (\(columns)) VALUES "
            + Array(repeating: marks, count: rows).joined(separator: ", ") + (upsert ? Dialect.sqlite.upsertClause(table) : "")
    }

    /// A row for `table`. In a bulk load a row of an append-only table cannot be in the
    /// target already (it comes after the checkpoint, and no block repeats a key of the
    /// table), so it is a plain INSERT; a row there anyway fails the batch, never doubles.
    /// Every other row is an upsert. Either way it waits, with others of its table, for one
    /// multi-row statement.
    private func add(_ table: Table, _ row: SQLiteRowCells, width: Int) throws {
        guard width == table.columns.count else {
            throw KVRError(.failure, "a row of table \(table.name) has \(width) values for \(table.columns.count) columns")
        }
        var slot = 0
        while slot < pending.count, !pending[slot].table.isIdentical(to: table), pending[slot].table.name != table.name { slot += 1 }
        if slot == pending.count {
            pending.append(Pending(table: table, upsert: !(bulkLoad && table.isAppendOnly),
                                   capacity: max(1, min(Self.rowsPerInsert, 32_766 / max(1, table.columns.count)))))
            pending[slot].rows.reserveCapacity(pending[slot].capacity)
        }
        pending[slot].rows.append(row)
        if pending[slot].rows.count == pending[slot].capacity { try flush(slot) }
    }

    private func flush(_ slot: Int) throws {
        let count = pending[slot].rows.count
        guard count > 0 else { return }
        // Emptied whether or not the statements succeed: a failure ends the batch.
        defer { pending[slot].rows.removeAll(keepingCapacity: true) }
        // A full statement, else the rows left in statements of the largest powers of two
        // that fit (200 rows: 128, 64 and 8): a handful of prepared statements per table,
        // not one per count that the end of a batch happens to leave.
        var plan: [(statement: Statement, rows: Int)] = []
        var left = count
        while left > 0 {
            let rows = left >= pending[slot].capacity ? pending[slot].capacity : 1 << (Int.bitWidth - 1 - left.leadingZeroBitCount)
            plan.append((try insertStatement(slot, rows: rows), rows))
            left -= rows
        }
        let width = pending[slot].table.columns.count
        try pending[slot].rows.withUnsafeBufferPointer { rows in
            var start = 0
            for step in plan {
                try step.statement.run(rows: UnsafeBufferPointer(rebasing: rows[start..<start + step.rows]), width: width)
                start += step.rows
            }
        }
    }

    /// The INSERT of `rows` rows for the table of `slot`, prepared once.
    private func insertStatement(_ slot: Int, rows: Int) throws -> Statement {
        if let prepared = pending[slot].statements[rows] { return prepared }
        let prepared = try database.prepare(insertSQL(pending[slot].table, rows: rows, upsert: pending[slot].upsert))
        pending[slot].statements[rows] = prepared
        return prepared
    }

    private func flush(table name: String) throws {
        for slot in pending.indices where pending[slot].table.name == name { try flush(slot) }
    }

    private func flushAll() throws {
        for slot in pending.indices { try flush(slot) }
    }

    public func apply(_ change: Change) throws {
        let batch = RowBatch(cells: 32, bytes: 256)
        batch.append(change)
        try apply(batch)
    }

    public func apply(_ batch: RowBatch) throws {
        try guarded {
            try begin()
            held.append(batch)
            heldBytes += batch.footprint
            for entry in batch.entries {
                switch entry.kind {
                case .upsert:
                    try add(entry.table, batch.rowCells(entry), width: entry.count)
                case .delete:
                    // After the rows of its table that came before it.
                    let table = entry.table
                    try flush(table: table.name)
                    let delete = try statement(&deletes, table) {
                        "DELETE FROM \(Dialect.sqlite.quote(table.name)) WHERE "
                            + table.primaryKey.map { "\(Dialect.sqlite.quote($0)) = ?" }.joined(separator: " AND ")
                    }
                    var key = batch.rowCells(entry)
                    try withUnsafePointer(to: &key) { try delete.run(rows: UnsafeBufferPointer(start: $0, count: 1), width: entry.count) }
                case .view:
                    try flushAll()
                    let view = batch.view(entry)
                    try database.execute(view.catalog.viewDDL(view.definition, .sqlite))
                }
            }
            if heldBytes > heldLimit {
                // Rows written now rather than at the commit, in the same SQL transaction.
                try flushAll()
                releaseHeld()
            }
        }
    }

    /// No pending row points into a held batch any more.
    private func releaseHeld() {
        held.removeAll()
        heldBytes = 0
    }

    private func statement(_ cache: inout [(table: String, statement: Statement)], _ table: Table, _ sql: () -> String) throws -> Statement {
        for entry in cache where entry.table == table.name { return entry.statement }
        let prepared = try database.prepare(sql())
        cache.append((table.name, prepared))
        return prepared
    }

    public func commit(_ checkpoint: Checkpoint) throws {
        try apply(BatchBuffer.checkpointRow(checkpoint))
        try guarded {
            try flushAll()
            try database.execute("COMMIT")
        }
        releaseHeld()
        inBatch = false
        if unsyncedBatches { database.startWriteback() }
    }

    public func finish(catalog: DefinitionCatalog) throws {
        try guarded {
            // Indexes after the rows are in: one sorted build instead of a B-tree update per row.
            // The reader thread is done by now, so SQLite's sorter may use the other core.
            // SQLite's sorter keeps up to a cache's worth of keys in memory before handing
            // them to a helper thread to sort: a small cache lets the helper sort one part
            // while this thread reads the next, instead of one sort of everything at the end.
            // (It starts no helper while temporary files are kept in memory.)
            if bulkLoad { try database.execute("PRAGMA threads = 2; PRAGMA temp_store = FILE; PRAGMA cache_size = -8192") }
            try database.execute(Tables.indexDDL(.sqlite, tables: tables))
            if bulkLoad {
                try database.execute("PRAGMA threads = 0; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = \(secureDelete)")
            }
            if unsynced {
                // One synced commit makes every page of the load durable (fsync covers the whole
                // file), and only then does the mark go.
                try database.execute("PRAGMA synchronous = NORMAL; DROP TABLE IF EXISTS \(Self.unsyncedLoad)")
                unsynced = false
                unsyncedBatches = false
            }
            if bulkLoad {
                // Statistics from a sample of each index: a full ANALYZE reads every row again.
                try database.execute("PRAGMA analysis_limit = 1000; ANALYZE")
                try setJournalMode("WAL")
                try database.execute("PRAGMA cache_size = -65536")
                // Batches after this (follow) may meet rows again: upserts from now on.
                pending = []
            }
            bulkLoad = false
        }
    }

    /// Finalizes the statements and closes the database; also done on release.
    public func close() {
        pending = []
        releaseHeld()
        deletes = []
        database.close()
    }

    deinit {
        close()
    }

    public func abandon() {
        for slot in pending.indices { pending[slot].rows.removeAll(keepingCapacity: true) }
        releaseHeld()
        if inBatch { try? database.execute("ROLLBACK") }
        inBatch = false
    }
}
