import CSPTestSupport
import Foundation
import XCTest

/// An operator's everyday jobs through the real binaries: building a genesis file from
/// CA homes, reading the configuration in force, passing files as arguments, and a
/// home's `config` file instead of repeated flags.
final class OperatorToolsTests: XCTestCase {
    @discardableResult
    private func node(_ arguments: [String], expect status: Int32? = 0, line: UInt = #line) throws -> ProcessResult {
        try NodeFixture.run("csp-node", arguments, expect: status, line: line)
    }

    /// Identities and CAs as NodeFixture.make makes them, but no channel yet.
    private func identities() throws -> NodeFixture {
        let fixture = NodeFixture(dir: try temporaryDirectory(self))
        try NodeFixture.run("csp-ca", ["init", "--home", fixture.ca, "--org", "Acme"])
        try NodeFixture.run("csp-ca", ["init", "--home", fixture.betaCA, "--org", "Beta"])
        _ = try fixture.enroll("node", role: "node")
        _ = try fixture.enroll("alice", role: "customer")
        _ = try fixture.enroll("root", role: "admin")
        _ = try fixture.enroll("rita", role: "regulator")
        return fixture
    }

    func testGenesisFromCAHomesInitsAChannelAndConfigShowFollowsSetCRL() throws {
        let fixture = try identities()
        // Acme by its CA home; Beta by PEM files, as a partner would send them.
        let genesis = try node(["genesis", "--channel", "consortium", "--org", "Acme=" + fixture.ca,
                                "--org", "Beta=" + fixture.betaCA + "/ca-cert.pem", "--crl", "Beta=" + fixture.betaCA + "/crl.pem",
                                "--orderer", fixture.node, "--admin", "Acme/root", "--policy", "consortium",
                                "--max-transactions", "50", "--block-timeout", "40"]).stdout
        XCTAssertTrue(genesis.hasPrefix("# Genesis configuration of channel 'consortium'"), genesis)
        XCTAssertTrue(genesis.contains("    certificates:\n      - |\n        -----BEGIN CERTIFICATE-----\n"), genesis)
        XCTAssertTrue(genesis.contains("#   O=Acme, OU=ca, CN=Acme CA (CA), self-signed, valid "), genesis)
        XCTAssertTrue(genesis.contains("#   CRL of O=Acme, OU=ca, CN=Acme CA, number 1, 0 certificates revoked"), genesis)
        XCTAssertTrue(genesis.contains("0 certificates revoked"), genesis)
        XCTAssertTrue(genesis.contains("orderer: |\n  -----BEGIN CERTIFICATE-----\n"), genesis)
        XCTAssertTrue(genesis.contains("role node"), genesis)
        XCTAssertTrue(genesis.contains("# policy preset 'consortium': "), genesis)
        XCTAssertTrue(genesis.contains("  maxTransactions: 50\n"), genesis)
        XCTAssertTrue(genesis.contains("    \"kv.delete\": [\"enterprise\", \"admin\"]\n"), genesis)
        try genesis.write(toFile: fixture.dir + "/genesis.yaml", atomically: true, encoding: .utf8)
        XCTAssertTrue(try node(["init", "--home", fixture.node, "--channel", "consortium", "--config", fixture.dir + "/genesis.yaml"])
            .stdout.hasPrefix("created channel 'consortium': block 0 "))

        // Shown before the node runs: the genesis configuration, equal to what was built.
        let shown = try node(["config", "show", "--home", fixture.node, "--channel", "consortium"]).stdout
        XCTAssertTrue(shown.hasPrefix("# Configuration of channel 'consortium' in force since block 0 (genesis), transaction "), shown)
        XCTAssertEqual(shown.components(separatedBy: "\n").filter { !$0.hasPrefix("#") },
                       genesis.components(separatedBy: "\n").filter { !$0.hasPrefix("#") })

        let server = try fixture.start()
        defer { server.terminate(); server.waitUntilExit() }
        try fixture.tx("alice", ["submit", "kv.put", "key=k", "value=v"])

        // Revoke alice; the new CRL goes on chain straight from the CA's file.
        try NodeFixture.run("csp-ca", ["revoke", "alice", "--home", fixture.ca, "--reason", "keyCompromise"])
        let setCRL = try fixture.tx("root", ["submit", "config.set-crl", "organization=Acme", "crl=@" + fixture.ca + "/crl.pem"])
        XCTAssertTrue(setCRL.stdout.contains(#""code":"valid""#), setCRL.stdout)
        let refused = try fixture.tx("alice", ["submit", "kv.put", "key=k", "value=w"], expect: 1)
        XCTAssertTrue(refused.stdout.contains("revoked-creator"), refused.stdout)

        // Beside the running node: the configuration config.set-crl put in force.
        let after = try node(["config", "show", "--home", fixture.node])
        XCTAssertTrue(after.stdout.contains("(config.set-crl)"), after.stdout)
        XCTAssertTrue(after.stdout.contains("1 certificate revoked"), after.stdout)
        let json = try node(["config", "show", "--home", fixture.node, "--format", "json"]).stdout
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["function"] as? String, "set-crl")
        XCTAssertEqual(object["block"] as? Int, 2)
        XCTAssertEqual(object["height"] as? Int, 3)
        XCTAssertEqual(((object["config"] as? [String: Any])?["admins"] as? [String]), ["Acme/root"])

        // What show prints is itself a genesis file init accepts.
        try after.stdout.write(toFile: fixture.dir + "/shown.yaml", atomically: true, encoding: .utf8)
        let second = fixture.dir + "/node2"
        try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
        for file in ["key.pem", "cert.pem"] { try FileManager.default.copyItem(atPath: fixture.node + "/" + file, toPath: second + "/" + file) }
        try node(["init", "--home", second, "--channel", "consortium", "--config", fixture.dir + "/shown.yaml"])

        let missing = try node(["config", "show", "--home", fixture.node, "--channel", "nope"], expect: 1)
        XCTAssertEqual(missing.stderr, "error: no channel 'nope' in '\(fixture.node)' (channels: consortium)\n")
        // No home at all cannot answer (2), with or without --channel, as 'channels' says.
        let noHome = try node(["config", "show", "--home", fixture.dir + "/absent", "--channel", "consortium"], expect: 2)
        XCTAssertEqual(noHome.stderr, "error: no node home '\(fixture.dir)/absent': no such directory\n")
    }

    func testGenesisRefusesWhatInitWouldRefuse() throws {
        let fixture = try identities()
        func genesis(_ extra: [String], expect status: Int32, _ message: String, line: UInt = #line) throws {
            let result = try node(["genesis", "--channel", "consortium"] + extra, expect: status, line: line)
            XCTAssertEqual(result.stderr, message, line: line)
            XCTAssertEqual(result.stdout, "", line: line)
        }
        let org = ["--org", "Acme=" + fixture.ca]
        try genesis(org + ["--orderer", fixture.node, "--admin", "Zeta/root"], expect: 2,
                    "error: the configuration would not be accepted: admin 'Zeta/root' names unknown organization 'Zeta'\n")
        try genesis(org + ["--orderer", fixture.ca + "/ca-cert.pem", "--admin", "Acme/root"], expect: 2,
                    "error: '\(fixture.ca)/ca-cert.pem' holds only CA certificates: give the node's own certificate\n")
        try genesis(["--org", "Acme=" + fixture.node + "/cert.pem", "--orderer", fixture.node, "--admin", "Acme/root"], expect: 2,
                    "error: '\(fixture.node)/cert.pem' holds no CA certificate: give the organisation's CA chain, not a member's certificate\n")
        try genesis(org + ["--orderer", fixture.node, "--admin", "Acme/root", "--policy", "nosuch"], expect: 64,
                    "error: no policy preset or file 'nosuch' (presets: consortium, private, closed)\n")
        let usage = try node(["genesis", "--channel", "consortium", "--orderer", fixture.node, "--admin", "Acme/root"], expect: 64)
        XCTAssertTrue(usage.stderr.hasPrefix("error: give at least one --org NAME=CA_DIR_OR_CHAIN_PEM"), usage.stderr)
        let stray = try node(["genesis", "--channel", "c"] + org + ["--crl", "Beta=x.pem", "--orderer", fixture.node, "--admin", "Acme/root"], expect: 64)
        XCTAssertTrue(stray.stderr.hasPrefix("error: --crl names 'Beta', which no --org gives"), stray.stderr)

        // A policy file (YAML) instead of a preset.
        try "invoke:\n  \"*\": [admin]\nread:\n  \"*\": [admin, regulator]\n".write(toFile: fixture.dir + "/policy.yaml", atomically: true, encoding: .utf8)
        let built = try node(["genesis", "--channel", "consortium"] + org + ["--orderer", fixture.node, "--admin", "Acme/root",
                                                                            "--policy", fixture.dir + "/policy.yaml", "--format", "json"]).stdout
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(built.utf8)) as? [String: Any])
        XCTAssertEqual((object["policy"] as? [String: Any])?["read"] as? [String: [String]], ["*": ["admin", "regulator"]])
    }

    func testHomeConfigSetsSocketChannelAndFormatAndFlagsWin() throws {
        let fixture = try NodeFixture.make(self)
        let server = try fixture.start()
        defer { server.terminate(); server.waitUntilExit() }
        let alice = fixture.dir + "/alice"
        // Nothing inherited from the test's own environment.
        let clean = ["CSP_SOCKET": "", "CSP_CHANNEL": "", "CSP_FORMAT": "", "CSP_HOME": ""]
        func tx(_ arguments: [String], env: [String: String] = [:], expect status: Int32, line: UInt = #line) throws -> ProcessResult {
            let result = try runProcess(NodeFixture.bin("csp-tx"), arguments + ["--home", alice], environment: clean.merging(env) { $1 })
            XCTAssertEqual(result.status, status, result.stderr, line: line)
            return result
        }
        let none = try tx(["query", "kv/k"], expect: 64)
        XCTAssertEqual(none.stderr, "error: no channel: give --channel, set CSP_CHANNEL, or put 'channel = NAME' in '<home>/config'\n")

        try """
            # alice's defaults
            socket = \(fixture.socket)
            channel = "consortium"   # the consortium chain
            format = json
            """.write(toFile: alice + "/config", atomically: true, encoding: .utf8)
        XCTAssertEqual(try tx(["submit", "kv.put", "key=k", "value=from config"], expect: 0).status, 0)
        let read = try tx(["query", "kv/k"], expect: 0)
        XCTAssertTrue(read.stdout.hasPrefix("{"), read.stdout)
        XCTAssertTrue(read.stdout.contains("from config"), read.stdout)
        // The environment overrides the file, and a flag the environment.
        XCTAssertFalse(try tx(["query", "kv/k"], env: ["CSP_FORMAT": "text"], expect: 0).stdout.hasPrefix("{"))
        XCTAssertTrue(try tx(["query", "kv/k", "--format", "json"], env: ["CSP_FORMAT": "text"], expect: 0).stdout.hasPrefix("{"))
        let otherChannel = try tx(["query", "kv/k"], env: ["CSP_CHANNEL": "nope"], expect: 1)
        XCTAssertTrue(otherChannel.stderr.contains("'nope'"), otherChannel.stderr)
        let gone = try tx(["query", "kv/k"], env: ["CSP_SOCKET": fixture.dir + "/nonexistent.sock"], expect: 2)
        XCTAssertEqual(gone.stderr, "error: cannot connect to '\(fixture.dir)/nonexistent.sock': no such socket; is csp-node running? (path from $CSP_SOCKET)\n")
        let flag = try tx(["query", "kv/k", "--socket", fixture.dir + "/other.sock"], expect: 2)
        XCTAssertEqual(flag.stderr, "error: cannot connect to '\(fixture.dir)/other.sock': no such socket; is csp-node running? (path from --socket)\n")

        // A typo in the file is named with its line, and nothing runs.
        try "channel = consortium\nsockte = /x\n".write(toFile: alice + "/config", atomically: true, encoding: .utf8)
        let typo = try tx(["query", "kv/k"], expect: 2)
        XCTAssertEqual(typo.stderr, "error: '\(alice)/config', line 2: unknown key 'sockte' (keys: socket, channel, format)\n")
        try "format = yaml\n".write(toFile: alice + "/config", atomically: true, encoding: .utf8)
        XCTAssertEqual(try tx(["query", "kv/k"], expect: 2).stderr, "error: '\(alice)/config': format 'yaml' is not json or text\n")

        // csp-node status names the socket it tried and where the path came from.
        try "socket = gone.sock\n".write(toFile: fixture.node + "/config", atomically: true, encoding: .utf8)
        let status = try runProcess(NodeFixture.bin("csp-node"), ["status", "--home", fixture.node], environment: clean)
        XCTAssertEqual(status.status, 2)
        XCTAssertEqual(status.stderr, "error: cannot connect to '\(fixture.node)/gone.sock': no such socket; is csp-node running? (path from '\(fixture.node)/config')\n")
    }

    func testTooLongSocketPathIsSaidInWordsNotSwiftNames() throws {
        let fixture = try NodeFixture.make(self)
        let long = fixture.dir + "/" + String(repeating: "s", count: 120) + ".sock"
        let message = "error: cannot listen on '\(long)': the path is \(long.utf8.count) bytes, longer than the 107 a Unix socket allows; use a shorter home or --socket\n"
        let node = try node(["start", "--home", fixture.node, "--socket", long], expect: 2)
        XCTAssertEqual(node.stderr, message)
        let ca = try NodeFixture.run("csp-ca", ["serve", "--home", fixture.ca, "--socket", long], expect: 2)
        XCTAssertEqual(ca.stderr, message)
        let client = try NodeFixture.run("csp-tx", ["query", "kv/x", "--home", fixture.dir + "/alice", "--channel", "c", "--socket", long], expect: 2)
        XCTAssertFalse(client.stderr.contains("TooLong"), client.stderr)
        XCTAssertTrue(client.stderr.hasPrefix("error: cannot connect to '\(long)': "), client.stderr)
    }
}
