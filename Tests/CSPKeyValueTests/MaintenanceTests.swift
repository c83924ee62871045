import CSPKeyValue
import Foundation
import XCTest

final class MaintenanceTests: LevelDBTestCase {
    func testDestroyRemovesTheDatabase() throws {
        let db = try open()
        try db.put(bytes("k"), bytes("v"))
        db.close()
        XCTAssertTrue(FileManager.default.fileExists(atPath: dbPath))

        try LevelDB.destroy(path: dbPath)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dbPath))
        XCTAssertNotNil(levelDBError { try open(.init(createIfMissing: false)) })
        let fresh = try open()
        XCTAssertNil(try fresh.get(bytes("k")))
    }

    func testDestroyOfMissingDatabaseSucceeds() {
        XCTAssertNoThrow(try LevelDB.destroy(path: directory.appendingPathComponent("never-created").path))
    }

    func testDestroyRefusesAnOpenDatabase() throws {
        let db = try open()
        try db.put(bytes("k"), bytes("v"))
        let error = levelDBError { try LevelDB.destroy(path: dbPath) }
        let text = error?.description ?? ""
        XCTAssertTrue(text.hasPrefix("cannot destroy database '\(dbPath)': "), text)
        XCTAssertTrue(text.lowercased().contains("lock"), text)
        XCTAssertEqual(try db.get(bytes("k")), bytes("v"), "a refused destroy removes nothing")
    }

    func testRepairRecoversFromLostManifest() throws {
        do {
            let db = try open()
            for index in 0..<300 { try db.put(bytes("table-\(index)"), bytes("\(index)")) }
            try db.compact()  // these live in table files
            for index in 0..<50 { try db.put(bytes("log-\(index)"), bytes("\(index)")) }  // these only in the log
            db.close()
        }
        try FileManager.default.removeItem(at: file("CURRENT"))
        for manifest in try databaseFiles(withPrefix: "MANIFEST-") { try FileManager.default.removeItem(at: manifest) }
        XCTAssertNotNil(levelDBError { try open(.init(createIfMissing: false)) })

        try LevelDB.repair(path: dbPath)

        let db = try open(.init(createIfMissing: false, paranoidChecks: true))
        XCTAssertEqual(try db.get(bytes("table-299")), bytes("299"))
        XCTAssertEqual(try db.get(bytes("log-49")), bytes("49"))
        XCTAssertEqual(try db.scan(prefix: "table-").collect().count, 300)
        XCTAssertEqual(try db.scan(prefix: "log-").collect().count, 50)
    }

    func testRepairRecoversFromCorruptCurrentFile() throws {
        do {
            let db = try open()
            try db.put(bytes("k"), bytes("v"))
            db.close()
        }
        try Data("garbage".utf8).write(to: file("CURRENT"))
        let error = levelDBError { try open(.init(paranoidChecks: true)) }
        XCTAssertEqual(error?.isCorruption, true, error?.description ?? "")

        try LevelDB.repair(path: dbPath)
        let db = try open(.init(paranoidChecks: true))
        XCTAssertEqual(try db.get(bytes("k")), bytes("v"))
    }

    func testRepairOfMissingDirectoryFails() {
        let path = directory.appendingPathComponent("nothing-here").path
        let error = levelDBError { try LevelDB.repair(path: path) }
        XCTAssertEqual(error?.description, "cannot repair database '\(path)': IO error: \(path): No such file or directory")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "repair must not create a database")
        assertGitStyle(error)
    }
}
