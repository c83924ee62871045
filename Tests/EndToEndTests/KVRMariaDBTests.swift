import CSPFormat
import CSPLedger
import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// csp-kvr's MySQL output loaded into a real MariaDB server (MariaDBServer): SQL text
/// through the `mariadb` client, CSV through LOAD DATA LOCAL INFILE with the DDL; counts
/// and sums equal the ledger's, replays change nothing, a pipe killed midway resumes.
final class KVRMariaDBTests: XCTestCase {
    private func kvr(_ arguments: [String]) throws -> ProcessResult {
        try NodeFixture.run("csp-kvr", arguments)
    }

    private func load(_ server: MariaDBServer, _ sql: Data, into database: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try server.client([], database: database, input: sql)
        XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
    }

    func testSQLThroughTheClientAndCSVThroughLoadData() throws {
        let server = try MariaDBServer.start(self)
        let home = try makeKVRLedger(blocks: 10, perBlock: 6).home
        let ledger = ["--channel", "consortium", "--ledger", home]
        try server.createDatabase("kvr")
        // In two pieces, the second continuing from the checkpoint the first left in the target.
        let first = try kvr(["export"] + ledger + ["--format", "sql", "--dialect", "mysql", "--to", "3", "--batch-rows", "10"])
        try load(server, first.stdoutBytes, into: "kvr")
        let next = try server.value("SELECT block + 1 FROM kvr_checkpoint WHERE channel = 'consortium'", database: "kvr")
        XCTAssertEqual(next, "4")
        // Certificates and signatures too (bytes: X'…' literals here, hex decoded by UNHEX in the CSV load).
        let rest = try kvr(["export"] + ledger + ["--format", "sql", "--dialect", "mysql", "--from", next, "--include-certificates"])
        for _ in 0..<2 { try load(server, rest.stdoutBytes, into: "kvr") }  // a replay changes nothing
        XCTAssertEqual(try server.value("SELECT CONCAT(count(*), '|', sum(position), '|', count(DISTINCT id)) FROM transactions", database: "kvr"),
                       "60|150|60")
        XCTAssertEqual(try server.value("SELECT CONCAT(count(*), '|', max(number)) FROM blocks", database: "kvr"), "10|9")
        XCTAssertEqual(try server.value("SELECT count(*) FROM state WHERE namespace = 'k'", database: "kvr"), "60")
        XCTAssertEqual(try server.value("SELECT count(*) FROM state_history", database: "kvr"), "60")
        XCTAssertEqual(try server.value("SELECT JSON_UNQUOTE(JSON_EXTRACT(arguments, '$.key')) FROM transactions WHERE block = 2 AND position = 1",
                                        database: "kvr"), "k/2/1")
        XCTAssertEqual(try server.value("SELECT block FROM kvr_checkpoint", database: "kvr"), "9")
        XCTAssertEqual(try server.value("SELECT count(DISTINCT index_name) FROM information_schema.statistics WHERE table_schema = 'kvr' "
                                        + "AND index_name = 'transactions_by_channel_id'", database: "kvr"), "1")

        // CSV with the MySQL DDL: schema.sql, load.sql (LOAD DATA LOCAL INFILE, run from the folder), indexes.sql.
        try server.createDatabase("csv")
        let dir = try temporaryDirectory(self) + "/csv"
        _ = try kvr(["export"] + ledger + ["--format", "csv", "--dir", dir, "--dialect", "mysql", "--from", "4", "--include-certificates"])
        for script in ["schema.sql", "load.sql", "indexes.sql"] {
            let result = try server.client([], database: "csv", input: try Data(contentsOf: URL(fileURLWithPath: dir + "/" + script)),
                                           currentDirectory: dir)
            XCTAssertEqual(result.status, 0, "\(script): \(result.stderr)")
        }
        XCTAssertEqual(try server.value("SELECT CONCAT(count(*), '|', sum(position), '|', count(DISTINCT id)) FROM transactions", database: "csv"),
                       "36|90|36")
        XCTAssertEqual(try server.value("SELECT count(*) FROM transactions WHERE reason IS NULL", database: "csv"), "36", "NULL stays NULL")
        let lengths = "SELECT CONCAT(count(creator_certificate), '|', sum(length(creator_certificate)), '|', sum(length(signature))) FROM transactions WHERE block >= 4"
        XCTAssertEqual(try server.value(lengths, database: "csv"), try server.value(lengths, database: "kvr"), "certificates as bytes, not hex")
        XCTAssertTrue(try server.value(lengths, database: "csv").hasPrefix("36|"))
        // The same rows as the SQL text gave for blocks 4 to 9, bytes included.
        let queries = [
            "SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', number, hash, HEX(orderer_certificate), HEX(signature)) ORDER BY number)) FROM blocks WHERE number >= 4",
            "SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', block, position, id, creator, arguments, HEX(creator_certificate), HEX(signature)) "
                + "ORDER BY block, position)) FROM transactions WHERE block >= 4",
            "SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', block, position, `key`, value, transaction_id) ORDER BY block, position)) FROM state_history WHERE block >= 4",
        ]
        for query in queries {
            XCTAssertEqual(try server.value("SET SESSION group_concat_max_len = 1 << 24; " + query, database: "csv"),
                           try server.value("SET SESSION group_concat_max_len = 1 << 24; " + query, database: "kvr"), query)
        }
    }

    func testAPipeKilledMidwayResumesWithoutDuplicatesOrGaps() throws {
        let server = try MariaDBServer.start(self)
        let home = try makeKVRLedger(blocks: 200, perBlock: 40).home
        let ledger = ["--channel", "consortium", "--ledger", home]
        try server.createDatabase("piped")
        let export = Process()
        export.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-kvr"))
        export.arguments = ["export"] + ledger + ["--format", "sql", "--dialect", "mysql", "--batch-rows", "300"]
        let pipe = Pipe()
        export.standardOutput = pipe
        export.standardError = FileHandle.nullDevice
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["mariadb"] + server.clientArguments(database: "piped")
        client.standardInput = pipe
        client.standardOutput = FileHandle.nullDevice
        client.standardError = FileHandle.nullDevice
        try export.run()
        try client.run()
        defer {
            if export.isRunning { kill(export.processIdentifier, SIGKILL); export.waitUntilExit() }
            if client.isRunning { client.terminate(); client.waitUntilExit() }
        }
        // Kill the exporter once some batches are in: the client sees the stream end mid-batch.
        var killedAt = -1
        for _ in 0..<1200 where killedAt < 0 {
            if let block = Int((try? server.value("SELECT block FROM kvr_checkpoint", database: "piped")) ?? ""), block >= 20 {
                kill(export.processIdentifier, SIGKILL)
                killedAt = block
            } else {
                usleep(25_000)
            }
        }
        export.waitUntilExit()
        client.waitUntilExit()
        XCTAssertEqual(export.terminationReason, .uncaughtSignal, "killed before it finished")
        XCTAssertGreaterThanOrEqual(killedAt, 20)
        let checkpoint = Int(try server.value("SELECT block FROM kvr_checkpoint", database: "piped")) ?? -1
        XCTAssertLessThan(checkpoint, 199)
        // Rows and checkpoint were committed together: exactly the blocks up to the checkpoint.
        XCTAssertEqual(try server.value("SELECT CONCAT(count(*), '|', max(number)) FROM blocks", database: "piped"), "\(checkpoint + 1)|\(checkpoint)")
        XCTAssertEqual(try server.value("SELECT count(*) FROM transactions", database: "piped"), "\((checkpoint + 1) * 40)")
        let rest = try kvr(["export"] + ledger + ["--format", "sql", "--dialect", "mysql", "--from", String(checkpoint + 1)])
        try load(server, rest.stdoutBytes, into: "piped")
        let expected = "200|200|0|199"
        let blocks = "SELECT CONCAT(count(*), '|', count(DISTINCT number), '|', min(number), '|', max(number)) FROM blocks"
        XCTAssertEqual(try server.value(blocks, database: "piped"), expected)
        XCTAssertEqual(try server.value("SELECT CONCAT(count(*), '|', count(DISTINCT block * 100 + position)) FROM transactions", database: "piped"),
                       "8000|8000")
        XCTAssertEqual(try server.value("SELECT count(*) FROM state_history", database: "piped"), "8000")
        // Replaying everything from block 0 changes nothing.
        let sums = "SELECT CONCAT(count(*), '|', sum(block), '|', sum(position)) FROM state_history"
        let before = try server.value(sums, database: "piped")
        try load(server, try kvr(["export"] + ledger + ["--format", "sql", "--dialect", "mysql"]).stdoutBytes, into: "piped")
        XCTAssertEqual(try server.value(sums, database: "piped"), before)
        XCTAssertEqual(try server.value(blocks, database: "piped"), expected)
    }

    /// The MySQL SQL text of an older range, or of every block, replayed into a target that
    /// is further along changes nothing (see KVRToolTests' test of the same name).
    func testReplayingAnOlderRangeOfSQLTextChangesNothing() throws {
        let server = try MariaDBServer.start(self)
        let home = try makeKVRRewrittenLedger()
        try server.createDatabase("kvr")
        func sql(_ range: [String]) throws -> Data {
            try kvr(["export", "--channel", "consortium", "--ledger", home, "--format", "sql", "--dialect", "mysql", "--batch-rows", "3"] + range)
                .stdoutBytes
        }
        func dump() throws -> String {
            let result = try runProcess("mariadb-dump", ["--no-defaults", "-uroot", "--socket=\(server.socket)", "--skip-dump-date",
                                                         "--order-by-primary", "--skip-extended-insert", "kvr"])
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout
        }
        try load(server, try sql(["--to", "4"]), into: "kvr")
        XCTAssertEqual(try server.value("SELECT block FROM kvr_checkpoint", database: "kvr"), "4")
        XCTAssertEqual(try server.value("SELECT value FROM state WHERE `key` = 'r/1'", database: "kvr"), "old")
        try load(server, try sql(["--from", "5"]), into: "kvr")
        XCTAssertEqual(try server.value("SELECT GROUP_CONCAT(`key`, '=', value ORDER BY `key`) FROM state WHERE namespace = 'r'", database: "kvr"),
                       "r/1=new,r/3=again")
        let whole = try dump()
        XCTAssertTrue(whole.contains("INSERT INTO `state`"), whole)
        for range in [["--from", "2", "--to", "5"], ["--from", "3", "--to", "4"], ["--to", "8"], [], ["--from", "9"]] {
            try load(server, try sql(range), into: "kvr")
            XCTAssertEqual(try dump(), whole, "replaying \(range) changed the database")
        }
        XCTAssertEqual(try server.value("SELECT block FROM kvr_checkpoint", database: "kvr"), "9")
    }
}
