import CSPFormat
import CSPLedger
import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Access nodes at the edges (docs/NETWORK.md "Access nodes"), real processes on loopback:
/// tampered blocks from a lying source, and the operator commands on a headers-only home.
extension NetworkTests {
    /// `csp-node join --access` into `home`, following `orderer` and `peers`.
    func joinAccess(_ fixture: NodeFixture, _ home: String, orderer: String, peers: [String] = []) throws {
        try NodeFixture.run("csp-node", ["join", "--access", "--home", home, "--channel", fixture.channel,
                                         "--genesis", fixture.dir + "/genesis.json", "--orderer", orderer] + peers.flatMap { ["--peer", $0] })
    }

    /// An access node that catches up from the orderer and from two relays that alter
    /// blocks (a flipped signature; a changed write, which changes the commit hash the
    /// access node computes from the recorded writes) refuses every altered block, avoids
    /// the relay, and gets the block elsewhere: at the end it holds exactly the orderer's
    /// headers.
    func testAccessNodeRefusesTamperedBlocksAndFetchesThemElsewhere() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 1, timeoutMilliseconds: 5)
        let (orderer, port) = try startListening(fixture)
        defer { orderer.terminate(); orderer.waitUntilExit() }
        let ordererAddress = "127.0.0.1:\(port)"
        // Enough blocks that catching up takes several ranges, claimed by every source.
        try submitLoad(fixture, round: 0, count: 1200)
        let relayHome = try fixture.enroll("relay", role: "node")
        let relays = try [TamperingRelay.Tampering.flippedSignature, .changedWrite].map {
            try fixture.tamperingRelay(to: port, home: relayHome, $0)
        }
        defer { relays.forEach { $0.stop() } }
        let gate = try fixture.enroll("gate", role: "node")
        try joinAccess(fixture, gate, orderer: ordererAddress, peers: relays.map(\.address))
        let access = try startNode(gate)
        defer { if access.isRunning { access.terminate(); access.waitUntilExit() } }
        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        try waitForHeight(gate, height, within: 120)

        // Each relay served altered blocks, each refusal is logged with its reason, and the
        // relay is shown avoided with that reason.
        let lies = [(relays[0], "the orderer's signature does not verify"),
                    (relays[1], "its recorded validation codes and writes do not give the commit hash its signed header carries")]
        let text = log(gate)
        for (relay, reason) in lies {
            XCTAssertFalse(relay.altered.isEmpty, "the relay at \(relay.address) served blocks: \(text)")
            let refusals = text.components(separatedBy: "\n").filter { $0.contains("refused block ") && $0.contains("from \(relay.address): ") }
            XCTAssertFalse(refusals.isEmpty, text)
            for refusal in refusals {
                XCTAssertTrue(refusal.contains(reason), refusal)
                XCTAssertTrue(refusal.contains("avoiding \(relay.address) for 30 s and fetching the block elsewhere"), refusal)
            }
        }
        let rows = try NodeFixture.run("csp-node", ["status", "--home", gate, "--peers", "--format", "json"]).stdout
            .split(separator: "\n").map { try json(String($0)) }
        for relay in relays {
            let row = try XCTUnwrap(rows.first { $0["address"] as? String == relay.address }, "\(rows)")
            XCTAssertEqual(row["trusted"] as? Bool, false, "\(row)")
            XCTAssertTrue((row["reason"] as? String)?.contains("that fails verification: ") == true, "\(row)")
        }

        // Nothing altered was kept: the headers are the orderer's, block by block.
        access.terminate()
        access.waitUntilExit()
        orderer.terminate()
        orderer.waitUntilExit()
        let reference = try LedgerStore(directory: fixture.node + "/channels/consortium", channel: fixture.channel)
        defer { reference.close() }
        let headers = try keptHeaders(gate)
        XCTAssertEqual(headers.count, height)
        for (number, header) in headers.enumerated() {
            let theirs = try XCTUnwrap(try reference.block(number: UInt64(number))).block.header
            guard header.hash == theirs.hash else {
                return XCTFail("block \(number): the access node's header differs from the orderer's")
            }
        }
    }

    /// Runs `tool` and kills it after `seconds` (a stream that never ends must not hang the suite).
    func runBounded(_ tool: String, _ arguments: [String], within seconds: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: NodeFixture.bin(tool))
        process.arguments = arguments
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bounded-\(UUID().uuidString)")
        let err = out.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            XCTFail("\(tool) \(arguments.joined(separator: " ")) did not end within \(seconds) s")
        }
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    /// `csp-node check`, `config show` and `rebuild` on an access node's home: check
    /// verifies the headers and configuration blocks again (beside the running node),
    /// config show reads the configuration the verified blocks put in force, rebuild is
    /// refused while the node runs, finds nothing to do on intact files, cuts the files
    /// before a damaged header (kept aside) so the next start fetches it again, and
    /// refuses damage in block 0.
    func testAccessNodeCheckConfigShowAndRebuild() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 20, timeoutMilliseconds: 20)
        let (orderer, port) = try startListening(fixture)
        defer { orderer.terminate(); orderer.waitUntilExit() }
        let gate = try fixture.enroll("gate", role: "node")
        try joinAccess(fixture, gate, orderer: "127.0.0.1:\(port)")
        var access = try startNode(gate)
        defer { if access.isRunning { access.terminate(); access.waitUntilExit() } }
        try via(fixture, gate, "alice", ["submit", "kv.put", "key=k", "value=v"])
        let policy = #"{"invoke":{"*":["customer","admin"],"config.*":["admin"]},"read":{"*":["customer","admin"]}}"#
        try via(fixture, gate, "root", ["submit", "config.set-policy", "policy=\(policy)"])
        for index in 0..<3 { try via(fixture, gate, "alice", ["submit", "kv.put", "key=k\(index)", "value=v"]) }
        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        try waitForHeight(gate, height)
        let headersPath = gate + "/channels/consortium/headers"

        // check, beside the running node.
        let checked = try NodeFixture.run("csp-node", ["check", "--home", gate])
        let commit = try XCTUnwrap(try status(gate)["commit_hash"] as? String)
        XCTAssertEqual(checked.stdout, "consortium: \(height) block headers and 2 configuration blocks verified (an access node: headers only); commit \(commit)\n")
        let report = try json(try NodeFixture.run("csp-node", ["check", "--home", gate, "--format", "json"]).stdout)
        XCTAssertEqual(report["role"] as? String, "access")
        XCTAssertEqual(report["blocks"] as? Int, height)
        XCTAssertEqual(report["config_blocks"] as? Int, 2)

        // config show: the configuration the policy's block put in force, as the orderer has it.
        let shown = try json(try NodeFixture.run("csp-node", ["config", "show", "--home", gate, "--format", "json"]).stdout)
        let reference = try json(try NodeFixture.run("csp-node", ["config", "show", "--home", fixture.node, "--format", "json"]).stdout)
        XCTAssertEqual(shown["function"] as? String, "set-policy")
        for key in ["block", "txid", "function", "height"] {
            XCTAssertEqual("\(shown[key] ?? "none")", "\(reference[key] ?? "none")", key)
        }
        XCTAssertEqual(try JSONSerialization.data(withJSONObject: try XCTUnwrap(shown["config"]), options: .sortedKeys),
                       try JSONSerialization.data(withJSONObject: try XCTUnwrap(reference["config"]), options: .sortedKeys))
        let text = try NodeFixture.run("csp-node", ["config", "show", "--home", gate]).stdout
        XCTAssertTrue(text.contains("read from the configuration blocks of access node \(gate)/channels/consortium at height \(height) (verified)."), text)

        // rebuild: refused while the node runs; nothing to do on intact files.
        let busy = try NodeFixture.run("csp-node", ["rebuild", "--home", gate, "--channel", "consortium"], expect: 2)
        XCTAssertEqual(busy.stderr, "error: channel 'consortium' is open in a running node: stop it first\n")
        access.terminate()
        access.waitUntilExit()
        let intact = try NodeFixture.run("csp-node", ["rebuild", "--home", gate, "--channel", "consortium"])
        XCTAssertEqual(intact.stdout, "channel 'consortium' is kept as an access node: its \(height) block headers and 2 configuration blocks verify; nothing to rebuild\n")

        // A damaged last header: check names it (exit 1), the start refuses, rebuild cuts it.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: headersPath))
        bytes[bytes.count - 10] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: headersPath))
        let bad = "'\(headersPath)': block \(height - 1): the orderer's signature does not verify"
        let failed = try NodeFixture.run("csp-node", ["check", "--home", gate], expect: 1)
        XCTAssertEqual(failed.stderr, "error: channel 'consortium': \(bad)\n")
        XCTAssertEqual(failed.stdout, "")
        try NodeFixture.run("csp-node", ["start", "--home", gate], expect: 2)
        let rebuilt = try NodeFixture.run("csp-node", ["rebuild", "--home", gate, "--channel", "consortium"])
        XCTAssertTrue(rebuilt.stdout.hasPrefix("channel 'consortium' is kept as an access node: \(bad); cut its headers to blocks 0 to \(height - 2) (2 configuration blocks); the next start fetches block \(height - 1) on from its sources and verifies it\nthe files as they were are kept in '\(headersPath).broken-"), rebuilt.stdout)
        let kept = try FileManager.default.contentsOfDirectory(atPath: gate + "/channels/consortium").filter { $0.hasPrefix("headers.broken-") }
        XCTAssertEqual(kept.count, 1)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: gate + "/channels/consortium/" + kept[0])), bytes, "the damaged file, kept as it was")
        XCTAssertEqual(try keptHeaders(gate).count, height - 1)
        try NodeFixture.run("csp-node", ["check", "--home", gate])
        // The next start fetches the block again and verifies it.
        access = try startNode(gate)
        try waitForHeight(gate, height)
        access.terminate()
        access.waitUntilExit()
        orderer.terminate()
        orderer.waitUntilExit()
        let ledger = try LedgerStore(directory: fixture.node + "/channels/consortium", channel: fixture.channel)
        defer { ledger.close() }
        XCTAssertEqual(try keptHeaders(gate).last?.hash, try XCTUnwrap(try ledger.block(number: UInt64(height - 1))).block.header.hash)

        // Block 0 is the root of trust: damage there cannot be rebuilt.
        let configPath = gate + "/channels/consortium/config-blocks"
        var config = try Data(contentsOf: URL(fileURLWithPath: configPath))
        let first = config.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        config[4 + first - 3] ^= 0x01
        try config.write(to: URL(fileURLWithPath: configPath))
        let root = try NodeFixture.run("csp-node", ["check", "--home", gate], expect: 1)
        XCTAssertTrue(root.stderr.hasPrefix("error: channel 'consortium': '\(configPath)': "), root.stderr)
        let refused = try NodeFixture.run("csp-node", ["rebuild", "--home", gate, "--channel", "consortium"], expect: 2)
        XCTAssertTrue(refused.stderr.hasSuffix(": block 0 cannot be fetched again, it is what every other block is verified against; join the channel again in a new home (csp-node join --access)\n"), refused.stderr)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1)
    }

    /// `csp-tx watch` through an access node: the subscriber is checked against the read
    /// policy; events come from blocks fetched from a source and proven against the
    /// access node's headers (a relay whose blocks do not prove is passed over), the same
    /// events the orderer streams, marked unproven once; new blocks stream as they come.
    func testWatchThroughAnAccessNodeStreamsProvenBlocks() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 20, timeoutMilliseconds: 20)
        _ = try fixture.enroll("dept", role: "department")
        let (orderer, port) = try startListening(fixture)
        defer { orderer.terminate(); orderer.waitUntilExit() }
        let relayHome = try fixture.enroll("relay", role: "node")
        let relay = try fixture.tamperingRelay(to: port, home: relayHome, .changedWrite)
        defer { relay.stop() }
        let gate = try fixture.enroll("gate", role: "node")
        try joinAccess(fixture, gate, orderer: "127.0.0.1:\(port)", peers: [relay.address])
        let access = try startNode(gate)
        defer { if access.isRunning { access.terminate(); access.waitUntilExit() } }
        for index in 0..<3 { try via(fixture, gate, "alice", ["submit", "kv.put", "key=w\(index)", "value=v\(index)"]) }
        let socket = ["--home", fixture.dir + "/alice", "--socket", gate + "/node.sock", "--channel", fixture.channel]

        let expected = try fixture.tx("alice", ["watch", "--from", "0", "--count", "3", "--contract", "kv"]).stdout
        let watched = try runBounded("csp-tx", ["watch", "--from", "0", "--count", "3", "--contract", "kv"] + socket)
        XCTAssertEqual(watched.status, 0, watched.stderr)
        XCTAssertEqual(watched.stdout, expected)
        XCTAssertEqual(watched.stderr.split(separator: "\n").count, 1, watched.stderr)
        XCTAssertTrue(watched.stderr.hasPrefix("warning: the access node could not prove this answer: the event is 127.0.0.1:\(port)'s word: this access node proved its transaction in its verified block and valid there"), watched.stderr)
        XCTAssertTrue(log(gate).contains("for a subscription: the block from \(relay.address) does not verify against this node's block headers: "), log(gate))

        // Live: a watch from the next block gets a block ordered after it started.
        let next = try XCTUnwrap(try status(gate)["height"] as? Int)
        let live = Process()
        live.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-tx"))
        live.arguments = ["watch", "--from", String(next), "--count", "1", "--contract", "kv"] + socket
        let output = Pipe()
        live.standardOutput = output
        live.standardError = FileHandle.nullDevice
        try live.run()
        defer { if live.isRunning { live.terminate() } }
        usleep(500_000)
        try via(fixture, gate, "alice", ["submit", "kv.put", "key=live", "value=now"])
        let deadline = Date().addingTimeInterval(60)
        while live.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(live.isRunning, "the live watch ends after its event")
        if live.isRunning { live.terminate() }
        live.waitUntilExit()
        let line = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(live.terminationStatus, 0)
        XCTAssertEqual(try json(line)["payload"] as? String, "live", line)
        XCTAssertEqual(try json(line)["block"] as? Int, next, line)

        // The read policy grants a department no reads: refused by the access node itself.
        let refused = try runBounded("csp-tx", ["watch", "--from", "0", "--count", "1", "--home", fixture.dir + "/dept",
                                                "--socket", gate + "/node.sock", "--channel", fixture.channel])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.hasPrefix("error: read refused: "), refused.stderr)
    }
}
