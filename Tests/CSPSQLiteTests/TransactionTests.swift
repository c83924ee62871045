import CSPSQLite
import XCTest

final class TransactionTests: XCTestCase {
    private struct Abort: Error, Equatable {
        let id: Int
    }

    private var directory: TemporaryDirectory!
    private var db: SQLiteDatabase!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
        db = try SQLiteDatabase(path: directory.path("tx.db"))
        try db.execute("CREATE TABLE t (name TEXT PRIMARY KEY)")
    }

    override func tearDown() {
        db = nil
        directory = nil
    }

    private func names() throws -> [String] {
        try db.query("SELECT name FROM t ORDER BY name").compactMap { $0.first?.stringValue }
    }

    func testTransactionCommitsAndReturnsTheBodyResult() throws {
        let count = try db.inTransaction {
            try db.run("INSERT INTO t VALUES (?)", "a")
            try db.run("INSERT INTO t VALUES (?)", "b")
            XCTAssertTrue(db.isInTransaction)
            return 2
        }
        XCTAssertEqual(count, 2)
        XCTAssertFalse(db.isInTransaction)
        let other = try SQLiteDatabase(path: directory.path("tx.db"))
        XCTAssertEqual(try other.scalar("SELECT count(*) FROM t"), .integer(2), "visible to another connection")
    }

    func testTransactionRollsBackAndRethrowsTheBodyError() throws {
        XCTAssertThrowsError(try db.inTransaction(.immediate) {
            try db.run("INSERT INTO t VALUES (?)", "gone")
            throw Abort(id: 7)
        }) { error in
            XCTAssertEqual(error as? Abort, Abort(id: 7))
        }
        XCTAssertEqual(try names(), [])
        XCTAssertFalse(db.isInTransaction)
    }

    func testSQLiteErrorInBodyRollsBackEarlierWrites() throws {
        XCTAssertThrowsError(try db.inTransaction {
            try db.run("INSERT INTO t VALUES (?)", "first")
            try db.run("INSERT INTO t VALUES (?)", "first")
        }) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, 19)
        }
        XCTAssertEqual(try names(), [])
    }

    func testNestedSavepointRollbackInsideCommittedOuter() throws {
        try db.inTransaction {
            try db.run("INSERT INTO t VALUES (?)", "outer-before")
            XCTAssertThrowsError(try db.inTransaction {
                try db.run("INSERT INTO t VALUES (?)", "inner")
                XCTAssertEqual(try names(), ["inner", "outer-before"])
                throw Abort(id: 1)
            }) { error in
                XCTAssertEqual(error as? Abort, Abort(id: 1))
            }
            XCTAssertTrue(db.isInTransaction, "outer transaction survives the inner rollback")
            try db.run("INSERT INTO t VALUES (?)", "outer-after")
        }
        XCTAssertEqual(try names(), ["outer-after", "outer-before"])
    }

    func testNestedSuccessIsKeptAndOuterFailureUndoesIt() throws {
        XCTAssertThrowsError(try db.inTransaction {
            try db.inTransaction {
                try db.inTransaction {
                    try db.run("INSERT INTO t VALUES (?)", "deep")
                }
            }
            XCTAssertEqual(try names(), ["deep"])
            throw Abort(id: 2)
        })
        XCTAssertEqual(try names(), [])
    }

    func testImmediateTransactionTakesTheWriteLockAtBegin() throws {
        let other = try SQLiteDatabase(path: directory.path("tx.db"), busyTimeout: .milliseconds(50))
        try db.inTransaction(.immediate) {
            XCTAssertThrowsError(try other.execute("BEGIN IMMEDIATE")) { error in
                XCTAssertEqual((error as? SQLiteError)?.code, 5, "SQLITE_BUSY")
            }
            XCTAssertNoThrow(try other.scalar("SELECT count(*) FROM t"), "WAL readers are not blocked")
        }
        try db.inTransaction(.deferred) {
            XCTAssertNoThrow(try other.execute("BEGIN IMMEDIATE; COMMIT"), "deferred takes no lock until used")
        }
    }

    func testFailedCommitRollsBackAndThrows() throws {
        try db.execute("""
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (pid INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
            """)
        XCTAssertThrowsError(try db.inTransaction {
            try db.run("INSERT INTO t VALUES (?)", "with-orphan")
            try db.run("INSERT INTO child VALUES (?)", 5)
        }) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, 19)
            XCTAssertTrue("\(error)".contains("COMMIT TRANSACTION"), "\(error)")
        }
        XCTAssertFalse(db.isInTransaction)
        XCTAssertEqual(try names(), [])
    }
}
