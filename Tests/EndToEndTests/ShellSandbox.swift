import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// A fresh folder standing in for the machine the documentation's shell examples assume:
/// it is `HOME` (so `~/` is inside it), the working folder, and what `/srv/` and
/// `/var/log/` in a script mean; the built binaries come first on PATH and `CSP_HOME`,
/// `CSP_SOCKET`, `CSP_CHANNEL`, `CSP_FORMAT` are unset. Used by DocExamplesTests
/// (README and docs/*.md) and ManExamplesTests (docs/man/examples.txt).
///
/// Every process a script started (`csp-node start &`) is stopped when the test ends,
/// or earlier with `stopProcesses()`: they are found by the sandbox's path on their
/// command line or in their environment, which only this test uses.
struct ShellSandbox {
    let root: String

    init(_ testCase: XCTestCase) throws {
        root = try temporaryDirectory(testCase)
        try FileManager.default.createDirectory(atPath: root + "/var/log", withIntermediateDirectories: true)
        let root = self.root
        // Registered after temporaryDirectory's removal, so it runs first (teardown blocks run last-in first-out).
        testCase.addTeardownBlock { Self.stopProcesses(mentioning: root) }
    }

    /// The script with the machine's paths moved into the sandbox.
    func rewrite(_ script: String) -> String {
        script.replacingOccurrences(of: "/srv/", with: root + "/srv/")
            .replacingOccurrences(of: "/var/log/", with: root + "/var/log/")
    }

    /// Runs `script` (already rewritten) in bash in the sandbox, output (stdout and stderr)
    /// kept in a file (no pipe to fill); after `limit` seconds the whole session is killed
    /// and the status is -1, the output saying so.
    func run(_ script: String, limit: TimeInterval, environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        // Descriptors inherited from this process (Foundation watches one to see the child
        // exit) are closed first, so a daemon the script starts cannot hold the test up.
        let closeInherited = #"for fd in /proc/self/fd/*; do fd=${fd##*/}; case $fd in 0|1|2) ;; *) eval "exec $fd>&-" 2>/dev/null || true;; esac; done"#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", closeInherited + "\n" + script]
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = productsDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["HOME"] = root
        for name in ["CSP_HOME", "CSP_SOCKET", "CSP_CHANNEL", "CSP_FORMAT", "CSP_NODE", "CSP_NODE_CA"] { environment[name] = nil }
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let log = root + "/.script-output"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        let output = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        if process.isRunning {
            Self.stopProcesses(mentioning: root)
            process.terminate()
            process.waitUntilExit()
            return (-1, "timed out after \(Int(limit)) s: a command did not exit\n" + output())
        }
        process.waitUntilExit()
        return (process.terminationStatus, output())
    }

    /// Stops what the scripts left running (a node started with `&`).
    func stopProcesses() { Self.stopProcesses(mentioning: root) }

    /// SIGTERM, then SIGKILL, to every process whose command line or environment (its
    /// HOME: whatever a script started) names `path`.
    static func stopProcesses(mentioning path: String) {
        func matching() -> [pid_t] {
            ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
                guard let pid = pid_t(entry), pid != getpid() else { return nil }
                let mentions = ["cmdline", "environ"].contains { file in
                    FileManager.default.contents(atPath: "/proc/\(entry)/\(file)")
                        .map { String(decoding: $0, as: UTF8.self).contains(path) } ?? false
                }
                return mentions ? pid : nil
            }
        }
        for pid in matching() { kill(pid, SIGTERM) }
        for _ in 0..<100 where !matching().isEmpty { usleep(20_000) }
        for pid in matching() { kill(pid, SIGKILL) }
    }
}
