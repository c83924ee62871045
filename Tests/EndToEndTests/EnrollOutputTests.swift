import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// `csp-ca enroll` must not spend the secret on output it cannot write, must let a
/// failed write be retried, must read the secret from a file or standard input, and must
/// not hang on a CA socket that never answers (issue 12, bug 16).
final class EnrollOutputTests: XCTestCase {
    var ca: String { productsDirectory + "/csp-ca" }

    private func makeCA() throws -> (dir: String, home: String, secretFile: String) {
        let dir = try temporaryDirectory(self)
        let home = dir + "/ca"
        XCTAssertEqual(try runProcess(ca, ["init", "--home", home, "--org", "Acme"]).status, 0)
        let secret = try runProcess(ca, ["register", "alice", "--home", home, "--role", "customer"]).stdout
        let secretFile = dir + "/alice.secret"
        try Data(secret.utf8).write(to: URL(fileURLWithPath: secretFile))
        return (dir, home, secretFile)
    }

    func testOutputThatIsAFileOrUnwritableCostsNoEnrollment() throws {
        let (dir, home, secretFile) = try makeCA()
        let file = dir + "/not-a-folder"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let onFile = try runProcess(ca, ["enroll", "alice", "--secret-file", secretFile, "--ca", home, "--out", file])
        XCTAssertEqual(onFile.status, 2)
        XCTAssertEqual(onFile.stderr, "error: cannot write into '\(file)': not a folder\n")

        var unwritable = dir + "/locked"
        try FileManager.default.createDirectory(atPath: unwritable, withIntermediateDirectories: false)
        chmod(unwritable, 0o500)
        if geteuid() == 0 {
            // Permission bits do not stop root; sysfs refuses new files even to root.
            unwritable = "/sys"
        }
        let locked = try runProcess(ca, ["enroll", "alice", "--secret-file", secretFile, "--ca", home, "--out", unwritable])
        XCTAssertEqual(locked.status, 2)
        XCTAssertEqual(locked.stderr, "error: cannot write into '\(unwritable)': permission denied\n")

        // Nothing was spent: the secret still enrolls.
        let enrolled = try runProcess(ca, ["enroll", "alice", "--secret-file", secretFile, "--ca", home, "--out", dir + "/alice"])
        XCTAssertEqual(enrolled.status, 0, enrolled.stderr)
        XCTAssertEqual(try runProcess("openssl", ["verify", "-CAfile", dir + "/alice/ca-chain.pem", dir + "/alice/cert.pem"]).status, 0)
        XCTAssertEqual(FileManager.default.fileExists(atPath: dir + "/alice/key-alice.pending.pem"), false, "the pending key became key.pem")
        var info = stat()
        XCTAssertEqual(stat(dir + "/alice/key.pem", &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        XCTAssertEqual(stat(dir + "/alice", &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o700)
    }

    func testAFailedWriteIsRetriedWithTheSameKey() throws {
        let (dir, home, secretFile) = try makeCA()
        // The folder is writable, but cert.pem cannot be replaced: the CA has signed by then.
        let out = dir + "/alice"
        try FileManager.default.createDirectory(atPath: out + "/cert.pem", withIntermediateDirectories: true)
        let failed = try runProcess(ca, ["enroll", "alice", "--secret-file", secretFile, "--ca", home, "--out", out])
        XCTAssertEqual(failed.status, 2)
        XCTAssertTrue(failed.stderr.hasPrefix("error: cannot write '\(out)/cert.pem': is a directory; the new key stays in '\(out)/key-alice.pending.pem': run the same command again"), failed.stderr)
        XCTAssertEqual(failed.stderr.filter { $0 == "\n" }.count, 1, "one line")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/key.pem"))

        try FileManager.default.removeItem(atPath: out + "/cert.pem")
        let retried = try runProcess(ca, ["enroll", "alice", "--secret-file", "-", "--ca", home, "--out", out, "--format", "json"],
                                     input: try Data(contentsOf: URL(fileURLWithPath: secretFile)))
        XCTAssertEqual(retried.status, 0, retried.stderr)
        XCTAssertEqual(try runProcess("openssl", ["verify", "-CAfile", out + "/ca-chain.pem", out + "/cert.pem"]).status, 0)
        let modulus = { (args: [String]) in try runProcess("openssl", args).stdout }
        XCTAssertEqual(try modulus(["pkey", "-in", out + "/key.pem", "-pubout"]), try modulus(["x509", "-in", out + "/cert.pem", "-noout", "-pubkey"]),
                       "key.pem and cert.pem belong together")
        // One certificate issued, one enrollment counted; the retry is in the audit log.
        let certificates = try runProcess(ca, ["show", "alice", "--home", home, "--format", "json"]).stdout
        XCTAssertEqual(certificates.components(separatedBy: "\"serial\"").count - 1, 1, certificates)
        XCTAssertTrue(certificates.contains("\"enrollments\":1,"), certificates)
        XCTAssertTrue(try runProcess(ca, ["log", "--home", home]).stdout.contains("enroll-repeat"))

        // A different key is still refused: the secret is spent.
        let other = try runProcess(ca, ["enroll", "alice", "--secret-file", secretFile, "--ca", home, "--out", dir + "/other"])
        XCTAssertEqual(other.status, 1)
        XCTAssertEqual(other.stderr, "error: identity 'alice' has used its 1 enrollment(s); its secret is spent\n")
    }

    /// A server that accepts connections and never answers: the client gives up.
    func testAStalledCASocketTimesOut() throws {
        let (dir, _, secretFile) = try makeCA()
        let socket = dir + "/stalled.sock"
        let fd = RawSocket.stalledListener(socket)
        defer { close(fd) }
        let started = Date()
        let stalled = try runProcess(ca, ["enroll", "alice", "--secret-file", secretFile, "--ca-socket", socket, "--out", dir + "/alice", "--timeout", "1"])
        XCTAssertEqual(stalled.status, 2)
        XCTAssertEqual(stalled.stderr, "error: '\(socket)' did not answer within 1 s\n")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }
}
