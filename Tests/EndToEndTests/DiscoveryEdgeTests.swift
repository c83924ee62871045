import CSPTestSupport
import Foundation
import XCTest

/// Discovery at the edges (docs/NETWORK.md, "Discovery"), real processes on loopback: a
/// node listening on a wildcard address, and a node that only connects in.
extension NetworkTests {
    /// peer1 listens on 0.0.0.0 without `advertise`: it says so at start and announces,
    /// to each node it connects to, the local address of that connection (127.0.0.1 here)
    /// with its port, so peer3, which knows only the orderer, learns a usable address.
    /// peer2 follows peer1 alone (peer1 is its upstream; nobody names peer2 to peer1):
    /// peer1 takes it as a source from its own announcement, and fetches from it.
    func testAWildcardListenerAnnouncesItsInterfaceAndAnInboundNodeBecomesASource() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 1, timeoutMilliseconds: 5)
        let (orderer, port) = try startListening(fixture)
        defer { stopNode(orderer) }
        let ordererAddress = "127.0.0.1:\(port)"
        let homes = try (1...3).map { try fixture.enroll("peer\($0)", role: "node") }
        let ports = try homes.map { _ in try freeLoopbackPort() }
        func join(_ index: Int, listen: String, upstream: String) throws {
            try "listen = \(listen)\n".write(toFile: homes[index] + "/node.conf", atomically: true, encoding: .utf8)
            try NodeFixture.run("csp-node", ["join", "--home", homes[index], "--channel", fixture.channel, "--genesis",
                                             fixture.dir + "/genesis.json", "--orderer", upstream])
        }
        try join(0, listen: "0.0.0.0:\(ports[0])", upstream: ordererAddress)
        var nodes = [try startNode(homes[0])]
        defer { nodes.forEach(stopNode) }
        XCTAssertTrue(eventually { log(homes[0]).contains("listening on wildcard address 0.0.0.0:\(ports[0]) without an advertise address: each node this one connects to is told the local address of that connection, port \(ports[0]) (set 'advertise' in node.conf or --advertise when other nodes must use another address, e.g. behind NAT)") },
                      log(homes[0]))
        try submitLoad(fixture, round: 0, count: 3)

        // peer3 knows only the orderer, and learns peer1 at 127.0.0.1 with peer1's port.
        let peer1 = "127.0.0.1:\(ports[0])"
        try join(2, listen: "127.0.0.1:\(ports[2])", upstream: ordererAddress)
        nodes.append(try startNode(homes[2]))
        var row: [String: Any]?
        XCTAssertTrue(try eventually {
            row = try peerRows(homes[2]).first { $0["address"] as? String == peer1 }
            return row?["last_contact"] as? Double != nil
        }, "peer3 learns and reaches peer1: \(log(homes[2]))")
        XCTAssertEqual(row?["trusted"] as? Bool, true, "\(String(describing: row))")
        XCTAssertFalse(try peerRows(homes[2]).contains { ($0["address"] as? String)?.hasPrefix("0.0.0.0:") == true }, "a wildcard address is never named")

        // peer2 follows peer1 only: peer1 takes it as a source from its own announcement.
        let peer2 = "127.0.0.1:\(ports[1])"
        try join(1, listen: peer2, upstream: peer1)
        nodes.append(try startNode(homes[1]))
        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        try waitForHeight(homes[1], height)
        XCTAssertTrue(try eventually {
            row = try peerRows(homes[0]).first { $0["address"] as? String == peer2 }
            return row?["height"] as? Int == height && row?["last_contact"] as? Double != nil
        }, "peer1 fetches from peer2: \(String(describing: row)) \(log(homes[0]))")
        XCTAssertEqual(row?["learned_from"] as? String, peer2, "\(String(describing: row))")
        XCTAssertEqual(row?["trusted"] as? Bool, true, "\(String(describing: row))")
        XCTAssertTrue(log(homes[0]).contains("node \(peer2) announced itself: fetching from it too"), log(homes[0]))
        let learned = try String(contentsOfFile: homes[0] + "/channels/consortium/learned.conf", encoding: .utf8)
        XCTAssertTrue(learned.contains("learned = \(peer2) from \(peer2)\n"), learned)
        // peer1 never takes the address it announced for itself as a source.
        let rows = try peerRows(homes[0])
        XCTAssertFalse(rows.contains { $0["address"] as? String == peer1 }, "\(rows)")
    }
}
