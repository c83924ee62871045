@testable import CSPKVR
import CSPSQLite
import CSPTestSupport
import Foundation
import XCTest

final class MappingTests: XCTestCase {
    static let mapping = """
        {"tables": [
          {"name": "kv_values", "prefix": "kv/", "key": "name", "columns": [{"name": "value", "from": "$value"}]},
          {"name": "demand_scores", "definition": "demand",
           "columns": [{"name": "score", "from": "fields.score", "type": "integer"}, {"name": "state"},
                       {"name": "report", "from": "fields.report", "type": "json"}]}
        ]}
        """

    func testMappedTablesFollowTheState() throws {
        let ledger = try KVRTestLedger.make(self)
        let db = try temporaryDirectory(self) + "/mapped.db"
        var deriver = RowDeriver(channel: "consortium", mapping: try Mapping(text: Self.mapping, source: "m"))
        let sink = try SQLiteSink(path: db)
        _ = try Exporter(source: try LedgerSource(ledger: ledger.directory, channel: "consortium"), sink: sink,
                         options: Exporter.Options()).run(deriver: &deriver)
        sink.close()
        let database = try SQLiteDatabase(path: db, readOnly: true)
        defer { database.close() }
        XCTAssertEqual(try database.scalar("SELECT group_concat(name || '=' || value, ',') FROM kv_values"), .text("b=3"), "kv/a was deleted")
        XCTAssertEqual(try database.scalar("SELECT score || ' ' || state FROM demand_scores WHERE id = 'D-1'"), .text("5 closed"))
        XCTAssertEqual(try database.scalar("SELECT typeof(score) FROM demand_scores"), .text("integer"))
        XCTAssertNil(try Verifier().verify(database: db, source: try LedgerSource(ledger: ledger.directory, channel: "consortium"),
                                           deriver: RowDeriver(channel: "consortium", mapping: try Mapping(text: Self.mapping, source: "m"))).difference)
    }

    func testInvalidMappingsAreNamed() {
        let cases: [(String, String)] = [
            ("[]", "invalid mapping file 'm': expected {\"tables\": [ … ]} with at least one table"),
            ("{\"tables\": [{\"name\": \"blocks\", \"prefix\": \"kv/\", \"columns\": [{\"name\": \"v\"}]}]}",
             "invalid mapping file 'm': table 'blocks': the name is taken"),
            ("{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"v\"}]}]}",
             "invalid mapping file 'm': table 't': give either \"prefix\" (a state key prefix) or \"definition\" (a workflow definition)"),
            ("{\"tables\": [{\"name\": \"t\", \"prefix\": \"kv/\", \"columns\": [{\"name\": \"v\", \"type\": \"float\"}]}]}",
             "invalid mapping file 'm': table 't': column 'v': unknown type 'float' (text, integer, json)"),
            ("{\"tables\": [{\"name\": \"t\", \"prefix\": \"kv/\", \"colums\": []}]}", "invalid mapping file 'm': table 't': unknown key 'colums'"),
            ("{\"tables\": [", "invalid mapping file 'm': invalid JSON at byte 12: unexpected end of input"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try Mapping(text: text, source: "m")) { error in XCTAssertEqual("\(error)", message) }
        }
    }
}
