import CSPTestSupport
import Foundation
import XCTest

/// csp-tx's workflow commands against a real node, for what needs no workflow engine:
/// refusals, empty answers, fingerprints. (WorkflowCommandsTests runs the workflows.)
final class WorkflowCommandsToolTests: XCTestCase {
    func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    func testAnswersWithoutAnyDefinition() throws {
        let fixture = try NodeFixture.makeForWorkflows(self)
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }

        // A definition nobody proposed: refused, exit 1, the node's reason on one line.
        let unknown = try fixture.tx("alice", ["call", "nosuch.submit", "subject=x"], expect: 1)
        XCTAssertEqual(unknown.stdout, "")
        XCTAssertTrue(unknown.stderr.hasPrefix("error: "), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("'nosuch'") && unknown.stderr.hasSuffix("(unknown-contract)\n"), unknown.stderr)
        XCTAssertEqual(unknown.stderr.split(separator: "\n").count, 1, unknown.stderr)
        let unknownJSON = try fixture.tx("alice", ["call", "nosuch.submit", "--id", "X-1", "--format", "json"], expect: 1)
        XCTAssertEqual(json(unknownJSON.stdout)["code"] as? String, "unknown-contract", unknownJSON.stdout)

        // No such instance.
        let missing = try fixture.tx("alice", ["show", "D-nope"], expect: 1)
        XCTAssertEqual(missing.stderr, "error: no instance 'D-nope'\n")
        XCTAssertEqual(missing.stdout, "")

        // Nothing to do, no definitions, no accounts: nothing printed, exit 0.
        for format in ["text", "json"] {
            XCTAssertEqual(try fixture.tx("alice", ["todo", "--format", format]).stdout, "")
            XCTAssertEqual(try fixture.tx("root", ["contract", "list", "--format", format]).stdout, "")
            XCTAssertEqual(try fixture.tx("root", ["accounts", "--format", format]).stdout, "")
        }
        XCTAssertEqual(try fixture.tx("root", ["contract", "show", "demand"], expect: 1).stderr, "error: no definition 'demand'\n")
        XCTAssertEqual(try fixture.tx("root", ["contract", "approve", "demand", "1"], expect: 1).stderr, "error: no definition 'demand' version 1\n")
        XCTAssertEqual(try fixture.tx("root", ["accounts", "Acme/nobody"], expect: 1).stderr, "error: no account 'Acme/nobody'\n")

        // A file that is not there: exit 2, one line, nothing submitted.
        // alice has no transaction yet: account answers no (exit 1).
        let before = try fixture.tx("alice", ["account", "Acme/alice"], expect: 1).stdout
        let noFile = try fixture.tx("alice", ["call", "demand.submit", "report=@" + fixture.dir + "/missing.pdf"], expect: 2)
        XCTAssertEqual(noFile.stderr, "error: cannot open '\(fixture.dir)/missing.pdf': no such file or directory\n")
        XCTAssertEqual(noFile.stdout, "")
        XCTAssertEqual(try fixture.tx("alice", ["account", "Acme/alice"], expect: 1).stdout, before)

        // Usage errors: exit 64.
        XCTAssertTrue(try fixture.tx("alice", ["call", "demand.submit", "report=@-"], expect: 64).stderr.hasPrefix("error: field 'report': a fingerprint needs a file name"))
        try fixture.tx("alice", ["call", "demand"], expect: 64)
        try fixture.tx("alice", ["watch", "--mine", "--account", "Acme/alice"], expect: 64)
    }

    func testFingerprintIsSha256sumsAndNeedsNoNode() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/site photo.jpg"
        let bytes = (0..<(2 << 20) + 77).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let sum = try runProcess("sha256sum", [path]).stdout.split(separator: " ").first.map(String.init)
        let line = try NodeFixture.run("csp-tx", ["call", "demand.submit", "--id", "D-1", "report=@" + path, "note=@@home", "--dry-run", "--home", dir + "/none"])
        let call = json(line.stdout)
        XCTAssertEqual(call["call"] as? String, "demand.submit")
        let args = try XCTUnwrap(call["args"] as? [String: String], line.stdout)
        XCTAssertEqual(args["id"], "D-1")
        XCTAssertEqual(args["note"], "@home")
        XCTAssertEqual(args["report"], #"{"name":"site photo.jpg","sha256":""# + (sum ?? "?") + #"","size":\#(bytes.count)}"#)
        // Without --id, a readable new id.
        let generated = json(try NodeFixture.run("csp-tx", ["call", "service-contract.draft", "--dry-run"]).stdout)
        let id = try XCTUnwrap((generated["args"] as? [String: String])?["id"])
        XCTAssertTrue(id.range(of: #"^SC-[0-9]{8}-[0-9a-f]{8}$"#, options: .regularExpression) != nil, id)
    }
}
