import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// A CA, a node identity, participants and a channel, made with the real binaries:
/// what an operator does before `csp-node start`.
struct NodeFixture {
    let dir: String
    var ca: String { dir + "/ca" }
    var node: String { dir + "/node" }
    var socket: String { dir + "/node/node.sock" }
    let channel = "consortium"

    static func bin(_ tool: String) -> String { productsDirectory + "/" + tool }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String], input: Data? = nil, expect status: Int32? = 0,
                    file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        let result = try runProcess(bin(tool), arguments, input: input)
        if let status { XCTAssertEqual(result.status, status, "\(tool) \(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line) }
        return result
    }

    /// The second organisation's CA, when `make(beta: true)` created one.
    var betaCA: String { dir + "/beta-ca" }

    /// Registers and enrolls `id` with `role` into `<dir>/<id>`, by the fixture's CA or `ca`.
    func enroll(_ id: String, role: String, ca: String? = nil) throws -> String {
        let ca = ca ?? self.ca
        let secret = try Self.run("csp-ca", ["register", id, "--home", ca, "--role", role]).stdout.trimmingCharacters(in: .newlines)
        let home = id == "node" ? node : dir + "/" + id
        try Self.run("csp-ca", ["enroll", id, "--secret", secret, "--ca", ca, "--out", home])
        return home
    }

    /// CA, node identity, alice (customer), root (admin), regulator; channel created.
    /// With `beta`, a second member organisation, Beta, with its own CA and an admin, boss.
    static func make(_ testCase: XCTestCase, maxTransactions: Int = 500, timeoutMilliseconds: Int = 50, beta: Bool = false) throws -> NodeFixture {
        let fixture = NodeFixture(dir: try temporaryDirectory(testCase))
        try run("csp-ca", ["init", "--home", fixture.ca, "--org", "Acme"])
        _ = try fixture.enroll("node", role: "node")
        _ = try fixture.enroll("alice", role: "customer")
        _ = try fixture.enroll("root", role: "admin")
        _ = try fixture.enroll("rita", role: "regulator")
        if beta {
            try run("csp-ca", ["init", "--home", fixture.betaCA, "--org", "Beta"])
            _ = try fixture.enroll("boss", role: "admin", ca: fixture.betaCA)
        }
        try fixture.writeGenesis(maxTransactions: maxTransactions, timeoutMilliseconds: timeoutMilliseconds)
        try run("csp-node", ["init", "--home", fixture.node, "--channel", fixture.channel, "--config", fixture.dir + "/genesis.json"])
        return fixture
    }

    func writeGenesis(maxTransactions: Int, timeoutMilliseconds: Int, policy: [String: Any]? = nil) throws {
        var organizations = [["name": "Acme",
                              "certificates": [try String(contentsOfFile: ca + "/ca-cert.pem", encoding: .utf8)],
                              "crls": [try String(contentsOfFile: ca + "/crl.pem", encoding: .utf8)]]]
        if FileManager.default.fileExists(atPath: betaCA + "/ca-cert.pem") {
            organizations.append(["name": "Beta",
                                  "certificates": [try String(contentsOfFile: betaCA + "/ca-cert.pem", encoding: .utf8)],
                                  "crls": [try String(contentsOfFile: betaCA + "/crl.pem", encoding: .utf8)]])
        }
        let config: [String: Any] = [
            "channel": channel,
            "organizations": organizations,
            "orderer": try String(contentsOfFile: node + "/cert.pem", encoding: .utf8),
            "admins": ["Acme/root"],
            "blockCutting": ["maxTransactions": maxTransactions, "maxBytes": 4 << 20, "timeoutMilliseconds": timeoutMilliseconds],
            "policy": policy ?? ["invoke": ["kv.*": ["customer", "admin", "enterprise"], "config.*": ["admin"],
                                  "account.*": ["customer", "admin", "enterprise"], "contract.*": ["admin"],
                                  "anchor.*": ["customer", "admin", "enterprise"]],
                       "read": ["*": ["customer", "admin", "regulator", "enterprise"], "block": ["admin", "regulator"]]],
            "timestampWindowSeconds": 300,
        ]
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: dir + "/genesis.json"))
    }

    /// Starts `csp-node start` (with `options`) and waits for its socket.
    func start(_ options: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.bin("csp-node"))
        process.arguments = ["start", "--home", node] + options
        let log = FileHandle(forWritingAtPath: dir + "/node.log") ?? {
            FileManager.default.createFile(atPath: dir + "/node.log", contents: nil)
            return FileHandle(forWritingAtPath: dir + "/node.log")!
        }()
        log.seekToEndOfFile()
        process.standardError = log
        try process.run()
        // Wait until the node accepts connections (a killed node leaves a stale socket file).
        var ready = false
        for _ in 0..<1000 {
            if RawSocket.accepts(socket) { ready = true; break }
            usleep(10_000)
        }
        XCTAssertTrue(ready, "the node serves its socket: \(nodeLog)")
        return process
    }

    var nodeLog: String { (try? String(contentsOfFile: dir + "/node.log", encoding: .utf8)) ?? "" }

    /// csp-tx as participant `who`.
    @discardableResult
    func tx(_ who: String, _ arguments: [String], input: Data? = nil, expect status: Int32? = 0,
            file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        try Self.run("csp-tx", arguments + ["--home", dir + "/" + who, "--socket", socket, "--channel", channel],
                     input: input, expect: status, file: file, line: line)
    }

    /// The token a paged read printed on stderr ("next page: --after TOKEN"), if any.
    static func nextPage(_ result: ProcessResult) -> String? {
        result.stderr.split(separator: "\n").first { $0.hasPrefix("next page: --after ") }.map { String($0.dropFirst("next page: --after ".count)) }
    }
}

extension NodeFixture {
    /// The scenarios' consortium, node initialised, not started: Acme's CA with node, root
    /// (admin), dora (enterprise), prod and eng (departments) and rita (regulator); Beta's
    /// CA with boss (admin) and carol (customer); every role may call the workflows.
    static func consortium(_ testCase: XCTestCase) throws -> NodeFixture {
        let fixture = NodeFixture(dir: try temporaryDirectory(testCase))
        try NodeFixture.run("csp-ca", ["init", "--home", fixture.ca, "--org", "Acme"])
        for (id, role) in [("node", "node"), ("root", "admin"), ("dora", "enterprise"), ("prod", "department"),
                           ("eng", "department"), ("rita", "regulator")] {
            _ = try fixture.enroll(id, role: role)
        }
        try NodeFixture.run("csp-ca", ["init", "--home", fixture.betaCA, "--org", "Beta"])
        _ = try fixture.enroll("boss", role: "admin", ca: fixture.betaCA)
        _ = try fixture.enroll("carol", role: "customer", ca: fixture.betaCA)
        let everyone = ["customer", "enterprise", "department", "regulator", "admin"]
        try fixture.writeGenesis(maxTransactions: 500, timeoutMilliseconds: 20, policy: [
            "invoke": ["account.*": everyone, "contract.*": ["admin"], "demand.*": everyone,
                       "service-contract.*": ["customer", "enterprise"], "config.*": ["admin"]],
            "read": ["*": everyone],
        ])
        try NodeFixture.run("csp-node", ["init", "--home", fixture.node, "--channel", fixture.channel, "--config", fixture.dir + "/genesis.json"])
        return fixture
    }
}

extension NodeFixture {
    /// A relay in front of the node on 127.0.0.1:`port` that alters what it passes as
    /// `tampering` says, presenting the node certificate enrolled in `home`.
    func tamperingRelay(to port: Int, home: String, _ tampering: TamperingRelay.Tampering, only: UInt64? = nil) throws -> TamperingRelay {
        try TamperingRelay(upstream: ("127.0.0.1", port), certificate: home + "/cert.pem", key: home + "/key.pem",
                           trusted: ca + "/ca-cert.pem", tampering: tampering, only: only)
    }
}
