import CSPKVR
import CSPTestSupport
import Foundation
import XCTest

/// The PostgreSQL dialect against a real server: typed business views, JSONB, deletes.
final class PostgresLoadTests: XCTestCase {
    func testBusinessViewsAndStateInPostgres() throws {
        let server = try PostgresServer.start(self)
        let ledger = try KVRTestLedger.make(self)
        let file = try temporaryDirectory(self) + "/export.sql"
        var deriver = RowDeriver(channel: "consortium")
        _ = try Exporter(source: try LedgerSource(ledger: ledger.directory, channel: "consortium"),
                         sink: SQLTextSink(dialect: .postgres, output: try ByteWriter(path: file)),
                         options: Exporter.Options()).run(deriver: &deriver)
        let load = try server.psql(["-f", file])
        XCTAssertEqual(load.status, 0, load.stderr)
        XCTAssertEqual(try server.value("SELECT score + 1 FROM demands WHERE id = 'D-1'"), "6")
        XCTAssertEqual(try server.value("SELECT party_customer || ' ' || category || ' ' || state FROM demands"), "Acme/alice complaint closed")
        XCTAssertEqual(try server.value("SELECT report ->> 'name' FROM demands"), "", "the closing version holds no report")
        XCTAssertEqual(try server.value("SELECT pg_typeof(score)::text FROM demands"), "bigint")
        XCTAssertEqual(try server.value("SELECT string_agg(key || '=' || value, ',' ORDER BY key) FROM state WHERE namespace = 'kv'"), "kv/b=3")
        XCTAssertEqual(try server.value("SELECT document FROM milestones"), "r.pdf")
        XCTAssertEqual(try server.value("SELECT payload ->> 'id' FROM events"), "D-1")
        XCTAssertEqual(try server.value("SELECT (fields -> 'category') #>> '{}' FROM instances"), "complaint")
    }
}
