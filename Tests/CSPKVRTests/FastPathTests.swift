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
            XCTAssertEqual(cells { RowDeriver.argumentsJSON(arguments, into: $0) }, [.text(canonical(arguments))], "\(pairs)")
        }
        XCTAssertNotNil(RowDeriver.plainArgumentsLength([TransactionArgument(name: "key", value: Array("k".utf8))]), "the common case is fast")
        XCTAssertNil(RowDeriver.plainArgumentsLength([TransactionArgument(name: "a", value: Array("\"".utf8))]))
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

    /// The cells of the one row `write` puts into a new batch.
    private func cells(_ write: (RowBatch) -> Void) -> [SQLiteValue] {
        let batch = RowBatch(cells: 1, bytes: 1)
        batch.beginRow(Tables.state)
        write(batch)
        batch.endRow()
        return batch.values(batch.entries[0])
    }

    func testKeyAndValueCellsMatchTheirTextForms() {
        let keys: [[UInt8]] = [Array("kv/k1".utf8), Array("noslash".utf8), Array("/lead".utf8), Array("a/b/c".utf8), [],
                               Array("ünï/x".utf8), Array("日本/語".utf8), [0xff, 0x2f, 0x41], [0x2f]]
        for key in keys {
            let text = RowDeriver.text(key)
            XCTAssertEqual(cells { RowDeriver.key(key, into: $0) }, [.text(text), .text(RowDeriver.namespace(text))], "\(key)")
            XCTAssertEqual(cells { RowDeriver.key(key, into: $0, namespaceFirst: true) }, [.text(RowDeriver.namespace(text)), .text(text)], "\(key)")
        }
        let values: [[UInt8]?] = [nil, [], Array("value of 1".utf8), Array("Zoë".utf8), [0xff, 0x00], [0xc3]]
        for value in values {
            let (text, bytes) = RowDeriver.textOrBytes(value)
            XCTAssertEqual(cells { RowDeriver.textOrBytes(value, into: $0) }, [text, bytes], "\(String(describing: value))")
        }
        let arguments: [[TransactionArgument]] = [
            [], [TransactionArgument(name: "key", value: Array("k1".utf8)), TransactionArgument(name: "value", value: Array("v".utf8))],
            [TransactionArgument(name: "b", value: Array("x".utf8)), TransactionArgument(name: "a", value: [0xff])],
            [TransactionArgument(name: "q", value: Array("say \"hi\"".utf8))],
        ]
        for list in arguments {
            XCTAssertEqual(cells { RowDeriver.argumentsJSON(list, into: $0) }, [.text(canonical(list))])
        }
    }

    func testRowBatchKeepsEveryChangeInOrderAsItGrows() {
        // Tiny buffers, so both grow many times while rows are written.
        let batch = RowBatch(cells: 1, bytes: 1)
        var expected: [Change] = []
        for index in 0..<3_000 {
            let row: [SQLiteValue] = [.text("c"), .integer(Int64(index)), .real(Double(index) / 4), .null,
                                      .text(String(repeating: "ü", count: index % 7)), .blob(index % 3 == 0 ? [] : [UInt8(index % 256), 0])]
            batch.appendRow(Tables.events, row)
            expected.append(.upsert(Tables.events, row))
            if index % 1_000 == 0 {
                batch.appendDelete(Tables.state, key: [.text("c"), .text("kv"), .text("kv/\(index)")])
                expected.append(.delete(Tables.state, key: [.text("c"), .text("kv"), .text("kv/\(index)")]))
                batch.appendView(definition: "demand", catalog: DefinitionCatalog())
            }
            batch.beginRow(Tables.accountTransactions)
            batch.hex([UInt8(index % 256), 0xab])
            batch.text("acct")
            batch.integer(-1)
            batch.endRow()
            expected.append(.upsert(Tables.accountTransactions, [.text(String(format: "%02xab", index % 256)), .text("acct"), .integer(-1)]))
        }
        var seen: [Change] = []
        batch.forEachChange { change in
            if case .view(let name, _) = change { XCTAssertEqual(name, "demand") } else { seen.append(change) }
        }
        XCTAssertEqual(seen.count, expected.count)
        for (have, want) in zip(seen, expected) {
            switch (have, want) {
            case let (.upsert(t1, v1), .upsert(t2, v2)): XCTAssertEqual(t1.name, t2.name); XCTAssertEqual(v1, v2)
            case let (.delete(t1, k1), .delete(t2, k2)): XCTAssertEqual(t1.name, t2.name); XCTAssertEqual(k1, k2)
            default: XCTFail("\(have) is not \(want)")
            }
        }
        XCTAssertEqual(batch.entries.filter { $0.kind == .view }.count, 3)
    }

    func testRowBatchTransformsEachRowOnceAndNotDeletes() {
        var calls = 0
        let batch = RowBatch(transform: { table, values in
            calls += 1
            if table.name == Tables.accounts.name { values[1] = .text("masked") }
        }, cells: 1, bytes: 1)
        batch.beginRow(Tables.accounts)
        batch.text("c")
        batch.text("Zoë Secret")
        batch.endRow()
        batch.appendRow(Tables.accounts, [.text("c"), .text("Other Secret")])
        batch.appendDelete(Tables.accounts, key: [.text("c"), .text("as given")])
        XCTAssertEqual(calls, 2)
        XCTAssertEqual(batch.entries.map { batch.values($0) }, [[.text("c"), .text("masked")], [.text("c"), .text("masked")], [.text("c"), .text("as given")]])
    }

    /// Rows go in statements of 256 and, for what is left, of powers of two: every count
    /// must write every row once, in order (the last row of a repeated key wins).
    func testSQLiteSinkWritesEveryRowWhateverTheCount() throws {
        let directory = try temporaryDirectory(self)
        // One batch, or a batch per row with the batches let go whenever they hold over
        // 2,000 bytes (about four of them; their rows written first): the same rows either way.
        for (count, perRow) in [(1, false), (3, false), (255, false), (256, false), (257, false), (700, false), (700, true)] {
            let path = directory + "/\(count)-\(perRow).db"
            let sink = try SQLiteSink(path: path)
            if perRow { sink.heldLimit = 2_000 }
            _ = try sink.prepare(channel: "c", tables: Tables.tables)
            var batch = RowBatch()
            for index in 0..<count {
                batch.appendRow(Tables.state, [.text("c"), .text("kv"), .text("kv/\(index % 300)"), .text("v\(index)"), .null, .integer(0), .integer(Int64(index))])
                if perRow {
                    try sink.apply(batch)
                    batch = RowBatch(cells: 1, bytes: 1)
                }
            }
            if !perRow { try sink.apply(batch) }
            try sink.commit(Checkpoint(channel: "c", block: 0, hash: .zero, commitHash: .zero))
            sink.close()
            let database = try SQLiteDatabase(path: path, readOnly: true)
            defer { database.close() }
            let rows = try database.query("SELECT key, value FROM state ORDER BY position")
            let expected = (0..<min(count, 300)).map { key in
                let last = (0..<count).last { $0 % 300 == key }!
                return (position: last, row: [SQLiteValue.text("kv/\(key)"), .text("v\(last)")])
            }.sorted { $0.position < $1.position }.map(\.row)
            XCTAssertEqual(rows, expected, "\(count) rows, a batch per row: \(perRow)")
        }
    }
}
