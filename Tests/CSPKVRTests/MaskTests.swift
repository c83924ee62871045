import CSPBasics
@testable import CSPKVR
import CSPSQLite
import CSPTestSupport
import Foundation
import XCTest

final class MaskTests: XCTestCase {
    func testHMACKnownAnswer() {
        // RFC 4231, test case 2.
        XCTAssertEqual(Hex.encode(MaskRules.hmac(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8))),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testActions() throws {
        let rules = try MaskRules(text: "accounts.phone keep-last 4\n", source: "m", key: Array("k".utf8))
        XCTAssertEqual(rules.mask("+86 555 0101", .keepLast(4)), "********0101")
        XCTAssertEqual(rules.mask("Alice Wu", .keepFirst(1)), "A*******")
        XCTAssertNil(rules.mask("x", .drop))
        XCTAssertEqual(rules.mask("Acme/alice", .hash), rules.mask("Acme/alice", .hash), "the same input, the same hash: joins work")
        XCTAssertNotEqual(rules.mask("Acme/alice", .hash), rules.mask("Acme/bob", .hash))
        XCTAssertEqual(rules.mask("Acme/alice", .hash)?.count, 34)
    }

    func testInvalidRulesAreNamedByLine() {
        let cases: [(String, String)] = [
            ("accounts.phone blur\n", "invalid mask file 'm' line 1: unknown action 'blur' (keep-first N, keep-last N, hash, drop)"),
            ("# ok\nnosuch.phone drop\n", "invalid mask file 'm' line 2: no table 'nosuch'"),
            ("accounts.mobile drop", "invalid mask file 'm' line 1: table 'accounts' has no column 'mobile'"),
            ("accounts.phone keep-last\n", "invalid mask file 'm' line 1: 'keep-last' needs a number of characters"),
            ("accounts drop\n", "invalid mask file 'm' line 1: 'accounts' is not TABLE.COLUMN or TABLE.COLUMN.FIELD"),
            ("accounts.phone hash\n", "mask file 'm' uses 'hash': give its secret with --mask-key FILE"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try MaskRules(text: text, source: "m", key: nil)) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }

    func testMaskedValuesNeverReachTheDatabase() throws {
        let ledger = try KVRTestLedger.make(self)
        let dir = try temporaryDirectory(self)
        let rules = try MaskRules(text: """
            # customers' contact data
            accounts.phone keep-last 4
            accounts.display_name keep-first 1
            *.*.contact.phone keep-last 4     # the account record in state and history
            *.*.displayName keep-first 1
            accounts.account hash
            instances.fields.category drop
            """, source: "m", key: Array("secret".utf8))
        var deriver = RowDeriver(channel: "consortium", transform: rules.transform())
        let sink = try SQLiteSink(path: dir + "/masked.db")
        _ = try Exporter(source: try LedgerSource(ledger: ledger.directory, channel: "consortium"), sink: sink,
                         options: Exporter.Options()).run(deriver: &deriver)
        sink.close()
        for file in try FileManager.default.contentsOfDirectory(atPath: dir) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file))
            XCTAssertNil(bytes.range(of: Data("555 0101".utf8)), "\(file) holds the phone number")
            XCTAssertNil(bytes.range(of: Data("Alice Wu".utf8)), "\(file) holds the name")
        }
        let database = try SQLiteDatabase(path: dir + "/masked.db", readOnly: true)
        defer { database.close() }
        XCTAssertEqual(try database.scalar("SELECT phone || ' ' || display_name FROM accounts"), .text("********0101 A*******"))
        XCTAssertEqual(try database.scalar("SELECT substr(account, 1, 2) FROM accounts"), .text("h:"))
        XCTAssertEqual(try database.scalar("SELECT json_extract(value, '$.contact.phone') FROM state WHERE key = 'account/Acme/alice'"),
                       .text("********0101"))
        XCTAssertEqual(try database.scalar("SELECT json_type(fields, '$.category') FROM instances"), .null)
        XCTAssertEqual(try database.scalar("SELECT category FROM demands"), .null, "the view reads the masked fields")
    }
}
