import CSPCertificates
import CSPCrypto
import CSPTestSupport
import Foundation
import XCTest

/// Operating the node: tampering caught at start, bad configurations refused, paged
/// reads, watchers that survive a restart, expired certificates refused.
final class NodeOperationsTests: XCTestCase {
    func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    func testAlteredBlockFileStopsTheNodeNamingTheBlock() throws {
        let fixture = try NodeFixture.make(self)
        let node = try fixture.start()
        for i in 0..<3 { try fixture.tx("alice", ["submit", "kv.put", "key=k\(i)", "value=contract text \(i)"]) }
        node.terminate()
        node.waitUntilExit()
        let blocks = fixture.node + "/channels/consortium/blocks"
        let file = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: blocks).filter { $0.hasPrefix("blocks-") }.sorted().first)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: blocks + "/" + file))
        // Change "contract text 1" to "contract text 7" inside block 2.
        let needle = Data("contract text 1".utf8)
        let range = try XCTUnwrap(bytes.range(of: needle))
        bytes[range.upperBound - 1] = UInt8(ascii: "7")
        try bytes.write(to: URL(fileURLWithPath: blocks + "/" + file))
        let start = try NodeFixture.run("csp-node", ["start", "--home", fixture.node], expect: 2)
        XCTAssertTrue(start.stderr.hasPrefix("error: "), start.stderr)
        XCTAssertTrue(start.stderr.contains("block 2"), start.stderr)
        XCTAssertEqual(start.stderr.split(separator: "\n").count, 1, start.stderr)
    }

    func testInitRefusesBadConfigurationsWithOneLine() throws {
        let fixture = try NodeFixture.make(self)
        // A second channel with a configuration that is not JSON or YAML of the schema.
        try Data("channel: [unclosed".utf8).write(to: URL(fileURLWithPath: fixture.dir + "/bad.yaml"))
        let bad = try NodeFixture.run("csp-node", ["init", "--home", fixture.node, "--channel", "private", "--config", fixture.dir + "/bad.yaml"], expect: 2)
        XCTAssertTrue(bad.stderr.hasPrefix("error: '\(fixture.dir)/bad.yaml'"), bad.stderr)
        XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1)
        // The same channel twice.
        let again = try NodeFixture.run("csp-node", ["init", "--home", fixture.node, "--channel", "consortium", "--config", fixture.dir + "/genesis.json"], expect: 1)
        XCTAssertEqual(again.stderr, "error: channel 'consortium' already exists in '\(fixture.node)'\n")
        // A node that is not the configuration's orderer.
        let stranger = fixture.dir + "/stranger"
        let secret = try NodeFixture.run("csp-ca", ["register", "stranger", "--home", fixture.ca, "--role", "node"]).stdout.trimmingCharacters(in: .newlines)
        try NodeFixture.run("csp-ca", ["enroll", "stranger", "--secret", secret, "--ca", fixture.ca, "--out", stranger])
        let notOrderer = try NodeFixture.run("csp-node", ["init", "--home", stranger, "--channel", "consortium", "--config", fixture.dir + "/genesis.json"], expect: 2)
        XCTAssertTrue(notOrderer.stderr.contains("is not the orderer named in"), notOrderer.stderr)
        // No identity at all; no channel to serve.
        let empty = try NodeFixture.run("csp-node", ["start", "--home", fixture.dir + "/empty"], expect: 2)
        XCTAssertTrue(empty.stderr.hasPrefix("error: no node identity in"), empty.stderr)
        XCTAssertEqual(try NodeFixture.run("csp-node", ["channels", "--home", fixture.node]).stdout, "consortium\n")
        let unreachable = try fixture.tx("alice", ["query", "kv/x"], expect: 2)
        XCTAssertEqual(unreachable.stderr, "error: cannot connect to '\(fixture.socket)': no such socket; is csp-node running? (path from --socket)\n")
        let nowhere = try NodeFixture.run("csp-node", ["channels", "--home", fixture.dir + "/nonexistent"], expect: 2)
        XCTAssertEqual(nowhere.stderr, "error: no node home '\(fixture.dir)/nonexistent': no such directory\n")
    }

    func testPagedRangeAndWatchAcrossARestart() throws {
        let fixture = try NodeFixture.make(self)
        var node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        let lines = (0..<25).map { #"{"call":"kv.put","args":{"key":"order-\#(String(format: "%02d", $0))","value":"\#($0)"}}"# }
        try fixture.tx("alice", ["submit", "--batch", "-"], input: Data(lines.joined(separator: "\n").utf8))
        var keys: [String] = []
        var after: String?
        var pages = 0
        repeat {
            var arguments = ["query", "--prefix", "kv/order-", "--limit", "10", "--format", "json"]
            if let after { arguments += ["--after", after] }
            let result = try fixture.tx("alice", arguments)
            after = NodeFixture.nextPage(result)
            for line in result.stdout.split(separator: "\n") {
                let object = json(String(line))
                XCTAssertNil(object["next"], "paging tokens stay off the data lines")
                if let key = object["key"] as? String { keys.append(key) }
            }
            pages += 1
        } while after != nil
        XCTAssertEqual(pages, 3)
        XCTAssertEqual(keys, (0..<25).map { "kv/order-" + String(format: "%02d", $0) })

        // A watcher keeps going while the node restarts, and delivers each event once.
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-tx"))
        watcher.arguments = ["watch", "--from", "0", "--contract", "kv", "--count", "27", "--home", fixture.dir + "/rita",
                             "--socket", fixture.socket, "--channel", fixture.channel]
        let out = Pipe()
        watcher.standardOutput = out
        try watcher.run()
        try fixture.tx("alice", ["submit", "kv.put", "key=before", "value=restart"])
        node.terminate()
        node.waitUntilExit()
        node = try fixture.start()
        try fixture.tx("alice", ["submit", "kv.put", "key=after", "value=restart"])
        watcher.waitUntilExit()
        XCTAssertEqual(watcher.terminationStatus, 0)
        let events = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(events.count, 27)
        XCTAssertEqual(Set(events.map { json(String($0))["txid"] as? String ?? "" }).count, 27, "no event twice")
        XCTAssertEqual(json(String(events.last!))["payload"] as? String, "after")
    }

    func testExpiredCertificateIsRefused() throws {
        let fixture = try NodeFixture.make(self)
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        // A certificate for 'old' that expired yesterday, signed with the channel's CA key.
        let caKey = try P256PrivateKey(pemFile: fixture.ca + "/ca-key.pem")
        let caCertificate = try Certificate(pemFile: fixture.ca + "/ca-cert.pem")
        let key = try P256PrivateKey.generate()
        let now = Date()
        let template = CertificateTemplate(
            subject: DistinguishedName(organization: "Acme", organizationalUnit: "customer", commonName: "old"),
            identity: IdentityExtension(role: "customer", organization: "Acme"),
            notBefore: now.addingTimeInterval(-30 * 86_400), notAfter: now.addingTimeInterval(-86_400))
        let expired = try CertificateIssuer.issue(template, subjectKey: try key.publicKey, issuer: caCertificate, issuerKey: caKey)
        let home = fixture.dir + "/old"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try key.write(to: home + "/key.pem")
        try Data(expired.pem().utf8).write(to: URL(fileURLWithPath: home + "/cert.pem"))
        let refused = try fixture.tx("old", ["submit", "kv.put", "key=x", "value=y"], expect: 1)
        XCTAssertEqual(json(refused.stdout)["code"] as? String, "expired-creator", refused.stdout)
        let read = try fixture.tx("old", ["query", "kv/x"], expect: 1)
        XCTAssertTrue(read.stderr.hasPrefix("error: read refused"), read.stderr)
    }
}

/// One node, two channels: the consortium chain and a department's private chain.
final class MultiChannelTests: XCTestCase {
    func testTwoChannelsOnOneNode() throws {
        let fixture = try NodeFixture.make(self)
        // The private chain: same CA, its own policy, cut by count.
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.dir + "/genesis.json"))) as! [String: Any]
        config["channel"] = "service-desk"
        config["policy"] = ["invoke": ["kv.*": ["enterprise"]], "read": ["*": ["enterprise", "admin"]]]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: fixture.dir + "/private.json"))
        try NodeFixture.run("csp-node", ["init", "--home", fixture.node, "--channel", "service-desk", "--config", fixture.dir + "/private.json"])
        XCTAssertEqual(try NodeFixture.run("csp-node", ["channels", "--home", fixture.node]).stdout, "consortium\nservice-desk\n")
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        _ = try fixture.enroll("dan", role: "enterprise")

        // Arguments from a JSON object; --no-wait answers before the block.
        try Data(#"{"key":"ticket-9","value":"dispatched to engineering"}"#.utf8).write(to: URL(fileURLWithPath: fixture.dir + "/args.json"))
        let accepted = try NodeFixture.run("csp-tx", ["submit", "kv.put", "--json", fixture.dir + "/args.json", "--no-wait",
                                                      "--home", fixture.dir + "/dan", "--socket", fixture.socket, "--channel", "service-desk"])
        XCTAssertTrue(accepted.stdout.contains("\"status\":0"), accepted.stdout)
        XCTAssertTrue(accepted.stdout.contains("\"outcome\":\"accepted\""), accepted.stdout)
        XCTAssertFalse(accepted.stdout.contains("\"code\""), accepted.stdout)
        let text = try NodeFixture.run("csp-tx", ["submit", "kv.put", "key=t", "value=v", "--no-wait", "--format", "text",
                                                  "--home", fixture.dir + "/dan", "--socket", fixture.socket, "--channel", "service-desk"])
        XCTAssertTrue(text.stdout.hasSuffix("  accepted  (not yet in a block: look it up later with 'csp-tx tx')\n"), text.stdout)
        var value = ""
        for _ in 0..<100 {
            let read = try NodeFixture.run("csp-tx", ["query", "kv/ticket-9", "--home", fixture.dir + "/dan", "--socket", fixture.socket,
                                                      "--channel", "service-desk"], expect: nil)
            if read.status == 0 { value = read.stdout; break }
            usleep(20_000)
        }
        XCTAssertEqual(value, "dispatched to engineering\n")
        // The --no-wait one in text commits too (in its own block or with the first).
        var committed = false
        for _ in 0..<100 where !committed {
            committed = try NodeFixture.run("csp-tx", ["query", "kv/t", "--home", fixture.dir + "/dan", "--socket", fixture.socket,
                                                       "--channel", "service-desk"], expect: nil).status == 0
            if !committed { usleep(20_000) }
        }
        XCTAssertTrue(committed)
        // The customer may write to the consortium chain but not to the private one.
        let denied = try NodeFixture.run("csp-tx", ["submit", "kv.put", "key=x", "value=y", "--home", fixture.dir + "/alice",
                                                    "--socket", fixture.socket, "--channel", "service-desk"], expect: 1)
        XCTAssertTrue(denied.stdout.contains("policy-denied"), denied.stdout)
        try fixture.tx("alice", ["submit", "kv.put", "key=x", "value=y"])
        // Each channel keeps its own state.
        try fixture.tx("alice", ["query", "kv/ticket-9"], expect: 1)
        let status = try NodeFixture.run("csp-node", ["status", "--home", fixture.node]).stdout.split(separator: "\n")
        XCTAssertEqual(status.count, 2)
        XCTAssertTrue(status[0].hasPrefix("consortium  running  height 2"), String(status[0]))
        // After genesis, the two --no-wait submissions: one block or two, as the orderer cut them.
        XCTAssertTrue(status[1].hasPrefix("service-desk  running  height 3") || status[1].hasPrefix("service-desk  running  height 2"), String(status[1]))
        let unknown = try NodeFixture.run("csp-tx", ["query", "kv/x", "--home", fixture.dir + "/alice", "--socket", fixture.socket,
                                                     "--channel", "nowhere"], expect: 1)
        XCTAssertEqual(unknown.stderr, "error: no channel 'nowhere' on this node\n")
    }
}
