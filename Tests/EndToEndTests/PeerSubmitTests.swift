import CSPCertificates
import CSPCrypto
import CSPFormat
import CSPKeyValue
import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// What nodes other than the orderer do for clients (docs/NETWORK.md): a follower forwards
/// its clients' submissions to the orderer and answers once its own ledger has committed
/// them; a follower whose execution diverges names the state fork, takes no more
/// submissions and marks its reads suspect. Real processes on loopback.
extension NetworkTests {
    /// An orderer listening on TCP and one follower `peer1` (listening too), joined and started.
    func ordererAndFollower(_ fixture: NodeFixture) throws -> (orderer: Process, port: Int, peer: String, follower: Process, peerPort: Int) {
        let (orderer, port) = try startListening(fixture)
        let peer = try fixture.enroll("peer1", role: "node")
        try NodeFixture.run("csp-node", ["join", "--home", peer, "--channel", fixture.channel,
                                         "--genesis", fixture.dir + "/genesis.json", "--orderer", "127.0.0.1:\(port)"])
        try "listen = 127.0.0.1:0\n".write(toFile: peer + "/node.conf", atomically: true, encoding: .utf8)
        let follower = try startNode(peer)
        var peerPort = 0
        for _ in 0..<500 where peerPort == 0 { peerPort = Self.port(in: log(peer)) ?? 0; usleep(10_000) }
        XCTAssertNotEqual(peerPort, 0, log(peer))
        return (orderer, port, peer, follower, peerPort)
    }

    /// csp-tx as `who` against the follower's Unix socket.
    func viaPeer(_ fixture: NodeFixture, _ peer: String, _ who: String, _ arguments: [String], expect: Int32? = 0) throws -> ProcessResult {
        try NodeFixture.run("csp-tx", arguments + ["--home", fixture.dir + "/" + who, "--socket", peer + "/node.sock", "--channel", fixture.channel],
                            expect: expect)
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testSubmissionsThroughAFollowerCommitThereWithTheOrderersOutcome() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 20, timeoutMilliseconds: 20)
        let (orderer, port, peer, follower, peerPort) = try ordererAndFollower(fixture)
        defer {
            for process in [follower, orderer] where process.isRunning { process.terminate(); process.waitUntilExit() }
        }
        // Valid: answered once the follower's own ledger holds it, so a read there sees it at once.
        let put = try json(try viaPeer(fixture, peer, "alice", ["submit", "kv.put", "key=p1", "value=one"]).stdout)
        XCTAssertEqual(put["code"] as? String, "valid")
        let block = try XCTUnwrap(put["block"] as? Int)
        XCTAssertEqual(try viaPeer(fixture, peer, "alice", ["query", "kv/p1"]).stdout, "one\n")
        // The orderer holds it at the same place.
        let txid = try XCTUnwrap(put["txid"] as? String)
        let there = try fixture.tx("alice", ["tx", txid, "--format", "json"]).stdout
        XCTAssertEqual(try json(there)["block"] as? Int, block, there)
        XCTAssertEqual(try json(there)["index"] as? Int, put["index"] as? Int, there)

        // --node HOST:PORT: the follower's TCP listener, mutual TLS, the same answers.
        let overTCP = try NodeFixture.run("csp-tx", ["submit", "kv.put", "key=p2", "value=two", "--home", fixture.dir + "/alice",
                                                     "--node", "127.0.0.1:\(peerPort)", "--channel", fixture.channel])
        XCTAssertEqual(try json(overTCP.stdout)["code"] as? String, "valid", overTCP.stderr)
        let readTCP = try NodeFixture.run("csp-tx", ["query", "kv/p2", "--home", fixture.dir + "/alice", "--node", "127.0.0.1:\(peerPort)",
                                                     "--channel", fixture.channel])
        XCTAssertEqual(readTCP.stdout, "two\n")
        let badNode = try NodeFixture.run("csp-tx", ["query", "kv/p2", "--home", fixture.dir + "/alice", "--node", "nowhere",
                                                     "--channel", fixture.channel], expect: 64)
        XCTAssertEqual(badNode.stderr, "error: --node 'nowhere' is not HOST:PORT (see 'csp-tx query --help')\n")
        // A usage error whatever the home holds: checked before the identity is read.
        let noIdentity = try NodeFixture.run("csp-tx", ["query", "kv/p2", "--home", fixture.dir + "/nobody", "--node", "nowhere",
                                                        "--channel", fixture.channel], expect: 64)
        XCTAssertEqual(noIdentity.stderr, badNode.stderr)

        // Invalid in its block: the follower's verdict, equal to the orderer's (exit 1).
        let invalid = try viaPeer(fixture, peer, "alice", ["submit", "kv.delete", "key=absent"], expect: 1)
        XCTAssertEqual(try json(invalid.stdout)["code"] as? String, "contract-failed", invalid.stdout)
        // Refused at admission by the orderer, never ordered: a customer may not configure.
        let denied = try viaPeer(fixture, peer, "alice", ["submit", "config.set-admins", "admins=[\"Acme/alice\"]"], expect: 1)
        XCTAssertEqual(try json(denied.stdout)["outcome"] as? String, "refused", denied.stdout)
        // --once: the second run is already done, with the first transaction's answer.
        let first = try json(try viaPeer(fixture, peer, "alice", ["submit", "kv.put", "key=p3", "value=x", "--once", "nightly-1"]).stdout)
        let second = try viaPeer(fixture, peer, "alice", ["submit", "kv.put", "key=p3", "value=y", "--once", "nightly-1"])
        XCTAssertEqual(try json(second.stdout)["outcome"] as? String, "already-done", second.stdout)
        XCTAssertEqual(try json(second.stdout)["txid"] as? String, first["txid"] as? String)
        XCTAssertEqual(try json(second.stdout)["block"] as? Int, first["block"] as? Int)
        // --no-wait: accepted by the orderer.
        let accepted = try viaPeer(fixture, peer, "alice", ["submit", "kv.put", "key=p4", "value=z", "--no-wait"])
        XCTAssertEqual(try json(accepted.stdout)["outcome"] as? String, "accepted", accepted.stdout)
        // Pre-signed transactions pipelined through the follower.
        let signed = try viaPeer(fixture, peer, "alice", ["submit", "kv.put", "key=p5", "value=s", "--sign-only", "--format", "text"]).stdout
        try signed.write(toFile: fixture.dir + "/p5.tx", atomically: true, encoding: .utf8)
        let resent = try viaPeer(fixture, peer, "alice", ["submit", "--signed", fixture.dir + "/p5.tx"])
        XCTAssertEqual(try json(resent.stdout)["code"] as? String, "valid", resent.stdout)

        // The orderer gone: a clear error naming it, exit 2, nothing left waiting.
        orderer.terminate()
        orderer.waitUntilExit()
        let unreachable = try viaPeer(fixture, peer, "alice", ["submit", "kv.put", "key=p6", "value=w"], expect: 2)
        XCTAssertTrue(unreachable.stderr.contains("cannot reach the orderer at 127.0.0.1:\(port)"), unreachable.stderr)
        XCTAssertEqual(unreachable.stderr.split(separator: "\n").count, 1, unreachable.stderr)
    }

    /// The `blocks` signature covers `from` and `limit`; a request signed the old way
    /// (without them) is told why it is refused, and a range changed after signing fails.
    func testBlocksSignatureCoversItsRange() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 4)
        let node = try fixture.start()
        defer { node.terminate(); node.waitUntilExit() }
        let current = try deliver(fixture, who: "root", from: 0, limit: 1)
        XCTAssertEqual((current["blocks"] as? [String])?.count, 1, "\(current)")
        let legacy = try deliver(fixture, who: "root", from: 0, limit: 1, legacy: true)
        XCTAssertEqual(legacy["status"] as? Int, 1)
        XCTAssertEqual(legacy["error"] as? String,
                       "read refused: the signature does not cover 'from' and 'limit' (a client older than this node signed it): upgrade the client")
    }

    /// The orderer answers that a forwarded submission is committed, but its block has
    /// not reached the follower (a relay holds block frames back) when the follower is
    /// told to stop: the client learns the outcome is unknown (exit 75), naming the block,
    /// never a success the follower did not see.
    func testAForwardedSubmissionWhoseBlockHasNotArrivedAtAStopIsUnknown() throws {
        let network = try relayedFollower(.lateBlocks)
        defer { network.stop() }
        let (fixture, relay, peer, follower) = (network.fixture, network.relay, network.peer, network.follower)
        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)

        let submit = Process()
        submit.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-tx"))
        submit.arguments = ["submit", "kv.put", "key=late", "value=1", "--home", fixture.dir + "/alice", "--socket", peer + "/node.sock",
                            "--channel", fixture.channel]
        let stdout = Pipe(), stderr = Pipe()
        (submit.standardOutput, submit.standardError) = (stdout, stderr)
        try submit.run()
        // The orderer commits block `height` at once; the follower gets it 3 s later.
        XCTAssertTrue(eventually(within: 2) { (try? status(fixture.node)["height"] as? Int) == height + 1 })
        usleep(500_000)  // its answer reaches the follower (loopback)
        XCTAssertEqual(try status(peer)["height"] as? Int, height, "the block is still held back")
        follower.terminate()
        submit.waitUntilExit()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let error = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(submit.terminationStatus, 75, output + error)
        let answer = try json(output)
        XCTAssertEqual(answer["outcome"] as? String, "unknown", output)
        XCTAssertEqual(answer["error"] as? String,
                       "outcome unknown: the orderer at \(relay.address) committed it in block \(height); this node stopped before it committed that block")
        let txid = try XCTUnwrap(answer["txid"] as? String)
        XCTAssertEqual(error, "error: \(answer["error"] as? String ?? ""); the outcome of transaction \(txid) is unknown: look it up with 'csp-tx tx \(txid)' before submitting again\n")
    }

    /// The orderer says a forwarded submission is in a block that, when the follower holds
    /// it, does not hold the transaction (a relay names the block before): the client's
    /// outcome is unknown (exit 75), naming the block, not the orderer's word.
    func testAForwardedSubmissionTheFollowerCannotFindInTheNamedBlockIsUnknown() throws {
        let network = try relayedFollower(.misplacedCommit, committed: 1)
        defer { network.stop() }
        let (fixture, relay, peer) = (network.fixture, network.relay, network.peer)
        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)

        let result = try viaPeer(fixture, peer, "alice", ["submit", "kv.put", "key=misplaced", "value=1"], expect: 75)
        XCTAssertEqual(relay.altered, [UInt64(height)], result.stderr)
        let answer = try json(result.stdout)
        XCTAssertEqual(answer["outcome"] as? String, "unknown", result.stdout)
        XCTAssertEqual(answer["error"] as? String,
                       "outcome unknown: the orderer at \(relay.address) committed it in block \(height - 1), but this node's block \(height - 1) does not hold it")
        let txid = try XCTUnwrap(answer["txid"] as? String)
        XCTAssertTrue(result.stderr.hasSuffix("; the outcome of transaction \(txid) is unknown: look it up with 'csp-tx tx \(txid)' before submitting again\n"), result.stderr)
        // The transaction is in the orderer's block `height`, and reaches the follower there.
        try waitForHeight(peer, height + 1)
        XCTAssertEqual(try viaPeer(fixture, peer, "alice", ["query", "kv/misplaced"]).stdout, "1\n")
    }

    /// A follower whose state was altered on disk (a key deleted from its index) executes
    /// a later block differently from the orderer: the submission it forwarded for that
    /// block is answered unknown; it names the fork (block, both commit hashes, the
    /// orderer) in its log and status, refuses submissions, and still answers reads,
    /// marked suspect, which csp-tx warns about and exits 2 on.
    func testStateForkIsNamedAndStopsWrites() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 20, timeoutMilliseconds: 20)
        let nodes = try ordererAndFollower(fixture)
        let (orderer, port, peer) = (nodes.orderer, nodes.port, nodes.peer)
        var follower = nodes.follower
        defer {
            for process in [follower, orderer] where process.isRunning { process.terminate(); process.waitUntilExit() }
        }
        try fixture.tx("alice", ["submit", "kv.put", "key=x", "value=1"])
        try fixture.tx("alice", ["submit", "kv.put", "key=y", "value=2"])
        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        try waitForHeight(peer, height)
        follower.terminate()
        follower.waitUntilExit()
        // The follower's state loses kv/x behind its back.
        let index = try LevelDB(path: peer + "/channels/consortium/index")
        try index.delete([UInt8(0x20)] + Array("kv/x".utf8), sync: true)
        index.close()
        follower = try startNode(peer)

        // The orderer deletes kv/x (valid there); the follower's re-execution finds no kv/x.
        // Submitted through the follower, which forwards it: the orderer's "committed in
        // block N" is one the follower cannot confirm, so its client hears unknown (75).
        let forked = "state fork on channel 'consortium' at block \(height): this node's commit hash is "
        let deletion = try viaPeer(fixture, peer, "alice", ["submit", "kv.delete", "key=x"], expect: 75)
        XCTAssertTrue(deletion.stderr.hasPrefix("error: outcome unknown: the orderer at 127.0.0.1:\(port) committed it in block \(height), which this node cannot confirm: " + forked),
                      deletion.stderr)
        let orderers = try status(fixture.node)
        for _ in 0..<500 where !log(peer).contains(forked) { usleep(10_000) }
        XCTAssertTrue(log(peer).contains(forked), log(peer))
        XCTAssertTrue(log(peer).contains("127.0.0.1:\(port) recorded \(try XCTUnwrap(orderers["commit_hash"] as? String))"), log(peer))
        XCTAssertTrue(log(peer).contains("transaction 0 is valid there and contract-failed here"), log(peer))

        let text = try NodeFixture.run("csp-node", ["status", "--home", peer], expect: 1).stdout
        XCTAssertTrue(text.contains("consortium  forked  height \(height)"), text)
        XCTAssertTrue(text.contains(forked), text)
        let row = try json(try NodeFixture.run("csp-node", ["status", "--home", peer, "--format", "json"], expect: 1).stdout)
        XCTAssertEqual(row["state"] as? String, "forked")
        let fork = try XCTUnwrap(row["fork"] as? [String: Any], "\(row)")
        XCTAssertEqual(fork["block"] as? Int, height)
        XCTAssertEqual(fork["other_commit_hash"] as? String, orderers["commit_hash"] as? String)
        XCTAssertEqual(fork["node"] as? String, "127.0.0.1:\(port)")
        XCTAssertNotEqual(fork["commit_hash"] as? String, fork["other_commit_hash"] as? String)
        XCTAssertEqual(row["height"] as? Int, height, "the diverging block is never committed")

        // Reads still answer, marked suspect: the value, one warning, exit 2.
        let read = try viaPeer(fixture, peer, "alice", ["query", "kv/y"], expect: 2)
        XCTAssertEqual(read.stdout, "2\n")
        XCTAssertTrue(read.stderr.hasPrefix("warning: the node's answer is suspect: " + forked), read.stderr)
        XCTAssertEqual(read.stderr.split(separator: "\n").count, 1, read.stderr)
        // Writes are refused, naming the fork.
        let write = try viaPeer(fixture, peer, "alice", ["submit", "kv.put", "key=z", "value=3"], expect: 2)
        XCTAssertTrue(write.stderr.contains(forked), write.stderr)
        XCTAssertTrue(write.stderr.contains("takes no submissions"), write.stderr)
        // It does not retry quietly: the fork is logged once.
        usleep(1_500_000)
        XCTAssertEqual(log(peer).components(separatedBy: forked).count - 1, 1, log(peer))
        // Remembered on disk (written atomically before it is acted on).
        let record = try json(try String(contentsOfFile: peer + "/channels/consortium/fork.json", encoding: .utf8))
        XCTAssertEqual(record["block"] as? Int, height)
        XCTAssertEqual(record["other_commit_hash"] as? String, fork["other_commit_hash"] as? String)
        XCTAssertEqual(record["node"] as? String, "127.0.0.1:\(port)")
        // A watch prints the events the node holds, warns once, and ends with exit 2: the
        // forked node commits nothing more there.
        let watch = try viaPeer(fixture, peer, "alice", ["watch", "--from", "0"], expect: 2)
        // The events of the blocks it holds: the orderer's first ones, exactly.
        let events = watch.stdout.split(separator: "\n").count
        XCTAssertGreaterThan(events, 0, watch.stdout)
        XCTAssertEqual(watch.stdout, try fixture.tx("alice", ["watch", "--from", "0", "--count", String(events)]).stdout)
        let watchLines = watch.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(watchLines.count, 2, watch.stderr)
        XCTAssertTrue(watchLines[0].hasPrefix("warning: the node's answer is suspect: " + forked), watch.stderr)
        XCTAssertTrue(watchLines[1].hasPrefix("error: " + forked), watch.stderr)
        XCTAssertTrue(watchLines[1].contains("this node commits no more blocks on the channel until its ledger is repaired"), watch.stderr)
        // With --count satisfied first, still exit 2: what it printed is suspect.
        let counted = try viaPeer(fixture, peer, "alice", ["watch", "--from", "0", "--count", "1"], expect: 2)
        XCTAssertEqual(counted.stdout.split(separator: "\n").count, 1, counted.stdout)

        follower.terminate()
        follower.waitUntilExit()
        XCTAssertEqual(log(peer).components(separatedBy: forked).count - 1, 1, "stopping adds no line: \(log(peer))")
        // A restart is still forked, at once, without verifying the block again: status
        // exits 1, writes are refused, reads are suspect.
        follower = try startNode(peer)
        let again = try json(try NodeFixture.run("csp-node", ["status", "--home", peer, "--format", "json"], expect: 1).stdout)
        XCTAssertEqual(again["state"] as? String, "forked")
        XCTAssertEqual((again["fork"] as? [String: Any])?["commit_hash"] as? String, fork["commit_hash"] as? String)
        XCTAssertTrue(log(peer).contains(", remembered in '\(peer)/channels/consortium/fork.json')"), log(peer))
        XCTAssertTrue(try viaPeer(fixture, peer, "alice", ["submit", "kv.put", "key=z", "value=3"], expect: 2).stderr.contains(forked))
        XCTAssertEqual(try viaPeer(fixture, peer, "alice", ["query", "kv/y"], expect: 2).stdout, "2\n")

        // Cleared only by the operator, with the node stopped.
        let running = try NodeFixture.run("csp-node", ["clear-fork", "--home", peer, "--channel", "consortium"], expect: 2)
        XCTAssertEqual(running.stderr, "error: channel 'consortium' is open in a running node: stop it first\n")
        follower.terminate()
        follower.waitUntilExit()
        let cleared = try NodeFixture.run("csp-node", ["clear-fork", "--home", peer, "--channel", "consortium"])
        XCTAssertTrue(cleared.stdout.hasPrefix("cleared the state fork at block \(height) (this node's commit hash \(try XCTUnwrap(fork["commit_hash"] as? String))"), cleared.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: peer + "/channels/consortium/fork.json"))
        let none = try NodeFixture.run("csp-node", ["clear-fork", "--home", peer, "--channel", "consortium"], expect: 1)
        XCTAssertEqual(none.stderr, "error: channel 'consortium' has no recorded state fork\n")
        // The cause (the altered index) remains: the next start meets the fork again and records it.
        follower = try startNode(peer)
        for _ in 0..<500 where log(peer).components(separatedBy: forked).count - 1 < 3 { usleep(10_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: peer + "/channels/consortium/fork.json"), log(peer))
        follower.terminate()
        follower.waitUntilExit()
        // Rebuilding the index from the block files repairs it and clears the record.
        let rebuilt = try NodeFixture.run("csp-node", ["rebuild", "--home", peer, "--channel", "consortium"])
        XCTAssertTrue(rebuilt.stdout.contains("cleared the state fork at block \(height)"), rebuilt.stdout)
        follower = try startNode(peer)
        try waitForHeight(peer, height + 1)
        XCTAssertEqual(try status(peer)["state"] as? String, "running")
        XCTAssertEqual(try viaPeer(fixture, peer, "alice", ["query", "kv/x"], expect: 1).stdout, "")
    }

    /// A `tx` read with `proof` answers the transaction's Merkle inclusion proof, which
    /// checks against the block's header alone; a changed path or transaction does not.
    func testTransactionInclusionProofChecksAgainstItsHeader() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 7, timeoutMilliseconds: 200)
        let node = try fixture.start()
        defer { node.terminate(); node.waitUntilExit() }
        let lines = (0..<7).map { #"{"call":"kv.put","args":{"key":"m\#($0)","value":"v"}}"# }.joined(separator: "\n") + "\n"
        let out = try fixture.tx("alice", ["submit", "--batch", "-"], input: Data(lines.utf8)).stdout
        let rows = try out.split(separator: "\n").map { try json(String($0)) }
        let row = try XCTUnwrap(rows.first { $0["index"] as? Int == 5 }, out)
        let txid = try XCTUnwrap(row["txid"] as? String)

        let key = try P256PrivateKey(pemFile: fixture.dir + "/alice/key.pem")
        let pem = try String(contentsOfFile: fixture.dir + "/alice/cert.pem", encoding: .utf8)
        let timestamp = UInt64(Date().timeIntervalSince1970 * 1000)
        var signed = Array("csp-read-v1".utf8) + [0]
        withUnsafeBytes(of: timestamp.bigEndian) { signed.append(contentsOf: $0) }
        signed += Array(["tx", fixture.channel, "", txid, "", "", ""].joined(separator: "\u{0}").utf8)
        let request: [String: Any] = ["id": 9, "op": "tx", "channel": fixture.channel, "target": txid, "proof": true,
                                      "auth": ["certificate": pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined(),
                                               "timestamp": timestamp, "signature": Data(try key.signature(for: signed)).base64EncodedString()]]
        let payload = Array(try JSONSerialization.data(withJSONObject: request))
        let reply = RawSocket.exchange(fixture.socket, withUnsafeBytes(of: UInt32(payload.count).bigEndian, Array.init) + payload)
        let answer = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(reply.dropFirst(4))) as? [String: Any])
        let wire = try XCTUnwrap(answer["proof"] as? [String: Any], "\(answer)")
        XCTAssertEqual(wire["block"] as? Int, row["block"] as? Int)
        XCTAssertEqual(wire["index"] as? Int, 5)
        let header = try BlockHeader(decoding: Array(try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(wire["header"] as? String)))))
        XCTAssertEqual(header.transactionCount, 7)
        let transaction = Array(try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(wire["transaction"] as? String))))
        XCTAssertEqual(try Transaction(decoding: transaction).id.hex, txid)
        let path = try XCTUnwrap(wire["path"] as? [String]).map { try XCTUnwrap(SHA256Digest(hex: $0)) }
        XCTAssertEqual(path.count, 3, "7 leaves: a path of 3")
        let proof = InclusionProof(transaction: transaction, index: 5, path: path)
        XCTAssertNil(proof.failure(against: header))
        // Checked against the orderer's signature, the header is the block's.
        let orderer = try Certificate(der: header.orderer)
        let signature = Array(try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(wire["signature"] as? String))))
        XCTAssertTrue(try orderer.publicKey.isValidSignature(signature, digest: header.hash))
        var other = proof
        other.path.swapAt(0, 1)
        XCTAssertNotNil(other.failure(against: header))
        var changed = proof
        changed.transaction[10] ^= 1
        XCTAssertNotNil(changed.failure(against: header))
    }
}
