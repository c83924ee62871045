import CSPFormat
import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Nodes finding each other and comparing what they hold (docs/NETWORK.md, "Discovery",
/// "Commit hashes compared across nodes"): real processes on loopback.
extension NetworkTests {
    /// `csp-node status --peers --format json` of `home`, one object per source.
    func peerRows(_ home: String) throws -> [[String: Any]] {
        let out = try NodeFixture.run("csp-node", ["status", "--home", home, "--peers", "--format", "json"], expect: nil).stdout
        return try out.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// Polls `condition` every 50 ms for at most `seconds`.
    func eventually(within seconds: Double = 60, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    func stopNode(_ process: Process) {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }

    /// An orderer listening on TCP (blocks of one transaction), `committed` transactions
    /// ordered, a relay to it that lies as `tampering` says, and `peer1` joined with the
    /// relay as its orderer, started and caught up.
    struct RelayedFollower {
        let fixture: NodeFixture
        let orderer: Process
        let relay: TamperingRelay
        let peer: String
        let follower: Process

        func stop() {
            relay.stop()
            for process in [follower, orderer] where process.isRunning { process.terminate(); process.waitUntilExit() }
        }
    }

    func relayedFollower(_ tampering: TamperingRelay.Tampering, committed: Int = 0) throws -> RelayedFollower {
        let fixture = try NodeFixture.make(self, maxTransactions: 1, timeoutMilliseconds: 5)
        let (orderer, port) = try startListening(fixture)
        if committed > 0 { try submitLoad(fixture, round: 0, count: committed) }
        let relay = try fixture.tamperingRelay(to: port, home: try fixture.enroll("relay", role: "node"), tampering)
        let (peer, follower) = try startPeer(fixture, "peer1", orderer: relay.address)
        let network = RelayedFollower(fixture: fixture, orderer: orderer, relay: relay, peer: peer, follower: follower)
        do { try waitForHeight(peer, try XCTUnwrap(try status(fixture.node)["height"] as? Int)) } catch {
            network.stop()
            throw error
        }
        return network
    }

    /// A new node `name` joined to the channel with `orderer` and `peers` as its sources, started.
    func startPeer(_ fixture: NodeFixture, _ name: String, orderer: String, peers: [String] = []) throws -> (home: String, node: Process) {
        let home = try fixture.enroll(name, role: "node")
        try NodeFixture.run("csp-node", ["join", "--home", home, "--channel", fixture.channel, "--genesis", fixture.dir + "/genesis.json",
                                         "--orderer", orderer] + peers.flatMap { ["--peer", $0] })
        return (home, try startNode(home))
    }

    /// peer3 names itself to peer1 (which it follows too); peer2, whose orderer is down,
    /// learns peer3 from peer1, remembers it on disk, and after a restart catches up from
    /// it alone (the orderer and peer1 down, peer3 the only node with the new blocks).
    func testAPeerLearnsAThirdNodeFromAnotherAndFetchesFromIt() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 1, timeoutMilliseconds: 5)
        let ordererPort = try freeLoopbackPort()
        var (orderer, _) = try startListening(fixture, settings: "listen = 127.0.0.1:\(ordererPort)\n")
        defer { stopNode(orderer) }
        let ordererAddress = "127.0.0.1:\(ordererPort)"
        let homes = try (1...3).map { try fixture.enroll("peer\($0)", role: "node") }
        let addresses = try homes.map { _ in "127.0.0.1:\(try freeLoopbackPort())" }
        func join(_ index: Int, peers: [String]) throws {
            try "listen = \(addresses[index])\n".write(toFile: homes[index] + "/node.conf", atomically: true, encoding: .utf8)
            try NodeFixture.run("csp-node", ["join", "--home", homes[index], "--channel", fixture.channel, "--genesis",
                                             fixture.dir + "/genesis.json", "--orderer", ordererAddress] + peers.flatMap { ["--peer", $0] })
        }
        try join(0, peers: [])
        try join(2, peers: [addresses[0]])
        var nodes: [Process?] = [try startNode(homes[0]), nil, try startNode(homes[2])]
        defer { nodes.forEach { $0.map(stopNode) } }
        try submitLoad(fixture, round: 0, count: 5)
        let first = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        try waitForHeight(homes[0], first)
        try waitForHeight(homes[2], first)

        // peer2 knows the orderer (down once it joined) and peer1 only.
        try join(1, peers: [addresses[0]])
        stopNode(orderer)
        nodes[1] = try startNode(homes[1])
        var learned: [String: Any]?
        XCTAssertTrue(try eventually {
            learned = try peerRows(homes[1]).first { $0["address"] as? String == addresses[2] }
            return learned != nil
        }, "peer2 learns peer3: \(log(homes[1]))")
        XCTAssertEqual(learned?["learned_from"] as? String, addresses[0], "\(String(describing: learned))")
        XCTAssertEqual(learned?["role"] as? String, "peer")
        try waitForHeight(homes[1], first)
        XCTAssertTrue(log(homes[1]).contains("learned node \(addresses[2]) from \(addresses[0]): fetching from it too"), log(homes[1]))
        // Never itself, and the configured sources keep no 'learned_from'.
        let rows = try peerRows(homes[1])
        XCTAssertFalse(rows.contains { $0["address"] as? String == addresses[1] }, "\(rows)")
        XCTAssertEqual(rows.first { $0["address"] as? String == ordererAddress }?["learned_from"] as? NSNull, NSNull(), "\(rows)")
        let text = try NodeFixture.run("csp-node", ["status", "--home", homes[1], "--peers"]).stdout
        XCTAssertTrue(text.contains("peer \(addresses[2])  height \(first)"), text)
        XCTAssertTrue(text.contains("learned from \(addresses[0])"), text)
        let remembered = try String(contentsOfFile: homes[1] + "/channels/consortium/learned.conf", encoding: .utf8)
        XCTAssertTrue(remembered.contains("learned = \(addresses[2]) from \(addresses[0])\n"), remembered)

        // peer2 and peer1 stop; the orderer orders more, which only peer3 follows.
        nodes[1].map(stopNode)
        nodes[0].map(stopNode)
        orderer = try fixture.start()
        try submitLoad(fixture, round: 1, count: 5)
        let second = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        try waitForHeight(homes[2], second)
        stopNode(orderer)

        // After a restart peer2 still knows peer3, and takes the new blocks from it.
        nodes[1] = try startNode(homes[1])
        try waitForHeight(homes[1], second)
        var row: [String: Any]?
        XCTAssertTrue(try eventually {
            row = try peerRows(homes[1]).first { $0["address"] as? String == addresses[2] }
            return row?["height"] as? Int == second
        }, "\(String(describing: row))")
        XCTAssertEqual(row?["trusted"] as? Bool, true)
        XCTAssertEqual(row?["learned_from"] as? String, addresses[0])
    }

    /// A source that announces another commit hash for a block this node verified, yet
    /// serves the very block this node holds, is the forked one: named in the log (block,
    /// both commit hashes, the node), shown untrusted, never fetched from again; this
    /// node's channel goes on.
    func testAPeerAnnouncingAnotherCommitHashIsNamedAndAvoided() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 1, timeoutMilliseconds: 5)
        let (orderer, port) = try startListening(fixture)
        defer { stopNode(orderer) }
        let relayHome = try fixture.enroll("relay", role: "node")
        let relay = try fixture.tamperingRelay(to: port, home: relayHome, .announcedCommitHash)
        defer { relay.stop() }
        try submitLoad(fixture, round: 0, count: 3)
        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        let (peer, node) = try startPeer(fixture, "peer1", orderer: "127.0.0.1:\(port)", peers: [relay.address])
        defer { stopNode(node) }
        try waitForHeight(peer, height)
        let named = "node \(relay.address) disagrees at block "
        XCTAssertTrue(eventually { log(peer).contains(named) }, log(peer))
        let line = try XCTUnwrap(log(peer).split(separator: "\n").first { $0.contains(named) }.map(String.init))
        XCTAssertTrue(line.contains("critical"), line)
        XCTAssertTrue(line.contains("its commit hash is "), line)
        XCTAssertTrue(line.contains(", this node's is "), line)
        XCTAssertTrue(line.contains("its state no longer matches its own blocks"), line)
        XCTAssertTrue(line.contains("\(relay.address) is the forked one, and this node no longer fetches from it"), line)
        // The block named is one both hold, with this node's commit hash, the orderer's.
        let number = try XCTUnwrap(Int(line.components(separatedBy: named)[1].prefix { $0.isNumber }))
        XCTAssertLessThan(number, height)
        let commit = try allBlocks(fixture, home: fixture.node)[number].block.header.commitHash.hex
        XCTAssertTrue(line.contains("this node's is \(commit), verified against the orderer's signed header"), line)

        let row = try XCTUnwrap(try peerRows(peer).first { $0["address"] as? String == relay.address })
        XCTAssertEqual(row["trusted"] as? Bool, false, "\(row)")
        XCTAssertTrue((row["reason"] as? String)?.hasPrefix("forked: at block \(number) its commit hash is ") == true, "\(row)")
        // Logged once; the channel itself is not forked and keeps following.
        try fixture.tx("alice", ["submit", "kv.put", "key=after", "value=1"])
        try waitForHeight(peer, height + 1)
        XCTAssertEqual(log(peer).components(separatedBy: named).count - 1, 1, log(peer))
        XCTAssertEqual(try status(peer)["state"] as? String, "running")
    }

    /// The hashes in a push frame may name a block the frame carries, which the follower
    /// is still verifying when it reads them: they are compared once it has committed that
    /// block, not skipped. Here the only source (a relay) names the frame's last block, and
    /// lies only there.
    func testHashesOfAPushedBlockAreComparedOnceItCommits() throws {
        let network = try relayedFollower(.announcedCommitHashOfPushedBlock)
        defer { network.stop() }
        let (fixture, relay, peer) = (network.fixture, network.relay, network.peer)
        let named = "node \(relay.address) disagrees at block "
        // Blocks keep coming until a push frame has carried altered hashes (one every 2 s).
        for round in 0..<40 where relay.altered.isEmpty { try submitLoad(fixture, round: round, count: 50) }
        XCTAssertFalse(relay.altered.isEmpty, "the relay pushed no frame with hashes: \(log(peer))")
        XCTAssertTrue(eventually { log(peer).contains(named) }, log(peer))
        let line = try XCTUnwrap(log(peer).split(separator: "\n").first { $0.contains(named) }.map(String.init))
        XCTAssertTrue(line.contains("it serves this node's block but announced commit hash "), line)
        let number = try XCTUnwrap(UInt64(line.components(separatedBy: named)[1].prefix { $0.isNumber }))
        XCTAssertTrue(relay.altered.contains(number), "block \(number) of \(relay.altered): \(line)")
        let commit = try allBlocks(fixture, home: fixture.node)[Int(number)].block.header.commitHash.hex
        XCTAssertTrue(line.contains("this node's is \(commit), verified against the orderer's signed header"), line)
        let row = try XCTUnwrap(try peerRows(peer).first { $0["address"] as? String == relay.address })
        XCTAssertEqual(row["trusted"] as? Bool, false, "\(row)")
    }
}

extension NetworkTests {
    /// The orderer's key signs two histories (a copy of its home ordering on its own): a
    /// follower of one compares hashes with a follower of the other, fetches that node's
    /// block, finds the orderer's signature on it, and forks its own channel, naming the
    /// first block where the chains part, both commit hashes and the node.
    func testTwoBlocksTheOrdererSignedAtOneHeightForkTheChannel() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 1, timeoutMilliseconds: 5)
        let twin = fixture.dir + "/twin"
        try FileManager.default.copyItem(atPath: fixture.node, toPath: twin)
        try "listen = 127.0.0.1:0\n".write(toFile: twin + "/node.conf", atomically: true, encoding: .utf8)
        let (orderer, port) = try startListening(fixture)
        defer { stopNode(orderer) }
        let second = try startNode(twin)
        defer { stopNode(second) }
        var twinPort = 0
        XCTAssertTrue(eventually { twinPort = Self.port(in: log(twin)) ?? 0; return twinPort != 0 }, log(twin))
        try fixture.tx("alice", ["submit", "kv.put", "key=a", "value=1"])
        try NodeFixture.run("csp-tx", ["submit", "kv.put", "key=a", "value=2", "--home", fixture.dir + "/alice",
                                       "--socket", twin + "/node.sock", "--channel", fixture.channel])
        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        XCTAssertEqual(try status(twin)["height"] as? Int, height)

        let homes = try ["peerA", "peerB"].map { try fixture.enroll($0, role: "node") }
        let addresses = try homes.map { _ in "127.0.0.1:\(try freeLoopbackPort())" }
        for (index, upstream) in [port, twinPort].enumerated() {
            try "listen = \(addresses[index])\n".write(toFile: homes[index] + "/node.conf", atomically: true, encoding: .utf8)
            try NodeFixture.run("csp-node", ["join", "--home", homes[index], "--channel", fixture.channel, "--genesis",
                                             fixture.dir + "/genesis.json", "--orderer", "127.0.0.1:\(upstream)"])
        }
        var peerA = try startNode(homes[0])
        let peerB = try startNode(homes[1])
        defer { stopNode(peerA); stopNode(peerB) }
        try waitForHeight(homes[0], height)
        try waitForHeight(homes[1], height)
        XCTAssertEqual(try status(homes[0])["state"] as? String, "running")

        // peerA now also takes blocks from peerB.
        stopNode(peerA)
        let follow = homes[0] + "/channels/consortium/follow.conf"
        try (try String(contentsOfFile: follow, encoding: .utf8) + "peer = \(addresses[1])\n").write(toFile: follow, atomically: true, encoding: .utf8)
        peerA = try startNode(homes[0])
        var row: [String: Any] = [:]
        XCTAssertTrue(try eventually {
            row = try json(try NodeFixture.run("csp-node", ["status", "--home", homes[0], "--format", "json"], expect: nil).stdout)
            return row["state"] as? String == "forked"
        }, "\(row) \(log(homes[0]))")
        _ = try NodeFixture.run("csp-node", ["status", "--home", homes[0]], expect: 1)
        let fork = try XCTUnwrap(row["fork"] as? [String: Any], "\(row)")
        XCTAssertEqual(fork["block"] as? Int, 1, "the chains part at block 1")
        // Named against peerB, or the twin orderer that peerB named to it.
        XCTAssertTrue(["127.0.0.1:\(twinPort)", addresses[1]].contains(fork["node"] as? String ?? ""), "\(fork)")
        XCTAssertEqual(fork["commit_hash"] as? String, try status(fixture.node)["commit_hash"] as? String)
        XCTAssertEqual(fork["other_commit_hash"] as? String, try status(twin)["commit_hash"] as? String)
        XCTAssertTrue(log(homes[0]).contains("the orderer signed two different blocks 1: "), log(homes[0]))
        // Writes are refused there (peerB, comparing with peerA in turn, forks as well).
        let write = try NodeFixture.run("csp-tx", ["submit", "kv.put", "key=b", "value=3", "--home", fixture.dir + "/alice",
                                                   "--socket", homes[0] + "/node.sock", "--channel", fixture.channel], expect: 2)
        XCTAssertTrue(write.stderr.contains("state fork on channel 'consortium' at block 1"), write.stderr)

        // Remembered on disk: with the twin and peerB gone, nothing could find it again,
        // yet the restarted peerA is forked at once, with the same fork.
        let record = homes[0] + "/channels/consortium/fork.json"
        XCTAssertTrue(FileManager.default.fileExists(atPath: record))
        for node in [peerA, peerB, second] { stopNode(node) }
        peerA = try startNode(homes[0])
        let restarted = try json(try NodeFixture.run("csp-node", ["status", "--home", homes[0], "--format", "json"], expect: 1).stdout)
        XCTAssertEqual(restarted["state"] as? String, "forked", "\(restarted)")
        XCTAssertEqual((restarted["fork"] as? [String: Any])?["other_commit_hash"] as? String, fork["other_commit_hash"] as? String)
        XCTAssertTrue(log(homes[0]).contains("remembered in '\(record)'); this channel takes no submissions"), log(homes[0]))
        try NodeFixture.run("csp-tx", ["submit", "kv.put", "key=b", "value=4", "--home", fixture.dir + "/alice",
                                       "--socket", homes[0] + "/node.sock", "--channel", fixture.channel], expect: 2)
        // The operator clears it (node stopped); the next start follows the orderer again.
        let refused = try NodeFixture.run("csp-node", ["clear-fork", "--home", homes[0], "--channel", "consortium"], expect: 2)
        XCTAssertEqual(refused.stderr, "error: channel 'consortium' is open in a running node: stop it first\n")
        stopNode(peerA)
        let cleared = try NodeFixture.run("csp-node", ["clear-fork", "--home", homes[0], "--channel", "consortium"])
        XCTAssertTrue(cleared.stdout.hasPrefix("cleared the state fork at block 1 "), cleared.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: record))
        peerA = try startNode(homes[0])
        try NodeFixture.run("csp-tx", ["submit", "kv.put", "key=b", "value=5", "--home", fixture.dir + "/alice",
                                       "--socket", homes[0] + "/node.sock", "--channel", fixture.channel])
        XCTAssertEqual(try status(homes[0])["state"] as? String, "running")
    }
}

extension NetworkTests {
    /// The address announced must be HOST:PORT with a real port: anything else stops the
    /// start with one line, before anything is served. As a flag it is a usage error (64),
    /// found before the home is read; from node.conf or the environment, exit 2.
    func testAMalformedAdvertiseAddressStopsTheStart() throws {
        let fixture = try NodeFixture.make(self)
        for (value, source) in [("127.0.0.1:0", "file"), ("nowhere", "environment")] {
            if source == "file" { try "advertise = \(value)\n".write(toFile: fixture.node + "/node.conf", atomically: true, encoding: .utf8) }
            let result = try runProcess(NodeFixture.bin("csp-node"), ["start", "--home", fixture.node],
                                        environment: source == "environment" ? ["CSP_NODE_ADVERTISE": value] : [:])
            XCTAssertEqual(result.status, 2, source)
            XCTAssertEqual(result.stderr, "error: advertise address '\(value)' is not HOST:PORT (a port from 1 to 65535)\n")
            XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.socket), "nothing is served")
        }
        for (flag, value, ports) in [("--advertise", "nowhere", "1 to 65535"), ("--advertise", "127.0.0.1:0", "1 to 65535"),
                                     ("--listen", "127.0.0.1", "0 to 65535")] {
            let result = try NodeFixture.run("csp-node", ["start", "--home", fixture.dir + "/no-such-home", flag, value], expect: 64)
            XCTAssertEqual(result.stderr, "error: \(flag) '\(value)' is not HOST:PORT (a port from \(ports))\n")
        }
    }
}
