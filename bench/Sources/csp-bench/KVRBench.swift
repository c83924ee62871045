import CSPCrypto
import CSPFormat
import CSPLedger
import CSPSQLite
import Foundation

/// csp-kvr's numbers (issue 8): rows per second exported into SQLite beside `sqlite3
/// .import` of the same rows as CSV in the same run, the wall time of exporting a
/// `transactions`-transaction ledger, and follow mode's lag from a block's commit to its
/// checkpoint row being visible in the target (p99).
struct KVRBench {
    let bin: String
    let scratch: String
    let transactions: Int

    func run() throws -> [Row] {
        let directory = scratch + "/kvr-bench"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ledger = directory + "/ledger"
        try buildLedger(ledger, transactions: transactions)
        let kvr = bin + "/csp-kvr"
        let source = ["--channel", "bench", "--ledger", ledger]

        // Into SQLite, timed whole (reading, checking and deriving included).
        let db = directory + "/kvr.db"
        let start = now()
        let summary = try shell(kvr, ["export"] + source + ["--db", db, "--format", "json"])
        let exportSeconds = now() - start
        guard (try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])?["last_block"] is Int else {
            throw BenchFailure("csp-kvr export did not report its blocks: \(summary)")
        }

        // The same rows as CSV, loaded by sqlite3's own .import (the CSV writing is not timed).
        try shell(kvr, ["export"] + source + ["--format", "csv", "--dir", directory + "/csv"])
        try shell("sqlite3", [directory + "/import.db", ".read " + directory + "/csv/schema.sql"])
        let importStart = now()
        try shell("/bin/sh", ["-c", "cd '\(directory)/csv' && sqlite3 ../import.db '.read load.sql' '.read indexes.sql'"])
        let importSeconds = now() - importStart
        // The rows both targets hold: the CSV files' lines without their headers.
        var rows = 0.0
        for file in try FileManager.default.contentsOfDirectory(atPath: directory + "/csv") where file.hasSuffix(".csv") {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/csv/" + file))
            rows += Double(data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1)
        }

        let lags = try followLags(directory: directory, blocks: 150)
        let p99 = lags.sorted()[Int(Double(lags.count - 1) * 0.99)] * 1000
        return [
            Row(scenario: "csp-kvr export into SQLite (\(transactions) tx, \(Int(rows)) rows)", ours: rows / exportSeconds,
                baselineName: "sqlite3 .import of the same rows as CSV", baseline: rows / importSeconds, unit: "rows/s", target: 1.0),
            Row(scenario: "csp-kvr export of a \(transactions)-transaction ledger into SQLite", ours: exportSeconds,
                baselineName: "target", baseline: 15, unit: "s", target: nil, maximum: 15),
            Row(scenario: "csp-kvr follow: commit → row visible, p99 of \(lags.count) blocks", ours: p99,
                baselineName: "target", baseline: 1000, unit: "ms", target: nil, maximum: 1000),
        ]
    }

    /// Blocks of 500 transactions, each writing two keys (the node bench's shape), committed
    /// through LedgerStore as a node does. Signatures are placeholders: the block files and
    /// csp-kvr do not check them (csp-node check does).
    private func buildLedger(_ directory: String, transactions: Int) throws {
        let store = try LedgerStore(directory: directory + "/channels/bench", channel: "bench", options: .init())
        defer { store.close() }
        let certificate = [UInt8](repeating: 0x30, count: 600)
        var previous = SHA256Digest.zero
        var previousCommit = SHA256Digest.zero
        var written = 0
        var number: UInt64 = 0
        while written < transactions {
            let count = min(500, transactions - written)
            var entries: [Transaction] = []
            var effects: [TransactionEffects] = []
            for i in 0..<count {
                let n = written + i
                let body = try TransactionBody(channel: "bench", timestamp: 1_764_028_800_000 + UInt64(n), nonce: Array(String(n).utf8),
                                               creator: certificate, contract: "kv", function: "put",
                                               arguments: [TransactionArgument(name: "key", text: "k\(n)"),
                                                           TransactionArgument(name: "value", text: "value of \(n)")])
                entries.append(Transaction(body: body, signature: [UInt8](repeating: 1, count: 70)))
                effects.append(TransactionEffects(writes: [StateWrite(key: Array("kv/k\(n)".utf8), value: Array("value of \(n)".utf8)),
                                                           StateWrite(key: Array("kv/last".utf8), value: Array(String(n).utf8))],
                                                  accounts: ["Bench/user\(n % 100)"]))
            }
            var header = BlockHeader(channel: "bench", number: number, previousHash: previous, merkleRoot: Block.merkleRoot(of: entries),
                                     commitHash: .zero, timestamp: 1_764_028_800_000 + number * 1000, orderer: certificate,
                                     transactionCount: UInt32(count))
            let validations = [Validation](repeating: .valid, count: count)
            let draft = CommittedBlock(block: Block(header: header, signature: [], transactions: entries, validations: validations), effects: effects)
            header.commitHash = try draft.commitHash(previous: previousCommit)
            try store.commit(CommittedBlock(block: Block(header: header, signature: [1], transactions: entries, validations: validations),
                                            effects: effects))
            previous = header.hash
            previousCommit = header.commitHash
            written += count
            number += 1
        }
    }

    /// Starts `csp-kvr follow` on a fresh ledger, commits `blocks` blocks of 50 transactions
    /// 20 ms apart, and measures for each the time from `commit` returning to its checkpoint
    /// row being visible in the target.
    private func followLags(directory: String, blocks: Int) throws -> [Double] {
        let ledger = directory + "/follow-ledger"
        try buildLedger(ledger, transactions: 1)
        let db = directory + "/follow.db"
        let follow = Process()
        follow.executableURL = URL(fileURLWithPath: bin + "/csp-kvr")
        follow.arguments = ["follow", "--channel", "bench", "--ledger", ledger, "--db", db]
        follow.standardOutput = FileHandle.nullDevice
        follow.standardError = FileHandle.nullDevice
        try follow.run()
        defer { follow.terminate(); follow.waitUntilExit() }
        func visibleBlock() -> Int64? {
            guard let database = try? SQLiteDatabase(path: db, readOnly: true) else { return nil }
            defer { database.close() }
            return (try? database.scalar("SELECT block FROM kvr_checkpoint"))??.int64Value
        }
        while visibleBlock() != 0 { usleep(10_000) }
        let store = try LedgerStore(directory: ledger + "/channels/bench", channel: "bench", options: .init())
        defer { store.close() }
        var lags: [Double] = []
        let certificate = [UInt8](repeating: 0x30, count: 600)
        for _ in 0..<blocks {
            let number = store.height
            var entries: [Transaction] = []
            var effects: [TransactionEffects] = []
            for i in 0..<50 {
                let body = try TransactionBody(channel: "bench", timestamp: 1_764_028_900_000 + number * 100 + UInt64(i), nonce: [UInt8(i)],
                                               creator: certificate, contract: "kv", function: "put", arguments: [])
                entries.append(Transaction(body: body, signature: [1]))
                effects.append(TransactionEffects(writes: [StateWrite(key: Array("kv/f\(number)/\(i)".utf8), value: [0x31])]))
            }
            let validations = [Validation](repeating: .valid, count: 50)
            var header = BlockHeader(channel: "bench", number: number, previousHash: store.lastBlockHash ?? .zero, merkleRoot: Block.merkleRoot(of: entries),
                                     commitHash: .zero, timestamp: 1_764_028_900_000 + number * 1000, orderer: certificate, transactionCount: 50)
            let draft = CommittedBlock(block: Block(header: header, signature: [], transactions: entries, validations: validations), effects: effects)
            header.commitHash = try draft.commitHash(previous: store.lastCommitHash)
            try store.commit(CommittedBlock(block: Block(header: header, signature: [1], transactions: entries, validations: validations),
                                            effects: effects))
            let committed = now()
            while (visibleBlock() ?? -1) < Int64(number) {
                usleep(1_000)
                if now() - committed > 10 { throw BenchFailure("follow did not show block \(number) within 10 s") }
            }
            lags.append(now() - committed)
            usleep(20_000)
        }
        return lags
    }
}
