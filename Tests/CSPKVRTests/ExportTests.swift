import CSPKVR
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
