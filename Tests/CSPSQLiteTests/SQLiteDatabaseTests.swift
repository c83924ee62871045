import CSPSQLite
import Foundation
import XCTest

final class SQLiteDatabaseTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory = nil
    }

    func testOpenForWritingUsesWALAndPragmas() throws {
        let db = try SQLiteDatabase(path: directory.path("wal.db"))
        XCTAssertEqual(try db.scalar("PRAGMA journal_mode"), .text("wal"))
        XCTAssertEqual(try db.scalar("PRAGMA synchronous"), .integer(1), "NORMAL is 1")
        XCTAssertEqual(try db.scalar("PRAGMA foreign_keys"), .integer(1))
        XCTAssertEqual(try db.scalar("PRAGMA busy_timeout"), .integer(5000))
        try db.execute("CREATE TABLE t (x)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.path("wal.db-wal")))
    }

    func testBusyTimeoutIsConfigurable() throws {
        let db = try SQLiteDatabase(path: directory.path("b.db"), busyTimeout: .milliseconds(250))
        XCTAssertEqual(try db.scalar("PRAGMA busy_timeout"), .integer(250))
    }

    func testInMemoryDatabase() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)")
        XCTAssertEqual(try db.scalar("SELECT sum(x) FROM t"), .integer(3))
        XCTAssertEqual(db.path, ":memory:")
    }

    func testDataPersistsAcrossConnections() throws {
        let path = directory.path("persist.db")
        do {
            let db = try SQLiteDatabase(path: path)
            try db.execute("CREATE TABLE t (name TEXT)")
            try db.run("INSERT INTO t VALUES (?)", "kept")
        }
        let reopened = try SQLiteDatabase(path: path)
        XCTAssertEqual(try reopened.query("SELECT name FROM t"), [[.text("kept")]])
    }

    func testOpeningRandomBytesThrowsNotADatabase() throws {
        let path = directory.path("random.db")
        var generator = SystemRandomNumberGenerator()
        let junk = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(junk).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SQLiteDatabase(path: path)) { error in
            let error = error as! SQLiteError
            XCTAssertEqual(error.code, 26, "SQLITE_NOTADB")
            XCTAssertEqual("\(error)", "cannot open database '\(path)': file is not a database")
        }
        XCTAssertThrowsError(try SQLiteDatabase(path: path, readOnly: true)) { error in
            XCTAssertTrue("\(error)".contains("file is not a database"), "\(error)")
        }
    }

    func testOpeningInMissingDirectoryThrows() {
        let path = directory.path("no/such/dir/reg.db")
        XCTAssertThrowsError(try SQLiteDatabase(path: path)) { error in
            let error = error as! SQLiteError
            XCTAssertEqual(error.code, 14, "SQLITE_CANTOPEN")
            XCTAssertEqual(error.context, .open(path: path))
            XCTAssertEqual("\(error)", "cannot open database '\(path)': unable to open database file")
        }
    }

    func testReadOnlyOpenDoesNotCreateTheFile() {
        let path = directory.path("absent.db")
        XCTAssertThrowsError(try SQLiteDatabase(path: path, readOnly: true))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testReadOnlyConnectionReadsButRejectsWrites() throws {
        let path = directory.path("ro.db")
        do {
            let writer = try SQLiteDatabase(path: path)
            try writer.execute("CREATE TABLE t (x INTEGER)")
            try writer.run("INSERT INTO t VALUES (?)", 7)
        }
        let reader = try SQLiteDatabase(path: path, readOnly: true)
        XCTAssertTrue(reader.isReadOnly)
        XCTAssertEqual(try reader.scalar("SELECT x FROM t"), .integer(7))
        XCTAssertThrowsError(try reader.run("INSERT INTO t VALUES (?)", 8)) { error in
            let error = error as! SQLiteError
            XCTAssertEqual(error.code, 8, "SQLITE_READONLY")
            XCTAssertTrue("\(error)".hasPrefix("sqlite error 8 (readonly): attempt to write a readonly database"), "\(error)")
        }
        XCTAssertThrowsError(try reader.execute("CREATE TABLE u (y)"))
        XCTAssertEqual(try reader.scalar("SELECT count(*) FROM t"), .integer(1))
    }

    func testExecuteRunsSeveralStatements() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("""
            CREATE TABLE a (x);
            CREATE TABLE b (y);
            INSERT INTO a VALUES (1);
            INSERT INTO b VALUES (2);
            """)
        XCTAssertEqual(try db.scalar("SELECT (SELECT x FROM a) + (SELECT y FROM b)"), .integer(3))
    }

    func testPrepareRejectsSeveralStatementsButAllowsTrailingComments() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (x)")
        XCTAssertThrowsError(try db.prepare("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)")) { error in
            XCTAssertTrue("\(error)".contains("prepare takes one statement"), "\(error)")
        }
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM t"), .integer(0), "nothing ran")
        XCTAssertNoThrow(try db.prepare("SELECT 1; -- trailing comment\n  "))
        XCTAssertThrowsError(try db.prepare("SELECT 1; garbage"), "an unparsable tail is not ignored")
        XCTAssertThrowsError(try db.prepare("  -- only a comment"))
    }

    func testLastInsertRowIDAndChanges() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x)")
        try db.run("INSERT INTO t (x) VALUES (?)", "a")
        XCTAssertEqual(db.lastInsertRowID, 1)
        try db.run("INSERT INTO t (id, x) VALUES (?, ?)", 41, "b")
        XCTAssertEqual(db.lastInsertRowID, 41)
        try db.run("UPDATE t SET x = 'z'")
        XCTAssertEqual(db.changes, 2)
        XCTAssertEqual(db.totalChanges, 4)
    }

    func testForeignKeysAreEnforced() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("""
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (parent_id INTEGER REFERENCES parent(id));
            """)
        XCTAssertThrowsError(try db.run("INSERT INTO child VALUES (?)", 99)) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, 19)
            XCTAssertTrue("\(error)".contains("FOREIGN KEY constraint failed"), "\(error)")
        }
    }

    func testCloseIsIdempotentAndLaterUseThrows() throws {
        let db = try SQLiteDatabase(path: directory.path("c.db"))
        try db.execute("CREATE TABLE t (x)")
        let cached = try db.cachedStatement("SELECT count(*) FROM t")
        let owned = try db.prepare("SELECT 1")
        db.close()
        db.close()
        XCTAssertTrue(db.isClosed)
        XCTAssertThrowsError(try db.execute("SELECT 1")) { error in
            XCTAssertEqual("\(error)", "sqlite error 21 (misuse): database is closed in 'SELECT 1'")
        }
        XCTAssertThrowsError(try db.prepare("SELECT 1"))
        XCTAssertThrowsError(try cached.step())
        XCTAssertThrowsError(try owned.step())
        XCTAssertThrowsError(try owned.bind(1, at: 1))
        XCTAssertEqual(db.lastInsertRowID, 0)
        XCTAssertFalse(db.isInTransaction)
    }

    func testHotInsertLoopThroughOnePreparedStatement() throws {
        let db = try SQLiteDatabase(path: directory.path("hot.db"))
        try db.execute("CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID")
        let insert = try db.prepare("INSERT INTO kv (k, v) VALUES (?, ?)")
        try db.inTransaction(.immediate) {
            for i in 0..<20_000 {
                try insert.bind("key-\(i)", at: 1)
                try insert.bind([UInt8(i & 0xff), 0, 1], at: 2)
                XCTAssertFalse(try insert.step())
            }
        }
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM kv"), .integer(20_000))
        XCTAssertEqual(try db.scalar("SELECT v FROM kv WHERE k = ?", "key-258"), .blob([2, 0, 1]))
    }
}
