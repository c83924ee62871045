import CSPLedger
import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// What the csp-kvr end-to-end tests share: a ledger committed as a node commits it, and
/// SQLite looked at through the real sqlite3 command.
extension XCTestCase {
    /// A node-home-shaped folder holding channel `consortium` with `blocks` blocks of
    /// `perBlock` kv puts, committed through LedgerStore as a node does.
    func makeKVRLedger(blocks: Int, perBlock: Int) throws -> (home: String, builder: ChainBuilder) {
        let home = try temporaryDirectory(self)
        let builder = ChainBuilder(channel: "consortium")
        let store = try LedgerStore(directory: home + "/channels/consortium", channel: "consortium", options: .init())
        defer { store.close() }
        for record in try builder.blocks(blocks, perBlock: perBlock) { try store.commit(record) }
        return (home, builder)
    }

    /// A ledger of 10 blocks (0 to 9) whose keys change after they are first written, so a
    /// replay of an older range that were applied would show: `r/1` is `old` at block 2 and
    /// `new` at block 8; `r/2` is put at 2 and deleted at 8; `r/3` is put at 3, deleted at 4
    /// and put again at 8.
    func makeKVRRewrittenLedger() throws -> String {
        let home = try temporaryDirectory(self)
        let builder = ChainBuilder(channel: "consortium")
        let store = try LedgerStore(directory: home + "/channels/consortium", channel: "consortium", options: .init())
        defer { store.close() }
        var records = try builder.blocks(2, perBlock: 2)
        records.append(try builder.block([try builder.put("r/1", "old"), try builder.put("r/2", "doomed")]))
        records.append(try builder.block([try builder.put("r/3", "first")]))
        records.append(try builder.block([try builder.delete("r/3")]))
        records += try builder.blocks(3, perBlock: 2)
        records.append(try builder.block([try builder.writes([("r/1", "new"), ("r/2", nil), ("r/3", "again")])]))
        records += try builder.blocks(1, perBlock: 2)
        for record in records { try store.commit(record) }
        return home
    }

    /// One query's output from `sqlite3`, trimmed; a failing query fails the test.
    func sqliteValue(_ db: String, _ sql: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try runProcess("sqlite3", [db, sql])
        XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Seconds until `sql` on `db` prints `expected`; fails the test after `limit` seconds.
    func secondsUntil(_ db: String, _ sql: String, is expected: String, limit: Double = 5,
                      file: StaticString = #filePath, line: UInt = #line) -> Double {
        let start = Date()
        while Date().timeIntervalSince(start) < limit {
            if FileManager.default.fileExists(atPath: db), (try? runProcess("sqlite3", [db, sql]))?.stdout
                .trimmingCharacters(in: .whitespacesAndNewlines) == expected {
                return Date().timeIntervalSince(start)
            }
            usleep(20_000)
        }
        XCTFail("\(sql) never gave \(expected)", file: file, line: line)
        return limit
    }
}
