import CSPContracts
import CSPKVR
import CSPLedger
import CSPSQLite
import CSPTestSupport
import Foundation
import XCTest

final class ExportTests: XCTestCase {
    private func export(_ ledger: KVRTestLedger, into path: String, batchRows: Int = 200_000, to: UInt64? = nil) throws -> Exporter.Summary {
        var options = Exporter.Options()
        options.batchRows = batchRows
        options.to = to
        var deriver = RowDeriver(channel: "consortium")
        return try Exporter(source: try LedgerSource(ledger: ledger.directory, channel: "consortium"),
                            sink: try SQLiteSink(path: path), options: options).run(deriver: &deriver)
    }

    private func scalar(_ path: String, _ sql: String) throws -> SQLiteValue? {
        let database = try SQLiteDatabase(path: path, readOnly: true)
        defer { database.close() }
        return try database.scalar(sql)
    }

    func testRowsStateAndBusinessViews() throws {
        let ledger = try KVRTestLedger.make(self)
        let db = try temporaryDirectory(self) + "/kvr.db"
        let summary = try export(ledger, into: db)
        XCTAssertEqual(summary.blocks, 4)
        XCTAssertEqual(summary.transactions, 9)
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM blocks"), .integer(4))
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM transactions"), .integer(9))
        XCTAssertEqual(try scalar(db, "SELECT validation || ':' || reason FROM transactions WHERE code <> 0"), .text("contract-failed:no"))
        // State: valid writes only, the last write wins, deletes honoured.
        XCTAssertEqual(try scalar(db, "SELECT group_concat(key || '=' || value, ',') FROM (SELECT * FROM state WHERE namespace = 'kv' ORDER BY key)"),
                       .text("kv/b=3"))
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM state_history WHERE key = 'kv/a'"), .integer(2))
        XCTAssertEqual(try scalar(db, "SELECT deleted FROM state_history WHERE key = 'kv/a' ORDER BY block DESC LIMIT 1"), .integer(1))
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM state_history WHERE key = 'kv/x'"), .integer(0), "an invalid transaction changes nothing")
        XCTAssertEqual(try scalar(db, "SELECT phone FROM accounts WHERE account = 'Acme/alice'"), .text("+86 555 0101"))
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM account_transactions WHERE account = 'Acme/alice'"), .integer(2))
        XCTAssertEqual(try scalar(db, "SELECT json_extract(payload, '$.id') FROM events WHERE name = 'submit'"), .text("D-1"))
        // Business: the instance, its timeline, its milestone document, the typed view.
        XCTAssertEqual(try scalar(db, "SELECT state FROM instances WHERE id = 'D-1'"), .text("closed"))
        XCTAssertEqual(try scalar(db, "SELECT group_concat(transition, ',') FROM (SELECT * FROM transitions ORDER BY seq)"), .text("submit,confirm"))
        XCTAssertEqual(try scalar(db, "SELECT definition FROM transitions WHERE seq = 1"), .text("demand"))
        XCTAssertEqual(try scalar(db, "SELECT document || ' ' || size FROM milestones"), .text("r.pdf 12"))
        XCTAssertEqual(try scalar(db, "SELECT score + 1 FROM demands WHERE id = 'D-1'"), .integer(6))
        XCTAssertEqual(try scalar(db, "SELECT party_customer FROM demands"), .text("Acme/alice"))
        XCTAssertEqual(try scalar(db, "SELECT typeof(score) FROM demands"), .text("integer"))
        XCTAssertEqual(try scalar(db, "SELECT block FROM kvr_checkpoint WHERE channel = 'consortium'"), .integer(3))
        // Indexes were built after the load.
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'transactions_by_channel_id'"), .integer(1))
        XCTAssertNil(try Verifier().verify(database: db, source: try LedgerSource(ledger: ledger.directory, channel: "consortium")).difference)
    }

    func testRerunsResumeAndChangeNothing() throws {
        let ledger = try KVRTestLedger.make(self, extraBlocks: 6)
        let db = try temporaryDirectory(self) + "/kvr.db"
        let first = try export(ledger, into: db, batchRows: 5, to: 5)
        XCTAssertEqual(first.lastBlock, 5)
        let second = try export(ledger, into: db, batchRows: 5)
        XCTAssertEqual(second.resumedAfter, 5)
        XCTAssertEqual(second.firstBlock, 6)
        XCTAssertEqual(second.lastBlock, 9)
        let third = try export(ledger, into: db)
        XCTAssertEqual(third.blocks, 0, "nothing new")
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM blocks"), .integer(10))
        XCTAssertEqual(try scalar(db, "SELECT count(DISTINCT number) FROM blocks"), .integer(10))
        try ledger.append(2)
        XCTAssertEqual(try export(ledger, into: db).blocks, 2)
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM transactions"), .integer(9 + 2 * 8))
        XCTAssertNil(try Verifier().verify(database: db, source: try LedgerSource(ledger: ledger.directory, channel: "consortium")).difference)
    }

    private func rows(_ path: String, _ table: Table) throws -> [[SQLiteValue]] {
        let database = try SQLiteDatabase(path: path, readOnly: true)
        defer { database.close() }
        return try database.query("SELECT * FROM \"\(table.name)\" ORDER BY " + table.primaryKey.map { "\"\($0)\"" }.joined(separator: ", "))
    }

    /// SQLite SQL text of blocks `from` to `to`, as `csp-kvr export --format sql --dialect sqlite` writes it.
    private func sqliteText(_ ledger: KVRTestLedger, from: UInt64 = 0, to: UInt64? = nil, batchRows: Int = 4) throws -> String {
        let file = try temporaryDirectory(self) + "/export.sql"
        var options = Exporter.Options()
        options.batchRows = batchRows
        options.from = from
        options.to = to
        var deriver = RowDeriver(channel: "consortium")
        _ = try Exporter(source: try LedgerSource(ledger: ledger.directory, channel: "consortium"),
                         sink: SQLTextSink(dialect: .sqlite, output: try ByteWriter(path: file)), options: options).run(deriver: &deriver)
        return try String(contentsOfFile: file, encoding: .utf8)
    }

    /// Older ranges of SQL text replayed into a target that is further along leave every
    /// table as it was: the instance closed at block 3 is not reopened by block 2's
    /// transition, the key deleted later is not brought back, the checkpoint stays.
    func testReplayingOlderSQLTextChangesNoTable() throws {
        let ledger = try KVRTestLedger.make(self, extraBlocks: 4)
        let db = try temporaryDirectory(self) + "/kvr.db"
        let database = try SQLiteDatabase(path: db)
        defer { database.close() }
        try database.execute(try sqliteText(ledger))
        func snapshot() throws -> [[[SQLiteValue]]] { try Tables.tables.map { try rows(db, $0) } }
        let loaded = try snapshot()
        XCTAssertEqual(try scalar(db, "SELECT state FROM instances WHERE id = 'D-1'"), .text("closed"))
        XCTAssertEqual(try scalar(db, "SELECT block FROM kvr_checkpoint"), .integer(7))
        for (from, to) in [(0, 1), (1, 2), (2, 3), (0, 5), (0, 7), (7, 7)] as [(UInt64, UInt64)] {
            try database.execute(try sqliteText(ledger, from: from, to: to, batchRows: 2))
            XCTAssertEqual(try snapshot(), loaded, "replaying blocks \(from) to \(to)")
        }
    }

    func testABulkLoadAndBatchesOfUpsertsGiveTheSameTables() throws {
        let ledger = try KVRTestLedger.make(self, extraBlocks: 6)
        let dir = try temporaryDirectory(self)
        // One bulk load (plain INSERTs, unsynced, indexes at the end) beside a load whose second
        // half goes in as upserts into a target that has its indexes.
        _ = try export(ledger, into: dir + "/bulk.db")
        _ = try export(ledger, into: dir + "/split.db", batchRows: 5, to: 4)
        _ = try export(ledger, into: dir + "/split.db", batchRows: 5)
        for table in Tables.tables {
            XCTAssertEqual(try rows(dir + "/bulk.db", table), try rows(dir + "/split.db", table), table.name)
        }
        XCTAssertGreaterThan(try rows(dir + "/bulk.db", Tables.stateHistory).count, 10)
        XCTAssertEqual(try scalar(dir + "/bulk.db", "SELECT count(*) FROM sqlite_master WHERE name = 'kvr_unsynced_load'"), .integer(0),
                       "the unsynced-load mark goes once the load is synced")
        XCTAssertEqual(try scalar(dir + "/bulk.db", "PRAGMA journal_mode"), .text("wal"))
    }

    func testAnUnsyncedLoadResumesAfterAKillButIsRefusedAfterTheMachineStopped() throws {
        let ledger = try KVRTestLedger.make(self, extraBlocks: 3)
        let db = try temporaryDirectory(self) + "/kvr.db"
        _ = try export(ledger, into: db, to: 2)
        let boot = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8).filter { !$0.isWhitespace }
        func mark(_ id: String) throws {
            let database = try SQLiteDatabase(path: db)
            defer { database.close() }
            try database.execute("CREATE TABLE kvr_unsynced_load (boot_id TEXT NOT NULL)")
            _ = try database.query("INSERT INTO kvr_unsynced_load VALUES (?)", id)
        }
        // What a kill -9 in the middle of a load leaves: the mark of this boot. It resumes.
        try mark(boot)
        XCTAssertEqual(try export(ledger, into: db).lastBlock, 6)
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'kvr_unsynced_load'"), .integer(0))
        XCTAssertEqual(try scalar(db, "SELECT count(DISTINCT number) || '/' || count(*) FROM blocks"), .text("7/7"))
        // The mark of another boot: the machine stopped while batches were unsynced.
        try mark("another-boot")
        try ledger.append(1)
        XCTAssertThrowsError(try export(ledger, into: db)) { error in
            XCTAssertEqual((error as? KVRError)?.kind, .refused)
            XCTAssertTrue((error as? KVRError)?.message.contains("was being loaded without syncing when the machine stopped") ?? false, "\(error)")
        }
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM blocks"), .integer(7), "nothing written")
    }

    /// A sink that stops the export at its `killAt`-th commit, as a kill would: the batch in
    /// hand is rolled back (by the sink's abandon; by the rollback journal after a kill) and
    /// nothing after it happens, neither the rest of the rows nor the index builds.
    private final class KilledSink: Sink {
        struct Killed: Error {}
        let inner: SQLiteSink
        let killAt: Int
        var commits = 0
        init(_ inner: SQLiteSink, killAt: Int) { self.inner = inner; self.killAt = killAt }
        var target: String { inner.target }
        func prepare(channel: String, tables: [Table]) throws -> Checkpoint? { try inner.prepare(channel: channel, tables: tables) }
        func storedDefinitions(channel: String) throws -> [CanonicalJSON.Value]? { try inner.storedDefinitions(channel: channel) }
        func apply(_ change: Change) throws { try inner.apply(change) }
        func commit(_ checkpoint: Checkpoint) throws {
            commits += 1
            if commits == killAt { throw Killed() }
            try inner.commit(checkpoint)
        }
        func finish(catalog: DefinitionCatalog) throws { try inner.finish(catalog: catalog) }
        func abandon() { inner.abandon() }
    }

    private func indexes(_ path: String) throws -> [String] {
        let database = try SQLiteDatabase(path: path, readOnly: true)
        defer { database.close() }
        return try database.query("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .compactMap { $0[0].stringValue }
    }

    func testMultiRowInsertsOfABulkLoadGiveTheRowsOfUpserts() throws {
        // Blocks of 150 transactions: more rows per table than one multi-row INSERT takes, and a rest.
        let directory = try temporaryDirectory(self) + "/consortium"
        let builder = ChainBuilder(channel: "consortium")
        let store = try LedgerStore(directory: directory, channel: "consortium", options: .init())
        for record in try builder.blocks(4, perBlock: 150) { try store.commit(record) }
        store.close()
        let dir = try temporaryDirectory(self)
        func export(_ path: String, to: UInt64? = nil) throws {
            var options = Exporter.Options()
            options.to = to
            options.batchRows = 700
            var deriver = RowDeriver(channel: "consortium")
            _ = try Exporter(source: try LedgerSource(ledger: directory, channel: "consortium"), sink: try SQLiteSink(path: path), options: options)
                .run(deriver: &deriver)
        }
        try export(dir + "/bulk.db")
        try export(dir + "/split.db", to: 0)
        try export(dir + "/split.db")
        XCTAssertEqual(try scalar(dir + "/bulk.db", "SELECT count(*) || '/' || count(DISTINCT block * 1000 + position) FROM transactions"), .text("600/600"))
        for table in Tables.tables {
            XCTAssertEqual(try rows(dir + "/bulk.db", table), try rows(dir + "/split.db", table), table.name)
        }
        XCTAssertNil(try Verifier().verify(database: dir + "/bulk.db", source: try LedgerSource(ledger: directory, channel: "consortium")).difference)
    }

    func testALoadKilledHalfwayResumesAndEndsWithItsIndexes() throws {
        let ledger = try KVRTestLedger.make(self, extraBlocks: 8)
        let dir = try temporaryDirectory(self)
        _ = try export(ledger, into: dir + "/straight.db")
        // Killed at its third batch: two batches in, without any index yet, the mark of an unsynced load there.
        var options = Exporter.Options()
        options.batchRows = 5
        var deriver = RowDeriver(channel: "consortium")
        let killed = KilledSink(try SQLiteSink(path: dir + "/kvr.db"), killAt: 3)
        XCTAssertThrowsError(try Exporter(source: try LedgerSource(ledger: ledger.directory, channel: "consortium"), sink: killed, options: options)
            .run(deriver: &deriver))
        killed.inner.close()
        let checkpoint = try XCTUnwrap(try scalar(dir + "/kvr.db", "SELECT block FROM kvr_checkpoint")?.int64Value)
        XCTAssertLessThan(checkpoint, 11)
        XCTAssertEqual(try scalar(dir + "/kvr.db", "SELECT count(*) || '/' || max(number) FROM blocks"), .text("\(checkpoint + 1)/\(checkpoint)"))
        XCTAssertEqual(try indexes(dir + "/kvr.db"), [], "secondary indexes wait for the end of the load")
        XCTAssertEqual(try scalar(dir + "/kvr.db", "SELECT count(*) FROM kvr_unsynced_load"), .integer(1))
        // Resumed after the checkpoint, then every index: the same tables as one straight load.
        let resumed = try export(ledger, into: dir + "/kvr.db", batchRows: 5)
        XCTAssertEqual(resumed.resumedAfter, UInt64(checkpoint))
        XCTAssertEqual(try indexes(dir + "/kvr.db"), try indexes(dir + "/straight.db"))
        for table in Tables.tables {
            XCTAssertEqual(try rows(dir + "/kvr.db", table), try rows(dir + "/straight.db", table), table.name)
        }
        XCTAssertEqual(try scalar(dir + "/kvr.db", "SELECT count(*) FROM sqlite_master WHERE name = 'kvr_unsynced_load'"), .integer(0))
        XCTAssertEqual(try scalar(dir + "/kvr.db", "PRAGMA journal_mode"), .text("wal"))
        // More blocks later go in as upserts.
        try ledger.append(2)
        XCTAssertEqual(try export(ledger, into: dir + "/kvr.db").blocks, 2)
        XCTAssertEqual(try scalar(dir + "/kvr.db", "SELECT count(*) || '/' || count(DISTINCT number) FROM blocks"), .text("14/14"))
        XCTAssertNil(try Verifier().verify(database: dir + "/kvr.db", source: try LedgerSource(ledger: ledger.directory, channel: "consortium")).difference)
    }

    func testAKeyWrittenTwiceInOneTransactionLeavesOneHistoryRow() throws {
        let directory = try temporaryDirectory(self) + "/consortium"
        let builder = ChainBuilder(channel: "consortium")
        let store = try LedgerStore(directory: directory, channel: "consortium", options: .init())
        try store.commit(try builder.block([try builder.writes([("kv/t", "1"), ("kv/u", "x"), ("kv/t", "2")]), try builder.put("kv/t", "3")]))
        // Over eight writes (another way of finding the last write of a key).
        try store.commit(try builder.block([try builder.writes((0..<12).map { ("kv/m\($0 % 5)", "\($0)") })]))
        store.close()
        let db = try temporaryDirectory(self) + "/kvr.db"
        var deriver = RowDeriver(channel: "consortium")
        _ = try Exporter(source: try LedgerSource(ledger: directory, channel: "consortium"), sink: try SQLiteSink(path: db), options: .init())
            .run(deriver: &deriver)
        XCTAssertEqual(try scalar(db, "SELECT group_concat(position || ':' || key || '=' || value, ',') FROM (SELECT * FROM state_history WHERE block = 0 ORDER BY position, key)"),
                       .text("0:kv/t=2,0:kv/u=x,1:kv/t=3"))
        XCTAssertEqual(try scalar(db, "SELECT group_concat(key || '=' || value, ',') FROM (SELECT * FROM state_history WHERE block = 1 ORDER BY key)"),
                       .text("kv/m0=10,kv/m1=11,kv/m2=7,kv/m3=8,kv/m4=9"))
        XCTAssertEqual(try scalar(db, "SELECT value FROM state WHERE key = 'kv/t'"), .text("3"))
        XCTAssertNil(try Verifier().verify(database: db, source: try LedgerSource(ledger: directory, channel: "consortium")).difference)
    }

    func testUpsertsInMultiRowStatementsKeepEveryKeysLastChangeWhateverTheBatches() throws {
        // Keys written, deleted and written again across blocks that land in one batch (so in
        // one multi-row upsert, split by the deletes), more keys in a block than one statement
        // takes, non-ASCII text and a value larger than a quarter of the binding arena's block.
        let directory = try temporaryDirectory(self) + "/consortium"
        let builder = ChainBuilder(channel: "consortium")
        let store = try LedgerStore(directory: directory, channel: "consortium", options: .init())
        let big = String(repeating: "große Zeile ✓ ", count: 20_000)
        try store.commit(try builder.block([try builder.put("kv/a", "1"), try builder.put("kv/b", "ünïcødé 日本語"),
                                            try builder.writes([("kv/big", big)])]))
        try store.commit(try builder.block([try builder.delete("kv/a"), try builder.put("kv/b", "2"),
                                            try builder.writes((0..<150).map { ("kv/many\($0)", "v\($0)") })]))
        try store.commit(try builder.block([try builder.put("kv/a", "3"), try builder.writes([("kv/c", "x"), ("kv/c", "y")])]))
        try store.commit(try builder.block([try builder.delete("kv/b"), try builder.put("kv/a", "4"),
                                            try builder.writes((0..<150).map { ("kv/many\($0)", $0 % 3 == 0 ? nil : "w\($0)") })]))
        store.close()
        let dir = try temporaryDirectory(self)
        func export(_ path: String, batchRows: Int, to: UInt64? = nil) throws {
            var options = Exporter.Options()
            options.batchRows = batchRows
            options.to = to
            var deriver = RowDeriver(channel: "consortium")
            _ = try Exporter(source: try LedgerSource(ledger: directory, channel: "consortium"), sink: try SQLiteSink(path: path), options: options)
                .run(deriver: &deriver)
        }
        try export(dir + "/one.db", batchRows: 1_000_000)
        try export(dir + "/blocks.db", batchRows: 1)
        try export(dir + "/resumed.db", batchRows: 1_000_000, to: 0)
        try export(dir + "/resumed.db", batchRows: 1_000_000)
        for path in ["/one.db", "/blocks.db", "/resumed.db"] {
            XCTAssertEqual(try scalar(dir + path, "SELECT group_concat(key || '=' || value, ',') FROM (SELECT * FROM state WHERE key IN ('kv/a', 'kv/b', 'kv/c') ORDER BY key)"),
                           .text("kv/a=4,kv/c=y"), path)
            XCTAssertEqual(try scalar(dir + path, "SELECT count(*) || '/' || sum(value LIKE 'w%') FROM state WHERE key LIKE 'kv/many%'"), .text("100/100"), path)
            XCTAssertEqual(try scalar(dir + path, "SELECT value FROM state WHERE key = 'kv/big'"), .text(big), path)
            XCTAssertEqual(try scalar(dir + path, "SELECT value FROM state_history WHERE key = 'kv/b' AND block = 0"), .text("ünïcødé 日本語"), path)
            XCTAssertNil(try Verifier().verify(database: dir + path, source: try LedgerSource(ledger: directory, channel: "consortium")).difference, path)
            for table in Tables.tables where path != "/one.db" {
                XCTAssertEqual(try rows(dir + "/one.db", table), try rows(dir + path, table), "\(path) \(table.name)")
            }
        }
    }

    func testATargetFromAnotherLedgerIsRefused() throws {
        let ledger = try KVRTestLedger.make(self, extraBlocks: 1)
        let other = try KVRTestLedger.make(self, extraBlocks: 2)
        let db = try temporaryDirectory(self) + "/kvr.db"
        _ = try export(ledger, into: db)
        XCTAssertThrowsError(try export(other, into: db)) { error in
            let failure = error as? KVRError
            XCTAssertEqual(failure?.kind, .refused)
            XCTAssertTrue(failure?.message.contains("was made from another ledger") ?? false, "\(error)")
        }
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM blocks"), .integer(5), "nothing written")
    }

    func testVerifyNamesTheFirstBlockThatDiffers() throws {
        let ledger = try KVRTestLedger.make(self, extraBlocks: 3)
        let db = try temporaryDirectory(self) + "/kvr.db"
        _ = try export(ledger, into: db)
        let database = try SQLiteDatabase(path: db)
        try database.execute("UPDATE transactions SET function = 'forged' WHERE block = 5")
        database.close()
        let report = try Verifier().verify(database: db, source: try LedgerSource(ledger: ledger.directory, channel: "consortium"))
        XCTAssertEqual(report.difference, "block 5 differs: the ledger gives 5 rows, the database holds 5 with other values")
    }

    func testViewNames() {
        XCTAssertEqual(DefinitionCatalog.viewName("service-contract"), "service_contracts")
        XCTAssertEqual(DefinitionCatalog.viewName("feedback"), "feedback")
        XCTAssertEqual(DefinitionCatalog.viewName("demand"), "demands")
        XCTAssertEqual(DefinitionCatalog.viewName("invoice"), "invoices")
        XCTAssertEqual(DefinitionCatalog.viewName("event"), "wf_events", "a built-in table keeps its name")
        XCTAssertEqual(DefinitionCatalog.viewName("delivery"), "deliveries")
    }
}
