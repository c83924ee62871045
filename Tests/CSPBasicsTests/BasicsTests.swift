import CSPBasics
import Foundation
import XCTest

final class BasicsTests: XCTestCase {
    func testHexRoundTripAndRejects() {
        XCTAssertEqual(Hex.encode([0x00, 0xab, 0xff]), "00abff")
        XCTAssertEqual(Hex.decode("00ABff"), [0x00, 0xab, 0xff])
        XCTAssertNil(Hex.decode("abc"))
        XCTAssertNil(Hex.decode("zz"))
        XCTAssertEqual(Hex.decode(""), [])
    }

    func testSystemErrorWordsLikeGit() {
        XCTAssertEqual(SystemError("cannot open 'x'", code: EACCES).description, "cannot open 'x': permission denied")
        XCTAssertEqual(SystemError("cannot open 'y'", code: ENOENT).description, "cannot open 'y': no such file or directory")
    }

    func testAtomicWriteSetsExactModeAndReplaces() throws {
        let dir = NSTemporaryDirectory() + "csp-basics-" + UUID().uuidString
        try FileIO.makeDirectory(dir, mode: 0o700)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertEqual(FileIO.mode(dir), 0o700)
        let path = dir + "/secret"
        try FileIO.writeAtomically(path, [1, 2, 3], mode: 0o600)
        XCTAssertEqual(FileIO.mode(path), 0o600)
        try FileIO.writeAtomically(path, text: "new", mode: 0o600)
        XCTAssertEqual(try FileIO.readText(path), "new")
        // No temporary file is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["secret"])
    }

    func testUnwritableFolderIsAClearError() throws {
        // Even root cannot create files in /proc, so this runs as any user.
        XCTAssertThrowsError(try FileIO.writeAtomically("/proc/x", [1])) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("cannot create '/proc/x': "))
        }
    }

    func testWriteIntoMissingFolderFails() {
        XCTAssertThrowsError(try FileIO.writeAtomically("/nonexistent-dir/file", [1])) { error in
            XCTAssertEqual(String(describing: error), "cannot create '/nonexistent-dir/file': no such file or directory")
        }
    }

    func testReadLimit() throws {
        let path = NSTemporaryDirectory() + "csp-limit-" + UUID().uuidString
        try Data(count: 200_000).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        XCTAssertThrowsError(try FileIO.read(path, limit: 1000)) { error in
            XCTAssertEqual(String(describing: error), "'\(path)' is larger than 1000 bytes")
        }
        XCTAssertEqual(try FileIO.read(path).count, 200_000)
    }

    func testChunkedReadSeesEveryByte() throws {
        let path = NSTemporaryDirectory() + "csp-chunks-" + UUID().uuidString
        let bytes = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        var seen: [UInt8] = []
        try FileIO.forEachChunk(path, chunkSize: 4096) { seen.append(contentsOf: $0) }
        XCTAssertEqual(seen, bytes)
    }
}
