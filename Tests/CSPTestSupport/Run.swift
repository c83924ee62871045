#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// What a finished process printed and how it exited.
public struct ProcessResult {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public let stdoutBytes: Data
}

/// How long `runProcess` lets a command run by default: far beyond any test's command on a
/// loaded machine, so only a real hang reaches it.
public let defaultProcessTimeLimit: TimeInterval = 120

/// A command `runProcess` killed because it did not exit within its time limit.
public struct ProcessTimedOut: Error, CustomStringConvertible {
    public let description: String
}

/// Runs an executable (absolute path, or a name looked up in PATH) to completion with
/// real pipes, feeding `input` on stdin. Tests use it to run the built csp binaries and
/// the openssl command.
///
/// A command still running after `timeLimit` seconds is killed with every process it
/// started and `ProcessTimedOut` is thrown, naming it: a hung command fails its test
/// instead of hanging the suite.
@discardableResult
public func runProcess(_ executable: String, _ arguments: [String], input: Data? = nil,
                environment: [String: String]? = nil, currentDirectory: String? = nil,
                timeLimit: TimeInterval = defaultProcessTimeLimit) throws -> ProcessResult {
    let process = Process()
    if executable.hasPrefix("/") {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
    }
    if let environment {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    // Read both pipes concurrently so a chatty child never blocks on a full pipe, and
    // write the input concurrently too, so a child that does not read cannot block us.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    group.enter()
    DispatchQueue.global().async { outData = stdout.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData = stderr.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let writer = stdin.fileHandleForWriting
    DispatchQueue.global().async {
        if let input { try? writer.write(contentsOf: input) }
        try? writer.close()
    }
    if exited.wait(timeout: .now() + timeLimit) == .timedOut {
        killTree(process.processIdentifier)
        process.waitUntilExit()
        // A grandchild that escaped the tree may still hold the pipes: do not wait for it.
        _ = group.wait(timeout: .now() + 5)
        let command = ([executable] + arguments).joined(separator: " ")
        throw ProcessTimedOut(description: "'\(command)' did not exit within \(Int(timeLimit)) s: killed it and the processes it started")
    }
    process.waitUntilExit()
    group.wait()
    return ProcessResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self),
                         stdoutBytes: outData)
}

/// SIGKILL to a process, everything it started (found through /proc's parent links)
/// and its process group if it leads one.
func killTree(_ root: pid_t) {
    var parents: [pid_t: [pid_t]] = [:]
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = pid_t(entry),
              let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        // "pid (name) state ppid ...": the name may hold spaces, so count after its ')'.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, let parent = pid_t(fields[1]) { parents[parent, default: []].append(pid) }
    }
    var tree: [pid_t] = [], queue = [root]
    while let pid = queue.popLast() {
        tree.append(pid)
        queue += parents[pid] ?? []
    }
    if getpgid(root) == root { killpg(root, SIGKILL) }
    for pid in tree { kill(pid, SIGKILL) }
}

/// A fresh temporary folder, removed when the test case ends.
public func temporaryDirectory(_ testCase: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "csp-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// The folder holding the built csp binaries (the same configuration as the tests).
public var productsDirectory: String {
    let bundle = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }
    return bundle.map { URL(fileURLWithPath: $0.bundlePath).deletingLastPathComponent().path }
        ?? FileManager.default.currentDirectoryPath + "/.build/debug"
}

/// The repository root, found from this source file's location.
public var repositoryRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}
