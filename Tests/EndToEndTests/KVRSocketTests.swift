import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// csp-kvr reading a running node through its socket (--socket): export with resume,
/// follow with pushed blocks through a node restart, and the usage and connection errors.
final class KVRSocketTests: XCTestCase {
    private func kvr(_ arguments: [String], expect status: Int32? = 0, file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        try NodeFixture.run("csp-kvr", arguments, expect: status, file: file, line: line)
    }

    func testExportThroughTheSocketEqualsTheBlockFilesAndResumes() throws {
        let fixture = try NodeFixture.make(self)
        let node = try fixture.start()
        defer { node.terminate(); node.waitUntilExit() }
        for i in 0..<4 { try fixture.tx("alice", ["submit", "kv.put", "key=k\(i)", "value=\(i * 10)"]) }
        let through = ["--channel", fixture.channel, "--socket", fixture.socket, "--home", fixture.dir + "/root"]
        let db = fixture.dir + "/socket.db"
        let first = try kvr(["export", "--db", db, "--format", "json"] + through)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any], first.stdout)
        XCTAssertEqual(summary["first_block"] as? Int, 0)
        XCTAssertNil(summary["resumed_after"] as? Int)
        // The same rows as from the block files, and verify agrees (through either source).
        let files = fixture.dir + "/files.db"
        try kvr(["export", "--db", files, "--channel", fixture.channel, "--ledger", fixture.node])
        for sql in ["SELECT count(*), sum(length(hash)) FROM blocks", "SELECT count(*), group_concat(id) FROM (SELECT id FROM transactions ORDER BY id)",
                    "SELECT group_concat(key || '=' || value) FROM (SELECT key, value FROM state ORDER BY key)"] {
            XCTAssertEqual(try sqliteValue(db, sql), try sqliteValue(files, sql), sql)
        }
        XCTAssertEqual(try sqliteValue(db, "SELECT sum(CAST(value AS INTEGER)) FROM state WHERE key LIKE 'kv/k%'"), "60")
        try kvr(["verify", "--db", db, "--channel", fixture.channel, "--ledger", fixture.node])
        XCTAssertTrue(try kvr(["verify", "--db", files] + through).stdout.contains("matches the ledger"))
        // Nothing new: up to date; two more blocks: resumed after the checkpoint.
        XCTAssertTrue(try kvr(["export", "--db", db] + through).stdout.contains("is up to date"))
        let last = Int(try sqliteValue(db, "SELECT max(number) FROM blocks"))!
        for i in 4..<6 { try fixture.tx("alice", ["submit", "kv.put", "key=k\(i)", "value=\(i * 10)"]) }
        let resumed = try kvr(["export", "--db", db, "--format", "json"] + through)
        let again = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(again["resumed_after"] as? Int, last)
        XCTAssertEqual(again["first_block"] as? Int, last + 1)
        XCTAssertEqual(try sqliteValue(db, "SELECT count(*) = count(DISTINCT number) AND count(*) = max(number) + 1 FROM blocks"), "1")
        XCTAssertEqual(try sqliteValue(db, "SELECT sum(CAST(value AS INTEGER)) FROM state WHERE key LIKE 'kv/k%'"), "150")
        // A channel the node does not serve: refused (exit 1), nothing written.
        let wrong = try kvr(["export", "--db", fixture.dir + "/x.db", "--channel", "nosuch", "--socket", fixture.socket,
                             "--home", fixture.dir + "/root"], expect: 1)
        XCTAssertEqual(wrong.stderr, "error: the node at '\(fixture.socket)': the node serves no channel 'nosuch'\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.dir + "/x.db"))
    }

    func testSourceErrors() throws {
        let dir = try temporaryDirectory(self)
        let both = try kvr(["export", "--channel", "c", "--ledger", dir, "--socket", dir + "/node.sock", "--db", dir + "/a.db"], expect: 64)
        XCTAssertTrue(both.stderr.contains("give one source of blocks: --ledger DIR, --socket PATH or --node HOST:PORT"), both.stderr)
        let badNode = try kvr(["export", "--channel", "c", "--node", "nowhere", "--db", dir + "/a.db"], expect: 64)
        XCTAssertTrue(badNode.stderr.contains("--node 'nowhere' is not HOST:PORT"), badNode.stderr)
        let fixture = try NodeFixture.make(self)
        let absent = try kvr(["export", "--channel", fixture.channel, "--socket", fixture.socket, "--home", fixture.dir + "/root",
                              "--db", dir + "/a.db"], expect: 2)
        XCTAssertTrue(absent.stderr.hasPrefix("error: cannot connect to '\(fixture.socket)': no such socket; is csp-node running?"), absent.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/a.db"), "the source is opened before the target")
        let noIdentity = try kvr(["export", "--channel", fixture.channel, "--socket", fixture.socket, "--home", dir + "/nobody",
                                  "--db", dir + "/b.db"], expect: 2)
        XCTAssertTrue(noIdentity.stderr.hasPrefix("error: no identity in '\(dir)/nobody'"), noIdentity.stderr)
    }

    func testFollowThroughTheSocketGetsPushedBlocksAcrossARestart() throws {
        let fixture = try NodeFixture.make(self)
        var node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        let db = fixture.dir + "/follow.db"
        let follow = Process()
        follow.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-kvr"))
        // --interval 60000: were it polling, nothing would show within the test's bounds.
        follow.arguments = ["follow", "--channel", fixture.channel, "--socket", fixture.socket, "--home", fixture.dir + "/root",
                            "--db", db, "--format", "json", "--interval", "60000"]
        FileManager.default.createFile(atPath: fixture.dir + "/follow.out", contents: nil)
        follow.standardOutput = FileHandle(forWritingAtPath: fixture.dir + "/follow.out")
        FileManager.default.createFile(atPath: fixture.dir + "/follow.err", contents: nil)
        follow.standardError = FileHandle(forWritingAtPath: fixture.dir + "/follow.err")
        try follow.run()
        defer { if follow.isRunning { follow.terminate(); follow.waitUntilExit() } }

        var lags: [Double] = []
        for round in 0..<2 {
            for i in 0..<3 {
                let key = "r\(round)k\(i)"
                try fixture.tx("alice", ["submit", "kv.put", "key=\(key)", "value=v\(i)"])
                lags.append(secondsUntil(db, "SELECT value FROM state WHERE key = 'kv/\(key)'", is: "v\(i)", limit: 10))
            }
            if round == 0 {
                node.terminate()
                node.waitUntilExit()
                usleep(300_000)
                node = try fixture.start()
            }
        }
        XCTAssertLessThan(lags.max() ?? 99, 1.0, "lags \(lags)")
        // SIGTERM while it waits on the node's stream: it stops at once, not at the next
        // heartbeat (every 2 s), and exits 0 with its checkpoint committed (verified below).
        let stopping = Date()
        follow.terminate()
        follow.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(stopping), 1.0, "follow took this long to stop on SIGTERM")
        let errors = (try? String(contentsOfFile: fixture.dir + "/follow.err", encoding: .utf8)) ?? ""
        XCTAssertEqual(follow.terminationStatus, 0, errors)
        XCTAssertTrue(errors.contains("waiting for it to come back"), errors)
        let blocks = try sqliteValue(db, "SELECT count(*) || '|' || count(DISTINCT number) || '|' || (max(number) + 1) FROM blocks")
        XCTAssertEqual(Set(blocks.split(separator: "|")).count, 1, blocks)
        XCTAssertTrue(try kvr(["verify", "--channel", fixture.channel, "--ledger", fixture.node, "--db", db]).stdout.contains("matches the ledger"))
    }
}
