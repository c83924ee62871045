import CSPFormat
import CSPLedger
import CSPTestSupport
import Foundation
import XCTest

/// Shared helpers: a fresh ledger directory per test and byte-level access to block files.
class LedgerTestCase: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory(self) + "/ledger"
    }

    func open(channel: String = "consortium", fileSizeLimit: UInt64 = 64 << 20) throws -> LedgerStore {
        try LedgerStore(directory: directory, channel: channel, options: .init(fileSizeLimit: fileSizeLimit))
    }

    func blockFile(_ number: Int = 0) -> String {
        directory + "/blocks/blocks-" + String(format: "%06d", number) + ".dat"
    }

    func contents(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func append(_ bytes: [UInt8], to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
    }

    func size(_ path: String) throws -> UInt64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Commits `records` to a fresh store and closes it.
    func commitAndClose(_ records: [CommittedBlock], fileSizeLimit: UInt64 = 64 << 20) throws {
        let store = try open(fileSizeLimit: fileSizeLimit)
        for record in records { try store.commit(record) }
        store.close()
    }

    /// Asserts that `body` throws a LedgerError of `kind` whose message contains every fragment.
    func assertLedgerError<T>(_ kind: LedgerError.Kind, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                              _ body: () throws -> T) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? LedgerError else {
                return XCTFail("expected a LedgerError, got \(type(of: error)): \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(error.message.contains(fragment), "'\(error.message)' does not contain '\(fragment)'", file: file, line: line)
            }
            XCTAssertFalse(error.message.contains("\n"), "one line", file: file, line: line)
        }
    }
}
