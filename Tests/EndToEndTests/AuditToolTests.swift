import CSPTestSupport
import Foundation
import XCTest

/// `csp-audit hash` and `check` against the real `sha256sum`.
final class AuditToolTests: XCTestCase {
    var audit: String { productsDirectory + "/csp-audit" }

    func makeFiles() throws -> (String, [String]) {
        let dir = try temporaryDirectory(self)
        let names = ["plain.txt", "with space.pdf", "empty", "big.bin"]
        try Data("contract v1\n".utf8).write(to: URL(fileURLWithPath: dir + "/plain.txt"))
        try Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: dir + "/with space.pdf"))
        try Data().write(to: URL(fileURLWithPath: dir + "/empty"))
        try Data(count: 3 << 20).write(to: URL(fileURLWithPath: dir + "/big.bin"))
        return (dir, names)
    }

    func testHashOutputIsByteIdenticalToSha256sum() throws {
        let (dir, names) = try makeFiles()
        let ours = try runProcess(audit, ["hash"] + names, currentDirectory: dir)
        let theirs = try runProcess("sha256sum", names, currentDirectory: dir)
        XCTAssertEqual(ours.status, 0, ours.stderr)
        XCTAssertEqual(ours.stdout, theirs.stdout)
        // sha256sum -c accepts what we print.
        try Data(ours.stdout.utf8).write(to: URL(fileURLWithPath: dir + "/SUMS"))
        let check = try runProcess("sha256sum", ["-c", "SUMS"], currentDirectory: dir)
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
    }

    func testStdinAndJSON() throws {
        let result = try runProcess(audit, ["hash", "--format", "json", "-"], input: Data("abc".utf8))
        XCTAssertEqual(result.stdout, "{\"file\":\"-\",\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}\n")
        let plain = try runProcess(audit, ["hash"], input: Data("abc".utf8))
        XCTAssertEqual(plain.stdout, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -\n")
    }

    func testCheckAcceptsSha256sumOutputAndReportsMismatchWithExit1() throws {
        let (dir, names) = try makeFiles()
        let sums = try runProcess("sha256sum", names, currentDirectory: dir)
        try Data(sums.stdout.utf8).write(to: URL(fileURLWithPath: dir + "/SUMS"))
        let ok = try runProcess(audit, ["check", "SUMS"], currentDirectory: dir)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, names.map { "\($0): OK\n" }.joined())

        try Data("contract v2 (altered)\n".utf8).write(to: URL(fileURLWithPath: dir + "/plain.txt"))
        let altered = try runProcess(audit, ["check", "SUMS"], currentDirectory: dir)
        XCTAssertEqual(altered.status, 1)
        XCTAssertTrue(altered.stdout.contains("plain.txt: FAILED\n"))
        XCTAssertTrue(altered.stdout.contains("empty: OK\n"))
        XCTAssertEqual(altered.stderr, "warning: 1 of 4 computed fingerprints did not match\n")

        let json = try runProcess(audit, ["check", "--format", "json", "SUMS"], currentDirectory: dir)
        XCTAssertTrue(json.stdout.contains("\"file\":\"plain.txt\",\"ok\":false"), json.stdout)
    }

    func testMissingFilesAndMalformedListsExit2WithOneLine() throws {
        let (dir, _) = try makeFiles()
        let missing = try runProcess(audit, ["hash", "plain.txt", "gone.txt"], currentDirectory: dir)
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stderr, "error: cannot open 'gone.txt': no such file or directory\n")
        XCTAssertTrue(missing.stdout.hasSuffix("  plain.txt\n"), "the readable file is still reported")

        try Data("this is not a checksum line\n".utf8).write(to: URL(fileURLWithPath: dir + "/BAD"))
        let malformed = try runProcess(audit, ["check", "BAD"], currentDirectory: dir)
        XCTAssertEqual(malformed.status, 2)
        XCTAssertEqual(malformed.stderr, "error: 'BAD' line 1: not a SHA-256 fingerprint line\n")

        let sums = try runProcess("sha256sum", ["plain.txt"], currentDirectory: dir)
        try Data((sums.stdout + sums.stdout.replacingOccurrences(of: "plain.txt", with: "vanished.txt")).utf8)
            .write(to: URL(fileURLWithPath: dir + "/SUMS"))
        let vanished = try runProcess(audit, ["check", "SUMS"], currentDirectory: dir)
        XCTAssertEqual(vanished.status, 2)
        XCTAssertEqual(vanished.stderr, "error: cannot open 'vanished.txt': no such file or directory\n")
    }

    func testNamesWithBackslashAndNewlineRoundTripLikeCoreutils() throws {
        let dir = try temporaryDirectory(self)
        let name = "odd\\name\nwith newline"
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/" + name))
        let ours = try runProcess(audit, ["hash", name], currentDirectory: dir)
        let theirs = try runProcess("sha256sum", [name], currentDirectory: dir)
        XCTAssertEqual(ours.stdout, theirs.stdout)
        try Data(ours.stdout.utf8).write(to: URL(fileURLWithPath: dir + "/SUMS"))
        XCTAssertEqual(try runProcess(audit, ["check", "SUMS"], currentDirectory: dir).status, 0)
    }
}
