import CSPCrypto
import CSPFormat
import CSPLedger
import CSPTestSupport
import CSPWire
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Propagation and catch-up between nodes (docs/NETWORK.md, "Following", "Push",
/// "Several sources"): real processes on loopback, each node in its own home.
extension NetworkTests {
    /// A read request signed by `who` (docs/PROTOCOL.md, "Reads are signed"), as a frame.
    /// The signature of `blocks` and `follow` covers `from` and `limit` too, unless `legacy`
    /// (signed as clients did before it did).
    func signedFrame(_ fixture: NodeFixture, who: String, op: String, fields: [String: Any], legacy: Bool = false) throws -> [UInt8] {
        let key = try P256PrivateKey(pemFile: fixture.dir + "/" + who + "/key.pem")
        let pem = try String(contentsOfFile: fixture.dir + "/" + who + "/cert.pem", encoding: .utf8)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let timestamp = UInt64(Date().timeIntervalSince1970 * 1000)
        var signed = Array("csp-read-v1".utf8) + [0]
        withUnsafeBytes(of: timestamp.bigEndian) { signed.append(contentsOf: $0) }
        let ranged = !legacy && (op == "blocks" || op == "follow")
        let range = ranged ? [fields["from"].map { "\($0)" } ?? "", fields["limit"].map { "\($0)" } ?? ""] : []
        signed += Array(([op, fixture.channel] + Array(repeating: "", count: 5) + range).joined(separator: "\u{0}").utf8)
        var request: [String: Any] = ["id": 5, "op": op, "channel": fixture.channel,
                                      "auth": ["certificate": body, "timestamp": timestamp,
                                               "signature": Data(try key.signature(for: signed)).base64EncodedString()]]
        request.merge(fields) { $1 }
        return Array(try JSONSerialization.data(withJSONObject: request))
    }

    /// `follow` pushes the committed blocks from `from`, then each new block as it is
    /// committed, with the node's height in every frame, and a heartbeat when idle.
    func testFollowPushesEachNewBlockAndHeartbeatsWhenIdle() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 4, timeoutMilliseconds: 20)
        let node = try fixture.start()
        defer { node.terminate(); node.waitUntilExit() }
        try submitLoad(fixture, round: 0, count: 4)
        let client = try FrameClient(path: fixture.socket, timeout: 10)
        defer { client.close() }
        func frame() throws -> [String: Any] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try client.receive())) as? [String: Any])
        }
        try client.send(try signedFrame(fixture, who: "root", op: "follow", fields: ["from": 1]))
        let accepted = try frame()
        XCTAssertEqual(accepted["status"] as? Int, 0, "\(accepted)")
        XCTAssertEqual(accepted["block"] as? Int, 1)
        XCTAssertEqual(accepted["height"] as? Int, 2)
        let first = try frame()
        let pushed = try XCTUnwrap(first["blocks"] as? [String]).map { try CommittedBlock(decoding: Array(Data(base64Encoded: $0)!)) }
        XCTAssertEqual(pushed.map(\.block.header.number), [1])
        XCTAssertEqual(first["block"] as? Int, 2)
        XCTAssertEqual(first["height"] as? Int, 2)
        // A new block is pushed as soon as it commits, without being asked for.
        try submitLoad(fixture, round: 1, count: 4)
        let next = try frame()
        XCTAssertEqual(try XCTUnwrap(next["blocks"] as? [String]).count, 1, "\(next)")
        XCTAssertEqual(next["block"] as? Int, 3)
        XCTAssertEqual(next["height"] as? Int, 3)
        // Idle: a heartbeat with the height within a few seconds.
        let started = Date()
        let heartbeat = try frame()
        XCTAssertNil(heartbeat["blocks"])
        XCTAssertEqual(heartbeat["block"] as? Int, 3)
        XCTAssertEqual(heartbeat["height"] as? Int, 3)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        // The read policy applies: a customer may not follow.
        let refused = RawSocket.exchange(fixture.socket, Self.framed(try signedFrame(fixture, who: "alice", op: "follow", fields: [:])))
        let answer = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(refused.dropFirst(4))) as? [String: Any])
        XCTAssertEqual(answer["status"] as? Int, 1)
        XCTAssertEqual(answer["error"] as? String, "read refused: role 'customer' may not read block")
    }

    static func framed(_ payload: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt32(payload.count).bigEndian, Array.init) + payload
    }

    /// An orderer and three peers in their own homes, the peers fetching from the orderer
    /// and from each other. One peer is killed with SIGKILL mid-load and restarted; the
    /// third joins after 10,000 blocks while the load continues, and also fetches through
    /// two relays that alter blocks (a flipped signature, a changed write): it refuses
    /// them, avoids the relays, and takes the blocks elsewhere. At the end every node
    /// holds the same blocks, block hashes and commit hashes, compared block by block.
    func testPeersFetchFromEachOtherCatchUpAndRejectTamperedBlocks() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 1, timeoutMilliseconds: 5)
        let (orderer, port) = try startListening(fixture)
        var ordererRunning = true
        defer { if ordererRunning { orderer.terminate(); orderer.waitUntilExit() } }
        let ordererAddress = "127.0.0.1:\(port)"
        let homes = try (1...3).map { try fixture.enroll("peer\($0)", role: "node") }
        let addresses = try homes.map { _ in "127.0.0.1:\(try freeLoopbackPort())" }
        let relayHome = try fixture.enroll("relay", role: "node")
        let relays = try [TamperingRelay.Tampering.flippedSignature, .changedWrite].map {
            try fixture.tamperingRelay(to: port, home: relayHome, $0)
        }
        defer { relays.forEach { $0.stop() } }
        func join(_ index: Int, extra: [String] = []) throws {
            try "listen = \(addresses[index])\n".write(toFile: homes[index] + "/node.conf", atomically: true, encoding: .utf8)
            var arguments = ["join", "--home", homes[index], "--channel", fixture.channel, "--genesis", fixture.dir + "/genesis.json",
                             "--orderer", ordererAddress]
            for (other, address) in addresses.enumerated() where other != index { arguments += ["--peer", address] }
            arguments += extra.flatMap { ["--peer", $0] }
            let joined = try NodeFixture.run("csp-node", arguments)
            XCTAssertTrue(joined.stdout.hasPrefix("joined channel 'consortium' following \(ordererAddress): block 0 "), joined.stdout)
        }
        try join(0)
        try join(1)
        XCTAssertEqual(try String(contentsOfFile: homes[0] + "/channels/consortium/follow.conf", encoding: .utf8)
                        .split(separator: "\n").filter { !$0.hasPrefix("#") },
                       ["orderer = \(ordererAddress)", "peer = \(addresses[1])", "peer = \(addresses[2])"])
        var nodes = [try startNode(homes[0]), try startNode(homes[1])]
        defer { nodes.forEach { if $0.isRunning { $0.terminate(); $0.waitUntilExit() } } }

        // 10,000 blocks of one transaction each; peer2 dies without warning halfway.
        try submitLoad(fixture, round: 0, count: 5000)
        kill(nodes[1].processIdentifier, SIGKILL)
        nodes[1].waitUntilExit()
        try submitLoad(fixture, round: 1, count: 5000)
        nodes[1] = try startNode(homes[1])

        // peer3 joins now and catches up while load continues, from every source at once.
        try join(2, extra: relays.map(\.address))
        let lines = (0..<1500).map { #"{"call":"kv.put","args":{"key":"late-\#($0)","value":"v"}}"# }.joined(separator: "\n") + "\n"
        try Data(lines.utf8).write(to: URL(fileURLWithPath: fixture.dir + "/late.ndjson"))
        let load = Process()
        load.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-tx"))
        load.arguments = ["submit", "--batch", fixture.dir + "/late.ndjson", "--home", fixture.dir + "/alice", "--socket", fixture.socket,
                          "--channel", fixture.channel, "--timeout", "120"]
        load.standardOutput = FileHandle.nullDevice
        try load.run()
        nodes.append(try startNode(homes[2]))
        // While it catches up, a relay that lied is shown avoided, with the reason.
        func peerRows() throws -> [[String: Any]] {
            let json = try NodeFixture.run("csp-node", ["status", "--home", homes[2], "--peers", "--format", "json"]).stdout
            return try json.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        }
        var avoided: [String: Any]?
        for _ in 0..<300 where avoided == nil {
            avoided = try peerRows().first { $0["trusted"] as? Bool == false }
            if avoided == nil { usleep(200_000) }
        }
        let liar = try XCTUnwrap(avoided, "a relay is avoided: \(log(homes[2]))")
        XCTAssertTrue(relays.map(\.address).contains(liar["address"] as? String ?? ""), "\(liar)")
        XCTAssertTrue((liar["reason"] as? String)?.contains("that fails verification: ") == true, "\(liar)")
        load.waitUntilExit()
        XCTAssertEqual(load.terminationStatus, 0)

        let height = try XCTUnwrap(try status(fixture.node)["height"] as? Int)
        XCTAssertEqual(height, 11_501)
        for home in homes { try waitForHeight(home, height, within: 120) }

        // The lies were caught, logged with the block and the reason (once per avoidance:
        // a relay is tried again after 30 s, lies again, and is avoided again).
        let log3 = log(homes[2])
        let lies = [(relays[0], "the orderer's signature does not verify"),
                    (relays[1], "the recorded writes, events or accounts differ from those re-executing it produces")]
        for (relay, reason) in lies {
            XCTAssertFalse(relay.altered.isEmpty, "the relay at \(relay.address) served blocks")
            let pattern = "from \(relay.address): "
            let refusals = log3.components(separatedBy: "\n").filter { $0.contains("refused block ") && $0.contains(pattern) }
            XCTAssertFalse(refusals.isEmpty, log3)
            for refusal in refusals {
                XCTAssertTrue(refusal.contains(reason), refusal)
                XCTAssertTrue(refusal.contains("avoiding \(relay.address) for 30 s and fetching the block elsewhere"), refusal)
            }
        }

        // status --peers: every source, its height, lag and last contact. Peers announce
        // their heights once a second (the orderer with every push): wait for the next.
        var rows = try peerRows()
        for _ in 0..<50 where rows.prefix(3).contains(where: { $0["height"] as? Int != height }) {
            usleep(100_000)
            rows = try peerRows()
        }
        XCTAssertEqual(rows.map { $0["address"] as? String }, [ordererAddress, addresses[0], addresses[1]] + relays.map(\.address))
        XCTAssertEqual(rows.map { $0["role"] as? String }, ["orderer", "peer", "peer", "peer", "peer"])
        for row in rows.prefix(3) {
            XCTAssertEqual(row["channel"] as? String, "consortium")
            XCTAssertEqual(row["trusted"] as? Bool, true, "\(row)")
            XCTAssertEqual(row["lag"] as? Int, 0, "\(row)")
            XCTAssertEqual(row["height"] as? Int, height, "\(row)")
            XCTAssertNotNil(row["last_contact"] as? Double, "\(row)")
        }
        let text = try NodeFixture.run("csp-node", ["status", "--home", homes[2], "--peers"]).stdout
        XCTAssertTrue(text.hasPrefix("consortium  orderer \(ordererAddress)  height \(height)  lag 0  contact "), text)
        XCTAssertTrue(text.contains("\nconsortium  peer \(relays[0].address)  height "), text)

        // Every node holds the same chain: stop them all and compare block by block.
        for node in nodes { node.terminate(); node.waitUntilExit() }
        orderer.terminate()
        orderer.waitUntilExit()
        ordererRunning = false
        let reference = try LedgerStore(directory: fixture.node + "/channels/consortium", channel: fixture.channel)
        defer { reference.close() }
        for home in homes {
            let ledger = try LedgerStore(directory: home + "/channels/consortium", channel: fixture.channel)
            defer { ledger.close() }
            XCTAssertEqual(ledger.height, UInt64(height), home)
            for number in 0..<UInt64(height) {
                let ours = try XCTUnwrap(try ledger.block(number: number)).block.header
                let theirs = try XCTUnwrap(try reference.block(number: number)).block.header
                guard ours.hash == theirs.hash, ours.commitHash == theirs.commitHash else {
                    return XCTFail("\(home): block \(number) differs from the orderer's")
                }
            }
        }
    }
}
