import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// CA → enroll → init → start → submit → query → watch, with the real binaries and a real
/// node on a real Unix socket.
final class NodeTests: XCTestCase {
    func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    func testEndToEnd() throws {
        let fixture = try NodeFixture.make(self)
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }

        var info = stat()
        XCTAssertEqual(stat(fixture.socket, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o660, "the socket is 0660")
        XCTAssertEqual(stat(fixture.node, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o750, "in a 0750 folder")
        let first = json(try fixture.tx("alice", ["submit", "kv.put", "key=demand-1", "value=heating fails"]).stdout)
        XCTAssertEqual(first["code"] as? String, "valid")
        XCTAssertEqual(first["block"] as? Int, 1)
        let txid = try XCTUnwrap(first["txid"] as? String)
        XCTAssertEqual(txid.count, 64)
        try fixture.tx("alice", ["submit", "kv.put", "key=demand-1", "value=accepted"])

        XCTAssertEqual(try fixture.tx("alice", ["query", "kv/demand-1"]).stdout, "accepted\n")
        try fixture.tx("alice", ["query", "kv/nothing"], expect: 1)
        let history = try fixture.tx("alice", ["history", "kv/demand-1", "--format", "json"]).stdout.split(separator: "\n")
        XCTAssertEqual(history.count, 2)
        XCTAssertTrue(history[0].contains("\"value\":\"heating fails\""), String(history[0]))
        let record = json(try fixture.tx("rita", ["tx", txid, "--format", "json"]).stdout)
        XCTAssertEqual(record["code"] as? String, "valid")
        XCTAssertEqual(record["creator"] as? String, "Acme/alice")
        // The policy lets the regulator read blocks, not the customer.
        XCTAssertTrue(try fixture.tx("rita", ["block", "1"]).stdout.hasPrefix("block 1  "))
        let refused = try fixture.tx("alice", ["block", "1"], expect: 1)
        XCTAssertTrue(refused.stderr.hasPrefix("error: read refused"), refused.stderr)
        XCTAssertEqual(try fixture.tx("alice", ["account", "Acme/alice"]).stdout.split(separator: "\n").count, 2)

        // Events from the start of the chain, in commit order.
        let events = try fixture.tx("alice", ["watch", "--from", "0", "--count", "2", "--contract", "kv"]).stdout.split(separator: "\n")
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(json(String(events[0]))["block"] as? Int, 1)
        XCTAssertEqual(json(String(events[1]))["block"] as? Int, 2)

        let status = json(try NodeFixture.run("csp-node", ["status", "--home", fixture.node, "--format", "json"]).stdout)
        XCTAssertEqual(status["channel"] as? String, "consortium")
        XCTAssertEqual(status["height"] as? Int, 3)

        node.terminate()
        node.waitUntilExit()
        XCTAssertEqual(node.terminationStatus, 0, fixture.nodeLog)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.socket))
        // Restarted, the node serves exactly what was committed.
        let again = try fixture.start()
        defer { again.terminate(); again.waitUntilExit() }
        XCTAssertEqual(try fixture.tx("alice", ["query", "kv/demand-1"]).stdout, "accepted\n")
    }

    func testRejectionsKeepTheNodeServing() throws {
        let fixture = try NodeFixture.make(self)
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }

        let denied = try fixture.tx("rita", ["submit", "kv.put", "key=x", "value=y"], expect: 1)
        XCTAssertEqual(json(denied.stdout)["code"] as? String, "policy-denied", denied.stdout)
        XCTAssertTrue(denied.stderr.hasPrefix("error: rejected: "), denied.stderr)

        // A signature that does not match: the last byte of the DER signature flipped.
        let signed = try fixture.tx("alice", ["submit", "kv.put", "key=forged", "value=1", "--sign-only", "--format", "text"]).stdout
        var bytes = try XCTUnwrap(Data(base64Encoded: signed.trimmingCharacters(in: .whitespacesAndNewlines)))
        bytes[bytes.count - 1] ^= 0x01
        try Data(bytes.base64EncodedString().utf8).write(to: URL(fileURLWithPath: fixture.dir + "/forged.tx"))
        let forged = try fixture.tx("alice", ["submit", "--signed", fixture.dir + "/forged.tx"], expect: 1)
        XCTAssertEqual(json(forged.stdout)["code"] as? String, "bad-signature", forged.stdout)
        try fixture.tx("alice", ["query", "kv/forged"], expect: 1)

        // A participant of a CA the channel does not know.
        let other = NodeFixture(dir: fixture.dir + "/other")
        try NodeFixture.run("csp-ca", ["init", "--home", other.ca, "--org", "Acme"])
        _ = try other.enroll("mallory", role: "customer")
        let unknown = try NodeFixture.run("csp-tx", ["submit", "kv.put", "key=x", "value=y", "--home", other.dir + "/mallory",
                                                      "--socket", fixture.socket, "--channel", "consortium"], expect: 1)
        XCTAssertEqual(json(unknown.stdout)["code"] as? String, "unknown-creator", unknown.stdout)

        // Revoked, once the channel has taken in the new CRL.
        try NodeFixture.run("csp-ca", ["revoke", "alice", "--home", fixture.ca, "--reason", "keyCompromise"])
        let crl = try String(contentsOfFile: fixture.ca + "/crl.pem", encoding: .utf8)
        let update = json(try fixture.tx("root", ["submit", "config.set-crl", "organization=Acme", "crl=\(crl)"]).stdout)
        XCTAssertEqual(update["code"] as? String, "valid", "\(update)")
        let revoked = try fixture.tx("alice", ["submit", "kv.put", "key=x", "value=y"], expect: 1)
        XCTAssertEqual(json(revoked.stdout)["code"] as? String, "revoked-creator", revoked.stdout)

        // A non-admin cannot change the configuration.
        _ = try fixture.enroll("eve", role: "enterprise")
        let notAdmin = try fixture.tx("eve", ["submit", "config.set-crl", "organization=Acme", "crl=\(crl)"], expect: 1)
        XCTAssertEqual(json(notAdmin.stdout)["code"] as? String, "policy-denied", notAdmin.stdout)

        // Bytes that are not a transaction, frames that lie about their size, a client
        // that hangs up mid-frame: each loses its own connection, never the node.
        for bytes in [[UInt8](repeating: 0x41, count: 64), [0xFF, 0xFF, 0xFF, 0xFF, 1, 2], [0, 0, 0, 200, 1, 2, 3],
                      [0, 0, 0, 5] + Array("{nope".utf8)] {
            _ = RawSocket.exchange(fixture.socket, bytes)
        }
        let fine = json(try fixture.tx("eve", ["submit", "kv.put", "key=still", "value=serving"]).stdout)
        XCTAssertEqual(fine["code"] as? String, "valid")
        XCTAssertTrue(node.isRunning)
    }

    func testResubmittingTheSameSignedTransactionIsADuplicate() throws {
        let fixture = try NodeFixture.make(self)
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        // Signed once (offline), submitted twice: what a client retrying after a timeout does.
        let signed = try fixture.tx("alice", ["submit", "kv.put", "key=once", "value=1", "--sign-only", "--format", "text"]).stdout
        let file = fixture.dir + "/signed.tx"
        try Data(signed.utf8).write(to: URL(fileURLWithPath: file))
        let first = json(try fixture.tx("alice", ["submit", "--signed", file]).stdout)
        XCTAssertEqual(first["code"] as? String, "valid")
        let second = try fixture.tx("alice", ["submit", "--signed", file], expect: 1)
        XCTAssertEqual(json(second.stdout)["code"] as? String, "duplicate-id", second.stdout)
        XCTAssertEqual(json(second.stdout)["txid"] as? String, first["txid"] as? String)
        XCTAssertEqual(try fixture.tx("alice", ["history", "kv/once"]).stdout.split(separator: "\n").count, 1, "committed once")
        // The same transaction twice in one batch window: one valid, one duplicate in the block.
        let both = try fixture.tx("alice", ["submit", "--signed", file, "--signed", file], expect: 1)
        XCTAssertTrue(both.stdout.contains("duplicate-id"), both.stdout)
    }
}
