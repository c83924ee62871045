import CSPCrypto
import Foundation

/// ECDSA P-256 sign and verify per second, one core and all cores, against
/// `openssl speed ecdsap256` (and `-multi N`) run in the same process.
struct ECDSABench {
    let seconds: Double

    func run() throws -> [Row] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let single = try opensslSpeed(multi: 1)
        let multi = cores > 1 ? try opensslSpeed(multi: cores) : single

        let key = try P256PrivateKey.generate()
        let publicKey = try key.publicKey
        let digest = SHA256.hash("a transaction id")
        let signature = try key.signature(forDigest: digest)

        let signRate = try rate { _ = try key.signature(forDigest: digest) }
        let verifyRate = try rate { _ = try publicKey.isValidSignature(signature, digest: digest) }
        let parallelVerify = try parallelRate(threads: cores) { _ = try publicKey.isValidSignature(signature, digest: digest) }
        return [
            Row(scenario: "ECDSA P-256 sign, 1 core", ours: signRate, baselineName: "openssl speed ecdsap256", baseline: single.sign, unit: "/s", target: nil),
            Row(scenario: "ECDSA P-256 verify, 1 core", ours: verifyRate, baselineName: "openssl speed ecdsap256", baseline: single.verify, unit: "/s", target: 0.9),
            Row(scenario: "ECDSA P-256 verify, \(cores) cores", ours: parallelVerify, baselineName: "openssl speed -multi \(cores)", baseline: multi.verify, unit: "/s", target: 0.9),
        ]
    }

    /// Parses the `256 bits ecdsa (nistp256) ... sign/s verify/s` line.
    private func opensslSpeed(multi: Int) throws -> (sign: Double, verify: Double) {
        var arguments = ["speed", "-seconds", String(Int(seconds.rounded(.up)))]
        if multi > 1 { arguments += ["-multi", String(multi)] }
        let output = try shell("openssl", arguments + ["ecdsap256"])
        for line in output.split(separator: "\n") where line.contains("nistp256") {
            let numbers = line.split(separator: " ").compactMap { Double($0) }
            if numbers.count >= 2 { return (numbers[numbers.count - 2], numbers[numbers.count - 1]) }
        }
        throw CocoaError(.coderReadCorrupt)
    }

    private func rate(_ body: () throws -> Void) throws -> Double {
        var count = 0
        let start = now()
        var elapsed = 0.0
        while elapsed < seconds {
            for _ in 0..<100 { try body() }
            count += 100
            elapsed = now() - start
        }
        return Double(count) / elapsed
    }

    private func parallelRate(threads: Int, _ body: @escaping @Sendable () throws -> Void) throws -> Double {
        let counts = Counts(threads)
        let deadline = now() + seconds
        let start = now()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            var local = 0
            while now() < deadline {
                for _ in 0..<100 { try? body() }
                local += 100
            }
            counts.set(thread, local)
        }
        return Double(counts.total) / (now() - start)
    }
}

final class Counts: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int]
    init(_ n: Int) { values = Array(repeating: 0, count: n) }
    func set(_ i: Int, _ v: Int) { lock.lock(); values[i] = v; lock.unlock() }
    var total: Int { lock.lock(); defer { lock.unlock() }; return values.reduce(0, +) }
}
