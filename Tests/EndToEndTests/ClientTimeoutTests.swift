import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// A node that accepts connections and never answers must not hang csp-tx (issue 12).
final class ClientTimeoutTests: XCTestCase {
    func testReadsAndSubmitsGiveUpOnAStalledNode() throws {
        let fixture = NodeFixture(dir: try temporaryDirectory(self))
        try NodeFixture.run("csp-ca", ["init", "--home", fixture.ca, "--org", "Acme"])
        let alice = try fixture.enroll("alice", role: "customer")
        let socket = fixture.dir + "/stalled.sock"
        let listener = RawSocket.stalledListener(socket)
        defer { close(listener) }
        let common = ["--home", alice, "--socket", socket, "--channel", "consortium", "--timeout", "1"]
        for arguments in [["query", "kv/x"], ["submit", "kv.put", "key=a", "value=b"]] {
            let started = Date()
            let result = try NodeFixture.run("csp-tx", arguments + common, expect: 2)
            XCTAssertEqual(result.stderr, "error: '\(socket)' did not answer within 1 s\n", arguments.joined(separator: " "))
            XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        }
        let batch = try NodeFixture.run("csp-tx", ["submit", "--batch", "-"] + common, input: Data(#"{"call":"kv.put","args":{"key":"a","value":"b"}}"#.utf8), expect: 2)
        XCTAssertTrue(batch.stdout.contains(#""outcome":"unknown""#), batch.stdout)
        XCTAssertTrue(batch.stderr.contains("did not answer within 1 s"), batch.stderr)
    }
}
