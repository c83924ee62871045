import CSPContracts
import CSPFormat
@testable import CSPKVR
import CSPSQLite
import CSPTestSupport
import XCTest

/// The export's fast paths give exactly what the general code gives.
final class FastPathTests: XCTestCase {
    /// What CanonicalJSON writes for the arguments (the general path).
    private func canonical(_ arguments: [TransactionArgument]) -> String {
        var object: [String: CanonicalJSON.Value] = [:]
        for argument in arguments {
            object[argument.name] = String(validating: argument.value, as: UTF8.self).map(CanonicalJSON.Value.string)
                ?? .object(["hex": .string(argument.value.map { String(format: "%02x", $0) }.joined())])
        }
        return String(decoding: CanonicalJSON.encode(.object(object)), as: UTF8.self)
    }

    func testArgumentsJSONFastPathMatchesCanonicalJSON() throws {
        let cases: [[(String, [UInt8])]] = [
            [],
            [("key", Array("k1".utf8)), ("value", Array("value of 1".utf8))],
            [("value", Array("v".utf8)), ("key", Array("k".utf8))],  // out of order: general path
            [("a", Array("say \"hi\"".utf8)), ("b", Array("back\\slash".utf8))],  // escapes
            [("line", Array("two\nlines\t".utf8))],
            [("name", Array("Zoë 张".utf8))],  // not ASCII
            [("bytes", [0xff, 0x00, 0x10])],  // not UTF-8
            [("x", Array("1".utf8)), ("x", Array("2".utf8))],  // repeated name: the last wins
            [("B", Array("upper".utf8)), ("a", Array("lower".utf8))],
        ]
        for pairs in cases {
            let arguments = pairs.map { TransactionArgument(name: $0.0, value: $0.1) }
            XCTAssertEqual(RowDeriver.argumentsJSON(arguments), canonical(arguments), "\(pairs)")
        }
        XCTAssertNotNil(RowDeriver.plainArgumentsJSON([TransactionArgument(name: "key", value: Array("k".utf8))]), "the common case is fast")
        XCTAssertNil(RowDeriver.plainArgumentsJSON([TransactionArgument(name: "a", value: Array("\"".utf8))]))
    }

    func testCompareBytesIsLexicographicOrder() {
        let keys: [[UInt8]] = [[], [0], [0, 0], [1], [0x61], [0x61, 0x62], [0x62], [0xff], [0xff, 0x00], Array("kv/k10".utf8), Array("kv/k1".utf8)]
        for left in keys {
            for right in keys {
                let order = compareBytes(left, right)
                XCTAssertEqual(order < 0, left.lexicographicallyPrecedes(right), "\(left) \(right)")
                XCTAssertEqual(order == 0, left == right, "\(left) \(right)")
            }
        }
    }

    func testBlockWritesKeepTheLastValidWriteOfEachKeyInKeyOrder() throws {
        let builder = ChainBuilder(channel: "consortium")
        let record = try builder.block([
            try builder.writes([("kv/b", "1"), ("kv/a", "1"), ("kv/b", "2")]),
            try builder.invalid(.contractFailed, reason: "no", writes: [StateWrite(key: Array("kv/a".utf8), value: Array("bad".utf8))]),
            try builder.writes([("kv/ab", nil), ("kv/a", "3")]),
        ])
        let entries = BlockWrites(record).entries
        XCTAssertEqual(entries.map { String(decoding: $0.key, as: UTF8.self) }, ["kv/a", "kv/ab", "kv/b"])
        XCTAssertEqual(entries.map { $0.value.map { String(decoding: $0, as: UTF8.self) } }, ["3", nil, "2"])
        XCTAssertEqual(entries.map(\.position), [2, 2, 0])
    }
}

