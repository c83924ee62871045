import CSPTestSupport
@testable import CSPTxCommands
import Foundation
import XCTest

/// `StateReads` against a real node (the built binaries): lookups of single keys, pages
/// followed to the end, several prefixes at once, a limit across pages.
final class StateReadsTests: XCTestCase {
    func run(_ tool: String, _ arguments: [String], input: Data? = nil) throws -> String {
        let result = try runProcess(productsDirectory + "/" + tool, arguments, input: input)
        XCTAssertEqual(result.status, 0, "\(tool) \(arguments): \(result.stderr)")
        return result.stdout
    }

    func testPagesAreFollowedToTheEnd() throws {
        let dir = try temporaryDirectory(self)
        try run("csp-ca", ["init", "--home", dir + "/ca", "--org", "Acme"])
        for (id, role) in [("node", "node"), ("alice", "customer")] {
            let secret = try run("csp-ca", ["register", id, "--home", dir + "/ca", "--role", role]).trimmingCharacters(in: .newlines)
            try run("csp-ca", ["enroll", id, "--secret", secret, "--ca", dir + "/ca", "--out", dir + "/" + id])
        }
        let genesis: [String: Any] = [
            "channel": "c",
            "organizations": [["name": "Acme", "certificates": [try String(contentsOfFile: dir + "/ca/ca-cert.pem", encoding: .utf8)],
                               "crls": [try String(contentsOfFile: dir + "/ca/crl.pem", encoding: .utf8)]]],
            "orderer": try String(contentsOfFile: dir + "/node/cert.pem", encoding: .utf8),
            "admins": ["Acme/alice"],
            "blockCutting": ["maxTransactions": 1000, "maxBytes": 4 << 20, "timeoutMilliseconds": 50],
            "policy": ["invoke": ["kv.*": ["customer"]], "read": ["*": ["customer"]]],
            "timestampWindowSeconds": 300,
        ]
        try JSONSerialization.data(withJSONObject: genesis).write(to: URL(fileURLWithPath: dir + "/genesis.json"))
        try run("csp-node", ["init", "--home", dir + "/node", "--channel", "c", "--config", dir + "/genesis.json"])
        let node = Process()
        node.executableURL = URL(fileURLWithPath: productsDirectory + "/csp-node")
        node.arguments = ["start", "--home", dir + "/node"]
        node.standardError = FileHandle.nullDevice
        try node.run()
        defer { node.terminate(); node.waitUntilExit() }
        let socket = dir + "/node/node.sock"
        for _ in 0..<1000 where !RawSocket.accepts(socket) { usleep(10_000) }

        // 2,345 keys under kv/a/ (three pages of 1000), 5 under kv/b/, none under kv/c/.
        let lines = (0..<2345).map { #"{"call":"kv.put","args":{"key":"a/\#(String(format: "%05d", $0))","value":"\#($0)"}}"# }
            + (0..<5).map { #"{"call":"kv.put","args":{"key":"b/\#($0)","value":"b"}}"# }
        try run("csp-tx", ["submit", "--batch", "-", "--home", dir + "/alice", "--socket", socket, "--channel", "c", "--quiet"],
                input: Data(lines.joined(separator: "\n").utf8))

        let participant = try Participant(home: dir + "/alice")
        let reads = try participant.stateReads(socket: socket, channel: "c", timeout: 30)
        defer { reads.client.close() }
        let all = try reads.ranges(["kv/a/", "kv/b/", "kv/c/"])
        XCTAssertEqual(all.map(\.count), [2345, 5, 0])
        XCTAssertEqual(all[0].last?.key, "kv/a/02344")
        XCTAssertEqual(Set(all[0].compactMap(\.key)).count, 2345)
        XCTAssertEqual(try reads.ranges(["kv/a/", "kv/b/"], limit: 1500).map(\.count), [1500, 5])
        XCTAssertEqual(try reads.range("kv/a/", limit: 3).compactMap(\.key), ["kv/a/00000", "kv/a/00001", "kv/a/00002"])
        // Single keys: the key itself, never a longer one it prefixes.
        XCTAssertEqual(try reads.values(["kv/a/00007", "kv/a/0000", "kv/b/4", "kv/none"]), ["7", nil, "b", nil])
    }
}
