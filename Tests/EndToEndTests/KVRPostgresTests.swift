import CSPFormat
import CSPLedger
import CSPTestSupport
import Foundation
import XCTest

/// csp-kvr's PostgreSQL output loaded into a real PostgreSQL server (PostgresServer):
/// SQL text through psql, CSV through \copy; counts and sums equal the ledger's.
final class KVRPostgresTests: XCTestCase {
    private func kvr(_ arguments: [String]) throws -> ProcessResult {
        try NodeFixture.run("csp-kvr", arguments)
    }

    func testSQLThroughPsqlAndCSVThroughCopy() throws {
        let server = try PostgresServer.start(self)
        let home = try makeKVRLedger(blocks: 10, perBlock: 6).home
        let ledger = ["--channel", "consortium", "--ledger", home]
        try server.createDatabase("kvr")
        // In two pieces, the second continuing from the checkpoint the first left in the target.
        let first = try kvr(["export"] + ledger + ["--format", "sql", "--dialect", "postgres", "--to", "3", "--batch-rows", "10"])
        XCTAssertTrue(first.stdout.contains("COPY \"kvr_stage_transactions\""), "COPY blocks, not INSERTs")
        var load = try server.psql([], database: "kvr", input: first.stdoutBytes)
        XCTAssertEqual(load.status, 0, load.stderr)
        let next = try server.value("SELECT block + 1 FROM kvr_checkpoint WHERE channel = 'consortium'", database: "kvr")
        XCTAssertEqual(next, "4")
        let rest = try kvr(["export"] + ledger + ["--format", "sql", "--dialect", "postgres", "--from", next])
        for _ in 0..<2 {  // a replay changes nothing
            load = try server.psql([], database: "kvr", input: rest.stdoutBytes)
            XCTAssertEqual(load.status, 0, load.stderr)
        }
        XCTAssertEqual(try server.value("SELECT count(*) || '|' || sum(position) || '|' || count(DISTINCT id) FROM transactions", database: "kvr"),
                       "60|150|60")
        XCTAssertEqual(try server.value("SELECT count(*) || '|' || max(number) FROM blocks", database: "kvr"), "10|9")
        XCTAssertEqual(try server.value("SELECT count(*) FROM state WHERE namespace = 'k'", database: "kvr"), "60")
        XCTAssertEqual(try server.value("SELECT arguments ->> 'key' FROM transactions WHERE block = 2 AND position = 1", database: "kvr"), "k/2/1")
        XCTAssertEqual(try server.value("SELECT block FROM kvr_checkpoint", database: "kvr"), "9")
        XCTAssertEqual(try server.value("SELECT count(*) FROM pg_indexes WHERE indexname = 'transactions_by_channel_id'", database: "kvr"), "1")
        // An older script, and one overlapping the checkpoint, replayed: nothing changes, the checkpoint does not move back.
        let digest = "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM state t"
        let state = try server.value(digest, database: "kvr")
        let overlap = try kvr(["export"] + ledger + ["--format", "sql", "--dialect", "postgres", "--from", "2", "--to", "6", "--batch-rows", "12"])
        for script in [first, overlap] {
            load = try server.psql([], database: "kvr", input: script.stdoutBytes)
            XCTAssertEqual(load.status, 0, load.stderr)
        }
        XCTAssertEqual(try server.value("SELECT block FROM kvr_checkpoint", database: "kvr"), "9")
        XCTAssertEqual(try server.value(digest, database: "kvr"), state)
        XCTAssertEqual(try server.value("SELECT count(*) || '|' || count(DISTINCT id) FROM transactions", database: "kvr"), "60|60")

        // CSV with the PostgreSQL DDL, loaded by the folder's own load.sql (\copy).
        try server.createDatabase("csv")
        let dir = try temporaryDirectory(self) + "/csv"
        _ = try kvr(["export"] + ledger + ["--format", "csv", "--dir", dir, "--dialect", "postgres"])
        for script in ["schema.sql", "load.sql", "indexes.sql"] {
            let result = try server.psql(["-f", script], database: "csv", currentDirectory: dir)
            XCTAssertEqual(result.status, 0, "\(script): \(result.stderr)")
        }
        XCTAssertEqual(try server.value("SELECT count(*) || '|' || sum(position) || '|' || count(DISTINCT id) FROM transactions", database: "csv"),
                       "60|150|60")
        XCTAssertEqual(try server.value("SELECT count(*) FROM transactions WHERE reason IS NULL", database: "csv"), "60", "NULL stays NULL")
        XCTAssertEqual(try server.value("SELECT count(*) FROM state", database: "csv"), "60")
        // The same rows as the SQL text gave.
        for table in ["blocks", "transactions", "state_history", "state"] {
            let query = "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM \(table) t"
            XCTAssertEqual(try server.value(query, database: "csv"), try server.value(query, database: "kvr"), table)
        }
    }

    func testStraightIntoPostgresResumesFromTheCheckpointInTheServer() throws {
        let server = try PostgresServer.start(self)
        let home = try makeKVRLedger(blocks: 9, perBlock: 4).home
        let ledger = ["--channel", "consortium", "--ledger", home]
        try server.createDatabase("direct")
        let url = server.url(database: "direct")
        let first = try kvr(["export"] + ledger + ["--postgres", url, "--to", "4", "--batch-rows", "7"])
        XCTAssertTrue(first.stdout.hasPrefix("exported blocks 0 to 4 of channel 'consortium' into 'postgresql://postgres@/direct?host="), first.stdout)
        let second = try kvr(["export"] + ledger + ["--postgres", url, "--format", "json"])
        XCTAssertTrue(second.stdout.contains("\"resumed_after\":4") && second.stdout.contains("\"last_block\":8"), second.stdout)
        XCTAssertEqual(try server.value("SELECT count(*) || '|' || count(DISTINCT id) || '|' || sum(position) FROM transactions", database: "direct"),
                       "36|36|54")
        XCTAssertEqual(try server.value("SELECT block FROM kvr_checkpoint", database: "direct"), "8")
        XCTAssertEqual(try server.value("SELECT count(*) FROM pg_indexes WHERE indexname = 'state_history_by_channel_key'", database: "direct"), "1")
        // Another ledger's blocks are refused, and nothing changes.
        let other = try makeKVRLedger(blocks: 10, perBlock: 4).home
        let refused = try NodeFixture.run("csp-kvr", ["export", "--channel", "consortium", "--ledger", other, "--postgres", url], expect: 1)
        XCTAssertTrue(refused.stderr.hasSuffix(": the target was made from another ledger\n"), refused.stderr)
        XCTAssertEqual(try server.value("SELECT count(*) FROM blocks", database: "direct"), "9")
        // One writer per channel: a second one is refused while the first holds the lock.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["psql", "-X", "-q", "-h", server.socketDirectory, "-U", "postgres", "-d", "direct"]
        let input = Pipe()
        holder.standardInput = input
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        input.fileHandleForWriting.write(Data("SELECT pg_advisory_lock(hashtext('csp-kvr consortium'));\n".utf8))
        var locked = ""
        for _ in 0..<50 where !locked.contains("t") {
            usleep(100_000)
            locked = try server.value("SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND granted", database: "direct")
        }
        let busy = try NodeFixture.run("csp-kvr", ["export"] + ledger + ["--postgres", url], expect: 2)
        XCTAssertTrue(busy.stderr.hasPrefix("error: database 'postgresql://postgres@/direct?host=") && busy.stderr.hasSuffix(
            "' is locked by another writer of channel 'consortium'\n"), busy.stderr)
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        let unreachable = try NodeFixture.run("csp-kvr", ["export"] + ledger + ["--postgres", "postgresql://postgres@/direct?host=/nonexistent"], expect: 2)
        XCTAssertTrue(unreachable.stderr.hasPrefix("error: cannot connect to PostgreSQL 'postgresql://postgres@/direct?host=/nonexistent': "),
                      unreachable.stderr)
    }

    func testVerifyAPostgresTargetNamesTheFirstBlockThatDiffers() throws {
        let server = try PostgresServer.start(self)
        let home = try makeKVRLedger(blocks: 8, perBlock: 5).home
        let ledger = ["--channel", "consortium", "--ledger", home]
        try server.createDatabase("direct")
        try server.createDatabase("piped")
        let url = server.url(database: "direct")
        _ = try kvr(["export"] + ledger + ["--postgres", url, "--batch-rows", "20"])
        // Loaded by psql from SQL text too: JSONB respaces and reorders JSON, which must still match.
        let text = try kvr(["export"] + ledger + ["--format", "sql", "--dialect", "postgres"])
        XCTAssertEqual(try server.psql([], database: "piped", input: text.stdoutBytes).status, 0)
        for database in ["direct", "piped"] {
            let ok = try kvr(["verify"] + ledger + ["--postgres", server.url(database: database)])
            XCTAssertTrue(ok.stdout.hasSuffix("matches the ledger: channel 'consortium', blocks 0 to 7, 88 rows\n"), ok.stdout)
        }
        let json = try kvr(["verify"] + ledger + ["--postgres", url, "--format", "json"])
        XCTAssertTrue(json.stdout.contains("\"ok\":true") && json.stdout.contains("\"checkpoint\":7"), json.stdout)

        // A changed value in block 5 and a missing row in block 6: block 5 is named.
        _ = try server.value("UPDATE transactions SET function = 'tampered' WHERE block = 5 AND position = 2 RETURNING 1", database: "direct")
        _ = try server.value("DELETE FROM state_history WHERE block = 6 RETURNING 1", database: "direct")
        let differs = try NodeFixture.run("csp-kvr", ["verify"] + ledger + ["--postgres", url], expect: 1)
        XCTAssertEqual(differs.stderr, "error: '\(url)' does not match the ledger: block 5 differs: the ledger gives 11 rows, the database holds 11 with other values\n")
        _ = try server.value("UPDATE transactions SET function = 'put' WHERE block = 5 AND position = 2 RETURNING 1", database: "direct")
        let missing = try NodeFixture.run("csp-kvr", ["verify"] + ledger + ["--postgres", url], expect: 1)
        XCTAssertTrue(missing.stderr.contains(": block 6 differs: the ledger gives "), missing.stderr)
        // Current state is compared as a whole.
        _ = try server.value("UPDATE state SET value = 'x' WHERE key = 'k/1/1' RETURNING 1", database: "piped")
        let state = try NodeFixture.run("csp-kvr", ["verify"] + ledger + ["--postgres", server.url(database: "piped")], expect: 1)
        XCTAssertTrue(state.stderr.hasSuffix("table 'state' differs: the ledger gives 40 rows up to block 7, the database holds 40 with other values\n"), state.stderr)

        // A database without an export, an unreachable server, and no target at all.
        let empty = try NodeFixture.run("csp-kvr", ["verify"] + ledger + ["--postgres", server.url()], expect: 1)
        XCTAssertTrue(empty.stderr.hasSuffix("holds no export of channel 'consortium'\n"), empty.stderr)
        let unreachable = try NodeFixture.run("csp-kvr", ["verify"] + ledger + ["--postgres", "postgresql://postgres@/direct?host=/nonexistent"], expect: 2)
        XCTAssertTrue(unreachable.stderr.hasPrefix("error: cannot connect to PostgreSQL "), unreachable.stderr)
        let usage = try NodeFixture.run("csp-kvr", ["verify"] + ledger, expect: 64)
        XCTAssertTrue(usage.stderr.contains("verify needs one target: --db FILE or --postgres URL"), usage.stderr)
    }

    func testTLSWithSslmodeRequireAndVerifyFull() throws {
        let server = try PostgresServer.start(self, tls: true)
        let home = try makeKVRLedger(blocks: 3, perBlock: 2).home
        let ledger = ["--channel", "consortium", "--ledger", home]
        try server.createDatabase("tls")
        let ca = server.caCertificate
        // The server takes TLS only on TCP: without it, it refuses.
        let plain = try NodeFixture.run("csp-kvr", ["export"] + ledger + ["--postgres", server.tcpURL(database: "tls", "sslmode=disable")], expect: 2)
        XCTAssertTrue(plain.stderr.hasPrefix("error: cannot connect to PostgreSQL 'postgresql://postgres@localhost:\(server.port)/tls?sslmode=disable': "),
                      plain.stderr)
        XCTAssertTrue(plain.stderr.contains("no encryption"), plain.stderr)
        // require: TLS, the certificate unchecked (no sslrootcert), as libpq does.
        let required = try kvr(["export"] + ledger + ["--postgres", server.tcpURL(database: "tls", "sslmode=require"), "--to", "1"])
        XCTAssertTrue(required.stdout.hasPrefix("exported blocks 0 to 1 of channel 'consortium'"), required.stdout)
        // verify-full: the chain against the test CA and the name localhost; export continues, verify agrees.
        let full = server.tcpURL(database: "tls", "sslmode=verify-full&sslrootcert=\(ca)")
        let rest = try kvr(["export"] + ledger + ["--postgres", full, "--format", "json"])
        XCTAssertTrue(rest.stdout.contains("\"resumed_after\":1") && rest.stdout.contains("\"last_block\":2"), rest.stdout)
        let verified = try kvr(["verify"] + ledger + ["--postgres", full])
        XCTAssertTrue(verified.stdout.contains("matches the ledger: channel 'consortium', blocks 0 to 2"), verified.stdout)
        XCTAssertEqual(try server.value("SELECT count(*) FROM transactions", database: "tls"), "6")

        // A certificate the given CA did not sign, and a host name the certificate does not name, are refused.
        let other = try temporaryDirectory(self)
        let made = try runProcess("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                              "-keyout", other + "/key.pem", "-out", other + "/ca.pem", "-days", "2", "-subj", "/CN=another CA"])
        XCTAssertEqual(made.status, 0, made.stderr)
        for url in [server.tcpURL(database: "tls", "sslmode=verify-full&sslrootcert=\(other)/ca.pem"),
                    server.tcpURL(database: "tls", "sslmode=require&sslrootcert=\(other)/ca.pem"),
                    server.tcpURL(host: "127.0.0.1", database: "tls", "sslmode=verify-full&sslrootcert=\(ca)")] {
            let refused = try NodeFixture.run("csp-kvr", ["export"] + ledger + ["--postgres", url], expect: 2)
            XCTAssertTrue(refused.stderr.hasPrefix("error: cannot connect to PostgreSQL "), "\(url): \(refused.stderr)")
        }
        // Mistakes in the URL: said before anything connects.
        let missing = try NodeFixture.run("csp-kvr", ["export"] + ledger + ["--postgres", server.tcpURL(database: "tls", "sslmode=verify-full&sslrootcert=/nonexistent.pem")], expect: 2)
        XCTAssertEqual(missing.stderr, "error: cannot read sslrootcert '/nonexistent.pem': no such file\n")
        let unknown = try NodeFixture.run("csp-kvr", ["export"] + ledger + ["--postgres", server.tcpURL(database: "tls", "sslmode=always")], expect: 2)
        XCTAssertTrue(unknown.stderr.hasSuffix(": unknown sslmode 'always' (disable, allow, prefer, require, verify-ca, verify-full)\n"), unknown.stderr)
        let socket = try NodeFixture.run("csp-kvr", ["export"] + ledger + ["--postgres", server.url(database: "tls") + "&sslmode=require"], expect: 2)
        XCTAssertTrue(socket.stderr.contains("sslmode=require needs a TCP host, not the Unix socket"), socket.stderr)
        XCTAssertEqual(try server.value("SELECT count(*) FROM transactions", database: "tls"), "6", "nothing written by the refused runs")
    }
}
