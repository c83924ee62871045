import CSPKeyValue
import Foundation
import XCTest

/// Gives every test its own scratch directory, removed afterwards, so tests never
/// see each other's databases or locks.
class LevelDBTestCase: XCTestCase {
    private(set) var directory: URL!

    /// Where the test's main database lives (not created until opened).
    var dbPath: String { directory.appendingPathComponent("db").path }

    override func setUpWithError() throws {
        try super.setUpWithError()
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("csp-kv-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory, FileManager.default.fileExists(atPath: directory.path) {
            try FileManager.default.removeItem(at: directory)
        }
        try super.tearDownWithError()
    }

    func open(_ options: LevelDB.Options = .init(), path: String? = nil) throws -> LevelDB {
        try LevelDB(path: path ?? dbPath, options: options)
    }

    /// The error `body` throws, failing the test when it throws nothing or something else.
    @discardableResult
    func levelDBError<T>(
        _ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line
    ) -> LevelDBError? {
        do {
            _ = try body()
            XCTFail("expected a LevelDBError, nothing was thrown", file: file, line: line)
        } catch let error as LevelDBError {
            return error
        } catch {
            XCTFail("expected a LevelDBError, got \(error)", file: file, line: line)
        }
        return nil
    }

    /// Asserts the git-style wording every message must have.
    func assertGitStyle(_ error: LevelDBError?, file: StaticString = #filePath, line: UInt = #line) {
        guard let text = error?.description else {
            return XCTFail("no error", file: file, line: line)
        }
        XCTAssertFalse(text.isEmpty, file: file, line: line)
        XCTAssertEqual(text.first.map { String($0) }, text.first.map { String($0).lowercased() },
                       "message should start lower case: \(text)", file: file, line: line)
        XCTAssertFalse(text.hasSuffix("."), "message should not end with a full stop: \(text)", file: file, line: line)
    }

    func file(_ name: String) -> URL {
        URL(fileURLWithPath: dbPath).appendingPathComponent(name)
    }

    func databaseFiles(withPrefix prefix: String = "", suffix: String = "") throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: dbPath)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }
            .sorted()
            .map { file($0) }
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func keys(_ entries: [LevelDB.Entry]) -> [[UInt8]] { entries.map(\.key) }
