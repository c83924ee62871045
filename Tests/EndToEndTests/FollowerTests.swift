import CSPFormat
import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Followers (`csp-node join`, docs/NETWORK.md): real processes on loopback. An orderer
/// listening on TCP with mutual TLS, two nodes of the same organisation that join its
/// channel and pull, verify and commit its blocks; one is killed with SIGKILL mid-load and
/// catches up after a restart; at the end every node holds the same blocks and commit hashes.
extension NetworkTests {
    /// `csp-node start` in `home`, stderr appended to `<home>.log`; waits for its socket.
    func startNode(_ home: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-node"))
        process.arguments = ["start", "--home", home]
        if !FileManager.default.fileExists(atPath: home + ".log") { FileManager.default.createFile(atPath: home + ".log", contents: nil) }
        let log = try XCTUnwrap(FileHandle(forWritingAtPath: home + ".log"))
        log.seekToEndOfFile()
        process.standardError = log
        try process.run()
        for _ in 0..<1000 where !RawSocket.accepts(home + "/node.sock") { usleep(10_000) }
        XCTAssertTrue(RawSocket.accepts(home + "/node.sock"), "\(home) serves its socket: \(self.log(home))")
        return process
    }

    func log(_ home: String) -> String { (try? String(contentsOfFile: home + ".log", encoding: .utf8)) ?? "" }

    func status(_ home: String) throws -> [String: Any] {
        let out = try NodeFixture.run("csp-node", ["status", "--home", home, "--format", "json"]).stdout
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], out)
    }

    /// Waits until `home`'s channel has `height` blocks (at most `seconds`).
    func waitForHeight(_ home: String, _ height: Int, within seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try status(home)["height"] as? Int == height { return }
            usleep(50_000)
        }
        XCTFail("\(home) reaches height \(height): \(try status(home)); log: \(log(home))")
    }

    /// Every block of a node, as its `blocks` answer gives them, read on its Unix socket.
    func allBlocks(_ fixture: NodeFixture, home: String) throws -> [CommittedBlock] {
        var blocks: [CommittedBlock] = []
        while true {
            let answer = try deliver(fixture, who: "root", from: UInt64(blocks.count), limit: 4, socket: home + "/node.sock")
            guard let page = answer["blocks"] as? [String] else { break }
            blocks += try page.map { try CommittedBlock(decoding: Array(try XCTUnwrap(Data(base64Encoded: $0)))) }
        }
        return blocks
    }

    func submitLoad(_ fixture: NodeFixture, round: Int, count: Int) throws {
        let lines = (0..<count).map { #"{"call":"kv.put","args":{"key":"r\#(round)-\#($0)","value":"v\#($0)"}}"# }.joined(separator: "\n") + "\n"
        let result = try fixture.tx("alice", ["submit", "--batch", "-"], input: Data(lines.utf8))
        XCTAssertEqual(result.stdout.split(separator: "\n").filter { $0.contains("\"code\":\"valid\"") }.count, count, result.stderr)
    }

    func testFollowersPullVerifyAndCatchUpAfterKill() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 20, timeoutMilliseconds: 20)
        let (orderer, port) = try startListening(fixture)
        defer { orderer.terminate(); orderer.waitUntilExit() }
        let peers = [try fixture.enroll("peer1", role: "node"), try fixture.enroll("peer2", role: "node")]
        // peer1 joins with the genesis configuration (block 0 fetched from the orderer),
        // peer2 with block 0 itself, as a block record file.
        let first = try XCTUnwrap(try deliver(fixture, who: "root", from: 0, limit: 1)["blocks"] as? [String]).first
        let block0 = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(first)))
        try block0.write(to: URL(fileURLWithPath: fixture.dir + "/block0.csp"))
        let hash = try CommittedBlock(decoding: Array(block0)).block.header.hash.hex
        for (peer, genesis) in zip(peers, [fixture.dir + "/genesis.json", fixture.dir + "/block0.csp"]) {
            let joined = try NodeFixture.run("csp-node", ["join", "--home", peer, "--channel", fixture.channel,
                                                         "--genesis", genesis, "--orderer", "127.0.0.1:\(port)"])
            XCTAssertEqual(joined.stdout, "joined channel 'consortium' following 127.0.0.1:\(port): block 0 \(hash)\n")
        }
        // Joining twice, or with an address that is not one, is refused.
        let again = try NodeFixture.run("csp-node", ["join", "--home", peers[0], "--channel", fixture.channel,
                                                    "--genesis", fixture.dir + "/genesis.json", "--orderer", "127.0.0.1:\(port)"], expect: 2)
        XCTAssertEqual(again.stderr, "error: channel 'consortium' already exists in '\(peers[0])'\n")
        let malformed = try NodeFixture.run("csp-node", ["join", "--home", fixture.dir + "/peer3", "--channel", fixture.channel,
                                                        "--genesis", fixture.dir + "/genesis.json", "--orderer", "nowhere"], expect: 64)
        XCTAssertEqual(malformed.stderr, "error: --orderer 'nowhere' is not HOST:PORT\n")

        var followers = try peers.map { try startNode($0) }
        defer { followers.forEach { if $0.isRunning { $0.terminate(); $0.waitUntilExit() } } }
        try submitLoad(fixture, round: 0, count: 200)
        // peer2 dies without warning mid-load, and restarts later.
        kill(followers[1].processIdentifier, SIGKILL)
        followers[1].waitUntilExit()
        try submitLoad(fixture, round: 1, count: 300)
        followers[1] = try startNode(peers[1])
        try submitLoad(fixture, round: 2, count: 200)

        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        XCTAssertGreaterThan(height, 30)
        for peer in peers { try waitForHeight(peer, height) }
        let expected = try allBlocks(fixture, home: fixture.node)
        XCTAssertEqual(expected.count, height)
        for peer in peers {
            let blocks = try allBlocks(fixture, home: peer)
            XCTAssertEqual(blocks.map(\.block.header.hash), expected.map(\.block.header.hash), peer)
            XCTAssertEqual(blocks.map(\.block.header.commitHash), expected.map(\.block.header.commitHash), peer)
            let ours = try status(peer), theirs = try status(fixture.node)
            XCTAssertEqual(ours["commit_hash"] as? String, theirs["commit_hash"] as? String)
            XCTAssertEqual(ours["last_block_hash"] as? String, theirs["last_block_hash"] as? String)
            XCTAssertEqual(ours["following"] as? String, "127.0.0.1:\(port)")
            XCTAssertNil(theirs["following"])
            XCTAssertTrue(log(peer).contains("channel 'consortium' follows the orderer at 127.0.0.1:\(port)"), log(peer))
        }
        // Followers serve reads of the state they verified, and forward submissions to the orderer.
        let read = try NodeFixture.run("csp-tx", ["query", "kv/r1-7", "--home", fixture.dir + "/alice", "--socket", peers[1] + "/node.sock",
                                                  "--channel", fixture.channel])
        XCTAssertEqual(read.stdout, "v7\n")
        let forwarded = try NodeFixture.run("csp-tx", ["submit", "kv.put", "key=x", "value=y", "--home", fixture.dir + "/alice",
                                                       "--socket", peers[0] + "/node.sock", "--channel", fixture.channel])
        XCTAssertTrue(forwarded.stdout.contains("\"code\":\"valid\""), forwarded.stdout)
    }

    /// A configuration block changes the rules a follower verifies and serves with, from
    /// the next block on: here a policy that stops customers reading, committed in the
    /// middle of a load.
    func testFollowerTakesTheRulesOfAConfigurationBlock() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 20, timeoutMilliseconds: 20)
        let (orderer, port) = try startListening(fixture)
        defer { orderer.terminate(); orderer.waitUntilExit() }
        let peer = try fixture.enroll("peer1", role: "node")
        try NodeFixture.run("csp-node", ["join", "--home", peer, "--channel", fixture.channel,
                                         "--genesis", fixture.dir + "/genesis.json", "--orderer", "127.0.0.1:\(port)"])
        let follower = try startNode(peer)
        defer { follower.terminate(); follower.waitUntilExit() }
        try submitLoad(fixture, round: 0, count: 60)
        let policy = #"{"invoke":{"*":["customer","admin"],"config.*":["admin"]},"read":{"*":["admin"]}}"#
        try fixture.tx("root", ["submit", "config.set-policy", "policy=\(policy)"])
        try submitLoad(fixture, round: 1, count: 60)
        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        try waitForHeight(peer, height)
        XCTAssertEqual(try status(peer)["commit_hash"] as? String, try status(fixture.node)["commit_hash"] as? String)
        let refused = try NodeFixture.run("csp-tx", ["query", "kv/r1-7", "--home", fixture.dir + "/alice", "--socket", peer + "/node.sock",
                                                     "--channel", fixture.channel], expect: 1)
        XCTAssertTrue(refused.stderr.contains("read refused"), refused.stderr)
        let allowed = try NodeFixture.run("csp-tx", ["query", "kv/r1-7", "--home", fixture.dir + "/root", "--socket", peer + "/node.sock",
                                                     "--channel", fixture.channel])
        XCTAssertEqual(allowed.stdout, "v7\n")
    }
}

extension NetworkTests {
    /// A source that refuses every `blocks` request it is sent: each range claimed from it
    /// goes back and is fetched from the orderer, so the follower still gets every block
    /// (a range lost on the way would stall it for good).
    func testRangesASourceRefusesAreFetchedElsewhere() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 1, timeoutMilliseconds: 5)
        let (orderer, port) = try startListening(fixture)
        defer { stopNode(orderer) }
        try submitLoad(fixture, round: 0, count: 1300)
        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        let relay = try fixture.tamperingRelay(to: port, home: try fixture.enroll("relay", role: "node"), .refusedBlocks)
        defer { relay.stop() }
        let (peer, node) = try startPeer(fixture, "peer1", orderer: "127.0.0.1:\(port)", peers: [relay.address])
        defer { stopNode(node) }
        try waitForHeight(peer, height)
        XCTAssertGreaterThan(relay.refused, 0, "the relay was asked for blocks: \(log(peer))")
        XCTAssertTrue(log(peer).contains("busy: ask another node"), log(peer))
        XCTAssertEqual(try status(peer)["last_block_hash"] as? String, try status(fixture.node)["last_block_hash"] as? String)
    }

    /// A forged chain: another node certificate of the same CA orders a channel of the same
    /// name. Its block 0 does not match the genesis a peer was given, so joining it is
    /// refused; a follower pointed at it is served block 1 signed by the wrong orderer,
    /// refuses it (logging why), commits nothing, and catches up once pointed back.
    func testFollowerRefusesBlocksItCannotVerify() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 20, timeoutMilliseconds: 20)
        let (orderer, port) = try startListening(fixture)
        defer { orderer.terminate(); orderer.waitUntilExit() }
        try submitLoad(fixture, round: 0, count: 60)

        let rogue = try fixture.enroll("rogue", role: "node")
        var genesis = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.dir + "/genesis.json"))) as? [String: Any])
        genesis["orderer"] = try String(contentsOfFile: rogue + "/cert.pem", encoding: .utf8)
        try JSONSerialization.data(withJSONObject: genesis).write(to: URL(fileURLWithPath: fixture.dir + "/rogue.json"))
        try NodeFixture.run("csp-node", ["init", "--home", rogue, "--channel", fixture.channel, "--config", fixture.dir + "/rogue.json"])
        try "listen = 127.0.0.1:0\n".write(toFile: rogue + "/node.conf", atomically: true, encoding: .utf8)
        let rogueNode = try startNode(rogue)
        defer { rogueNode.terminate(); rogueNode.waitUntilExit() }
        var roguePort = 0
        for _ in 0..<500 where roguePort == 0 { roguePort = Self.port(in: log(rogue)) ?? 0; usleep(10_000) }
        let forged = (0..<30).map { #"{"call":"kv.put","args":{"key":"forged-\#($0)","value":"x"}}"# }.joined(separator: "\n") + "\n"
        try NodeFixture.run("csp-tx", ["submit", "--batch", "-", "--home", fixture.dir + "/alice", "--socket", rogue + "/node.sock",
                                       "--channel", fixture.channel], input: Data(forged.utf8))

        // Block 0 from the rogue does not carry the genesis configuration given.
        let peer = try fixture.enroll("peer1", role: "node")
        let mismatch = try NodeFixture.run("csp-node", ["join", "--home", peer, "--channel", fixture.channel,
                                                       "--genesis", fixture.dir + "/genesis.json", "--orderer", "127.0.0.1:\(roguePort)"], expect: 2)
        XCTAssertEqual(mismatch.stderr, "error: the orderer's block 0 of channel 'consortium' carries a different configuration than '\(fixture.dir)/genesis.json'\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: peer + "/channels/consortium"), "nothing is left behind")

        // Joined to the real orderer, then pointed at the rogue: its block 0 differs from the
        // one this node verified, and is not signed by the channel's orderer, so the first
        // exchange of heights names the rogue as forked, before any block is fetched from it.
        try NodeFixture.run("csp-node", ["join", "--home", peer, "--channel", fixture.channel,
                                         "--genesis", fixture.dir + "/genesis.json", "--orderer", "127.0.0.1:\(port)"])
        let follow = peer + "/channels/consortium/follow.conf"
        try "orderer = 127.0.0.1:\(roguePort)\n".write(toFile: follow, atomically: true, encoding: .utf8)
        var follower = try startNode(peer)
        let refusal = "channel 'consortium': node 127.0.0.1:\(roguePort) disagrees at block 0: its commit hash is "
        for _ in 0..<500 where !log(peer).contains(refusal) { usleep(10_000) }
        XCTAssertTrue(log(peer).contains(refusal), log(peer))
        usleep(1_500_000)  // it avoids the node, and commits nothing
        XCTAssertEqual(try status(peer)["height"] as? Int, 1)
        XCTAssertEqual(log(peer).components(separatedBy: refusal).count - 1, 1, "logged once: \(log(peer))")
        XCTAssertTrue(log(peer).contains("its block is not signed by the channel's orderer: 127.0.0.1:\(roguePort) is the forked one, and this node no longer fetches from it"), log(peer))
        follower.terminate()
        follower.waitUntilExit()

        try "orderer = 127.0.0.1:\(port)\n".write(toFile: follow, atomically: true, encoding: .utf8)
        follower = try startNode(peer)
        defer { follower.terminate(); follower.waitUntilExit() }
        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        try waitForHeight(peer, height)
        XCTAssertEqual(try status(peer)["commit_hash"] as? String, try status(fixture.node)["commit_hash"] as? String)
        XCTAssertEqual(try status(peer)["last_block_hash"] as? String, try status(fixture.node)["last_block_hash"] as? String)
    }
}
