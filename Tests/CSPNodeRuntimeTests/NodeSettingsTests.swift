@testable import CSPNodeRuntime
import XCTest

final class NodeSettingsTests: XCTestCase {
    func testReadsKeysValuesAndComments() throws {
        let settings = try NodeSettings.parse("""
            # a comment
            listen = 10.0.0.5:7050   # trailing comment

              tls-certificate=/etc/csp/tls.pem
            tls-chain = chain.pem
            tls-key = key.pem
            """, source: "node.conf")
        XCTAssertEqual(settings.listen, "10.0.0.5:7050")
        XCTAssertEqual(settings.tlsCertificate, "/etc/csp/tls.pem")
        XCTAssertEqual(settings.tlsChain, "chain.pem")
        XCTAssertEqual(settings.tlsKey, "key.pem")
    }

    func testTheExampleIsAllCommentsAndParsesToNothing() throws {
        XCTAssertEqual(try NodeSettings.parse(NodeSettings.example, source: "x"), NodeSettings())
    }

    func testMistakesNameTheLine() {
        XCTAssertThrowsError(try NodeSettings.parse("listen = :1\nport = 7\n", source: "n.conf")) { error in
            XCTAssertEqual("\(error)", "n.conf:2: unknown setting 'port' (settings: listen, advertise, tls-certificate, tls-chain, tls-key)")
        }
        XCTAssertThrowsError(try NodeSettings.parse("\nlisten 1.2.3.4:5\n", source: "n.conf")) { error in
            XCTAssertEqual("\(error)", "n.conf:2: expected 'key = value', got 'listen 1.2.3.4:5'")
        }
        XCTAssertThrowsError(try NodeSettings.parse("tls-key =\n", source: "n.conf")) { error in
            XCTAssertEqual("\(error)", "n.conf:1: 'tls-key' has no value")
        }
    }

    func testAddresses() throws {
        XCTAssertTrue(try NodeSettings.address("127.0.0.1:0") == ("127.0.0.1", 0))
        XCTAssertTrue(try NodeSettings.address("[::1]:7050") == ("::1", 7050))
        XCTAssertTrue(try NodeSettings.address("node-a.example:443") == ("node-a.example", 443))
        for bad in ["7050", ":7050", "host:", "host:70000", "host:x"] {
            XCTAssertThrowsError(try NodeSettings.address(bad), bad)
        }
    }
}

/// `<home>/channels/<C>/follow.conf`, written by `csp-node join`.
final class FollowTargetTests: XCTestCase {
    func testSavedTargetLoadsAndMistakesAreNamed() throws {
        let home = NodeHome(NSTemporaryDirectory() + "follow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: home.path) }
        try FileManager.default.createDirectory(atPath: home.channel("c"), withIntermediateDirectories: true)
        XCTAssertNil(try FollowTarget.load(home: home, channel: "c"), "no file: the node orders the channel")

        try FollowTarget(orderer: "[::1]:7050", home: home).save(channelDirectory: home.channel("c"))
        XCTAssertEqual(try FollowTarget.load(home: home, channel: "c")?.orderer, "[::1]:7050")
        XCTAssertEqual(try FollowTarget.load(home: home, channel: "c")?.peers, [])

        // Peers: repeatable lines, in order, the orderer and repeats left out.
        try FollowTarget(orderer: "10.0.0.5:7050", peers: ["10.0.0.6:7050", "10.0.0.7:7050"], home: home).save(channelDirectory: home.channel("c"))
        let saved = try XCTUnwrap(try FollowTarget.load(home: home, channel: "c"))
        XCTAssertEqual(saved.orderer, "10.0.0.5:7050")
        XCTAssertEqual(saved.peers, ["10.0.0.6:7050", "10.0.0.7:7050"])
        let path = home.channel("c") + "/follow.conf"
        try "orderer = a:1\npeer = b:2\npeer = a:1\npeer = b:2\npeer = c:3\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try FollowTarget.load(home: home, channel: "c")?.peers, ["b:2", "c:3"])

        for (text, message) in [("orderer = nowhere\n", "\(path): orderer 'nowhere' is not HOST:PORT"),
                                ("# nothing\n", "\(path): 'orderer' is missing"),
                                ("orderer = a:1\npeer = b\n", "\(path): peer 'b' is not HOST:PORT"),
                                ("listen = 127.0.0.1:1\n", "\(path):1: unknown setting 'listen' (settings: orderer, peer)")] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try FollowTarget.load(home: home, channel: "c")) { error in
                XCTAssertEqual((error as? NodeError)?.message, message)
            }
        }
    }
}
