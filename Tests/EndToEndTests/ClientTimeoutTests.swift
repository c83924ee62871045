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
        let started = Date()
        let query = try NodeFixture.run("csp-tx", ["query", "kv/x"] + common, expect: 2)
        XCTAssertEqual(query.stderr, "error: '\(socket)' did not answer within 1 s\n")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        let submit = try NodeFixture.run("csp-tx", ["submit", "kv.put", "key=a", "value=b"] + common, expect: 75)
        XCTAssertTrue(submit.stderr.hasPrefix("error: '\(socket)' did not answer within 1 s; the outcome of transaction "), submit.stderr)
        XCTAssertTrue(submit.stderr.hasSuffix(" before submitting again\n"), submit.stderr)
        let batch = try NodeFixture.run("csp-tx", ["submit", "--batch", "-"] + common, input: Data(#"{"call":"kv.put","args":{"key":"a","value":"b"}}"#.utf8), expect: 75)
        XCTAssertTrue(batch.stdout.contains(#""outcome":"unknown""#), batch.stdout)
        XCTAssertTrue(batch.stderr.contains("did not answer within 1 s"), batch.stderr)
    }
}
