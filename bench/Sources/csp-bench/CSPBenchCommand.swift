import ArgumentParser
import Foundation

/// Runs the benchmark scenarios and prints a markdown table of our number, the
/// baseline's, their ratio and the target (bench/RESULTS.md records them).
struct CSPBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csp-bench",
        abstract: "Benchmark csp against baselines measured in the same run.")

    @Option(help: "Folder holding the release binaries.")
    var bin: String = ".build/release"

    @Option(help: "Bytes hashed by the SHA-256 scenario.")
    var shaBytes: Int = 1 << 30

    @Option(help: "Seconds each rate measurement runs.")
    var seconds: Double = 3

    @Option(help: "Scratch folder for the benchmark's files.")
    var scratch: String = NSTemporaryDirectory() + "csp-bench"

    @Option(help: "Transactions the node scenario commits (the memory figure is read after them).")
    var nodeTransactions: Int = 1_000_000

    @Option(help: "Folder of an earlier build's release binaries: the node scenario also runs with them, for before/after rows.")
    var before: String?

    @Option(help: "Open workflow instances the workflow scenario creates (and lists with csp-tx todo).")
    var workflowInstances: Int = 100_000

    @Option(help: "Transactions in the ledger the KV-R scenario exports.")
    var kvrTransactions: Int = 1_000_000

    @Option(help: "Transactions of that ledger the KV-R scenario loads into PostgreSQL through psql.")
    var kvrPsqlTransactions: Int = 200_000

    @Option(help: "Files of mixed sizes the audit scenario hashes.")
    var auditFiles: Int = 10_000

    @Option(help: "Documents the audit scenario anchors in one batch.")
    var auditDocuments: Int = 100_000

    @Option(help: "The csp-audit that `make install` builds (static Swift runtime), stripped by the bench as install does: the proof rows time it.")
    var installedAudit: String = ".build/install/release/csp-audit"

    @Option(help: "One-proof csp-audit processes timed for the proof rows: the median of them is compared to the target (issue 9).")
    var auditProcessRuns: Int = 50

    @Option(help: "Transactions the audit scenario commits and then verifies with csp-audit ledger.")
    var auditTransactions: Int = 100_000

    @Option(help: "Transactions in the ledger the network scenario builds (Unix socket and TLS alternating) before a new peer catches it up (issue 10 names 1,000,000).")
    var netTransactions: Int = 200_000

    @Option(help: "Transactions per second the peer scenario offers (issue 10's target is for 2,000).")
    var peerRate: Double = 2000

    @Option(parsing: .upToNextOption, help: "Scenarios to run: sha256 ecdsa leveldb ca node net peer workflow kvr audit (default: all; net includes peer).")
    var only: [String] = []

    @Flag(help: "Keep the scratch folder (ledgers, logs) after the run, to profile or inspect them.")
    var keepScratch = false

    func run() throws {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { if !keepScratch { try? FileManager.default.removeItem(atPath: scratch) } }
        var rows: [Row] = []
        let wanted = Set(only.isEmpty ? ["sha256", "ecdsa", "leveldb", "ca", "node", "net", "workflow", "kvr", "audit"] : only)
        if wanted.contains("audit") { try AuditBench.requireInstalled(installedAudit) }
        if wanted.contains("sha256") { rows += try SHA256Bench(bin: bin, bytes: shaBytes, scratch: scratch).run() }
        if wanted.contains("ecdsa") { rows += try ECDSABench(seconds: seconds).run() }
        if wanted.contains("leveldb") { rows += try LevelDBBench(seconds: seconds, scratch: scratch).run() }
        if wanted.contains("ca") { rows += try CABench(bin: bin, seconds: seconds, scratch: scratch).run() }
        if wanted.contains("node") { rows += try NodeBench(bin: bin, scratch: scratch, transactions: nodeTransactions, seconds: seconds * 3, before: before).run() }
        if wanted.contains("net") { rows += try NetworkBench(bin: bin, scratch: scratch, transactions: netTransactions).run() }
        if wanted.contains("net") || wanted.contains("peer") {
            rows += try NetworkBench(bin: bin, scratch: scratch, transactions: 0).peerSubmitLatency(seconds: seconds * 3, rate: peerRate)
        }
        if wanted.contains("kvr") { rows += try KVRBench(bin: bin, scratch: scratch, transactions: kvrTransactions, psqlTransactions: kvrPsqlTransactions).run() }
        if wanted.contains("workflow") { rows += try WorkflowBench(bin: bin, scratch: scratch, instances: workflowInstances).run() }
        if wanted.contains("audit") {
            rows += try AuditBench(bin: bin, scratch: scratch, files: auditFiles, documents: auditDocuments, transactions: auditTransactions,
                                   installed: installedAudit, processRuns: max(1, auditProcessRuns)).run()
        }
        print("")
        print("machine: \(Machine.description)")
        print("")
        print(Row.table(rows))
    }
}

/// One line of the results table.
struct Row {
    var scenario: String
    var ours: Double
    var baselineName: String
    var baseline: Double
    var unit: String
    /// The ratio ours/baseline the issue asks for, or nil when the row only informs.
    var target: Double?
    /// An absolute floor for `ours`, where the issue names one.
    var minimum: Double? = nil
    /// An absolute ceiling for `ours` (latency, memory).
    var maximum: Double? = nil

    var ratio: Double { baseline > 0 ? ours / baseline : 0 }

    static func table(_ rows: [Row]) -> String {
        var lines = ["| scenario | csp | baseline | baseline value | ratio | target | ok |",
                     "|---|---:|---|---:|---:|---:|:---:|"]
        for row in rows {
            let target = row.target.map { String(format: "ratio ≥ %.2f", $0) } ?? row.minimum.map { "≥ \(format($0)) \(row.unit)" }
                ?? row.maximum.map { "≤ \(format($0)) \(row.unit)" } ?? "–"
            let ok = row.target.map { row.ratio >= $0 ? "yes" : "NO" } ?? row.minimum.map { row.ours >= $0 ? "yes" : "NO" }
                ?? row.maximum.map { row.ours <= $0 ? "yes" : "NO" } ?? "–"
            lines.append("| \(row.scenario) | \(format(row.ours)) \(row.unit) | \(row.baselineName) | \(format(row.baseline)) \(row.unit) | \(String(format: "%.2f", row.ratio)) | \(target) | \(ok) |")
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }
}

/// Monotonic seconds.
func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Runs a command to completion and returns its stdout; throws on a non-zero exit.
@discardableResult
func shell(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ValidationError("'\(executable) \(arguments.joined(separator: " "))' exited with \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
}

/// Wall time of one run of a command started with posix_spawn, output to /dev/null: what a
/// shell pays, without Foundation's Process and pipe machinery (tens of milliseconds).
func spawnTime(_ executable: String, _ arguments: [String]) throws -> Double {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let start = now()
    guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else {
        throw BenchFailure("cannot start \(executable)")
    }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let elapsed = now() - start
    guard status == 0 else { throw BenchFailure("'\(executable) \(arguments.joined(separator: " "))' failed") }
    return elapsed
}

/// Best wall time of `runs` runs of a command: the least disturbed by the machine.
func bestTime(runs: Int = 3, _ executable: String, _ arguments: [String]) throws -> Double {
    var best = Double.infinity
    for _ in 0..<runs {
        let start = now()
        try shell(executable, arguments)
        best = min(best, now() - start)
    }
    return best
}

enum Machine {
    static var description: String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        let memory = ProcessInfo.processInfo.physicalMemory / (1 << 30)
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(model), \(memory) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)"
    }
}
