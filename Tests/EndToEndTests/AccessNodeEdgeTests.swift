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
            try TamperingRelay(upstream: ("127.0.0.1", port), certificate: relayHome + "/cert.pem", key: relayHome + "/key.pem",
                               trusted: fixture.ca + "/ca-cert.pem", tampering: $0)
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
}
