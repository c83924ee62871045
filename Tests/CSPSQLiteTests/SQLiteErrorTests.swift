import CSPSQLite
import XCTest

final class SQLiteErrorTests: XCTestCase {
    func testConstraintViolationNamesCodeAndSQLButNotTheBoundSecret() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (id TEXT PRIMARY KEY, token TEXT)")
        let secret = "s3cr3t-api-token-4f1c"
        let sql = "INSERT INTO t (id, token) VALUES (?, ?)"
        try db.run(sql, "row-1", secret)
        XCTAssertThrowsError(try db.run(sql, "row-1", secret)) { error in
            guard let error = error as? SQLiteError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.code, 19)
            XCTAssertEqual(error.extendedCode, 1555, "SQLITE_CONSTRAINT_PRIMARYKEY")
            XCTAssertEqual(error.sql, sql)
            XCTAssertEqual("\(error)", "sqlite error 19 (constraint): UNIQUE constraint failed: t.id in '\(sql)'")
            for rendering in ["\(error)", String(reflecting: error), error.localizedDescription, dumped(error)] {
                XCTAssertFalse(rendering.contains(secret), rendering)
                XCTAssertFalse(rendering.contains("row-1"), rendering)
            }
        }
    }

    func testSyntaxError() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        XCTAssertThrowsError(try db.prepare("SELEC 1")) { error in
            XCTAssertEqual("\(error)", "sqlite error 1 (error): near \"SELEC\": syntax error in 'SELEC 1'")
        }
    }

    func testLongSQLIsShortenedToOneLine() {
        let sql = "SELECT\n  a,\n  b\nFROM t WHERE " + String(repeating: "x = 1 AND ", count: 50) + "1"
        let error = SQLiteError(code: 1, message: "boom", context: .statement(sql: sql))
        let text = "\(error)"
        XCTAssertTrue(text.hasPrefix("sqlite error 1 (error): boom in 'SELECT a, b FROM t WHERE x = 1"), text)
        XCTAssertTrue(text.hasSuffix("...'"), text)
        XCTAssertFalse(text.contains("\n"))
        XCTAssertEqual(error.sql, sql, "the full SQL stays available")
    }

    func testConnectionContextAndUnknownCode() {
        XCTAssertEqual("\(SQLiteError(code: 5, message: "database is locked", context: .connection))",
                       "sqlite error 5 (busy): database is locked")
        XCTAssertEqual(SQLiteError(code: 2067, message: "m", context: .connection).code, 19,
                       "extended codes reduce to their primary code")
        XCTAssertEqual(SQLiteError(code: 99, message: "m", context: .connection).codeName, "code 99")
    }

    private func dumped(_ value: Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }
}
