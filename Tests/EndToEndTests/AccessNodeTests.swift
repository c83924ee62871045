import CSPFormat
import CSPLedger
import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Access nodes (`csp-node join --access`, docs/NETWORK.md "Access nodes"): real processes
/// on loopback. An orderer, a bookkeeping peer and an access node that keeps block headers
/// only; clients submit and read through the access node; a source that lies about a
/// transaction's inclusion proof is caught; the access node is killed and resumes.
extension NetworkTests {
    /// The headers an access node keeps in `<home>/channels/<channel>/headers`.
    func keptHeaders(_ home: String, channel: String = "consortium") throws -> [BlockHeader] {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: home + "/channels/\(channel)/headers")))
        var headers: [BlockHeader] = []
        var offset = 0
        // A record cut short by the kill is left out, as the node's own open cuts it off.
        func field() -> [UInt8]? {
            guard offset + 4 <= bytes.count else { return nil }
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            guard offset + 4 + length <= bytes.count else { return nil }
            defer { offset += 4 + length }
            return Array(bytes[offset + 4..<offset + 4 + length])
        }
        while offset < bytes.count, let header = field(), field() != nil {
            headers.append(try BlockHeader(decoding: header))
        }
        return headers
    }

    /// csp-tx as `who` against the node in `home` (its Unix socket).
    @discardableResult
    func via(_ fixture: NodeFixture, _ home: String, _ who: String, _ arguments: [String], expect: Int32? = 0) throws -> ProcessResult {
        try NodeFixture.run("csp-tx", arguments + ["--home", fixture.dir + "/" + who, "--socket", home + "/node.sock", "--channel", fixture.channel],
                            expect: expect)
    }

    func testAccessNodeKeepsVerifiedHeadersRelaysAndProves() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 20, timeoutMilliseconds: 20)
        _ = try fixture.enroll("dept", role: "department")
        let (peerOrderer, port, peer, follower, peerPort) = try ordererAndFollower(fixture)
        var running = [peerOrderer, follower]
        defer { running.forEach { if $0.isRunning { $0.terminate(); $0.waitUntilExit() } } }
        let ordererAddress = "127.0.0.1:\(port)"
        // The peer is reached through a relay that alters every inclusion proof it passes.
        let relayHome = try fixture.enroll("relay", role: "node")
        let liar = try fixture.tamperingRelay(to: peerPort, home: relayHome, .changedProofTransaction)
        defer { liar.stop() }

        let gate = try fixture.enroll("gate", role: "node")
        let joined = try NodeFixture.run("csp-node", ["join", "--access", "--home", gate, "--channel", fixture.channel,
                                                      "--genesis", fixture.dir + "/genesis.json", "--orderer", ordererAddress,
                                                      "--peer", liar.address])
        XCTAssertTrue(joined.stdout.hasPrefix("joined channel 'consortium' as an access node following \(ordererAddress): block 0 "), joined.stdout)
        let channelDirectory = gate + "/channels/consortium"
        XCTAssertTrue(FileManager.default.fileExists(atPath: channelDirectory + "/headers"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: channelDirectory + "/blocks"), "an access node keeps no block files")
        XCTAssertFalse(FileManager.default.fileExists(atPath: channelDirectory + "/index"), "nor an index or state")
        var access = try startNode(gate)
        running.append(access)
        XCTAssertTrue(log(gate).contains("channel 'consortium' is kept as an access node (headers only) following the orderer at \(ordererAddress) from height 1"), log(gate))

        // Submissions through the access node: answered once its verified headers hold the block.
        let put = try json(try via(fixture, gate, "alice", ["submit", "kv.put", "key=a1", "value=one"]).stdout)
        XCTAssertEqual(put["code"] as? String, "valid", "\(put)")
        XCTAssertEqual(put["outcome"] as? String, "committed")
        let block = try XCTUnwrap(put["block"] as? Int)
        XCTAssertGreaterThan(try XCTUnwrap(try status(gate)["height"] as? Int), block)
        let invalid = try via(fixture, gate, "alice", ["submit", "kv.delete", "key=absent"], expect: 1)
        XCTAssertEqual(try json(invalid.stdout)["code"] as? String, "contract-failed", invalid.stdout)
        let denied = try via(fixture, gate, "alice", ["submit", "config.set-admins", "admins=[\"Acme/alice\"]"], expect: 1)
        XCTAssertEqual(try json(denied.stdout)["outcome"] as? String, "refused", denied.stdout)
        let lines = (0..<30).map { #"{"call":"kv.put","args":{"key":"b\#($0)","value":"v\#($0)"}}"# }.joined(separator: "\n") + "\n"
        let batch = try NodeFixture.run("csp-tx", ["submit", "--batch", "-", "--home", fixture.dir + "/alice", "--socket", gate + "/node.sock",
                                                   "--channel", fixture.channel], input: Data(lines.utf8))
        XCTAssertEqual(batch.stdout.split(separator: "\n").filter { $0.contains("\"code\":\"valid\"") }.count, 30, batch.stderr)

        // A tx read: the peer's answer (through the liar) does not verify, the orderer's does.
        let txid = try XCTUnwrap(put["txid"] as? String)
        let read = try via(fixture, gate, "alice", ["tx", txid, "--format", "json"])
        let record = try json(read.stdout)
        XCTAssertEqual(record["txid"] as? String, txid)
        XCTAssertEqual(record["block"] as? Int, block)
        XCTAssertEqual(record["code"] as? String, "valid")
        XCTAssertEqual(record["arguments"] as? [String: String], ["key": "a1", "value": "one"])
        XCTAssertTrue(read.stderr.hasPrefix("warning: the access node could not prove this answer: the validation code is 127.0.0.1:\(port)'s word"), read.stderr)
        XCTAssertFalse(liar.altered.isEmpty, "the liar altered the proof")
        XCTAssertTrue(log(gate).contains("refused tx \(txid): the answer from \(liar.address) does not verify against this node's block headers: the audit path leads to "), log(gate))
        // A state read is relayed, marked unproven.
        let query = try via(fixture, gate, "alice", ["query", "kv/b7"])
        XCTAssertEqual(query.stdout, "v7\n")
        XCTAssertTrue(query.stderr.hasPrefix("warning: the access node could not prove this answer: answered by "), query.stderr)
        // A block read is proven whole against the header: no warning.
        let blockRead = try via(fixture, gate, "root", ["block", "\(block)", "--format", "json"])
        XCTAssertEqual(blockRead.stderr, "")
        XCTAssertEqual(try json(blockRead.stdout)["block"] as? Int, block)
        // The policy grants a customer no block reads and a department no reads at all: the
        // access node refuses them itself.
        let refusedBlock = try via(fixture, gate, "alice", ["block", "\(block)"], expect: 1)
        XCTAssertTrue(refusedBlock.stderr.hasPrefix("error: read refused: "), refusedBlock.stderr)
        let refusedQuery = try via(fixture, gate, "dept", ["query", "kv/b7"], expect: 1)
        XCTAssertTrue(refusedQuery.stderr.hasPrefix("error: read refused: "), refusedQuery.stderr)

        // status: role access, the header height; --peers names the node's role on each line.
        let row = try status(gate)
        XCTAssertEqual(row["role"] as? String, "access", "\(row)")
        XCTAssertEqual(row["following"] as? String, ordererAddress)
        let text = try NodeFixture.run("csp-node", ["status", "--home", gate]).stdout
        XCTAssertTrue(text.contains("  role access (headers only)"), text)
        let peers = try NodeFixture.run("csp-node", ["status", "--home", gate, "--peers", "--format", "json"]).stdout
        for line in peers.split(separator: "\n") {
            XCTAssertEqual(try json(String(line))["node_role"] as? String, "access", String(line))
        }

        // kill -9 mid-load, then a restart resumes from the headers it kept (verified again).
        let load = (0..<40).map { #"{"call":"kv.put","args":{"key":"c\#($0)","value":"v"}}"# }.joined(separator: "\n") + "\n"
        _ = try fixture.tx("alice", ["submit", "--batch", "-"], input: Data(load.utf8))
        kill(access.processIdentifier, SIGKILL)
        access.waitUntilExit()
        let kept = try keptHeaders(gate).count
        _ = try fixture.tx("alice", ["submit", "--batch", "-"], input: Data(load.replacingOccurrences(of: "\"key\":\"c", with: "\"key\":\"d").utf8))
        access = try startNode(gate)
        running.append(access)
        XCTAssertTrue(log(gate).contains("following the orderer at \(ordererAddress) from height \(kept)\n"), log(gate))
        let after = try json(try via(fixture, gate, "alice", ["submit", "kv.put", "key=a2", "value=two"]).stdout)
        XCTAssertEqual(after["code"] as? String, "valid", "\(after)")

        // At the end the access node holds exactly the orderer's headers.
        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        try waitForHeight(gate, height)
        for process in running { process.terminate(); process.waitUntilExit() }
        let reference = try LedgerStore(directory: fixture.node + "/channels/consortium", channel: fixture.channel)
        defer { reference.close() }
        let headers = try keptHeaders(gate)
        XCTAssertEqual(headers.count, height)
        for (number, header) in headers.enumerated() {
            let theirs = try XCTUnwrap(try reference.block(number: UInt64(number))).block.header
            guard header.hash == theirs.hash else { return XCTFail("block \(number): the access node's header differs from the orderer's") }
        }
    }

    /// An access node whose only source lies about inclusion proofs refuses the answer
    /// with a clear error (exit 2) rather than return a transaction it cannot prove.
    func testAccessNodeRefusesATamperedProof() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 20, timeoutMilliseconds: 1000)
        let (orderer, port) = try startListening(fixture)
        defer { orderer.terminate(); orderer.waitUntilExit() }
        let relayHome = try fixture.enroll("relay", role: "node")
        let liar = try fixture.tamperingRelay(to: port, home: relayHome, .changedProofPath)
        defer { liar.stop() }
        let gate = try fixture.enroll("gate", role: "node")
        try NodeFixture.run("csp-node", ["join", "--access", "--home", gate, "--channel", fixture.channel,
                                         "--genesis", fixture.dir + "/genesis.json", "--orderer", liar.address])
        let access = try startNode(gate)
        defer { access.terminate(); access.waitUntilExit() }
        // Several transactions in one block, so every audit path has a digest to alter.
        let lines = (0..<8).map { #"{"call":"kv.put","args":{"key":"t\#($0)","value":"v"}}"# }.joined(separator: "\n") + "\n"
        let submitted = try NodeFixture.run("csp-tx", ["submit", "--batch", "-", "--home", fixture.dir + "/alice", "--socket", gate + "/node.sock",
                                                       "--channel", fixture.channel], input: Data(lines.utf8))
        let answers = try submitted.stdout.split(separator: "\n").map { try json(String($0)) }
        XCTAssertEqual(answers.filter { $0["code"] as? String == "valid" }.count, 8, submitted.stderr)
        let blocks = answers.compactMap { $0["block"] as? Int }
        let shared = try XCTUnwrap(answers.first { answer in blocks.filter { $0 == answer["block"] as? Int }.count > 1 },
                                   "two of the transactions share a block: \(blocks)")
        let txid = try XCTUnwrap(shared["txid"] as? String)
        let refused = try via(fixture, gate, "alice", ["tx", txid], expect: 2)
        XCTAssertTrue(refused.stderr.hasPrefix("error: refused an answer that does not verify: the answer from \(liar.address) does not verify against this node's block headers: the audit path leads to "), refused.stderr)
        XCTAssertEqual(refused.stdout, "")
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        // The same read from the orderer itself is fine: the lie was on the wire.
        XCTAssertEqual(try json(try fixture.tx("alice", ["tx", txid, "--format", "json"]).stdout)["txid"] as? String, txid)
    }
}

extension NetworkTests {
    /// An access node tracks configuration blocks: a policy change ordered after it joined
    /// changes whom it lets read, at once and after a restart (its configuration blocks
    /// verified again from `config-blocks`).
    func testAccessNodeTakesTheRulesOfAConfigurationBlock() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 20, timeoutMilliseconds: 20)
        let (orderer, port) = try startListening(fixture)
        defer { orderer.terminate(); orderer.waitUntilExit() }
        let gate = try fixture.enroll("gate", role: "node")
        try NodeFixture.run("csp-node", ["join", "--access", "--home", gate, "--channel", fixture.channel,
                                         "--genesis", fixture.dir + "/genesis.json", "--orderer", "127.0.0.1:\(port)"])
        var access = try startNode(gate)
        defer { if access.isRunning { access.terminate(); access.waitUntilExit() } }
        try via(fixture, gate, "alice", ["submit", "kv.put", "key=k", "value=v"])
        XCTAssertEqual(try via(fixture, gate, "alice", ["query", "kv/k"]).stdout, "v\n")
        // Through the access node: only admins may read from now on.
        let policy = #"{"invoke":{"*":["customer","admin"],"config.*":["admin"]},"read":{"*":["admin"]}}"#
        try via(fixture, gate, "root", ["submit", "config.set-policy", "policy=\(policy)"])
        try via(fixture, gate, "root", ["submit", "kv.put", "key=k2", "value=w"])
        for restart in [false, true] {
            if restart {
                access.terminate()
                access.waitUntilExit()
                access = try startNode(gate)
            }
            let refused = try via(fixture, gate, "alice", ["query", "kv/k"], expect: 1)
            XCTAssertTrue(refused.stderr.hasPrefix("error: read refused: "), refused.stderr)
            XCTAssertEqual(try via(fixture, gate, "root", ["query", "kv/k"]).stdout, "v\n")
        }
        // Block 0 and the policy's block are kept whole; every other block as a header only.
        let configBlocks = Array(try Data(contentsOf: URL(fileURLWithPath: gate + "/channels/consortium/config-blocks")))
        var numbers: [UInt64] = []
        var offset = 0
        while offset + 4 <= configBlocks.count {
            let length = configBlocks[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            numbers.append(try CommittedBlock(decoding: Array(configBlocks[offset + 4..<offset + 4 + length])).block.header.number)
            offset += 4 + length
        }
        XCTAssertEqual(numbers, [0, 2], "block 0 and the policy's block")
        let height = try XCTUnwrap(try status(gate)["height"] as? Int)
        XCTAssertEqual(height, 4)
        XCTAssertEqual(try keptHeaders(gate).count, height)
        // A header altered on disk is named at the next start, which then serves nothing.
        access.terminate()
        access.waitUntilExit()
        let path = gate + "/channels/consortium/headers"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 10] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        let damaged = try NodeFixture.run("csp-node", ["start", "--home", gate], expect: 2)
        XCTAssertTrue(damaged.stderr.contains("\(path)': block 3: the orderer's signature does not verify"), damaged.stderr)
        let checked = try NodeFixture.run("csp-node", ["check", "--home", gate], expect: 1)
        XCTAssertEqual(checked.stderr, "error: channel 'consortium': '\(path)': block 3: the orderer's signature does not verify\n")
    }
}
