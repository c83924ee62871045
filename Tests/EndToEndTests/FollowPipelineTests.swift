import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// A follower's pipeline (docs/NETWORK.md, "Following"): frames read while the ones before
/// them are checked, runs verified while the one before them is synced. Real processes on
/// loopback.
extension NetworkTests {
    /// Blocks pushed one after another through a relay that alters one in the middle
    /// (block 6, a changed write): the follower commits the blocks before it, refuses it
    /// and avoids the relay, and takes block 6 from the orderer the relay's answers name
    /// (docs/NETWORK.md, "Discovery"). The tampered block is never committed, and the
    /// blocks after it only once the good one is: every block equals the orderer's.
    func testABadBlockInTheMiddleOfAPushedStreamIsRefusedAndNothingAfterItCommits() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 1, timeoutMilliseconds: 5)
        let (orderer, port) = try startListening(fixture)
        defer { orderer.terminate(); orderer.waitUntilExit() }
        let relay = try fixture.tamperingRelay(to: port, home: try fixture.enroll("relay", role: "node"), .changedWrite, only: 6)
        defer { relay.stop() }
        let peer = try fixture.enroll("peer1", role: "node")
        try NodeFixture.run("csp-node", ["join", "--home", peer, "--channel", fixture.channel,
                                         "--genesis", fixture.dir + "/genesis.json", "--orderer", relay.address])
        let follower = try startNode(peer)
        defer { follower.terminate(); follower.waitUntilExit() }
        // Pushed as they commit (one transaction per block): blocks 1 to 12.
        try submitLoad(fixture, round: 0, count: 12)
        let refusal = "refused block 6 from \(relay.address): transaction 0 ("
        for _ in 0..<1000 where !log(peer).contains(refusal) { usleep(10_000) }
        XCTAssertTrue(log(peer).contains(refusal), log(peer))
        XCTAssertEqual(Set(relay.altered), [6])
        try waitForHeight(peer, 13)
        let blocks = try allBlocks(fixture, home: peer)
        XCTAssertEqual(blocks.map(\.block.header.number), Array(0..<13))
        XCTAssertEqual(try allBlocks(fixture, home: fixture.node).map(\.block.header.hash), blocks.map(\.block.header.hash))
        XCTAssertEqual(try status(peer)["commit_hash"] as? String, try status(fixture.node)["commit_hash"] as? String)
        let peers = try NodeFixture.run("csp-node", ["status", "--peers", "--home", peer]).stdout
        XCTAssertTrue(peers.contains("served block 6 that fails verification"), peers)
    }

    /// Submissions through a follower are answered only once the block holding them is
    /// synced on the follower: killed with SIGKILL right after the last answer, it still
    /// holds every transaction it reported committed when it starts again.
    func testAnswersThroughAFollowerSurviveAKillRightAfterThem() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 10, timeoutMilliseconds: 5)
        let (orderer, _, peer, follower, _) = try ordererAndFollower(fixture)
        defer { orderer.terminate(); orderer.waitUntilExit() }
        let lines = (0..<300).map { #"{"call":"kv.put","args":{"key":"k\#($0)","value":"v\#($0)"}}"# }.joined(separator: "\n") + "\n"
        let result = try NodeFixture.run("csp-tx", ["submit", "--batch", "-", "--home", fixture.dir + "/alice", "--socket", peer + "/node.sock",
                                                     "--channel", fixture.channel], input: Data(lines.utf8))
        kill(follower.processIdentifier, SIGKILL)
        follower.waitUntilExit()
        let answers = try result.stdout.split(separator: "\n").map { try json(String($0)) }
        XCTAssertEqual(answers.filter { $0["code"] as? String == "valid" }.count, 300, result.stderr)
        let restarted = try startNode(peer)
        defer { restarted.terminate(); restarted.waitUntilExit() }
        let highest = try XCTUnwrap(answers.compactMap { $0["block"] as? Int }.max())
        XCTAssertGreaterThan(try XCTUnwrap(try status(peer)["height"] as? Int), highest, "every answered block is on the follower's disk")
        for answer in answers.shuffled().prefix(20) {
            let txid = try XCTUnwrap(answer["txid"] as? String)
            let there = try json(try viaPeer(fixture, peer, "alice", ["tx", txid, "--format", "json"]).stdout)
            XCTAssertEqual(there["block"] as? Int, answer["block"] as? Int)
        }
    }
}
