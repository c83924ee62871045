import CSPCrypto
import CSPFormat
import CSPLedger
import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// csp-kvr as a user runs it: the real binary, real SQLite files, the real sqlite3 command.
final class KVRToolTests: XCTestCase {
    private func kvr(_ arguments: [String], expect status: Int32? = 0, file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        try NodeFixture.run("csp-kvr", arguments, expect: status, file: file, line: line)
    }

    func testExportIntoSQLiteThenResumeAndVerify() throws {
        let (home, _) = try makeKVRLedger(blocks: 12, perBlock: 3)
        let db = try temporaryDirectory(self) + "/kvr.db"
        let first = try kvr(["export", "--channel", "consortium", "--ledger", home, "--db", db, "--to", "4"])
        XCTAssertTrue(first.stdout.hasPrefix("exported blocks 0 to 4 of channel 'consortium' into '\(db)': 15 transactions, "), first.stdout)
        XCTAssertEqual(first.stderr, "", "no progress line when stderr is not a terminal")
        let second = try kvr(["export", "--channel", "consortium", "--ledger", home, "--db", db, "--format", "json"])
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(summary["first_block"] as? Int, 5)
        XCTAssertEqual(summary["last_block"] as? Int, 11)
        XCTAssertEqual(summary["resumed_after"] as? Int, 4)
        XCTAssertEqual(summary["transactions"] as? Int, 21)
        let third = try kvr(["export", "--channel", "consortium", "--ledger", home, "--db", db])
        XCTAssertEqual(third.stdout, "'\(db)' is up to date: channel 'consortium' to block 11\n")
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*), count(DISTINCT id) FROM transactions"), "36|36")
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*) FROM state"), "36")
        let verified = try kvr(["verify", "--channel", "consortium", "--ledger", home, "--db", db])
        XCTAssertEqual(verified.stdout, "'\(db)' matches the ledger: channel 'consortium', blocks 0 to 11, 84 rows\n")
        // A changed row is found and named.
        _ = try sqliteValue(db, "UPDATE state_history SET value = 'forged' WHERE block = 7 AND position = 1")
        let differs = try kvr(["verify", "--channel", "consortium", "--ledger", home, "--db", db], expect: 1)
        XCTAssertEqual(differs.stderr, "error: '\(db)' does not match the ledger: block 7 differs: the ledger gives 7 rows, the database holds 7 with other values\n")
    }

    /// A reader that has the new database open when the export starts (an analyst's
    /// query, the poller below) does not make it fail: SQLite refuses the bulk load's
    /// journal-mode switch while another connection uses the WAL, and the switch is only a
    /// speed choice. (It exited 2, "locked by another writer", having written nothing.)
    func testAnExportStartsBesideAnOpenReader() throws {
        let (home, _) = try makeKVRLedger(blocks: 5, perBlock: 4)
        let db = try temporaryDirectory(self) + "/kvr.db"
        _ = try sqliteValue(db, "PRAGMA journal_mode = WAL; CREATE TABLE notes (a)")
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        reader.arguments = ["python3", "-c", """
            import sqlite3, sys, time
            connection = sqlite3.connect(sys.argv[1])
            connection.execute("SELECT count(*) FROM notes").fetchall()
            print("open", flush=True)
            time.sleep(60)
            """, db]
        let output = Pipe()
        reader.standardOutput = output
        try reader.run()
        defer { reader.terminate(); reader.waitUntilExit() }
        // A pipe may hand the line over in pieces: read up to its newline.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let piece = output.fileHandleForReading.availableData
            if piece.isEmpty { break }
            line += piece
        }
        XCTAssertEqual(String(decoding: line, as: UTF8.self), "open\n")
        let exported = try kvr(["export", "--channel", "consortium", "--ledger", home, "--db", db, "--format", "json"])
        XCTAssertTrue(exported.stdout.contains("\"blocks\":5"), exported.stdout)
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*), max(number) FROM blocks"), "5|4")
        try kvr(["verify", "--channel", "consortium", "--ledger", home, "--db", db])
    }

    func testKilledMidExportResumesWithoutDuplicatesOrGaps() throws {
        let (home, _) = try makeKVRLedger(blocks: 400, perBlock: 40)
        let db = try temporaryDirectory(self) + "/kvr.db"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-kvr"))
        process.arguments = ["export", "--channel", "consortium", "--ledger", home, "--db", db, "--batch-rows", "300"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once some batches are in, but before it is done.
        var killedAt = -1
        for _ in 0..<2000 {
            if let block = Int((try? runProcess("sqlite3", [db, "SELECT block FROM kvr_checkpoint"]))?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""),
               block >= 20 {
                kill(process.processIdentifier, SIGKILL)
                killedAt = block
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "killed before it finished")
        XCTAssertGreaterThanOrEqual(killedAt, 20)
        let checkpoint = Int(try sqliteValue(db, "SELECT block FROM kvr_checkpoint")) ?? -1
        XCTAssertLessThan(checkpoint, 399)
        // Rows and checkpoint were committed together: exactly the blocks up to the checkpoint.
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*), max(number) FROM blocks"), "\(checkpoint + 1)|\(checkpoint)")
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*) FROM transactions"), "\((checkpoint + 1) * 40)")
        // The secondary indexes wait for the end of the load; the resumed export builds them.
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"), "0")
        let resumed = try kvr(["export", "--channel", "consortium", "--ledger", home, "--db", db, "--format", "json"])
        XCTAssertTrue(resumed.stdout.contains("\"resumed_after\":\(checkpoint)"), resumed.stdout)
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*), count(DISTINCT number), min(number), max(number) FROM blocks"), "400|400|0|399")
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*), count(DISTINCT block * 100 + position) FROM transactions"), "16000|16000")
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*) FROM state_history"), "16000")
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*) FROM sqlite_master WHERE name = 'transactions_by_channel_id'"), "1")
        try kvr(["verify", "--channel", "consortium", "--ledger", home, "--db", db])
        // Replaying the last blocks as SQL text into the resumed target changes nothing.
        let before = try sqliteValue(db, "SELECT count(*), sum(position), max(block) FROM transactions")
        let sql = try kvr(["export", "--channel", "consortium", "--ledger", home, "--from", "380", "--format", "sql", "--dialect", "sqlite"])
        let replay = try runProcess("sqlite3", ["-bail", db], input: sql.stdoutBytes)
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*), sum(position), max(block) FROM transactions"), before)
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*) FROM state_history"), "16000")
        try kvr(["verify", "--channel", "consortium", "--ledger", home, "--db", db])
    }

    /// SQL text of any range, older than the target or up to its tip, replayed into a target
    /// that is further along changes nothing: not the current state (a key rewritten or
    /// deleted later keeps its later value), not the checkpoint. A fresh load and one resumed
    /// from its checkpoint give the same database.
    func testReplayingAnOlderRangeOfSQLTextChangesNothing() throws {
        let home = try makeKVRRewrittenLedger()
        let dir = try temporaryDirectory(self)
        func sql(_ range: [String]) throws -> Data {
            try kvr(["export", "--channel", "consortium", "--ledger", home, "--format", "sql", "--dialect", "sqlite", "--batch-rows", "3"] + range)
                .stdoutBytes
        }
        func load(_ script: Data, _ db: String) throws {
            let result = try runProcess("sqlite3", ["-bail", db], input: script)
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        func dump(_ db: String) throws -> String {
            let result = try runProcess("sqlite3", [db, ".dump"])
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout
        }
        try load(try sql([]), dir + "/full.db")
        let db = dir + "/kvr.db"
        try load(try sql(["--to", "4"]), db)
        XCTAssertEqual(try sqliteValue(db, "SELECT block FROM kvr_checkpoint"), "4")
        try load(try sql(["--from", "5"]), db)
        let whole = try dump(db)
        XCTAssertEqual(whole, try dump(dir + "/full.db"), "a load resumed at its checkpoint is the fresh load")
        XCTAssertEqual(try sqliteValue(db, "SELECT group_concat(key || '=' || value, ',') FROM (SELECT * FROM state WHERE namespace = 'r' ORDER BY key)"),
                       "r/1=new,r/3=again")
        XCTAssertEqual(try sqliteValue(db, "SELECT block FROM state WHERE key = 'r/1'"), "8")
        for range in [["--from", "2", "--to", "5"], ["--from", "2", "--to", "2"], ["--to", "8"], ["--from", "3", "--to", "4"], [], ["--from", "9"]] {
            try load(try sql(range), db)
            XCTAssertEqual(try dump(db), whole, "replaying \(range) changed the database")
        }
        XCTAssertEqual(try sqliteValue(db, "SELECT block FROM kvr_checkpoint"), "9")
        try kvr(["verify", "--channel", "consortium", "--ledger", home, "--db", db])
    }

    func testBadInput() throws {
        let (home, _) = try makeKVRLedger(blocks: 3, perBlock: 2)
        let dir = try temporaryDirectory(self)
        let unknown = try kvr(["export", "--channel", "nope", "--ledger", home, "--db", dir + "/a.db"], expect: 1)
        XCTAssertEqual(unknown.stderr, "error: no channel 'nope' in ledger '\(home)' (it has 'consortium')\n")
        let missing = try kvr(["export", "--channel", "consortium", "--ledger", dir + "/none", "--db", dir + "/a.db"], expect: 2)
        XCTAssertEqual(missing.stderr, "error: cannot open ledger '\(dir)/none': no such file or directory\n")
        let usage = try kvr(["export", "--channel", "consortium", "--ledger", home], expect: 64)
        XCTAssertTrue(usage.stderr.hasPrefix("error: export needs --db FILE, --postgres URL, --format sql or --format csv --dir DIR"), usage.stderr)
        // A target from another ledger (same channel name, other blocks) is refused, untouched.
        let (other, _) = try makeKVRLedger(blocks: 5, perBlock: 2)
        try kvr(["export", "--channel", "consortium", "--ledger", home, "--db", dir + "/t.db"])
        let before = try sqliteValue(dir + "/t.db", "SELECT count(*) FROM transactions")
        let foreign = try kvr(["export", "--channel", "consortium", "--ledger", other, "--db", dir + "/t.db"], expect: 1)
        XCTAssertTrue(foreign.stderr.hasPrefix("error: target '\(dir)/t.db' holds channel 'consortium' up to block 2 with hash "), foreign.stderr)
        XCTAssertTrue(foreign.stderr.hasSuffix(": the target was made from another ledger\n"), foreign.stderr)
        XCTAssertEqual(try sqliteValue(dir + "/t.db", "SELECT count(*) FROM transactions"), before)
        // A target locked by another writer.
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        locker.arguments = ["sqlite3", dir + "/t.db"]
        let input = Pipe()
        locker.standardInput = input
        locker.standardOutput = FileHandle.nullDevice
        try locker.run()
        input.fileHandleForWriting.write(Data("BEGIN IMMEDIATE; INSERT INTO kvr_checkpoint VALUES ('x', 0, '', '');\nSELECT 1;\n".utf8))
        usleep(300_000)
        let locked = try kvr(["export", "--channel", "consortium", "--ledger", home, "--db", dir + "/t.db"], expect: 2)
        XCTAssertEqual(locked.stderr, "error: database '\(dir)/t.db' is locked by another writer\n")
        try input.fileHandleForWriting.close()
        locker.waitUntilExit()
        // A file that is not a database.
        try Data("hello".utf8).write(to: URL(fileURLWithPath: dir + "/text.db"))
        let notADatabase = try kvr(["export", "--channel", "consortium", "--ledger", home, "--db", dir + "/text.db"], expect: 2)
        XCTAssertTrue(notADatabase.stderr.hasPrefix("error: "), notADatabase.stderr)
        XCTAssertFalse(notADatabase.stderr.contains("SQLiteError"), notADatabase.stderr)
    }

    func testACorruptBlockFileIsNamedAndNothingHalfWritten() throws {
        let (home, _) = try makeKVRLedger(blocks: 6, perBlock: 2)
        let file = home + "/channels/consortium/blocks/blocks-000000.dat"
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file)))
        // Flip a byte inside a payload in the middle of the file (not its length: a record
        // running past the end would read as an append in progress): corruption, not a torn tail.
        let offset = bytes.count / 2 + 40
        bytes[offset] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let db = try temporaryDirectory(self) + "/kvr.db"
        let result = try kvr(["export", "--channel", "consortium", "--ledger", home, "--db", db, "--batch-rows", "1"], expect: 2)
        XCTAssertTrue(result.stderr.hasPrefix("error: block "), result.stderr)
        XCTAssertTrue(result.stderr.contains("blocks-000000.dat' at offset ") && result.stderr.contains(" is corrupt: "), result.stderr)
        let damaged = Int(result.stderr.dropFirst("error: block ".count).prefix { $0.isNumber }) ?? -1
        // Whole blocks before the damaged one, with their checkpoint; nothing of it or after.
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*), coalesce(max(number), -1) FROM blocks"), "\(damaged)|\(damaged - 1)")
        XCTAssertEqual(try sqliteValue(db, "SELECT coalesce(max(block), -1) FROM kvr_checkpoint"), "\(damaged - 1)")
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*) FROM transactions WHERE block >= \(damaged)"), "0")
    }

    func testSQLAndCSVLoadIntoSQLite() throws {
        let (home, _) = try makeKVRLedger(blocks: 8, perBlock: 5)
        let dir = try temporaryDirectory(self)
        // SQL text piped into sqlite3, twice: the replay changes nothing.
        let sql = try kvr(["export", "--channel", "consortium", "--ledger", home, "--format", "sql", "--dialect", "sqlite", "--batch-rows", "20"])
        XCTAssertTrue(sql.stdout.contains("BEGIN;\n") && sql.stdout.contains("COMMIT;\n"))
        for _ in 0..<2 {
            let load = try runProcess("sqlite3", ["-bail", dir + "/sql.db"], input: sql.stdoutBytes)
            XCTAssertEqual(load.status, 0, load.stderr)
        }
        XCTAssertEqual(try sqliteValue(dir + "/sql.db", "SELECT count(*), sum(position), count(DISTINCT id) FROM transactions"), "40|80|40")
        XCTAssertEqual(try sqliteValue(dir + "/sql.db", "SELECT block FROM kvr_checkpoint"), "7")
        // The same rows as the SQLite sink gives.
        try kvr(["export", "--channel", "consortium", "--ledger", home, "--db", dir + "/direct.db"])
        for table in ["blocks", "transactions", "state", "state_history"] {
            XCTAssertEqual(try sqliteValue(dir + "/sql.db", "SELECT * FROM \(table) ORDER BY 1, 2, 3"),
                           try sqliteValue(dir + "/direct.db", "SELECT * FROM \(table) ORDER BY 1, 2, 3"), table)
        }
        // The same schema and indexes, and the SQL text replayed into the bulk-loaded target changes nothing.
        let schema = "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name)"
        XCTAssertEqual(try sqliteValue(dir + "/sql.db", schema), try sqliteValue(dir + "/direct.db", schema))
        let replay = try runProcess("sqlite3", ["-bail", dir + "/direct.db"], input: sql.stdoutBytes)
        XCTAssertEqual(replay.status, 0, replay.stderr)
        for table in ["blocks", "transactions", "state", "state_history", "account_transactions"] {
            XCTAssertEqual(try sqliteValue(dir + "/sql.db", "SELECT * FROM \(table) ORDER BY 1, 2, 3, 4"),
                           try sqliteValue(dir + "/direct.db", "SELECT * FROM \(table) ORDER BY 1, 2, 3, 4"), table)
        }
        // CSV with its DDL and load script, loaded by sqlite3's .import.
        try kvr(["export", "--channel", "consortium", "--ledger", home, "--format", "csv", "--dir", dir + "/csv"])
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/csv").sorted()
        XCTAssertTrue(files.contains("transactions.csv") && files.contains("schema.sql") && files.contains("load.sql"), "\(files)")
        let load = try runProcess("sqlite3", ["-bail", "csv.db"], input: Data(".read schema.sql\n.read load.sql\n.read indexes.sql\n".utf8),
                                  currentDirectory: dir + "/csv")
        XCTAssertEqual(load.status, 0, load.stderr)
        XCTAssertEqual(try sqliteValue(dir + "/csv/csv.db", "SELECT count(*), sum(position), count(DISTINCT id) FROM transactions"), "40|80|40")
        XCTAssertEqual(try sqliteValue(dir + "/csv/csv.db", "SELECT count(*) FROM state"), "40")
        XCTAssertEqual(try sqliteValue(dir + "/csv/csv.db", "SELECT block FROM kvr_checkpoint"), "7")
        XCTAssertEqual(try sqliteValue(dir + "/csv/csv.db", schema), try sqliteValue(dir + "/direct.db", schema), "indexes from indexes.sql")
        // A folder that is not empty is refused.
        let refused = try kvr(["export", "--channel", "consortium", "--ledger", home, "--format", "csv", "--dir", dir + "/csv"], expect: 1)
        XCTAssertEqual(refused.stderr, "error: '\(dir)/csv' exists and is not an empty folder\n")
    }

    func testSchemaPrintsTheDDL() throws {
        for dialect in ["sqlite", "postgres", "mysql"] {
            let ddl = try kvr(["schema", "--dialect", dialect]).stdout
            XCTAssertTrue(ddl.contains("CREATE TABLE IF NOT EXISTS"), ddl)
            XCTAssertTrue(ddl.contains(dialect == "mysql" ? "`kvr_checkpoint`" : "\"kvr_checkpoint\""), ddl)
        }
        XCTAssertTrue(try kvr(["schema", "--dialect", "postgres"]).stdout.contains("\"arguments\" JSONB"))
        let db = try temporaryDirectory(self) + "/s.db"
        let created = try runProcess("sqlite3", ["-bail", db], input: try kvr(["schema"]).stdoutBytes)
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), "12")
    }
}

extension KVRToolTests {
    func testInvalidMaskAndMappingFilesAreRefusedBeforeAnythingIsWritten() throws {
        let (home, _) = try makeLedgerForOptions()
        let dir = try temporaryDirectory(self)
        try Data("accounts.phone blur\n".utf8).write(to: URL(fileURLWithPath: dir + "/bad.rules"))
        try Data("{\"tables\": 3}".utf8).write(to: URL(fileURLWithPath: dir + "/bad.json"))
        let ledger = ["--channel", "consortium", "--ledger", home, "--db", dir + "/out.db"]
        let mask = try NodeFixture.run("csp-kvr", ["export"] + ledger + ["--mask", dir + "/bad.rules"], expect: 2)
        XCTAssertEqual(mask.stderr, "error: invalid mask file '\(dir)/bad.rules' line 1: unknown action 'blur' (keep-first N, keep-last N, hash, drop)\n")
        let missing = try NodeFixture.run("csp-kvr", ["export"] + ledger + ["--mask", dir + "/none.rules"], expect: 2)
        XCTAssertTrue(missing.stderr.hasPrefix("error: cannot read mask file '\(dir)/none.rules': "), missing.stderr)
        let mapping = try NodeFixture.run("csp-kvr", ["export"] + ledger + ["--mapping", dir + "/bad.json"], expect: 2)
        XCTAssertEqual(mapping.stderr, "error: invalid mapping file '\(dir)/bad.json': expected {\"tables\": [ … ]} with at least one table\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.db"), "nothing written")
        // A valid mapping: its table is in the DDL and in the export.
        try Data(#"{"tables": [{"name": "kv_rows", "prefix": "k/", "columns": [{"name": "value", "from": "$value"}]}]}"#.utf8)
            .write(to: URL(fileURLWithPath: dir + "/map.json"))
        XCTAssertTrue(try NodeFixture.run("csp-kvr", ["schema", "--mapping", dir + "/map.json"]).stdout.contains("CREATE TABLE IF NOT EXISTS \"kv_rows\""))
        try NodeFixture.run("csp-kvr", ["export"] + ledger + ["--mapping", dir + "/map.json"])
        XCTAssertEqual(try sqliteValue(dir + "/out.db", "SELECT count(*) FROM kv_rows"), "6")
    }

    private func makeLedgerForOptions() throws -> (String, ChainBuilder) {
        let home = try temporaryDirectory(self)
        let builder = ChainBuilder(channel: "consortium")
        let store = try LedgerStore(directory: home + "/channels/consortium", channel: "consortium", options: .init())
        defer { store.close() }
        for record in try builder.blocks(3, perBlock: 2) { try store.commit(record) }
        return (home, builder)
    }
}
