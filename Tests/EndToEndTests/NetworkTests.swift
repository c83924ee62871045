import CSPCrypto
import CSPFormat
import CSPTestSupport
import Foundation
import XCTest

/// The node's TCP listener with mutual TLS 1.3 (docs/NETWORK.md), driven with the real
/// `openssl s_client`: a member's certificate gets answers on the same framed protocol
/// as the Unix socket; no certificate, an unknown CA's, or a revoked one is refused at
/// the handshake and never gets a request read.
final class NetworkTests: XCTestCase {
    /// A framed `status` request.
    static let statusFrame: [UInt8] = {
        let payload = Array(#"{"id":7,"op":"status"}"#.utf8)
        return withUnsafeBytes(of: UInt32(payload.count).bigEndian, Array.init) + payload
    }()

    /// Writes `settings` to the node's node.conf, starts it, and returns the TCP port it logs.
    func startListening(_ fixture: NodeFixture, settings: String = "listen = 127.0.0.1:0\n") throws -> (Process, Int) {
        try settings.write(toFile: fixture.node + "/node.conf", atomically: true, encoding: .utf8)
        let node = try fixture.start()
        for _ in 0..<1000 {
            if let port = Self.port(in: fixture.nodeLog) { return (node, port) }
            usleep(10_000)
        }
        XCTFail("the node logs its TCP address: \(fixture.nodeLog)")
        return (node, 0)
    }

    static func port(in log: String) -> Int? {
        guard let range = log.range(of: "listening on 127.0.0.1:") else { return nil }
        return Int(log[range.upperBound...].prefix { $0.isNumber })
    }

    /// `openssl s_client` to the port, with `identity`'s certificate and key when given;
    /// sends a status request and collects stdout until an answer or the end, at most 10 s.
    func sClient(port: Int, identity: String?, caFile: String, version: String = "-tls1_3") throws -> (stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        var arguments = ["s_client", "-connect", "127.0.0.1:\(port)", version, "-quiet", "-CAfile", caFile, "-verify_return_error"]
        if let identity { arguments += ["-cert", identity + "/cert.pem", "-key", identity + "/key.pem"] }
        process.arguments = arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let collected = Collected()
        output.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        errors.fileHandleForReading.readabilityHandler = { handle in collected.appendError(handle.availableData) }
        try process.run()
        input.fileHandleForWriting.write(Data(Self.statusFrame))
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline && !collected.text.contains("\"status\"") { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
        return (collected.text, collected.errorText)
    }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data(), errorData = Data()
        func append(_ more: Data) { lock.lock(); data.append(more); lock.unlock() }
        func appendError(_ more: Data) { lock.lock(); errorData.append(more); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
        var errorText: String { lock.lock(); defer { lock.unlock() }; return String(decoding: errorData, as: UTF8.self) }
    }

    func testMemberConnectsAndOthersAreRefusedAtTheHandshake() throws {
        let fixture = try NodeFixture.make(self)
        // mallory is revoked before the genesis, so the channel's CRL names her.
        _ = try fixture.enroll("mallory", role: "customer")
        try NodeFixture.run("csp-ca", ["revoke", "mallory", "--home", fixture.ca, "--reason", "keyCompromise"])
        try FileManager.default.removeItem(atPath: fixture.node + "/channels/" + fixture.channel)
        try fixture.writeGenesis(maxTransactions: 500, timeoutMilliseconds: 50)
        try NodeFixture.run("csp-node", ["init", "--home", fixture.node, "--channel", fixture.channel, "--config", fixture.dir + "/genesis.json"])
        // A stranger: a certificate from a CA that is no member of the channel.
        try NodeFixture.run("csp-ca", ["init", "--home", fixture.dir + "/evil-ca", "--org", "Evil"])
        _ = try fixture.enroll("eve", role: "customer", ca: fixture.dir + "/evil-ca")

        let (node, port) = try startListening(fixture)
        defer { node.terminate(); node.waitUntilExit() }
        let caFile = fixture.ca + "/ca-cert.pem"

        // A member: the node's certificate verifies against the CA, and the request is answered.
        let member = try sClient(port: port, identity: fixture.dir + "/alice", caFile: caFile)
        let answer = try XCTUnwrap(member.stdout.firstIndex(of: "{").map { String(member.stdout[$0...]) }, member.stderr)
        let response = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any], answer)
        XCTAssertEqual(response["id"] as? Int, 7)
        XCTAssertEqual(response["status"] as? Int, 0)
        let channels = try XCTUnwrap(response["channels"] as? [[String: Any]])
        XCTAssertEqual(channels.first?["channel"] as? String, fixture.channel)
        XCTAssertEqual(channels.first?["height"] as? Int, 1)

        // No certificate, an unknown CA's, a revoked member's: an alert, and no answer.
        for (who, identity, alert) in [("no certificate", nil, "alert certificate required"),
                                        ("unknown CA", fixture.dir + "/eve", "alert bad certificate"),
                                        ("revoked", fixture.dir + "/mallory", "alert bad certificate")] {
            let refused = try sClient(port: port, identity: identity, caFile: caFile)
            XCTAssertFalse(refused.stdout.contains("status"), "\(who): \(refused.stdout)")
            XCTAssertTrue(refused.stderr.contains(alert), "\(who): \(refused.stderr)")
        }
        // TLS 1.2 is refused even with a member's certificate.
        let old = try sClient(port: port, identity: fixture.dir + "/alice", caFile: caFile, version: "-tls1_2")
        XCTAssertFalse(old.stdout.contains("status"), old.stdout)
        XCTAssertTrue(old.stderr.contains("alert protocol version"), old.stderr)
        // The node says why, naming the channel's verdict.
        XCTAssertTrue(fixture.nodeLog.contains("refused a TLS client"), fixture.nodeLog)
        XCTAssertTrue(fixture.nodeLog.contains("refused a TLS client: channel 'consortium': creator's organization 'Evil' is not a member"), fixture.nodeLog)
        XCTAssertTrue(fixture.nodeLog.contains("revoked"), fixture.nodeLog)

        // The Unix socket serves beside it, and the refused clients cost it nothing.
        let status = try NodeFixture.run("csp-node", ["status", "--home", fixture.node, "--format", "json"])
        XCTAssertTrue(status.stdout.contains("\"height\":1"), status.stdout)
    }

    func testInitWritesACommentedExampleAndBadSettingsStopTheStart() throws {
        let fixture = try NodeFixture.make(self)
        let example = try String(contentsOfFile: fixture.node + "/node.conf", encoding: .utf8)
        XCTAssertTrue(example.contains("# listen = 127.0.0.1:7050"), example)
        XCTAssertFalse(example.split(separator: "\n").contains { !$0.hasPrefix("#") && !$0.isEmpty }, "every line is a comment")

        // An unknown setting names its line; a malformed address in the file names itself;
        // both exit 2. As a flag, a malformed address is a usage error (64).
        try "listen = 127.0.0.1:0\nlisten-port = 7\n".write(toFile: fixture.node + "/node.conf", atomically: true, encoding: .utf8)
        var result = try NodeFixture.run("csp-node", ["start", "--home", fixture.node], expect: 2)
        XCTAssertTrue(result.stderr.hasPrefix("error: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("node.conf:2: unknown setting 'listen-port'"), result.stderr)
        try FileManager.default.removeItem(atPath: fixture.node + "/node.conf")
        try "listen = nowhere\n".write(toFile: fixture.node + "/node.conf", atomically: true, encoding: .utf8)
        result = try NodeFixture.run("csp-node", ["start", "--home", fixture.node], expect: 2)
        XCTAssertEqual(result.stderr, "error: listen address 'nowhere' is not HOST:PORT (a port from 0 to 65535)\n")
        result = try NodeFixture.run("csp-node", ["start", "--home", fixture.node, "--listen", "nowhere"], expect: 64)
        XCTAssertEqual(result.stderr, "error: --listen 'nowhere' is not HOST:PORT (a port from 0 to 65535)\n")

        // A TLS key that does not match the certificate is refused before serving.
        try "tls-key = \(fixture.dir)/alice/key.pem\n".write(toFile: fixture.node + "/node.conf", atomically: true, encoding: .utf8)
        result = try NodeFixture.run("csp-node", ["start", "--home", fixture.node, "--listen", "127.0.0.1:0"], expect: 2)
        XCTAssertTrue(result.stderr.contains("alice/key.pem' as the TLS key for '\(fixture.node)/cert.pem': key values mismatch"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.socket), "nothing is left listening")
    }

    func testAnAddressInUseStopsTheStart() throws {
        let fixture = try NodeFixture.make(self)
        let (node, port) = try startListening(fixture)
        defer { node.terminate(); node.waitUntilExit() }
        // A second node on the same port: the error names the address, exit 2.
        let other = try NodeFixture.make(self)
        let result = try NodeFixture.run("csp-node", ["start", "--home", other.node, "--listen", "127.0.0.1:\(port)"], expect: 2)
        XCTAssertTrue(result.stderr.contains("cannot listen on '127.0.0.1:\(port)'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("in use"), result.stderr)
    }

    /// csp-tx over TCP with mutual TLS ($CSP_NODE): a submission commits and reads answer
    /// as on the Unix socket; a node whose certificate the client does not trust, or a
    /// client the node refuses, ends in one error line and exit 2, never a hang.
    func testCSPTxSubmitsAndReadsOverTLS() throws {
        let fixture = try NodeFixture.make(self)
        try NodeFixture.run("csp-ca", ["init", "--home", fixture.dir + "/evil-ca", "--org", "Evil"])
        _ = try fixture.enroll("eve", role: "customer", ca: fixture.dir + "/evil-ca")
        let (node, port) = try startListening(fixture)
        defer { node.terminate(); node.waitUntilExit() }
        let nowhere = fixture.dir + "/no.sock"
        func tx(_ who: String, _ arguments: [String], environment: [String: String] = [:], expect status: Int32) throws -> ProcessResult {
            let result = try runProcess(NodeFixture.bin("csp-tx"), arguments + ["--home", fixture.dir + "/" + who, "--socket", nowhere,
                                                                                  "--channel", fixture.channel],
                                        environment: ["CSP_NODE": "127.0.0.1:\(port)"].merging(environment) { _, new in new })
            XCTAssertEqual(result.status, status, "\(arguments): \(result.stderr)")
            return result
        }
        let submitted = try tx("alice", ["submit", "kv.put", "key=remote", "value=over tls"], expect: 0)
        XCTAssertTrue(submitted.stdout.contains("\"code\":\"valid\""), submitted.stdout)
        XCTAssertEqual(try tx("alice", ["query", "kv/remote"], expect: 0).stdout, "over tls\n")
        // The same state through the Unix socket.
        XCTAssertEqual(try fixture.tx("alice", ["query", "kv/remote"]).stdout, "over tls\n")
        // A pipelined batch: every line answered, and the client ends cleanly after it.
        let lines = (0..<1500).map { #"{"call":"kv.put","args":{"key":"b\#($0)","value":"v"}}"# }.joined(separator: "\n") + "\n"
        try Data(lines.utf8).write(to: URL(fileURLWithPath: fixture.dir + "/batch.ndjson"))
        let batch = try tx("alice", ["submit", "--batch", fixture.dir + "/batch.ndjson"], expect: 0)
        XCTAssertEqual(batch.stdout.split(separator: "\n").filter { $0.contains("\"code\":\"valid\"") }.count, 1500, batch.stderr)

        // The node's certificate does not chain to the CA the client trusts.
        let untrusted = try tx("alice", ["query", "kv/remote"], environment: ["CSP_NODE_CA": fixture.dir + "/evil-ca/ca-cert.pem"], expect: 2)
        XCTAssertTrue(untrusted.stderr.hasPrefix("error: "), untrusted.stderr)
        XCTAssertTrue(untrusted.stderr.contains("certificate verify failed"), untrusted.stderr)
        // A stranger's certificate: the node's alert, reported.
        let refused = try tx("eve", ["query", "kv/remote"], environment: ["CSP_NODE_CA": fixture.ca + "/ca-cert.pem"], expect: 2)
        XCTAssertTrue(refused.stderr.contains("bad certificate"), refused.stderr)
        // A malformed address is a usage error.
        XCTAssertEqual(try tx("alice", ["query", "kv/remote"], environment: ["CSP_NODE": "nowhere"], expect: 64).stderr,
                       "error: CSP_NODE 'nowhere' is not HOST:PORT\n")
    }

    /// A `blocks` request signed by `who` (docs/PROTOCOL.md, "Deliver"), sent on the Unix socket.
    /// `legacy`: signed as clients did before the signature covered `from` and `limit`.
    func deliver(_ fixture: NodeFixture, who: String, from: UInt64, limit: Int? = nil, socket: String? = nil, legacy: Bool = false) throws -> [String: Any] {
        var fields: [String: Any] = ["from": from]
        if let limit { fields["limit"] = limit }
        let payload = try signedFrame(fixture, who: who, op: "blocks", fields: fields, legacy: legacy)
        let reply = RawSocket.exchange(socket ?? fixture.socket, Self.framed(payload))
        XCTAssertGreaterThan(reply.count, 4)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(reply.dropFirst(4))) as? [String: Any])
    }

    /// The range request a catching-up node sends: stored blocks, in order, whole, from N.
    func testBlocksDeliversStoredBlocksFromANumberInOrder() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 4)
        let node = try fixture.start()
        defer { node.terminate(); node.waitUntilExit() }
        for i in 0..<3 {
            let lines = (0..<4).map { #"{"call":"kv.put","args":{"key":"k\#(i)-\#($0)","value":"v"}}"# }.joined(separator: "\n") + "\n"
            try fixture.tx("root", ["submit", "--batch", "-"], input: Data(lines.utf8))
        }
        let status = try NodeFixture.run("csp-node", ["status", "--home", fixture.node, "--format", "json"]).stdout
        let height = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any])
            .flatMap { ($0["channels"] as? [[String: Any]])?.first?["height"] as? Int } ?? Self.height(status))
        XCTAssertGreaterThanOrEqual(height, 4, status)

        let all = try deliver(fixture, who: "root", from: 0)
        XCTAssertEqual(all["status"] as? Int, 0, "\(all)")
        let blocks = try XCTUnwrap(all["blocks"] as? [String]).map { try CommittedBlock(decoding: Array(Data(base64Encoded: $0)!)) }
        XCTAssertEqual(blocks.count, height)
        XCTAssertEqual(all["block"] as? Int, height, "the next block to ask for")
        for (number, record) in blocks.enumerated() {
            XCTAssertEqual(record.block.header.number, UInt64(number))
            if number > 0 { XCTAssertEqual(record.block.header.previousHash, blocks[number - 1].block.header.hash) }
        }
        // The last block is the one the node reports.
        XCTAssertTrue(status.contains(blocks.last!.block.header.hash.hex), status)

        // From the middle, with a limit: exactly those.
        let part = try deliver(fixture, who: "root", from: 1, limit: 2)
        let numbers = try XCTUnwrap(part["blocks"] as? [String]).map { try CommittedBlock(decoding: Array(Data(base64Encoded: $0)!)).block.header.number }
        XCTAssertEqual(numbers, [1, 2])
        XCTAssertEqual(part["block"] as? Int, 3)
        // Past the height: no, naming it. A role the read policy does not grant blocks: refused.
        let past = try deliver(fixture, who: "root", from: UInt64(height))
        XCTAssertEqual(past["status"] as? Int, 1)
        XCTAssertEqual(past["error"] as? String, "no block \(height): the channel's height is \(height)")
        let customer = try deliver(fixture, who: "alice", from: 0)
        XCTAssertEqual(customer["status"] as? Int, 1)
        XCTAssertEqual(customer["error"] as? String, "read refused: role 'customer' may not read block")
    }

    static func height(_ json: String) -> Int? {
        guard let range = json.range(of: "\"height\":") else { return nil }
        return Int(json[range.upperBound...].prefix { $0.isNumber })
    }
}
