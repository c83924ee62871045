import CSPSQLite
import XCTest

final class StatementTests: XCTestCase {
    private var db: SQLiteDatabase!

    override func setUpWithError() throws {
        db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, b BLOB, n)")
    }

    override func tearDown() {
        db = nil
    }

    private func insertAndReadBack(_ values: [SQLiteValue]) throws -> [SQLiteValue] {
        let insert = try db.prepare("INSERT INTO t (i, r, s, b, n) VALUES (?, ?, ?, ?, ?)")
        try insert.bind(values)
        XCTAssertFalse(try insert.step())
        let rows = try db.query("SELECT i, r, s, b, n FROM t WHERE id = ?", db.lastInsertRowID)
        XCTAssertEqual(rows.count, 1)
        return rows.first ?? []
    }

    func testEveryValueTypeRoundTrips() throws {
        let cases: [[SQLiteValue]] = [
            [.integer(.max), .real(3.141592653589793), .text("plain"), .blob([1, 2, 3]), .null],
            [.integer(.min), .real(-0.5), .text(""), .blob([]), .null],
            [.integer(0), .real(.infinity), .text("ünïcødé ✓ 日本語 👩‍👩‍👧 e\u{301}"), .blob([0, 0, 0]), .integer(5)],
            [.null, .real(1e-300), .text("nul\u{0}inside"), .blob([0, 255, 0, 128]), .text("x")],
        ]
        for values in cases {
            XCTAssertEqual(try insertAndReadBack(values), values)
        }
    }

    func testRunBorrowingStoresWhatItWasGivenAndLeavesNoBindingsBehind() throws {
        let insert = try db.prepare("INSERT INTO t (i, r, s, b, n) VALUES (?, ?, ?, ?, ?)")
        let cases: [[SQLiteValue]] = [
            [.integer(.max), .real(3.141592653589793), .text("plain"), .blob([1, 2, 3]), .null],
            [.integer(.min), .real(-0.5), .text(""), .blob([]), .null],
            [.integer(0), .real(.infinity), .text("ünïcødé ✓ 日本語 👩‍👩‍👧 e\u{301}"), .blob([0, 0, 0]), .text(String(repeating: "long ", count: 100))],
            [.null, .real(1e-300), .text("nul\u{0}inside"), .blob([0, 255, 0, 128]), .text("x")],
        ]
        for values in cases {
            // Built here and dropped after the call: SQLite must have used them only inside it.
            try insert.run(borrowing: values.map { $0 })
            let rows = try db.query("SELECT i, r, s, b, n FROM t WHERE id = ?", db.lastInsertRowID)
            XCTAssertEqual(rows.first, values)
        }
        // The borrowed bytes are gone: a bare step afterwards inserts NULLs, never stale pointers.
        XCTAssertFalse(try insert.step())
        XCTAssertEqual(try db.query("SELECT i, r, s, b, n FROM t WHERE id = ?", db.lastInsertRowID).first,
                       [.null, .null, .null, .null, .null])
        XCTAssertThrowsError(try insert.run(borrowing: [.integer(1)]))
        // A failing step (a constraint) is reported and the statement stays usable.
        try db.execute("CREATE TABLE u (k TEXT PRIMARY KEY)")
        let unique = try db.prepare("INSERT INTO u VALUES (?)")
        try unique.run(borrowing: [.text("key")])
        XCTAssertThrowsError(try unique.run(borrowing: [.text("key")]))
        try unique.run(borrowing: [.text("other")])
        XCTAssertEqual(try db.query("SELECT count(*) FROM u").first, [.integer(2)])
    }

    /// Rows as cells over one buffer, the way a bulk writer keeps them.
    private struct CellRows {
        var cells: [SQLiteCell] = []
        var buffer: [UInt8] = []

        mutating func add(_ row: [SQLiteValue]) {
            for value in row {
                switch value {
                case .null: cells.append(.null)
                case .integer(let number): cells.append(.integer(number))
                case .real(let number): cells.append(.real(number))
                case .text(let text):
                    cells.append(SQLiteCell(kind: .text, length: Int32(text.utf8.count), payload: Int64(buffer.count)))
                    buffer += Array(text.utf8)
                case .blob(let bytes):
                    cells.append(SQLiteCell(kind: .blob, length: Int32(bytes.count), payload: Int64(buffer.count)))
                    buffer += bytes
                }
            }
        }

        /// Runs `statement` over every row added, `width` cells each.
        func run(_ statement: Statement, width: Int) throws {
            try cells.withUnsafeBufferPointer { cells in
                try buffer.withUnsafeBytes { bytes in
                    // A buffer of texts that are all empty still needs an address.
                    let base = bytes.baseAddress ?? UnsafeRawPointer(cells.baseAddress!)
                    let rows = stride(from: 0, to: cells.count, by: width).map { SQLiteRowCells(cells: cells.baseAddress! + $0, buffer: base) }
                    try rows.withUnsafeBufferPointer { try statement.run(rows: $0, width: width) }
                }
            }
        }
    }

    func testRunRowsOfCellsStoresEveryRowAndLeavesNoBindingsBehind() throws {
        let rowsPerStatement = 40
        let insert = try db.prepare("INSERT INTO t (i, r, s, b, n) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?)", count: rowsPerStatement).joined(separator: ", "))
        // Non-ASCII, NUL inside, empty text and blobs (not NULL), large values, 40 rows of 40 KiB.
        let samples: [[SQLiteValue]] = [
            [.integer(.max), .real(3.141592653589793), .text("plain"), .blob([1, 2, 3]), .null],
            [.integer(.min), .real(-0.5), .text(""), .blob([]), .null],
            [.integer(0), .real(.infinity), .text("ünïcødé ✓ 日本語 👩‍👩‍👧 e\u{301}"), .blob([0, 0, 0]), .text("Zoë")],
            [.null, .real(1e-300), .text("nul\u{0}inside"), .blob([0, 255, 0, 128]), .text("x")],
            [.integer(7), .null, .text(String(repeating: "große ", count: 60_000)), .blob([UInt8](repeating: 0xAB, count: 400_000)), .null],
        ]
        for round in 0..<2 {
            var rows: [[SQLiteValue]] = []
            var cells = CellRows()
            for index in 0..<rowsPerStatement {
                var row = samples[index % samples.count]
                if index >= samples.count { row[4] = .text(String(repeating: "\(round)\(index)-", count: 8_000)) }
                rows.append(row)
                cells.add(row)
            }
            let before = try db.scalar("SELECT count(*) FROM t")?.int64Value ?? 0
            // The buffers are dropped after the call: SQLite must have read them only inside it.
            try cells.run(insert, width: 5)
            XCTAssertEqual(try db.query("SELECT i, r, s, b, n FROM t WHERE id > ? ORDER BY id", before), rows, "round \(round)")
        }
        // No bindings are left: a bare step inserts NULLs, never stale pointers.
        XCTAssertFalse(try insert.step())
        XCTAssertEqual(try db.query("SELECT i, r, s, b, n FROM t WHERE id = ?", db.lastInsertRowID).first, [.null, .null, .null, .null, .null])
        var one = CellRows()
        one.add([.integer(1)])
        XCTAssertThrowsError(try one.run(insert, width: 1)) { XCTAssertTrue("\($0)".contains("parameters"), "\($0)") }
        // A failing step (a constraint) is reported and the statement stays usable.
        try db.execute("CREATE TABLE u (k TEXT PRIMARY KEY)")
        let unique = try db.prepare("INSERT INTO u VALUES (?), (?)")
        func run(_ keys: [String]) throws {
            var rows = CellRows()
            for key in keys { rows.add([.text(key)]) }
            try rows.run(unique, width: 1)
        }
        try run(["a", "b"])
        XCTAssertThrowsError(try run(["c", "a"]))
        try run(["c", "d"])
        XCTAssertEqual(try db.query("SELECT group_concat(k) FROM (SELECT k FROM u ORDER BY k)").first, [.text("a,b,c,d")])
        // A cell reads back as the value it was made from.
        var back = CellRows()
        for sample in samples { back.add(sample) }
        back.buffer.withUnsafeBytes { bytes in
            XCTAssertEqual(back.cells.map { $0.value(in: bytes.baseAddress!) }, samples.flatMap { $0 })
        }
    }

    func testTypedAccessorsReadEachColumn() throws {
        let insert = try db.prepare("INSERT INTO t (i, r, s, b, n) VALUES (?, ?, ?, ?, ?)")
        let bytes: [UInt8] = [0, 0, 7, 0]
        try insert.bind(Int64(-42), 2.5, "héllo 🌍", bytes, nil)
        try insert.step()
        let select = try db.prepare("SELECT i, r, s, b, n FROM t")
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.columnCount, 5)
        XCTAssertEqual(select.columnNames, ["i", "r", "s", "b", "n"])
        XCTAssertEqual(select.columnName(at: 2), "s")
        XCTAssertEqual(select.int64(at: 0), -42)
        XCTAssertEqual(select.int(at: 0), -42)
        XCTAssertEqual(select.double(at: 1), 2.5)
        XCTAssertEqual(select.string(at: 2), "héllo 🌍")
        XCTAssertEqual(select.blob(at: 3), bytes)
        XCTAssertTrue(select.isNull(at: 4))
        XCTAssertFalse(select.isNull(at: 0))
        XCTAssertNil(select.string(at: 4))
        XCTAssertNil(select.blob(at: 4))
        XCTAssertEqual(select.int(at: 4), 0, "NULL reads as 0, as in SQLite")
        XCTAssertEqual(select.value(at: 1), .real(2.5))
        XCTAssertFalse(try select.step())
    }

    func testEmptyTextAndEmptyBlobAreNotNull() throws {
        try db.run("INSERT INTO t (s, b) VALUES (?, ?)", "", [UInt8]())
        let select = try db.prepare("SELECT s, b, typeof(s), typeof(b) FROM t")
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.string(at: 0), "")
        XCTAssertEqual(select.blob(at: 1), [])
        XCTAssertEqual(select.string(at: 2), "text")
        XCTAssertEqual(select.string(at: 3), "blob")
    }

    func testProtocolBindingOfSwiftTypes() throws {
        let none: String? = nil
        let some: Int? = 9
        try db.run("INSERT INTO t (i, r, s, b, n) VALUES (?, ?, ?, ?, ?)", true, Int32(3), none, some, false)
        let row = try db.query("SELECT i, r, s, b, n FROM t")
        XCTAssertEqual(row, [[.integer(1), .real(3), .null, .integer(9), .integer(0)]],
                       "Int32 in a REAL column is stored as REAL by column affinity")
        let select = try db.prepare("SELECT i, n FROM t")
        XCTAssertTrue(try select.step())
        XCTAssertTrue(select.bool(at: 0))
        XCTAssertFalse(select.bool(at: 1))
    }

    func testSingleAndNamedBinding() throws {
        let select = try db.prepare("SELECT :a || '-' || @b, ?3")
        try select.bind("x", named: ":a")
        try select.bind(SQLiteValue.text("y"), named: "@b")
        try select.bind(nil, at: 3)
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.string(at: 0), "x-y")
        XCTAssertTrue(select.isNull(at: 1))
        XCTAssertThrowsError(try select.bind(1, named: ":missing")) { error in
            XCTAssertTrue("\(error)".contains("no parameter named ':missing'"), "\(error)")
        }
    }

    func testLiteralBindingList() throws {
        let select = try db.prepare("SELECT ?, ?, ?, ?")
        try select.bind([1, 2.5, "three", nil])
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.row(), [.integer(1), .real(2.5), .text("three"), .null])
    }

    func testBindingAByteArrayBindsOneBlob() throws {
        let bytes: [UInt8] = [1, 2]
        let select = try db.prepare("SELECT ?")
        try select.bind(bytes)
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.value(at: 0), .blob([1, 2]))
    }

    func testWrongNumberOfBindingsThrows() throws {
        let select = try db.prepare("SELECT ?, ?")
        XCTAssertThrowsError(try select.bind([1])) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, 25, "SQLITE_RANGE")
            XCTAssertTrue("\(error)".contains("statement takes 2 parameters but 1 were given"), "\(error)")
        }
        XCTAssertThrowsError(try select.bind(1, 2, 3))
    }

    func testRebindingAfterStepNeedsNoExplicitReset() throws {
        let select = try db.prepare("SELECT ? * 2")
        for n in 1...3 {
            try select.bind(n)
            XCTAssertTrue(try select.step())
            XCTAssertEqual(select.int(at: 0), n * 2)
        }
    }

    func testCachedStatementIsSameObjectWithBindingsCleared() throws {
        let sql = "SELECT ?"
        let first = try db.cachedStatement(sql)
        try first.bind("secret")
        XCTAssertTrue(try first.step())
        XCTAssertEqual(first.string(at: 0), "secret")

        let second = try db.cachedStatement(sql)
        XCTAssertTrue(first === second)
        XCTAssertTrue(try second.step(), "reset: runs again from the start")
        XCTAssertTrue(second.isNull(at: 0), "bindings cleared")

        let other = try db.cachedStatement("SELECT ? + 0")
        XCTAssertFalse(other === first)
        XCTAssertFalse(try db.prepare(sql) === first, "prepare never returns the cached object")

        db.clearStatementCache()
        XCTAssertFalse(try db.cachedStatement(sql) === first)
    }

    func testHelpersAreSafeInsideARowLoopOverTheSameSQL() throws {
        for i in 1...3 {
            try db.run("INSERT INTO t (i) VALUES (?)", i)
        }
        struct Rewound: Error {}
        var seen: [Int] = []
        try db.forEachRow("SELECT i FROM t ORDER BY i") { row in
            seen.append(row.int(at: 0))
            guard seen.count <= 3 else { throw Rewound() } // the outer loop restarted
            XCTAssertEqual(try db.query("SELECT i FROM t ORDER BY i").count, 3)
        }
        XCTAssertEqual(seen, [1, 2, 3])
    }

    func testScalarAndQueryHelpers() throws {
        XCTAssertNil(try db.scalar("SELECT i FROM t"), "no row")
        try db.run("INSERT INTO t (i, s) VALUES (?, ?)", 1, "a")
        try db.run("INSERT INTO t (i, s) VALUES (?, ?)", bindings: [2, .text("b")])
        XCTAssertEqual(try db.scalar("SELECT s FROM t WHERE i = ?", 2), .text("b"))
        XCTAssertEqual(try db.scalar("SELECT n FROM t WHERE i = ?", bindings: [1]), .null)
        XCTAssertEqual(try db.query("SELECT i, s FROM t ORDER BY i"), [[1, "a"], [2, "b"]])
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM t")?.intValue, 2)
    }
}
