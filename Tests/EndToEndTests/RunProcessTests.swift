import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// runProcess bounds every command, so a hung one fails its test instead of the suite.
final class RunProcessTests: XCTestCase {
    func testACommandThatNeverExitsIsKilledWithWhatItStartedAndNamed() throws {
        let folder = try temporaryDirectory(self)
        let started = Date()
        // The background sleep holds the output pipe: unless it is killed too, the read never ends.
        XCTAssertThrowsError(try runProcess("/bin/sh", ["-c", "sleep 600 & echo $! > \(folder)/child; exec sleep 601"], timeLimit: 1)) { error in
            XCTAssertTrue(error is ProcessTimedOut, "\(error)")
            XCTAssertEqual("\(error)", "'/bin/sh -c sleep 600 & echo $! > \(folder)/child; exec sleep 601' did not exit within 1 s: killed it and the processes it started")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 4, "killed at the limit, the pipes' holders with it")
        let child = try XCTUnwrap(pid_t(try String(contentsOfFile: folder + "/child", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        func alive() -> Bool {
            // A killed process may linger as a zombie until init reaps it: that is not alive.
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
            return !stat[stat.index(after: close)...].hasPrefix(" Z")
        }
        for _ in 0..<100 where alive() { usleep(20_000) }
        XCTAssertFalse(alive(), "the background child was killed too")
    }

    func testACommandWithinItsLimitRunsAsBefore() throws {
        let result = try runProcess("/bin/sh", ["-c", "cat; echo err >&2; exit 3"], input: Data("in\n".utf8), timeLimit: 10)
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.stdout, "in\n")
        XCTAssertEqual(result.stderr, "err\n")
    }
}
