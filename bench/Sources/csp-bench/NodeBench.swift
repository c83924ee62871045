import CSPCertificates
import CSPCrypto
import CSPFormat
import CSPNodeProtocol
import Foundation

/// The node's numbers: committed key/value writes per second through
/// `csp-tx submit --batch` beside `openssl speed -multi N ecdsap256` verify/s of the same
/// run; p99 submit-to-commit latency at a steady 2,000 tx/s offered; the node's resident
/// memory after `transactions` committed transactions; and `csp-node check` over the
/// ledger just built, in transactions per second beside the commit rate. With `before`
/// (a folder of older release binaries) the same scenario runs with those too, so a
/// change's effect is measured in one run on one machine.
struct NodeBench {
    let bin: String
    let scratch: String
    let transactions: Int
    let seconds: Double
    var before: String? = nil

    struct Measurement {
        var throughput: Double
        var p99: Double
        var rss: Double
        var checkRate: Double?
    }

    func run() throws -> [Row] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let verify = try opensslVerifyRate(multi: cores)
        let after = try measure(bin: bin, directory: scratch + "/node-bench", check: true)
        let committed = transactions
        var rows = [
            Row(scenario: "committed kv writes, csp-tx --batch (\(committed) tx)", ours: after.throughput,
                baselineName: "openssl speed -multi \(cores) verify", baseline: verify, unit: "tx/s", target: nil, minimum: 10_000),
            Row(scenario: "p99 submit→commit at 2,000 tx/s offered", ours: after.p99, baselineName: "target", baseline: 50,
                unit: "ms", target: nil, maximum: 50),
            Row(scenario: "node resident memory after \(committed) tx", ours: after.rss, baselineName: "target", baseline: 300,
                unit: "MB", target: nil, maximum: 300),
        ]
        if let checkRate = after.checkRate {
            rows.append(Row(scenario: "csp-node check, whole ledger (\(committed) tx)", ours: checkRate,
                            baselineName: "commit rate above", baseline: after.throughput, unit: "tx/s", target: nil))
        }
        if let before {
            let old = try measure(bin: before, directory: scratch + "/node-bench-before", check: false)
            rows.append(Row(scenario: "committed kv writes, this build vs before", ours: after.throughput,
                            baselineName: "before (\(before))", baseline: old.throughput, unit: "tx/s", target: nil))
            rows.append(Row(scenario: "p99 submit→commit at 2,000 tx/s, this build vs before", ours: after.p99,
                            baselineName: "before", baseline: old.p99, unit: "ms", target: nil))
        }
        return rows
    }

    private func measure(bin: String, directory: String, check: Bool) throws -> Measurement {
        let setup = try Setup(bin: bin, directory: directory)
        let node = try setup.startNode()
        var stopped = false
        defer { if !stopped { node.terminate(); node.waitUntilExit() } }

        // Throughput through csp-tx --batch, in chunks so memory stays flat, until `transactions` are in.
        let chunk = min(100_000, transactions)
        var committed = 0
        var elapsed = 0.0
        var chunkIndex = 0
        while committed < transactions {
            let n = min(chunk, transactions - committed)
            let file = setup.directory + "/batch.ndjson"
            let lines = (0..<n).map { i in #"{"call":"kv.put","args":{"key":"k\#(chunkIndex)-\#(i)","value":"customer demand \#(i)"}}"# }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
            let start = now()
            let output = try shell(bin + "/csp-tx", ["submit", "--batch", file, "--window", "4000", "--home", setup.alice,
                                                     "--socket", setup.socket, "--channel", "bench"])
            elapsed += now() - start
            let valid = output.split(separator: "\n").filter { $0.contains("\"code\":\"valid\"") }.count
            guard valid == n else { throw BenchFailure("only \(valid) of \(n) transactions committed valid") }
            committed += n
            chunkIndex += 1
        }
        let throughput = Double(committed) / elapsed
        let rss = Self.residentMegabytes(pid: node.processIdentifier)
        let p99 = try Self.latency(setup: setup, rate: 2000, duration: seconds)
        node.terminate()
        node.waitUntilExit()
        stopped = true
        var checkRate: Double?
        if check {
            let start = now()
            try shell(bin + "/csp-node", ["check", "--home", setup.node])
            checkRate = Double(committed + Int(2000 * seconds)) / (now() - start)
        }
        return Measurement(throughput: throughput, p99: p99, rss: rss, checkRate: checkRate)
    }

    static func residentMegabytes(pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }

    private func opensslVerifyRate(multi: Int) throws -> Double {
        var arguments = ["speed", "-seconds", "3"]
        if multi > 1 { arguments += ["-multi", String(multi)] }
        let output = try shell("openssl", arguments + ["ecdsap256"])
        for line in output.split(separator: "\n") where line.contains("nistp256") {
            if let verify = line.split(separator: " ").compactMap({ Double($0) }).last { return verify }
        }
        throw BenchFailure("cannot read openssl speed's output")
    }

    /// Pre-signed transactions sent at a steady rate on one connection (to `socket`, by
    /// default the setup's node); each latency is from the send to the commit answer.
    static func latency(setup: Setup, socket: String? = nil, rate: Double, duration: Double) throws -> Double {
        let key = try P256PrivateKey(pemFile: setup.alice + "/key.pem")
        let certificate = try Certificate(pemFile: setup.alice + "/cert.pem")
        let count = Int(rate * duration)
        let transactions = try (0..<count).map { i in
            try Transaction(signing: try TransactionBody(channel: "bench", timestamp: UInt64(Date().timeIntervalSince1970 * 1000),
                                                         nonce: try SecureRandom.bytes(16), creator: certificate.der, contract: "kv",
                                                         function: "put", arguments: [TransactionArgument(name: "key", text: "lat\(i)"),
                                                                                      TransactionArgument(name: "value", text: "x")]), with: key)
        }
        let client = try NodeClient(path: socket ?? setup.socket)
        defer { client.close() }
        let sentAt = Counts(count)
        let latencies = LatencyLog(count)
        let receiver = Thread {
            for _ in 0..<count {
                guard let response = try? client.receive() else { return }
                latencies.record(Int(response.id) - 1, now())
            }
        }
        receiver.start()
        let start = now()
        for (i, transaction) in transactions.enumerated() {
            let due = start + Double(i) / rate
            let wait = due - now()
            if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
            var request = NodeRequest(id: UInt64(i + 1), op: "submit", channel: "bench")
            request.tx = Data(transaction.encoded()).base64EncodedString()
            latencies.sent(i, now())
            try client.send(request)
        }
        _ = sentAt
        while !receiver.isFinished { usleep(1000) }
        return latencies.percentile(0.99) * 1000
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

final class LatencyLog: @unchecked Sendable {
    private let lock = NSLock()
    private var sentAt: [Double]
    private var done: [Double]
    init(_ n: Int) { sentAt = Array(repeating: 0, count: n); done = Array(repeating: 0, count: n) }
    func sent(_ i: Int, _ t: Double) { lock.lock(); sentAt[i] = t; lock.unlock() }
    func record(_ i: Int, _ t: Double) { lock.lock(); if i >= 0 && i < done.count { done[i] = t }; lock.unlock() }
    func percentile(_ p: Double) -> Double {
        lock.lock(); defer { lock.unlock() }
        let values = zip(sentAt, done).filter { $0.1 > 0 }.map { $0.1 - $0.0 }.sorted()
        guard !values.isEmpty else { return .infinity }
        return values[min(values.count - 1, Int(Double(values.count) * p))]
    }
}

/// A CA, a node and a customer made with the release binaries.
struct Setup {
    let bin: String
    let directory: String
    var ca: String { directory + "/ca" }
    var node: String { directory + "/node" }
    var alice: String { directory + "/alice" }
    var root: String { directory + "/root" }
    var desk: String { directory + "/desk" }
    var socket: String { directory + "/node/node.sock" }

    init(bin: String, directory: String) throws {
        self.bin = bin
        self.directory = directory
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Acme: the organisation the shipped workflow definitions name.
        try shell(bin + "/csp-ca", ["init", "--home", ca, "--org", "Acme"])
        for (id, role, home) in [("node", "node", node), ("alice", "customer", alice), ("root", "admin", root), ("desk", "enterprise", desk)] {
            let secret = try shell(bin + "/csp-ca", ["register", id, "--home", ca, "--role", role]).trimmingCharacters(in: .newlines)
            try shell(bin + "/csp-ca", ["enroll", id, "--secret", secret, "--ca", ca, "--out", home])
        }
        let config: [String: Any] = [
            "channel": "bench",
            "organizations": [["name": "Acme", "certificates": [try String(contentsOfFile: ca + "/ca-cert.pem", encoding: .utf8)],
                               "crls": [try String(contentsOfFile: ca + "/crl.pem", encoding: .utf8)]]],
            "orderer": try String(contentsOfFile: node + "/cert.pem", encoding: .utf8),
            "admins": ["Acme/root"],
            "blockCutting": ["maxTransactions": 1000, "maxBytes": 8 << 20, "timeoutMilliseconds": 10],
            "policy": ["invoke": ["kv.*": ["customer"], "account.*": ["customer", "enterprise", "admin"], "contract.*": ["admin"],
                                  "demand.*": ["customer", "enterprise"], "anchor.*": ["customer", "admin"]],
                       "read": ["*": ["customer", "enterprise", "admin"]]],
            "timestampWindowSeconds": 600,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: directory + "/genesis.json"))
        try shell(bin + "/csp-node", ["init", "--home", node, "--channel", "bench", "--config", directory + "/genesis.json"])
    }

    func startNode() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin + "/csp-node")
        process.arguments = ["start", "--home", node]
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }
        return process
    }
}
