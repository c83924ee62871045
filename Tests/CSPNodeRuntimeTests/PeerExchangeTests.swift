import CSPCrypto
@testable import CSPNodeRuntime
import Foundation
import XCTest

/// Who is wrong when two nodes' hashes of a block differ, the addresses a node counts as
/// itself, and the files that keep learned nodes and forks across restarts.
final class PeerExchangeTests: XCTestCase {
    let own = BlockHashes(hash: SHA256.hash(Array("block".utf8)), commitHash: SHA256.hash(Array("commit".utf8)))
    let other = BlockHashes(hash: SHA256.hash(Array("other block".utf8)), commitHash: SHA256.hash(Array("other commit".utf8)))

    func testTheOrderersSignatureDecidesWhoForked() {
        // The same hashes: nothing to judge.
        XCTAssertEqual(PeerVerdict.judge(own: own, announced: own, served: nil, servedSigned: false), .agree)
        // Another commit hash announced for the very block this node holds: the peer's state forked.
        let lying = BlockHashes(hash: own.hash, commitHash: other.commitHash)
        guard case .peerForked(let why) = PeerVerdict.judge(own: own, announced: lying, served: own, servedSigned: true) else {
            return XCTFail("the peer is the forked one")
        }
        XCTAssertTrue(why.contains("its state no longer matches its own blocks"), why)
        // Another block the orderer did not sign: the peer is on no chain the orderer signed.
        XCTAssertEqual(PeerVerdict.judge(own: own, announced: other, served: other, servedSigned: false),
                       .peerForked("its block is not signed by the channel's orderer"))
        // Announced but not served: the peer is avoided for a while, saying why, and compared again.
        guard case .unconfirmed(let unserved) = PeerVerdict.judge(own: own, announced: other, served: nil, servedSigned: false,
                                                                 serveError: "connection refused") else {
            return XCTFail("an unserved block is the peer's fault")
        }
        XCTAssertTrue(unserved.contains("connection refused"), unserved)
        // Both blocks signed by the orderer: the channel's history forked.
        XCTAssertEqual(PeerVerdict.judge(own: own, announced: other, served: other, servedSigned: true), .historyForked)
    }

    /// Hashes of blocks not yet committed here wait, in block order, and come out once
    /// committed; a later announcement of a block replaces the earlier; a node far behind
    /// keeps the latest `limit`.
    func testAnnouncedHashesWaitUntilTheirBlockIsCommitted() {
        var announced = AnnouncedHashes()
        announced.add(12, own)
        announced.add(10, other)
        XCTAssertTrue(announced.take(below: 10).isEmpty, "block 10 is not committed at height 10")
        XCTAssertEqual(announced.waiting.map(\.number), [10, 12])
        announced.add(10, own)
        let due = announced.take(below: 12)
        XCTAssertEqual(due.map(\.number), [10])
        XCTAssertEqual(due.first?.hashes, own, "the later announcement of block 10")
        XCTAssertEqual(announced.waiting.map(\.number), [12])
        XCTAssertEqual(announced.take(below: 100).map(\.number), [12])
        XCTAssertTrue(announced.waiting.isEmpty)

        for number in 0..<UInt64(AnnouncedHashes.limit + 5) { announced.add(1000 + number, own) }
        XCTAssertEqual(announced.waiting.count, AnnouncedHashes.limit)
        XCTAssertEqual(announced.waiting.first?.number, 1005)
        XCTAssertEqual(announced.take(below: 1010).map(\.number), Array(1005..<1010))
        XCTAssertEqual(announced.waiting.count, AnnouncedHashes.limit - 5)
    }

    func testANodeNeverTakesItselfAsASource() {
        let addresses = NodeAddresses()
        XCTAssertNil(addresses.advertised, "not listening: nothing to announce")
        addresses.bound("127.0.0.1:7051")
        XCTAssertEqual(addresses.advertised, "127.0.0.1:7051")
        XCTAssertTrue(addresses.isOwn("127.0.0.1:7051"))
        XCTAssertFalse(addresses.isOwn("127.0.0.1:7052"))
        // A wildcard listener announces nothing by itself, and is itself on loopback.
        addresses.bound("0.0.0.0:7051")
        XCTAssertNil(addresses.advertised)
        XCTAssertTrue(addresses.isOwn("127.0.0.1:7051"))
        XCTAssertTrue(addresses.isOwn("localhost:7051"))
        XCTAssertFalse(addresses.isOwn("10.0.0.9:7051"))
        addresses.configure(advertise: "10.0.0.5:7051")
        XCTAssertEqual(addresses.advertised, "10.0.0.5:7051")
        XCTAssertTrue(addresses.isOwn("10.0.0.5:7051"))
    }

    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "csp-peers-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testLearnedNodesSurviveARestartAndAreBounded() throws {
        let directory = try temporaryDirectory()
        XCTAssertTrue(try LearnedNodes.load(channelDirectory: directory).isEmpty)
        let many = (0..<40).map { (address: "10.0.0.\($0):7050", from: "10.0.1.1:7050") }
        try LearnedNodes.save(many, channelDirectory: directory)
        let loaded = try LearnedNodes.load(channelDirectory: directory)
        XCTAssertEqual(loaded.count, LearnedNodes.limit)
        XCTAssertEqual(loaded.first?.address, "10.0.0.0:7050")
        XCTAssertEqual(loaded.first?.from, "10.0.1.1:7050")
        try "learned = nowhere\n".write(toFile: directory + "/learned.conf", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LearnedNodes.load(channelDirectory: directory)) { error in
            XCTAssertEqual("\(error)", "\(directory)/learned.conf: 'nowhere' is not 'HOST:PORT from HOST:PORT'")
        }
    }

    func testAForkRecordRoundTripsAndABrokenOneIsAnError() throws {
        let directory = try temporaryDirectory()
        XCTAssertNil(try StateFork.load(channelDirectory: directory))
        let fork = StateFork(block: 7, own: own.commitHash, other: other.commitHash, node: "10.0.0.5:7050",
                             detail: "transaction 0 is valid there and contract-failed here", found: 1_700_000_000_000)
        try fork.save(channelDirectory: directory)
        XCTAssertEqual(try StateFork.load(channelDirectory: directory), fork)
        let text = try String(contentsOfFile: directory + "/fork.json", encoding: .utf8)
        XCTAssertTrue(text.contains("\"other_commit_hash\":\"\(other.commitHash.hex)\""), text)
        try "{\"block\":7}".write(toFile: directory + "/fork.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try StateFork.load(channelDirectory: directory)) { error in
            XCTAssertEqual("\(error)", "the state fork record '\(directory)/fork.json' is not valid: repair or remove it with 'csp-node clear-fork'")
        }
        XCTAssertEqual(StateFork.time(1_700_000_000_000), "2023-11-14T22:13:20Z")
    }
}
