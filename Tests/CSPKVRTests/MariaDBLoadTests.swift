import CSPKVR
import CSPTestSupport
import Foundation
import XCTest

/// The MySQL dialect against a real MariaDB server: typed business views over JSON, deletes.
final class MariaDBLoadTests: XCTestCase {
    func testBusinessViewsAndStateInMariaDB() throws {
        let server = try MariaDBServer.start(self)
        let ledger = try KVRTestLedger.make(self)
        let file = try temporaryDirectory(self) + "/export.sql"
        var deriver = RowDeriver(channel: "consortium")
        _ = try Exporter(source: try LedgerSource(ledger: ledger.directory, channel: "consortium"),
                         sink: SQLTextSink(dialect: .mysql, output: try ByteWriter(path: file)),
                         options: Exporter.Options()).run(deriver: &deriver)
        try server.createDatabase("kvr")
        let load = try server.client([], database: "kvr", input: try Data(contentsOf: URL(fileURLWithPath: file)))
        XCTAssertEqual(load.status, 0, load.stderr)
        XCTAssertEqual(try server.value("SELECT score + 1 FROM demands WHERE id = 'D-1'", database: "kvr"), "6")
        XCTAssertEqual(try server.value("SELECT CONCAT(party_customer, ' ', category, ' ', state) FROM demands", database: "kvr"),
                       "Acme/alice complaint closed")
        XCTAssertEqual(try server.value("SELECT GROUP_CONCAT(CONCAT(`key`, '=', value) ORDER BY `key`) FROM state WHERE namespace = 'kv'",
                                        database: "kvr"), "kv/b=3", "deletes honoured")
        XCTAssertEqual(try server.value("SELECT document FROM milestones", database: "kvr"), "r.pdf")
        XCTAssertEqual(try server.value("SELECT JSON_UNQUOTE(JSON_EXTRACT(payload, '$.id')) FROM events", database: "kvr"), "D-1")
    }
}
