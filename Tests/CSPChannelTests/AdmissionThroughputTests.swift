import CSPChannel
import CSPCrypto
import CSPFormat
import Foundation
import XCTest

/// Measures `admit` the way the node uses it: many transactions of a few hundred
/// creators, spread over every core. Prints the rates; fails only if admission is
/// slower than a tenth of what one core's signature checks allow, which would mean the
/// caches stopped working. Run in release for real numbers:
/// `swift test -c release --filter AdmissionThroughputTests`.
final class AdmissionThroughputTests: XCTestCase {
    func testAdmitThroughput() throws {
        let channel = try TestChannel()
        let count = Int(ProcessInfo.processInfo.environment["CSP_ADMIT_COUNT"] ?? "") ?? 6000
        let creators = try (0..<200).map { try channel.acme.member("user-\($0)", role: "customer") }
        let transactions = try (0..<count).map { index in
            try creators[index % creators.count].transaction("kv", "put", ["key": "k\(index)", "value": "v"])
        }

        // The floor: raw signature checks on one thread.
        let key = try channel.alice.key.publicKey
        let sample = try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"])
        let verifyStart = Date()
        for _ in 0..<count { _ = try key.isValidSignature(sample.signature, digest: sample.id) }
        let verifyRate = Double(count) / Date().timeIntervalSince(verifyStart)
        let threads = ProcessInfo.processInfo.activeProcessorCount
        let parallelVerifyStart = Date()
        DispatchQueue.concurrentPerform(iterations: threads) { part in
            for _ in stride(from: part, to: count, by: threads) { _ = try? key.isValidSignature(sample.signature, digest: sample.id) }
        }
        let parallelVerifyRate = Double(count) / Date().timeIntervalSince(parallelVerifyStart)

        // Cold: a fresh rules object parses and verifies each creator once.
        let rules = try ChannelRules(config: channel.config)
        let coldStart = Date()
        for transaction in transactions { precondition(rules.admit(transaction, now: referenceNow).validation == .valid) }
        let coldRate = Double(count) / Date().timeIntervalSince(coldStart)

        // Warm, one thread.
        let warmStart = Date()
        for transaction in transactions { precondition(rules.admit(transaction, now: referenceNow).validation == .valid) }
        let warmRate = Double(count) / Date().timeIntervalSince(warmStart)

        // Warm, every core, as the node spreads a block's admission.
        let parallelStart = Date()
        DispatchQueue.concurrentPerform(iterations: threads) { part in
            for index in stride(from: part, to: transactions.count, by: threads) {
                precondition(rules.admit(transactions[index], now: referenceNow).validation == .valid)
            }
        }
        let parallelRate = Double(count) / Date().timeIntervalSince(parallelStart)

        func rate(_ value: Double) -> String { String(format: "%.0f/s", value) }
        print("admit throughput (\(count) transactions, \(creators.count) creators): ECDSA verify alone \(rate(verifyRate)) on 1 thread, "
              + "\(rate(parallelVerifyRate)) on \(threads) threads; "
              + "admit cold \(rate(coldRate)), warm \(rate(warmRate)) on 1 thread, warm \(rate(parallelRate)) on \(threads) threads")
        XCTAssertGreaterThan(warmRate, verifyRate / 10)
    }
}
