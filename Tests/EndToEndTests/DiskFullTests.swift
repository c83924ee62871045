import CSPTestSupport
import Foundation
import XCTest

/// A full disk stops a channel cleanly, says so, loses nothing, and the channel resumes
/// by itself once a write succeeds again.
final class DiskFullTests: XCTestCase {
    func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    func testFullDiskStallsTheChannelAndItResumes() throws {
        let fixture = try NodeFixture.make(self)
        // The node's home on a small tmpfs of its own (root only; CI runs as root).
        let original = fixture.dir + "/node-original"
        try FileManager.default.moveItem(atPath: fixture.node, toPath: original)
        try FileManager.default.createDirectory(atPath: fixture.node, withIntermediateDirectories: false)
        let mount = try runProcess("mount", ["-t", "tmpfs", "-o", "size=4m,mode=0750", "tmpfs", fixture.node])
        guard mount.status == 0 else { throw XCTSkip("cannot mount a tmpfs here: \(mount.stderr)") }
        addTeardownBlock { _ = try? runProcess("umount", ["-l", fixture.node]) }
        XCTAssertEqual(try runProcess("cp", ["-a", original + "/.", fixture.node]).status, 0)

        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        try fixture.tx("alice", ["submit", "kv.put", "key=before", "value=1"])
        // Fill the disk.
        let filler = fixture.node + "/filler"
        _ = try runProcess("dd", ["if=/dev/zero", "of=" + filler, "bs=64k"])
        let value = String(repeating: "x", count: 60_000)
        let failed = try fixture.tx("alice", ["submit", "kv.put", "key=big", "value=\(value)"], expect: 2)
        XCTAssertTrue(failed.stderr.contains("channel 'consortium' stopped"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("no space left on device"), failed.stderr)
        XCTAssertEqual(failed.stderr.split(separator: "\n").count, 1, failed.stderr)
        // Status says so, and exits 1.
        let status = try NodeFixture.run("csp-node", ["status", "--home", fixture.node, "--format", "json"], expect: 1)
        XCTAssertEqual(json(status.stdout)["state"] as? String, "stopped", status.stdout)
        XCTAssertTrue((json(status.stdout)["reason"] as? String ?? "").contains("no space left on device"), status.stdout)
        let refused = try fixture.tx("alice", ["submit", "kv.put", "key=while-full", "value=1"], expect: 2)
        XCTAssertTrue(refused.stderr.contains("stopped"), refused.stderr)
        // A batch line says "failed" (not ordered: safe to resubmit), not "unknown".
        try Data(#"{"call":"kv.put","args":{"key":"batched","value":"1"}}"#.utf8).write(to: URL(fileURLWithPath: fixture.dir + "/one.ndjson"))
        let batch = try fixture.tx("alice", ["submit", "--batch", fixture.dir + "/one.ndjson"], expect: 2)
        XCTAssertEqual(json(batch.stdout)["outcome"] as? String, "failed", batch.stdout)

        // Space returns: the channel runs again without a restart.
        try FileManager.default.removeItem(atPath: filler)
        var resumed = false
        for _ in 0..<50 {
            usleep(100_000)
            if try NodeFixture.run("csp-node", ["status", "--home", fixture.node], expect: nil).status == 0 { resumed = true; break }
        }
        XCTAssertTrue(resumed, fixture.nodeLog)
        XCTAssertTrue(fixture.nodeLog.contains("resumed"), fixture.nodeLog)
        try fixture.tx("alice", ["submit", "kv.put", "key=after", "value=2"])
        node.terminate()
        node.waitUntilExit()
        // Nothing committed was lost; nothing refused was committed.
        let again = try fixture.start()
        defer { again.terminate(); again.waitUntilExit() }
        XCTAssertEqual(try fixture.tx("alice", ["query", "kv/before"]).stdout, "1\n")
        XCTAssertEqual(try fixture.tx("alice", ["query", "kv/after"]).stdout, "2\n")
        try fixture.tx("alice", ["query", "kv/big"], expect: 1)
        try fixture.tx("alice", ["query", "kv/while-full"], expect: 1)
    }
}
