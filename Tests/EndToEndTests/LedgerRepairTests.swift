import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// The node's ledger under damage and repair (issue 12): a damaged index is reported,
/// never served as partial answers, and `csp-node rebuild` re-derives it from the block
/// files; repairs at start are logged; a failed init leaves nothing; only a node
/// certificate may run a node.
final class LedgerRepairTests: XCTestCase {
    private func json(_ text: Substring) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    private var channelDirectory: (NodeFixture) -> String { { $0.node + "/channels/" + $0.channel } }

    /// Every key and value under `prefix`, page by page; nil plus the failing page's
    /// result when a page does not exit 0.
    private func readAll(_ fixture: NodeFixture, prefix: String) throws -> (pairs: [String: String], failed: ProcessResult?) {
        var pairs: [String: String] = [:]
        var after: String?
        repeat {
            var arguments = ["query", "--prefix", prefix, "--limit", "1000", "--format", "json"]
            if let after { arguments += ["--after", after] }
            let result = try fixture.tx("alice", arguments, expect: nil)
            guard result.status == 0 else { return (pairs, result) }
            after = NodeFixture.nextPage(result)
            for line in result.stdout.split(separator: "\n") {
                let object = json(line)
                if let key = object["key"] as? String { pairs[key] = object["value"] as? String }
            }
        } while after != nil
        return (pairs, nil)
    }

    private func stop(_ node: Process) {
        node.terminate()
        node.waitUntilExit()
    }

    /// `csp-node start` that is expected to refuse: killed (and the test failed) if it serves.
    private func startRefused(_ home: String, file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-node"))
        process.arguments = ["start", "--home", home]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            XCTFail("csp-node start served instead of refusing", file: file, line: line)
            process.terminate()
        }
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, stderr)
    }

    /// Random letters: snappy stores them as they are, so the test finds them in a table file.
    private static func randomText(_ count: Int) -> String {
        String((0..<count).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
    }

    func testDamagedIndexFailsLoudlyAndRebuildRestoresEveryKey() throws {
        let fixture = try NodeFixture.make(self)
        var node = try fixture.start()
        defer { if node.isRunning { stop(node) } }
        let count = 3000
        let marker = Self.randomText(300)
        let lines = (0..<count).map { index -> String in
            let value = index == 1500 ? marker : "order \(index) " + Self.randomText(40)
            return #"{"call":"kv.put","args":{"key":"item-\#(String(format: "%05d", index))","value":"\#(value)"}}"#
        }
        try fixture.tx("alice", ["submit", "--batch", "-"], input: Data(lines.joined(separator: "\n").utf8))
        let (expected, failed) = try readAll(fixture, prefix: "kv/item-")
        XCTAssertNil(failed)
        XCTAssertEqual(expected.count, count)
        XCTAssertEqual(expected["kv/item-01500"], marker)
        // A restart turns LevelDB's log into table files; then damage the table block holding the marker.
        stop(node)
        node = try fixture.start()
        stop(node)
        let index = channelDirectory(fixture) + "/index"
        var damaged = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: index) where name.hasSuffix(".ldb") {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: index + "/" + name))
            let needle = Data(marker.utf8.dropFirst(100).prefix(12))
            var from = bytes.startIndex
            while let range = bytes.range(of: needle, in: from..<bytes.endIndex) {
                for offset in range.lowerBound..<range.lowerBound + 16 { bytes[offset] ^= 0xFF }
                damaged += 1
                from = range.upperBound
            }
            try bytes.write(to: URL(fileURLWithPath: index + "/" + name))
        }
        XCTAssertGreaterThan(damaged, 0, "the marker is in a table file")

        // The node may refuse at start or serve; it must never answer with keys missing.
        node = try fixture.start()
        XCTAssertTrue(node.isRunning, fixture.nodeLog)
        let (partial, failure) = try readAll(fixture, prefix: "kv/item-")
        let error = try XCTUnwrap(failure, "the range over the damaged block failed (\(partial.count) of \(count) keys came back with exit 0)")
        XCTAssertEqual(error.status, 2, error.stderr)
        XCTAssertTrue(error.stderr.hasPrefix("error: cannot iterate ledger index '\(index)': Corruption: "), error.stderr)
        XCTAssertTrue(error.stderr.contains("rebuild it from the block files"), error.stderr)
        XCTAssertEqual(error.stderr.split(separator: "\n").count, 1, error.stderr)
        XCTAssertEqual(try fixture.tx("alice", ["query", "kv/item-01500"], expect: 2).stderr.split(separator: "\n").count, 1)

        // Not while the node runs: the index's LevelDB lock tells.
        let busy = try NodeFixture.run("csp-node", ["rebuild", "--home", fixture.node, "--channel", fixture.channel], expect: 2)
        XCTAssertEqual(busy.stderr, "error: ledger index '\(index)' is in use by another process: stop the node first\n")
        stop(node)

        let rebuilt = try NodeFixture.run("csp-node", ["rebuild", "--home", fixture.node, "--channel", fixture.channel, "--format", "json"])
        let report = json(Substring(rebuilt.stdout.trimmingCharacters(in: .newlines)))
        XCTAssertEqual(report["channel"] as? String, fixture.channel)
        let old = try XCTUnwrap(report["old_index"] as? String, rebuilt.stdout)
        XCTAssertTrue(old.hasPrefix(channelDirectory(fixture) + "/index.broken-"), old)
        XCTAssertTrue(FileManager.default.fileExists(atPath: old + "/CURRENT"), "the old index is kept")
        node = try fixture.start()
        let (restored, none) = try readAll(fixture, prefix: "kv/item-")
        XCTAssertNil(none, none?.stderr ?? "")
        XCTAssertEqual(restored, expected, "every key and value is back")
        // And the channel goes on committing.
        try fixture.tx("alice", ["submit", "kv.put", "key=after", "value=rebuild"])
        XCTAssertEqual(try fixture.tx("alice", ["query", "kv/after"]).stdout.contains("rebuild"), true)
    }

    func testMissingCurrentFileNamesRebuildAndRebuildFixesIt() throws {
        let fixture = try NodeFixture.make(self)
        var node = try fixture.start()
        defer { if node.isRunning { stop(node) } }
        for i in 0..<3 { try fixture.tx("alice", ["submit", "kv.put", "key=k\(i)", "value=v\(i)"]) }
        stop(node)
        let index = channelDirectory(fixture) + "/index"
        try FileManager.default.removeItem(atPath: index + "/CURRENT")

        let refused = try startRefused(fixture.node)
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.hasPrefix("error: channel 'consortium': ledger index '\(index)' has lost its CURRENT file"), refused.stderr)
        XCTAssertTrue(refused.stderr.hasSuffix("remain): the index is damaged; rebuild it with 'csp-node rebuild --home \(fixture.node) --channel consortium'\n"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: index + "/CURRENT"), "the refused start created nothing")

        let rebuilt = try NodeFixture.run("csp-node", ["rebuild", "--home", fixture.node, "--channel", fixture.channel])
        XCTAssertTrue(rebuilt.stdout.hasPrefix("rebuilt the index of channel 'consortium' from 4 blocks; the old index is kept in '"), rebuilt.stdout)
        node = try fixture.start()
        for i in 0..<3 { XCTAssertEqual(try fixture.tx("alice", ["query", "kv/k\(i)"]).stdout, "v\(i)\n") }
    }

    func testRebuildRefusesWhatItCannotRebuild() throws {
        let fixture = try NodeFixture.make(self)
        let missing = try NodeFixture.run("csp-node", ["rebuild", "--home", fixture.node, "--channel", "nope"], expect: 2)
        XCTAssertEqual(missing.stderr, "error: no channel 'nope' in '\(fixture.node)'\n")
        // Damaged block files: the rebuild fails and the old index is put back untouched.
        let blocks = channelDirectory(fixture) + "/blocks/blocks-000000.dat"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: blocks))
        let before = try FileManager.default.contentsOfDirectory(atPath: channelDirectory(fixture)).sorted()
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: blocks))
        let failed = try NodeFixture.run("csp-node", ["rebuild", "--home", fixture.node, "--channel", fixture.channel], expect: 2)
        XCTAssertTrue(failed.stderr.hasPrefix("error: block 0 in '\(blocks)' at offset 0 is corrupt"), failed.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: channelDirectory(fixture)).sorted(), before)
        XCTAssertTrue(FileManager.default.fileExists(atPath: channelDirectory(fixture) + "/index/CURRENT"))
    }

    func testRepairsAtStartAreLoggedOneLineEach() throws {
        let fixture = try NodeFixture.make(self)
        var node = try fixture.start()
        defer { if node.isRunning { stop(node) } }
        for i in 0..<3 { try fixture.tx("alice", ["submit", "kv.put", "key=k\(i)", "value=v\(i)"]) }
        stop(node)
        XCTAssertFalse(fixture.nodeLog.contains("torn"), fixture.nodeLog)
        let file = channelDirectory(fixture) + "/blocks/blocks-000000.dat"

        // Garbage after the last record: a header promising 5,000 bytes and 100 of them.
        var size = try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: file))
        handle.seekToEndOfFile()
        handle.write(Data([0, 0, 0x13, 0x88, 1, 2, 3, 4] + [UInt8](repeating: 7, count: 100)))
        try handle.close()
        node = try fixture.start()
        stop(node)
        XCTAssertTrue(fixture.nodeLog.contains(
            "csp-node: channel 'consortium': removed a torn record at the end of '\(file)': 108 bytes from offset \(size) (record of 5000 bytes runs past the end of the file (100 bytes follow its header))\n"),
            fixture.nodeLog)

        // The last record cut in half: its first half written again after it.
        let whole = try Data(contentsOf: URL(fileURLWithPath: file))
        size = whole.count
        let (start, length) = lastRecord(whole)
        let half = whole[start..<start + 8 + length / 2]
        try (whole + half).write(to: URL(fileURLWithPath: file))
        node = try fixture.start()
        stop(node)
        XCTAssertTrue(fixture.nodeLog.contains(
            "csp-node: channel 'consortium': removed a torn record at the end of '\(file)': \(half.count) bytes from offset \(size) (record of \(length) bytes runs past the end of the file (\(length / 2) bytes follow its header))\n"),
            fixture.nodeLog)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), whole, "only the torn tail was removed")

        // An index restored from an older copy: the blocks past it are re-applied, and said so.
        let index = channelDirectory(fixture) + "/index"
        let copy = fixture.dir + "/index-copy"
        try FileManager.default.copyItem(atPath: index, toPath: copy)
        node = try fixture.start()
        for i in 3..<5 { try fixture.tx("alice", ["submit", "kv.put", "key=k\(i)", "value=v\(i)"]) }
        stop(node)
        try FileManager.default.removeItem(atPath: index)
        try FileManager.default.moveItem(atPath: copy, toPath: index)
        node = try fixture.start()
        XCTAssertTrue(fixture.nodeLog.contains(
            "csp-node: channel 'consortium': re-applied 2 blocks (blocks 4 to 5) from the block files to the ledger index (the index ended at block 3)\n"),
            fixture.nodeLog)
        XCTAssertEqual(try fixture.tx("alice", ["query", "kv/k4"]).stdout, "v4\n")
    }

    /// Start and length of the last record of a block file (docs/STORAGE.md).
    private func lastRecord(_ data: Data) -> (Int, Int) {
        var offset = 0
        var last = (0, 0)
        let bytes = [UInt8](data)
        while offset + 8 <= bytes.count {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            last = (offset, length)
            offset += 8 + length
        }
        return last
    }

    func testFailedInitCreatesNoChannel() throws {
        let fixture = try NodeFixture.make(self)
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.dir + "/genesis.json"))) as! [String: Any]
        config["channel"] = "other"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: fixture.dir + "/other.json"))
        let mismatch = try NodeFixture.run("csp-node", ["init", "--home", fixture.node, "--channel", "private", "--config", fixture.dir + "/other.json"], expect: 2)
        XCTAssertEqual(mismatch.stderr, "error: --channel private does not match the configuration's channel 'other' in '\(fixture.dir)/other.json'\n")
        XCTAssertEqual(try NodeFixture.run("csp-node", ["channels", "--home", fixture.node]).stdout, "consortium\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.node + "/channels/other"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.node + "/channels/private"))
        // The same file under its own name works.
        try NodeFixture.run("csp-node", ["init", "--home", fixture.node, "--channel", "other", "--config", fixture.dir + "/other.json"])
        XCTAssertEqual(try NodeFixture.run("csp-node", ["channels", "--home", fixture.node]).stdout, "consortium\nother\n")
    }

    func testNonNodeCertificateCannotRunANode() throws {
        let fixture = try NodeFixture.make(self)
        // alice's (customer) key and certificate in a home holding the channel.
        let home = fixture.dir + "/impostor"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        for file in ["key.pem", "cert.pem"] {
            try FileManager.default.copyItem(atPath: fixture.dir + "/alice/" + file, toPath: home + "/" + file)
        }
        try FileManager.default.copyItem(atPath: fixture.node + "/channels", toPath: home + "/channels")
        let start = try startRefused(home)
        XCTAssertEqual(start.status, 2, start.stderr)
        XCTAssertEqual(start.stderr, "error: '\(home)/cert.pem' has role 'customer', not 'node': only a node certificate may sign blocks (csp-ca register ID --role node)\n")

        // init refuses it too, before asking whether it is the configuration's orderer
        // (a configuration naming it is refused by the configuration's own checks).
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.dir + "/genesis.json"))) as! [String: Any]
        config["channel"] = "shop"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: fixture.dir + "/shop.json"))
        let initialized = try NodeFixture.run("csp-node", ["init", "--home", home, "--channel", "shop", "--config", fixture.dir + "/shop.json"], expect: 2)
        XCTAssertEqual(initialized.stderr, start.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: home + "/channels/shop"))
    }
}
