import Foundation

/// Issue 10: a ledger of `transactions` built through one node with
/// `csp-tx submit --batch`, in chunks alternating its Unix socket and its TCP listener
/// with mutual TLS 1.3 ($CSP_NODE), so both transports see the same ledger sizes and
/// machine load (target: TLS ≥ 0.9× the Unix socket); then a new peer joins and catches
/// up the whole ledger, beside the live commit rate of the same run (target ≥ 2×).
struct NetworkBench {
    let bin: String
    let scratch: String
    let transactions: Int
    /// Transactions per `csp-tx submit --batch` run (memory stays flat however large the ledger).
    var chunk = 50_000

    func run() throws -> [Row] {
        let setup = try Setup(bin: bin, directory: scratch + "/net-bench")
        let (node, address) = try startListening(setup)
        defer { node.terminate(); node.waitUntilExit() }

        var done = 0, round = 0
        var unix = (transactions: 0, seconds: 0.0), tls = (transactions: 0, seconds: 0.0)
        while done < transactions {
            let count = min(chunk, transactions - done)
            let overTLS = round % 2 == 1
            let file = setup.directory + "/batch.ndjson"
            let lines = (0..<count).map { i in #"{"call":"kv.put","args":{"key":"r\#(round)-\#(i)","value":"customer demand \#(i)"}}"# }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
            let arguments = ["submit", "--batch", file, "--window", "4000", "--home", setup.alice, "--socket", setup.socket, "--channel", "bench"]
            let start = now()
            let output = overTLS ? try shell("CSP_NODE=\(address)", [bin + "/csp-tx"] + arguments) : try shell(bin + "/csp-tx", arguments)
            let seconds = now() - start
            let valid = output.split(separator: "\n").filter { $0.contains("\"code\":\"valid\"") }.count
            guard valid == count else { throw BenchFailure("only \(valid) of \(count) transactions committed valid") }
            if overTLS { tls = (tls.transactions + count, tls.seconds + seconds) } else { unix = (unix.transactions + count, unix.seconds + seconds) }
            done += count
            round += 1
        }
        let unixRate = Double(unix.transactions) / unix.seconds
        let live = Double(done) / (unix.seconds + tls.seconds)
        var rows: [Row] = []
        if tls.transactions > 0 {
            rows.append(Row(scenario: "committed kv writes over TCP+mutual TLS 1.3, csp-tx --batch (\(tls.transactions) of \(done) tx, chunks alternating)",
                            ours: Double(tls.transactions) / tls.seconds, baselineName: "same over the Unix socket (\(unix.transactions) tx)",
                            baseline: unixRate, unit: "tx/s", target: 0.9))
        }
        let catchUp = try followerCatchUp(setup, address: address, transactions: done)
        rows.append(Row(scenario: "new peer's catch-up of a \(done)-tx ledger (csp-node join, pull over TLS, full verification, commit)", ours: catchUp,
                        baselineName: "live commit rate building that ledger (both transports)", baseline: live, unit: "tx/s", target: 2.0))
        // An access node verifies what it can without state and keeps headers only:
        // it must not be slower than a follower that also re-executes and commits.
        let accessCatchUp = try followerCatchUp(setup, address: address, transactions: done, access: true)
        rows.append(Row(scenario: "access node catch-up (csp-node join --access: headers only; signatures, admission, commit hash; \(done) tx)",
                        ours: accessCatchUp, baselineName: "new peer's catch-up above", baseline: catchUp, unit: "tx/s", target: 1.0))
        return rows
    }

    /// A node joins the channel after the load and catches up from block 0: transactions
    /// per second from its start until its height equals the orderer's. With `access`, an
    /// access node (headers only) joins instead. Its log is kept in `peer.log` (or
    /// `gate.log`) beside the ledger.
    func followerCatchUp(_ setup: Setup, address: String, transactions: Int, access: Bool = false) throws -> Double {
        let name = access ? "gate" : "peer"
        let peer = setup.directory + "/" + name
        let secret = try shell(bin + "/csp-ca", ["register", name, "--home", setup.ca, "--role", "node"]).trimmingCharacters(in: .newlines)
        try shell(bin + "/csp-ca", ["enroll", name, "--secret", secret, "--ca", setup.ca, "--out", peer])
        try shell(bin + "/csp-node", ["join", "--home", peer, "--channel", "bench", "--genesis", setup.directory + "/genesis.json", "--orderer", address]
                                     + (access ? ["--access"] : []))
        func height(_ home: String) throws -> Int {
            let json = try shell(bin + "/csp-node", ["status", "--home", home, "--format", "json"])
            guard let range = json.range(of: "\"height\":"), let value = Int(json[range.upperBound...].prefix { $0.isNumber }) else {
                throw BenchFailure("no height in \(json)")
            }
            return value
        }
        let target = try height(setup.node)
        let log = setup.directory + "/\(name).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: bin + "/csp-node")
        follower.arguments = ["start", "--home", peer]
        follower.standardError = FileHandle(forWritingAtPath: log)
        let start = now()
        try follower.run()
        defer { follower.terminate(); follower.waitUntilExit() }
        for _ in 0..<1000 where !FileManager.default.fileExists(atPath: peer + "/node.sock") { usleep(5_000) }
        // Polled every 100 ms: each `csp-node status` is a process start, which on two
        // cores would otherwise take CPU from the follower being measured.
        let limit = max(600, Double(transactions) / 500)
        while try height(peer) < target {
            guard now() - start < limit else { throw BenchFailure("the follower did not catch up in \(Int(limit)) s") }
            usleep(100_000)
        }
        return Double(transactions) / (now() - start)
    }
}

extension NetworkBench {
    /// Starts the setup's node with a TCP listener on a free loopback port; returns it and
    /// the HOST:PORT it logged, once its Unix socket is there too.
    func startListening(_ setup: Setup) throws -> (Process, String) {
        let log = setup.directory + "/node.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let node = Process()
        node.executableURL = URL(fileURLWithPath: bin + "/csp-node")
        node.arguments = ["start", "--home", setup.node, "--listen", "127.0.0.1:0"]
        node.standardError = FileHandle(forWritingAtPath: log)
        try node.run()
        var address: String?
        for _ in 0..<1000 where address == nil {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on ") {
                address = String(text[range.upperBound...].prefix { !$0.isWhitespace })
            } else {
                usleep(10_000)
            }
        }
        guard let address else {
            node.terminate()
            node.waitUntilExit()
            throw BenchFailure("the node did not log its TCP address")
        }
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: setup.socket) { usleep(10_000) }
        return (node, address)
    }

    /// Issue 10: p99 submit→commit at a steady 2,000 tx/s offered through a follower
    /// (forwarded to the orderer, answered once the follower has committed the block)
    /// beside the same load straight to the orderer, alternating, in the same run. The
    /// extra latency a peer adds is the difference (target ≤ 20 ms on one host).
    func peerSubmitLatency(seconds: Double, rate: Double = 2000) throws -> [Row] {
        let setup = try Setup(bin: bin, directory: scratch + "/peer-bench")
        let (orderer, address) = try startListening(setup)
        defer { orderer.terminate(); orderer.waitUntilExit() }
        let peer = setup.directory + "/peer"
        let secret = try shell(bin + "/csp-ca", ["register", "peer", "--home", setup.ca, "--role", "node"]).trimmingCharacters(in: .newlines)
        try shell(bin + "/csp-ca", ["enroll", "peer", "--secret", secret, "--ca", setup.ca, "--out", peer])
        try shell(bin + "/csp-node", ["join", "--home", peer, "--channel", "bench", "--genesis", setup.directory + "/genesis.json", "--orderer", address])
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: bin + "/csp-node")
        follower.arguments = ["start", "--home", peer]
        follower.standardError = FileHandle.nullDevice
        try follower.run()
        defer { follower.terminate(); follower.waitUntilExit() }
        for _ in 0..<1000 where !FileManager.default.fileExists(atPath: peer + "/node.sock") { usleep(10_000) }

        var direct: [Double] = [], throughPeer: [Double] = []
        for round in 0..<4 {
            let viaPeer = round % 2 == 1
            let p99 = try NodeBench.latency(setup: setup, socket: viaPeer ? peer + "/node.sock" : nil, rate: rate, duration: seconds)
            if viaPeer { throughPeer.append(p99) } else { direct.append(p99) }
        }
        let orderers = direct.min() ?? 0, peers = throughPeer.min() ?? 0
        let offered = "\(Int(rate)) tx/s"
        return [Row(scenario: "p99 submit→commit at \(offered) through a follower (best of 2)", ours: peers,
                    baselineName: "same straight to the orderer", baseline: orderers, unit: "ms", target: nil),
                Row(scenario: "extra p99 latency through a follower at \(offered)", ours: max(0, peers - orderers),
                    baselineName: "target", baseline: 20, unit: "ms", target: nil, maximum: 20)]
    }
}
