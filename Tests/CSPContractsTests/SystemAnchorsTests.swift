import CSPContracts
import CSPFormat
import XCTest

final class SystemAnchorsTests: XCTestCase {
    private let clerk = Creator(organization: "Acme", id: "clerk", role: "enterprise")
    private let a = String(repeating: "a", count: 64), b = String(repeating: "0123456789abcdef", count: 4)
    private var caller: SystemCaller!

    override func setUp() {
        caller = SystemCaller { call, state in try SystemAnchors.execute(call, &state) }
    }

    func testRecordIndexesEveryFingerprintByHash() throws {
        let outcome = try caller.success(clerk, "anchor", "record", ["fingerprints": "\(a),\(b)", "ref": "demand-42", "type": "invoice"])
        let keys = caller.state.values.keys.map(systemText).sorted()
        XCTAssertEqual(keys.count, 2)
        XCTAssertTrue(keys[0].hasPrefix("anchor/doc/\(b)/"), keys[0])
        XCTAssertTrue(keys[1].hasPrefix("anchor/doc/\(a)/"), keys[1])
        XCTAssertEqual(keys[0].utf8.count, "anchor/doc/".utf8.count + 64 + 1 + 64, "fingerprint then txid")
        XCTAssertEqual(caller.state.text(keys[1]),
                       #"{"block":5,"by":"Acme/clerk","organization":"Acme","ref":"demand-42","role":"enterprise","time":1700000000000,"type":"invoice"}"#)
        XCTAssertEqual(outcome.events, [ContractEvent(name: "record", payload: Array(#"{"count":2,"ref":"demand-42","type":"invoice"}"#.utf8))])
    }

    func testBatchStoresOnlyTheRootAndCount() throws {
        let outcome = try caller.success(clerk, "anchor", "batch", ["root": a, "count": "100000"])
        let keys = caller.state.values.keys.map(systemText)
        XCTAssertEqual(keys.count, 1)
        XCTAssertTrue(keys[0].hasPrefix("anchor/batch/\(a)/"))
        XCTAssertEqual(caller.state.text(keys[0]), #"{"block":5,"by":"Acme/clerk","count":100000,"organization":"Acme","role":"enterprise","time":1700000000000}"#)
        XCTAssertEqual(outcome.events.map(\.name), ["batch"])
    }

    func testRefusals() throws {
        XCTAssertEqual(try caller.failure(clerk, "anchor", "record", [:]), "anchor.record: missing argument 'fingerprints'")
        XCTAssertEqual(try caller.failure(clerk, "anchor", "record", ["fingerprints": a.uppercased()]),
                       "anchor.record: fingerprint '\(a.uppercased())' is not 64 lower-case hex digits")
        XCTAssertEqual(try caller.failure(clerk, "anchor", "record", ["fingerprints": "\(a),"]), "anchor.record: fingerprint '' is not 64 lower-case hex digits")
        XCTAssertEqual(try caller.failure(clerk, "anchor", "record", ["fingerprints": "\(a),\(a)"]), "anchor.record: a fingerprint is listed twice")
        XCTAssertEqual(try caller.failure(clerk, "anchor", "record", ["fingerprints": Array(repeating: a, count: 1001).joined(separator: ",")]),
                       "anchor.record: at most 1000 fingerprints per transaction, not 1001")
        XCTAssertEqual(try caller.failure(clerk, "anchor", "record", ["fingerprints": a, "ref": String(repeating: "r", count: 257)]),
                       "anchor.record: ref must be 1 to 256 bytes")
        XCTAssertEqual(try caller.failure(clerk, "anchor", "record", ["fingerprints": a, "name": "x"]), "anchor.record: unexpected argument 'name'")
        XCTAssertEqual(try caller.failure(clerk, "anchor", "batch", ["root": a, "count": "0"]), "anchor.batch: count must be 1 to 1099511627776")
        XCTAssertEqual(try caller.failure(clerk, "anchor", "batch", ["root": "xyz", "count": "1"]), "anchor.batch: root 'xyz' is not 64 lower-case hex digits")
        XCTAssertEqual(try caller.failure(clerk, "anchor", "erase", [:]), "anchor.erase: no such function")
    }
}
