import Foundation

/// Issue 10: the same `csp-tx submit --batch` load through the node's Unix socket and
/// through its TCP listener with mutual TLS 1.3 ($CSP_NODE), alternating, one node, in
/// the same run (target: TLS ≥ 0.9× the Unix socket).
struct NetworkBench {
    let bin: String
    let scratch: String
    let transactions: Int

    func run() throws -> [Row] {
        let setup = try Setup(bin: bin, directory: scratch + "/net-bench")
        let log = setup.directory + "/node.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let node = Process()
        node.executableURL = URL(fileURLWithPath: bin + "/csp-node")
        node.arguments = ["start", "--home", setup.node, "--listen", "127.0.0.1:0"]
        node.standardError = FileHandle(forWritingAtPath: log)
        try node.run()
        defer { node.terminate(); node.waitUntilExit() }
        var address: String?
        for _ in 0..<1000 where address == nil {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on ") {
                address = String(text[range.upperBound...].prefix { !$0.isWhitespace })
            } else {
                usleep(10_000)
            }
        }
        guard let address else { throw BenchFailure("the node did not log its TCP address") }
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: setup.socket) { usleep(10_000) }

        var unix: [Double] = [], tls: [Double] = []
        // Alternating rounds, so both transports see the same ledger sizes and machine load.
        for round in 0..<4 {
            let overTLS = round % 2 == 1
            let file = setup.directory + "/batch.ndjson"
            let lines = (0..<transactions).map { i in #"{"call":"kv.put","args":{"key":"r\#(round)-\#(i)","value":"customer demand \#(i)"}}"# }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
            let arguments = ["submit", "--batch", file, "--window", "4000", "--home", setup.alice, "--socket", setup.socket, "--channel", "bench"]
            let start = now()
            let output = overTLS ? try shell("CSP_NODE=\(address)", [bin + "/csp-tx"] + arguments) : try shell(bin + "/csp-tx", arguments)
            let rate = Double(transactions) / (now() - start)
            let valid = output.split(separator: "\n").filter { $0.contains("\"code\":\"valid\"") }.count
            guard valid == transactions else { throw BenchFailure("only \(valid) of \(transactions) transactions committed valid") }
            if overTLS { tls.append(rate) } else { unix.append(rate) }
        }
        let bestUnix = unix.max() ?? 0, bestTLS = tls.max() ?? 0
        return [Row(scenario: "committed kv writes over TCP+mutual TLS 1.3, csp-tx --batch (\(transactions) tx, best of 2)", ours: bestTLS,
                    baselineName: "same over the Unix socket", baseline: bestUnix, unit: "tx/s", target: 0.9)]
    }
}
