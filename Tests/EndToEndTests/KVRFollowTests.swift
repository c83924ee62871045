import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// `csp-kvr follow` beside a real node: rows visible within a second of the commit, a node
/// restart survived, no block skipped or repeated; workflow instances in their typed view.
final class KVRFollowTests: XCTestCase {
    func testFollowsANodeThroughARestart() throws {
        let fixture = try NodeFixture.makeForWorkflows(self)
        var node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        let db = fixture.dir + "/follow.db"
        let follow = Process()
        follow.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-kvr"))
        follow.arguments = ["follow", "--channel", fixture.channel, "--ledger", fixture.node, "--db", db, "--format", "json"]
        FileManager.default.createFile(atPath: fixture.dir + "/follow.out", contents: nil)
        follow.standardOutput = FileHandle(forWritingAtPath: fixture.dir + "/follow.out")
        let errors = Pipe()
        follow.standardError = errors
        try follow.run()
        defer { if follow.isRunning { follow.terminate(); follow.waitUntilExit() } }

        var lags: [Double] = []
        for round in 0..<2 {
            for i in 0..<3 {
                let key = "r\(round)k\(i)"
                try fixture.tx("alice", ["submit", "kv.put", "key=\(key)", "value=v\(i)"])
                // csp-tx returns once the block is committed: from here the row must show within a second.
                lags.append(secondsUntil(db, "SELECT value FROM state WHERE key = 'kv/\(key)'", is: "v\(i)"))
            }
            if round == 0 {
                node.terminate()
                node.waitUntilExit()
                node = try fixture.start()
            }
        }
        XCTAssertLessThan(lags.max() ?? 9, 1.0, "lags \(lags)")

        // A workflow instance, in its typed view.
        let definitions = repositoryRoot + "/docs/contracts/"
        try fixture.tx("root", ["contract", "propose", definitions + "demand.json"])
        try fixture.tx("root", ["contract", "approve", "demand", "1"])
        try fixture.tx("alice", ["call", "demand.submit", "--id", "D-1", "category=complaint", "description=heating fails"])
        XCTAssertLessThan(secondsUntil(db, "SELECT category || '|' || state || '|' || party_customer FROM demands WHERE id = 'D-1'",
                                           is: "complaint|submitted|Acme/alice"), 1.0)
        XCTAssertEqual(try sqliteValue(db, "SELECT transition || '|' || definition FROM transitions WHERE instance = 'D-1'"), "submit|demand")
        XCTAssertEqual(try sqliteValue(db, "SELECT creator || '|' || role FROM transactions WHERE function = 'submit' AND contract = 'demand'"),
                       "Acme/alice|customer")

        follow.terminate()
        follow.waitUntilExit()
        XCTAssertEqual(follow.terminationStatus, 0, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        // Every block once, none missing; one JSON line per committed block.
        let blocks = try sqliteValue(db, "SELECT count(*) || '|' || count(DISTINCT number) || '|' || (max(number) + 1) FROM blocks")
        let parts = blocks.split(separator: "|")
        XCTAssertEqual(Set(parts).count, 1, blocks)
        let lines = try String(contentsOfFile: fixture.dir + "/follow.out", encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines.last?.contains("\"block\":\(Int(parts[0])! - 1)") ?? false, "\(lines)")
        let verified = try NodeFixture.run("csp-kvr", ["verify", "--channel", fixture.channel, "--ledger", fixture.node, "--db", db])
        XCTAssertTrue(verified.stdout.contains("matches the ledger"), verified.stdout)
        // The DDL with the business views of this ledger's definitions, in each dialect.
        let ddl = try NodeFixture.run("csp-kvr", ["schema", "--dialect", "postgres", "--channel", fixture.channel, "--ledger", fixture.node]).stdout
        XCTAssertTrue(ddl.contains("CREATE VIEW \"demands\" AS SELECT") && ddl.contains("((i.\"fields\" ->> 'score')::bigint) AS \"score\""), ddl)
        let mysql = try NodeFixture.run("csp-kvr", ["schema", "--dialect", "mysql", "--channel", fixture.channel, "--ledger", fixture.node]).stdout
        XCTAssertTrue(mysql.contains("CREATE OR REPLACE VIEW `demands` AS SELECT"), mysql)
        // Certificates and signatures only when asked for.
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*) FROM transactions WHERE creator_certificate IS NOT NULL OR signature IS NOT NULL"), "0")
        let full = fixture.dir + "/full.db"
        try NodeFixture.run("csp-kvr", ["export", "--channel", fixture.channel, "--ledger", fixture.node, "--db", full, "--include-certificates"])
        XCTAssertEqual(try sqliteValue(full, "SELECT count(*) = sum(length(creator_certificate) > 300 AND length(signature) >= 64) FROM transactions"), "1")
        XCTAssertEqual(try sqliteValue(full, "SELECT count(*) FROM blocks WHERE orderer_certificate IS NULL"), "0")
    }
}
