import CSPBasics
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

    func testMissingFilesAndMalformedListsExitWithOneLine() throws {
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
        // A listed file that cannot be read is a "no" (1), as sha256sum -c says.
        let vanished = try runProcess(audit, ["check", "SUMS"], currentDirectory: dir)
        XCTAssertEqual(vanished.status, 1)
        XCTAssertEqual(vanished.stdout, "plain.txt: OK\nvanished.txt: FAILED open or read\n")
        XCTAssertEqual(vanished.stderr, "error: cannot open 'vanished.txt': no such file or directory\nwarning: 1 listed file could not be read\n")
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

    /// Files whose names sha256sum escapes or splits on: spaces, newline, backslash, CR.
    func makeOddFiles() throws -> (String, [String]) {
        let dir = try temporaryDirectory(self)
        let names = ["x y", "n\nl", "b\\s", "c\rr", "a\\b\nc\rd", "plain"]
        for (i, name) in names.enumerated() {
            try Data("content \(i)".utf8).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        return (dir, names)
    }

    func testOddNamesRoundTripBothWaysByteForByte() throws {
        let (dir, names) = try makeOddFiles()
        let ours = try runProcess(audit, ["hash"] + names, currentDirectory: dir)
        let theirs = try runProcess("sha256sum", names, currentDirectory: dir)
        XCTAssertEqual(ours.status, 0, ours.stderr)
        XCTAssertEqual(ours.stdoutBytes, theirs.stdoutBytes)
        try ours.stdoutBytes.write(to: URL(fileURLWithPath: dir + "/OURS"))
        let theirCheck = try runProcess("sha256sum", ["-c", "OURS"], currentDirectory: dir)
        let ourCheck = try runProcess(audit, ["check", "OURS"], currentDirectory: dir)
        XCTAssertEqual(theirCheck.status, 0, theirCheck.stderr)
        XCTAssertEqual(ourCheck.status, 0, ourCheck.stderr)
        XCTAssertEqual(ourCheck.stdoutBytes, theirCheck.stdoutBytes, "the -c report is sha256sum's, escapes included")

        let tagged = try runProcess("sha256sum", ["--tag"] + names, currentDirectory: dir)
        try tagged.stdoutBytes.write(to: URL(fileURLWithPath: dir + "/TAGGED"))
        let taggedCheck = try runProcess(audit, ["check", "TAGGED"], currentDirectory: dir)
        XCTAssertEqual(taggedCheck.status, 0, taggedCheck.stderr)
        XCTAssertEqual(taggedCheck.stdoutBytes, theirCheck.stdoutBytes)
    }

    func testCheckReadsCRLFCommentsAndBlankLinesAsSha256sumDoes() throws {
        let (dir, names) = try makeFiles()
        let sums = try runProcess("sha256sum", names, currentDirectory: dir)
        let crlf = "# fingerprints of the contract folder\r\n\r\n" + sums.stdout.replacingOccurrences(of: "\n", with: "\r\n") + "\n"
        try Data(crlf.utf8).write(to: URL(fileURLWithPath: dir + "/CRLF"))
        let theirs = try runProcess("sha256sum", ["-c", "CRLF"], currentDirectory: dir)
        let ours = try runProcess(audit, ["check", "CRLF"], currentDirectory: dir)
        XCTAssertEqual(theirs.status, 0, theirs.stderr)
        XCTAssertEqual(ours.status, 0, ours.stderr)
        XCTAssertEqual(ours.stdout, theirs.stdout)
        XCTAssertEqual(ours.stderr, "")
        // A stray line is skipped with a warning, as sha256sum does, and the rest checked.
        try Data((crlf + "not a fingerprint\n").utf8).write(to: URL(fileURLWithPath: dir + "/STRAY"))
        let stray = try runProcess(audit, ["check", "STRAY"], currentDirectory: dir)
        XCTAssertEqual(stray.status, 0)
        XCTAssertEqual(stray.stdout, theirs.stdout)
        XCTAssertEqual(stray.stderr, "warning: 'STRAY': 1 line is improperly formatted (line 8)\n")
    }

    func testMissingPlusChangedExits1AndQuietPrintsOnlyFailures() throws {
        let (dir, names) = try makeOddFiles()
        let sums = try runProcess("sha256sum", names, currentDirectory: dir)
        try sums.stdoutBytes.write(to: URL(fileURLWithPath: dir + "/SUMS"))
        try Data("changed".utf8).write(to: URL(fileURLWithPath: dir + "/x y"))
        try FileManager.default.removeItem(atPath: dir + "/a\\b\nc\rd")
        for quiet in [false, true] {
            let theirs = try runProcess("sha256sum", ["-c"] + (quiet ? ["--quiet"] : []) + ["SUMS"], currentDirectory: dir)
            let ours = try runProcess(audit, ["check"] + (quiet ? ["-q"] : []) + ["SUMS"], currentDirectory: dir)
            XCTAssertEqual(theirs.status, 1)
            XCTAssertEqual(ours.status, 1, ours.stderr)
            XCTAssertEqual(ours.stdoutBytes, theirs.stdoutBytes, "quiet: \(quiet)")
            XCTAssertTrue(ours.stderr.hasSuffix("warning: 1 listed file could not be read\nwarning: 1 of 6 computed fingerprints did not match\n"), ours.stderr)
        }
    }

    func testFoldersAreHashedRecursivelyInAStableOrderOnEveryCore() throws {
        let dir = try temporaryDirectory(self)
        let files = ["docs/b.txt", "docs/a.txt", "docs/sub/z.pdf", "docs/sub/deeper/y", "docs/A", "docs/with space/c"]
        for (i, file) in files.enumerated() {
            let path = dir + "/" + file
            try FileManager.default.createDirectory(atPath: FileIO.parent(of: path), withIntermediateDirectories: true)
            try Data(repeating: UInt8(i), count: 1000 * (i + 1)).write(to: URL(fileURLWithPath: path))
        }
        try FileManager.default.createDirectory(atPath: dir + "/docs/empty", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/docs/loop", withDestinationPath: "..")
        // Depth first, names in byte order ('A' < 'a' < 's' < 'w'); the link to a folder is left out.
        let expected = ["docs/A", "docs/a.txt", "docs/b.txt", "docs/sub/deeper/y", "docs/sub/z.pdf", "docs/with space/c"]
        let theirs = try runProcess("sha256sum", expected, currentDirectory: dir)
        let ours = try runProcess(audit, ["hash", "docs"], currentDirectory: dir)
        XCTAssertEqual(ours.status, 0, ours.stderr)
        XCTAssertEqual(ours.stdout, theirs.stdout)
        XCTAssertEqual(try runProcess(audit, ["hash", "docs/"], currentDirectory: dir).stdout, theirs.stdout, "no doubled slash")
        let json = try runProcess(audit, ["hash", "--format", "json", "docs/sub"], currentDirectory: dir)
        let lines = json.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].hasPrefix("{\"file\":\"docs/sub/deeper/y\",\"sha256\":\""), String(lines[0]))
        // sha256sum -c takes the folder's listing back.
        try ours.stdoutBytes.write(to: URL(fileURLWithPath: dir + "/SUMS"))
        XCTAssertEqual(try runProcess("sha256sum", ["-c", "SUMS"], currentDirectory: dir).status, 0)
    }

    /// The committed proof vectors (docs/FORMAT.md, "Proof file") verify with the binary
    /// as they do with docs/vectors/verify.py, and fail for another document.
    func testCommittedProofVectorsVerifyOffline() throws {
        let dir = repositoryRoot + "/docs/vectors/proof"
        for (document, proof) in [("invoice.txt", "invoice.txt.receipt"), ("report.txt", "report.txt.proof")] {
            let result = try runProcess(audit, ["verify", dir + "/" + document, "--proof", dir + "/" + proof, "--ca", dir + "/ca-cert.pem"])
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            XCTAssertTrue(result.stdout.contains(": OK anchored in vectors block "), result.stdout)
        }
        let wrong = try runProcess(audit, ["verify", dir + "/report.txt", "--proof", dir + "/invoice.txt.receipt", "--ca", dir + "/ca-cert.pem"])
        XCTAssertEqual(wrong.status, 1)
        // The bundle's line for the invoice, and the transaction proof of a kv.put by its id.
        let bundled = try runProcess(audit, ["verify", dir + "/invoice.txt", "--proof", dir + "/invoice-batch.receipts", "--ca", dir + "/ca-cert.pem"])
        XCTAssertEqual(bundled.status, 0, bundled.stdout + bundled.stderr)
        let txid = try String(contentsOfFile: dir + "/kv-put.txid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let put = try runProcess(audit, ["verify", txid, "--proof", dir + "/kv-put.proof", "--ca", dir + "/ca-cert.pem"])
        XCTAssertEqual(put.status, 0, put.stdout + put.stderr)
        XCTAssertTrue(put.stdout.hasPrefix("\(txid): OK kv.put valid in vectors block "), put.stdout)
        // The orderer stands under an intermediate CA: revoked after every block (superseded)
        // it still vouches for them; its CA revoked as compromised, nothing holds.
        let receipt = ["verify", dir + "/invoice.txt", "--proof", dir + "/invoice.txt.receipt", "--ca", dir + "/ca-cert.pem"]
        XCTAssertEqual(try runProcess(audit, receipt + ["--crl", dir + "/issuing-later.crl"]).status, 0)
        let compromised = try runProcess(audit, receipt + ["--crl", dir + "/root-later.crl"])
        XCTAssertEqual(compromised.status, 1)
        XCTAssertTrue(compromised.stdout.contains(": FAILED the CA certificate O=Acme, OU=ca, CN=Acme Issuing CA was revoked at "), compromised.stdout)
    }

    /// Results that cannot be written (a full disk) end in exit 2 with one line, never in
    /// exit 0, in csp-audit's ordinary path and in its quick proof path; a reader that
    /// stops reading (`| head`) is no error.
    func testUnwritableOutputIsAnErrorAndAClosedPipeIsNot() throws {
        let (dir, _) = try makeFiles()
        let proofs = repositoryRoot + "/docs/vectors/proof"
        let verify = "'\(audit)' verify '\(proofs)/invoice.txt' --proof '\(proofs)/invoice.txt.receipt' --ca '\(proofs)/ca-cert.pem'"
        for command in ["'\(audit)' hash plain.txt 'with space.pdf'", "'\(audit)' hash --format json plain.txt", verify] {
            let full = try runProcess("/bin/sh", ["-c", command + " > /dev/full"], currentDirectory: dir)
            XCTAssertEqual(full.status, 2, command)
            XCTAssertEqual(full.stderr, "error: cannot write output: No space left on device\n", command)
            let fine = try runProcess("/bin/sh", ["-c", command + " > /dev/null"], currentDirectory: dir)
            XCTAssertEqual(fine.status, 0, command + fine.stderr)
        }
        // 5,000 lines (over 300 KiB, more than a pipe holds) into a reader that takes one:
        // the writer ends quietly, by SIGPIPE or by its EPIPE, never with an error line.
        // (The test process ignores SIGPIPE, and its children inherit that: EPIPE it is.)
        try Data(String(repeating: "plain.txt\n", count: 5000).utf8).write(to: URL(fileURLWithPath: dir + "/names"))
        let piped = try runProcess("/bin/sh", ["-c", "'\(audit)' hash $(cat names) | head -n 1"], currentDirectory: dir)
        XCTAssertEqual(piped.stdout, try runProcess("sha256sum", ["plain.txt"], currentDirectory: dir).stdout)
        XCTAssertEqual(piped.stderr, "")
        // The same 300 KiB into a full disk: stdio's buffer fills and fails long before the
        // end, and the exit still says so.
        let large = try runProcess("/bin/sh", ["-c", "'\(audit)' hash $(cat names) > /dev/full"], currentDirectory: dir)
        XCTAssertEqual(large.status, 2)
        XCTAssertEqual(large.stderr, "error: cannot write output: No space left on device\n")
    }

    /// A proof file with a member given twice (even with the same value) or bytes after
    /// its object is malformed, exit 2, in csp-audit's quick path and its ordinary one alike.
    func testAmbiguousProofFilesAreRefused() throws {
        let dir = repositoryRoot + "/docs/vectors/proof"
        let scratch = NSTemporaryDirectory() + "/csp-ambiguous-proofs-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let text = try String(contentsOfFile: dir + "/invoice.txt.receipt", encoding: .utf8)
        XCTAssertTrue(text.contains("\"position\": 0,"))
        let variants = ["twice": text.replacingOccurrences(of: "\"format\"", with: "\"position\": 0,\n  \"format\""),
                        "trailing": text + "{}", "number": text.replacingOccurrences(of: "\"position\": 0,", with: "\"position\": \"0\",")]
        for (name, content) in variants {
            let file = scratch + "/" + name + ".receipt"
            try Data(content.utf8).write(to: URL(fileURLWithPath: file))
            let expected = "error: '\(file)' is not a csp proof file (JSON with format 'csp-proof')\n"
            for arguments in [["verify", dir + "/invoice.txt", "--proof", file, "--ca", dir + "/ca-cert.pem"],
                              ["verify", "--proof", file, "--ca", dir + "/ca-cert.pem", "--", dir + "/invoice.txt"]] {
                let result = try runProcess(audit, arguments)
                XCTAssertEqual(result.status, 2, name + ": " + result.stdout + result.stderr)
                XCTAssertEqual(result.stderr, expected, name)
                XCTAssertEqual(result.stdout, "", name)
            }
        }
    }

    /// An offline proof check reads neither openssl.cnf nor $OPENSSL_CONF (docs/FORMAT.md):
    /// a configuration that breaks libcrypto's start (a provider module that is not
    /// there) changes nothing, where it used to crash the check.
    func testOfflineProofCheckIgnoresTheOpenSSLConfiguration() throws {
        let dir = repositoryRoot + "/docs/vectors/proof"
        let config = NSTemporaryDirectory() + "/csp-broken-openssl-\(getpid()).cnf"
        try Data("""
            config_diagnostics = 1
            openssl_conf = init
            [init]
            providers = providers
            [providers]
            missing = missing
            [missing]
            module = /nonexistent/csp-test-provider.so
            activate = 1

            """.utf8).write(to: URL(fileURLWithPath: config))
        defer { try? FileManager.default.removeItem(atPath: config) }
        var environment = ProcessInfo.processInfo.environment
        environment["OPENSSL_CONF"] = config
        for arguments in [["verify", dir + "/invoice.txt", "--proof", dir + "/invoice.txt.receipt", "--ca", dir + "/ca-cert.pem"],
                          ["verify", "--proof", dir + "/invoice.txt.receipt", "--ca", dir + "/ca-cert.pem", "--format", "json", "--", dir + "/invoice.txt"]] {
            let result = try runProcess(audit, arguments, environment: environment)
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            XCTAssertTrue(result.stdout.contains("OK anchored in vectors block 2") || result.stdout.contains("\"ok\":true"), result.stdout)
        }
    }
}
