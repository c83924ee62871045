import CSPKeyValue
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class ErrorTests: LevelDBTestCase {
    func testOpeningBelowARegularFileFails() throws {
        let blocker = directory.appendingPathComponent("plain-file")
        try Data("not a directory".utf8).write(to: blocker)
        let path = blocker.appendingPathComponent("db").path
        let error = levelDBError { try LevelDB(path: path) }
        XCTAssertEqual(error?.description.hasPrefix("cannot open database '\(path)': IO error: "), true,
                       error?.description ?? "")
        XCTAssertEqual(error?.description.contains("Not a directory"), true, error?.description ?? "")
        assertGitStyle(error)
    }

    func testOpeningTwiceReportsTheLock() throws {
        let first = try open()
        let error = levelDBError { try open(.init(label: "ledger index")) }
        let text = error?.description ?? ""
        XCTAssertTrue(text.hasPrefix("cannot open ledger index '\(dbPath)': "), text)
        XCTAssertTrue(text.lowercased().contains("lock"), text)
        assertGitStyle(error)
        // The first handle is unaffected.
        try first.put(bytes("k"), bytes("v"))
        XCTAssertEqual(try first.get(bytes("k")), bytes("v"))
    }

    func testMissingDatabaseWithoutCreateIfMissing() throws {
        let error = levelDBError { try open(.init(createIfMissing: false)) }
        XCTAssertEqual(error?.description.hasPrefix("cannot open database '\(dbPath)': Invalid argument: "), true,
                       error?.description ?? "")
        XCTAssertEqual(error?.status?.contains("does not exist"), true, error?.status ?? "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dbPath + "/CURRENT"))
    }

    func testErrorIfExists() throws {
        try open().close()
        let error = levelDBError { try open(.init(errorIfExists: true)) }
        XCTAssertEqual(error?.status?.contains("exists"), true, error?.status ?? "")
        XCTAssertNoThrow(try open(.init(errorIfExists: false)))
    }

    func testUnwritableLocationFails() throws {
        let path: String
        if getuid() != 0 {
            let readOnly = directory.appendingPathComponent("read-only")
            try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: false)
            try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: readOnly.path)
            addTeardownBlock { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: readOnly.path) }
            path = readOnly.appendingPathComponent("db").path
        } else if FileManager.default.fileExists(atPath: "/proc/self") {
            // root ignores permission bits; procfs refuses new directories even to root.
            path = "/proc/csp-kv-tests-\(UUID().uuidString)/db"
        } else {
            throw XCTSkip("running as root without procfs: no unwritable location to try")
        }
        let error = levelDBError { try LevelDB(path: path) }
        // LevelDB says "IO error: ..." or, for a missing parent, "NotFound: ...".
        XCTAssertEqual(error?.description.hasPrefix("cannot open database '\(path)': "), true, error?.description ?? "")
        XCTAssertEqual(error?.status?.contains("\(path)/LOCK: "), true, error?.description ?? "")
        assertGitStyle(error)
    }

    func testEmptyPathIsRejectedBeforeLevelDBSeesIt() {
        let error = levelDBError { try LevelDB(path: "") }
        XCTAssertEqual(error?.description, "cannot open database: path is empty")
    }

    func testInvalidOptionsAreRejected() {
        let cases: [(LevelDB.Options, String)] = [
            (.init(blockCacheBytes: -1), "blockCacheBytes"),
            (.init(bloomFilterBitsPerKey: -5), "bloomFilterBitsPerKey"),
            (.init(writeBufferBytes: 0), "writeBufferBytes"),
            (.init(maxOpenFiles: 0), "maxOpenFiles"),
            (.init(maxOpenFiles: Int(Int32.max) + 1), "maxOpenFiles"),
        ]
        for (options, name) in cases {
            let error = levelDBError { try open(options) }
            guard case let .invalidOption(reported, _, _) = error else {
                XCTFail("expected invalidOption for \(name), got \(String(describing: error))")
                continue
            }
            XCTAssertEqual(reported, name)
            assertGitStyle(error)
        }
        XCTAssertEqual(LevelDBError.invalidOption(name: "maxOpenFiles", value: "0", reason: "must be positive").description,
                       "invalid value 0 for option 'maxOpenFiles': must be positive")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dbPath), "nothing is created for bad options")
    }

    func testCorruptCurrentFileIsReportedNotCrashed() throws {
        let db = try open()
        try db.put(bytes("k"), bytes("v"))
        db.close()
        try Data("garbage that names no manifest".utf8).write(to: file("CURRENT"))

        let error = levelDBError { try open(.init(paranoidChecks: true, label: "ledger index")) }
        let text = error?.description ?? ""
        XCTAssertTrue(text.hasPrefix("cannot open ledger index '\(dbPath)': "), text)
        XCTAssertTrue(text.lowercased().contains("corrupt"), text)
        XCTAssertEqual(error?.isCorruption, true)
        assertGitStyle(error)
    }

    func testTruncatedManifestIsReported() throws {
        let db = try open()
        try db.put(bytes("k"), bytes("v"))
        db.close()
        let manifests = try databaseFiles(withPrefix: "MANIFEST-")
        XCTAssertFalse(manifests.isEmpty)
        for manifest in manifests { try Data().write(to: manifest) }

        let error = levelDBError { try open(.init(paranoidChecks: true)) }
        let text = error?.description ?? ""
        XCTAssertTrue(text.hasPrefix("cannot open database '\(dbPath)': "), text)
        XCTAssertTrue(text.lowercased().contains("corrupt"), text)
    }

    func testCorruptTableIsReportedByReadsAndScans() throws {
        let value = [UInt8](repeating: 0x5A, count: 100)
        do {
            let db = try open(.init(compression: .none))
            for index in 0..<5000 { try db.put(bytes(String(format: "row-%05d", index)), value) }
            try db.compact()
            db.close()
        }
        let tables = try databaseFiles(suffix: ".ldb")
        XCTAssertFalse(tables.isEmpty, "compaction should have produced table files")
        for table in tables {
            // Overwrite bytes in the data blocks (the index and footer sit at the end).
            let handle = try FileHandle(forUpdating: table)
            try handle.seek(toOffset: 4096)
            try handle.write(contentsOf: [UInt8](repeating: 0xA5, count: 256))
            try handle.close()
        }

        let db = try open(.init(paranoidChecks: true, verifyChecksums: true, compression: .none))
        let scanError = levelDBError { try db.scan(prefix: []).collect() }
        XCTAssertEqual(scanError?.isCorruption, true, scanError?.description ?? "")
        XCTAssertEqual(scanError?.description.hasPrefix("cannot iterate database '\(dbPath)': Corruption: "), true,
                       scanError?.description ?? "")

        var readErrors: [LevelDBError] = []
        for index in 0..<5000 {
            do { _ = try db.get(bytes(String(format: "row-%05d", index))) } catch let error as LevelDBError {
                readErrors.append(error)
            }
        }
        XCTAssertFalse(readErrors.isEmpty, "some point reads hit the damaged block")
        XCTAssertTrue(readErrors.allSatisfy { $0.isCorruption && $0.description.hasPrefix("cannot read database") },
                      readErrors.first?.description ?? "")

        let iterator = try db.iterator()
        let walkError = levelDBError {
            try iterator.seekToFirst()
            while iterator.isValid { try iterator.next() }
        }
        XCTAssertEqual(walkError?.isCorruption, true, walkError?.description ?? "")
        XCTAssertNotNil(levelDBError { try iterator.checkStatus() })
    }

    /// Damage in one table block in the middle of a range: LevelDB skips the block and
    /// carries on, so a scan that ends at its bound or its limit used to return the
    /// range with entries missing and no error (issue 12, bug 11).
    func testDamagedBlockInsideABoundedScanIsReportedNotSkipped() throws {
        let value = [UInt8](repeating: 0x5A, count: 100)
        let rows = 5000
        do {
            let db = try open(.init(compression: .none))
            for index in 0..<rows { try db.put(bytes(String(format: "row-%05d", index)), value) }
            try db.put(bytes("zzz"), value)
            try db.compact()
            db.close()
        }
        let tables = try databaseFiles(suffix: ".ldb")
        XCTAssertEqual(tables.count, 1, "one table after compaction")
        // One 4 KiB data block in the middle of the table.
        let handle = try FileHandle(forUpdating: tables[0])
        try handle.seek(toOffset: 200_000)
        try handle.write(contentsOf: [UInt8](repeating: 0xA5, count: 64))
        try handle.close()

        let db = try open(.init(paranoidChecks: true, verifyChecksums: true, compression: .none))
        // Bounded by the prefix: the walk ends at "zzz", not at the end of the data.
        let prefixError = levelDBError { try db.scan(prefix: bytes("row-")).collect() }
        XCTAssertEqual(prefixError?.isCorruption, true, prefixError?.description ?? "")
        XCTAssertEqual(prefixError?.description.hasPrefix("cannot iterate database '\(dbPath)': Corruption: "), true,
                       prefixError?.description ?? "")

        // Paged: every page either holds consecutive rows or throws; none skips rows silently.
        var after: [UInt8]? = bytes("row-")
        var seen = 0
        var failed = false
        while let lower = after {
            do {
                let page = try db.scan(from: lower, to: bytes("row."), limit: 100).collect()
                for entry in page {
                    XCTAssertEqual(entry.key, bytes(String(format: "row-%05d", seen)), "no row skipped")
                    seen += 1
                }
                after = page.count == 100 ? page.last!.key + [0] : nil
            } catch let error as LevelDBError {
                XCTAssertTrue(error.isCorruption, error.description)
                failed = true
                break
            }
        }
        XCTAssertTrue(failed, "the page over the damaged block fails (\(seen) of \(rows) rows read)")

        // A hand-driven cursor throws on the move that meets the damage.
        let iterator = try db.iterator()
        let moveError = levelDBError {
            try iterator.seek(to: bytes("row-"))
            while let key = iterator.key, key.starts(with: bytes("row-")) { try iterator.next() }
        }
        XCTAssertEqual(moveError?.isCorruption, true, moveError?.description ?? "")
    }

    func testChecksumVerificationIsAnOption() {
        XCTAssertFalse(LevelDB.Options().verifyChecksums, "LevelDB's default")
        XCTAssertTrue(LevelDB.Options(verifyChecksums: true).verifyChecksums)
    }

    func testUseAfterCloseThrowsAndCloseIsIdempotent() throws {
        let db = try open()
        try db.put(bytes("k"), bytes("v"))
        XCTAssertFalse(db.isClosed)
        db.close()
        db.close()
        XCTAssertTrue(db.isClosed)
        let closed = LevelDBError.closed(label: "database", path: dbPath)
        XCTAssertEqual(levelDBError { try db.get(bytes("k")) }, closed)
        XCTAssertEqual(levelDBError { try db.get("k") }, closed)
        XCTAssertEqual(levelDBError { try db.put(bytes("k"), bytes("v")) }, closed)
        XCTAssertEqual(levelDBError { try db.delete(bytes("k")) }, closed)
        XCTAssertEqual(levelDBError { try db.snapshot() }, closed)
        XCTAssertEqual(levelDBError { try db.iterator() }, closed)
        XCTAssertEqual(levelDBError { try db.property("leveldb.stats") }, closed)
        XCTAssertEqual(levelDBError { try db.compact() }, closed)
        XCTAssertEqual(closed.description, "database '\(dbPath)' is closed")
        XCTAssertNil(closed.status)
        assertGitStyle(closed)
    }

    func testMessagesCarryLevelDBStatusVerbatim() {
        let error = LevelDBError.cannotOpen(
            label: "ledger index", path: "/x/index", status: "IO error: /x/index/LOCK: Permission denied")
        XCTAssertEqual(error.description, "cannot open ledger index '/x/index': IO error: /x/index/LOCK: Permission denied")
        XCTAssertEqual(error.status, "IO error: /x/index/LOCK: Permission denied")
        XCTAssertFalse(error.isCorruption)
        XCTAssertEqual(LevelDBError.cannotWrite(label: "database", path: "/d", status: "IO error: disk full").description,
                       "cannot write database '/d': IO error: disk full")
    }
}
