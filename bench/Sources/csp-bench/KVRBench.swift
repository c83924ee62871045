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
    /// Transactions of the ledger the psql scenario loads.
    var psqlTransactions = 200_000

    func run() throws -> [Row] {
        let directory = scratch + "/kvr-bench"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ledger = directory + "/ledger"
        try buildLedger(ledger, transactions: transactions)
        let kvr = bin + "/csp-kvr"
        let source = ["--channel", "bench", "--ledger", ledger]

        // Into SQLite, timed whole (reading, checking and deriving included). The ledger just
        // built is written out first, so the kernel's writeback of it is not timed with the export.
        sync()
        let db = directory + "/kvr.db"
        let start = now(), startCPU = childrenCPUSeconds()
        let summary = try shell(kvr, ["export"] + source + ["--db", db, "--format", "json"])
        let exportSeconds = now() - start
        // CPU time too: on a shared machine the wall time says as much about the neighbours.
        let exportCPU = childrenCPUSeconds() - startCPU
        guard (try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])?["last_block"] is Int else {
            throw BenchFailure("csp-kvr export did not report its blocks: \(summary)")
        }

        // The same rows as CSV, loaded by sqlite3's own .import (the CSV writing is not timed).
        try shell(kvr, ["export"] + source + ["--format", "csv", "--dir", directory + "/csv"])
        try shell("sqlite3", [directory + "/import.db", ".read " + directory + "/csv/schema.sql"])
        let importStart = now(), importStartCPU = childrenCPUSeconds()
        try shell("/bin/sh", ["-c", "cd '\(directory)/csv' && sqlite3 ../import.db '.read load.sql' '.read indexes.sql'"])
        let importSeconds = now() - importStart
        let importCPU = childrenCPUSeconds() - importStartCPU
        // The rows both targets hold: the CSV files' lines without their headers.
        var rows = 0.0
        for file in try FileManager.default.contentsOfDirectory(atPath: directory + "/csv") where file.hasSuffix(".csv") {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/csv/" + file))
            rows += Double(data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1)
        }

        let lags = try followLags(directory: directory, blocks: 150)
        let p99 = lags.sorted()[Int(Double(lags.count - 1) * 0.99)] * 1000
        let psql = try psqlRows(directory: directory, source: source)
        return psql + [
            Row(scenario: "csp-kvr export into SQLite (\(transactions) tx, \(Int(rows)) rows)", ours: rows / exportSeconds,
                baselineName: "sqlite3 .import of the same rows as CSV", baseline: rows / importSeconds, unit: "rows/s", target: 1.0),
            Row(scenario: "csp-kvr export of a \(transactions)-transaction ledger into SQLite", ours: exportSeconds,
                baselineName: "target", baseline: 15, unit: "s", target: nil, maximum: 15),
            Row(scenario: "csp-kvr export into SQLite, CPU time (both threads) per million rows", ours: exportCPU / rows * 1e6,
                baselineName: "sqlite3 .import of the same rows, CPU time", baseline: importCPU / rows * 1e6, unit: "s", target: nil),
            Row(scenario: "csp-kvr follow: commit → row visible, p99 of \(lags.count) blocks", ours: p99,
                baselineName: "target", baseline: 1000, unit: "ms", target: nil, maximum: 1000),
        ]
    }

    /// SQL text into psql beside psql's own `\copy` of the same rows as CSV, into a private
    /// PostgreSQL server started as the tests start theirs. The first `psqlTransactions`
    /// transactions (whole blocks of 500): PostgreSQL loads far slower than SQLite.
    private func psqlRows(directory: String, source: [String]) throws -> [Row] {
        guard let server = try BenchPostgres.start(directory: directory + "/pg") else {
            print("kvr: PostgreSQL is not installed (make deps): the psql scenario is skipped")
            return []
        }
        defer { server.stop() }
        let kvr = bin + "/csp-kvr"
        let range = ["--to", String(max(1, min(transactions, psqlTransactions) / 500) - 1)]
        try server.psql("CREATE DATABASE kvr_sql; CREATE DATABASE kvr_copy;")
        // Timed: csp-kvr's SQL (DDL, COPY blocks, merges, indexes, views) piped into psql; dd counts the bytes.
        let start = now()
        try shell("/bin/bash", ["-c", "set -o pipefail; '\(kvr)' export \(source.map { "'\($0)'" }.joined(separator: " ")) \(range.joined(separator: " "))"
            + " --format sql --dialect postgres | dd bs=1M iflag=fullblock 2>'\(directory)/dd.log' | \(server.psqlCommand("kvr_sql"))"])
        let sqlSeconds = now() - start
        let ddLog = try String(contentsOfFile: directory + "/dd.log", encoding: .utf8)
        guard let sqlBytes = ddLog.split(separator: "\n").last(where: { $0.contains("bytes") })?.split(separator: " ").first.flatMap({ Double($0) }) else {
            throw BenchFailure("cannot read dd's byte count: \(ddLog)")
        }
        // The same rows as CSV with the PostgreSQL DDL; the tables made untimed, then \copy and the indexes timed.
        let csv = directory + "/pg-csv"
        try shell(kvr, ["export"] + source + range + ["--format", "csv", "--dir", csv, "--dialect", "postgres"])
        try shell("/bin/bash", ["-c", "cd '\(csv)' && \(server.psqlCommand("kvr_copy")) -f schema.sql"])
        let copyStart = now()
        try shell("/bin/bash", ["-c", "cd '\(csv)' && \(server.psqlCommand("kvr_copy")) -f load.sql -f indexes.sql"])
        let copySeconds = now() - copyStart
        var csvBytes = 0.0, rows = 0.0
        for file in try FileManager.default.contentsOfDirectory(atPath: csv) where file.hasSuffix(".csv") {
            let data = try Data(contentsOf: URL(fileURLWithPath: csv + "/" + file))
            csvBytes += Double(data.count)
            rows += Double(data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1)
        }
        let count = try server.psql("SELECT (SELECT count(*) FROM transactions) || '|' || (SELECT count(*) FROM state_history)", database: "kvr_sql")
        let expected = try server.psql("SELECT (SELECT count(*) FROM transactions) || '|' || (SELECT count(*) FROM state_history)", database: "kvr_copy")
        guard count == expected else { throw BenchFailure("psql loads differ: \(count) rows from SQL, \(expected) from CSV") }
        let tx = Int(count.split(separator: "|").first ?? "") ?? 0
        return [
            Row(scenario: "csp-kvr export --format sql --dialect postgres | psql (\(tx) tx, \(Int(rows)) rows), SQL text", ours: sqlBytes / sqlSeconds / 1e6,
                baselineName: "psql \\copy of the same rows as CSV, CSV bytes", baseline: csvBytes / copySeconds / 1e6, unit: "MB/s", target: nil),
            Row(scenario: "csp-kvr export --format sql --dialect postgres | psql (\(tx) tx), rows", ours: rows / sqlSeconds,
                baselineName: "psql \\copy of the same rows as CSV", baseline: rows / copySeconds, unit: "rows/s", target: nil),
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

/// User and system CPU seconds of the child processes waited for so far.
func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// A private PostgreSQL server for the bench, started the way the tests start theirs
/// (Tests/CSPTestSupport/PostgresServer.swift, which needs XCTest): `initdb` into the scratch
/// folder, listening only on a Unix socket there, as the `postgres` user when run as root.
struct BenchPostgres {
    let directory: String
    let binaries: String
    let runAs: String?
    var socket: String { directory + "/socket" }

    static func start(directory: String) throws -> BenchPostgres? {
        let root = "/usr/lib/postgresql"
        guard let version = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
            .first(where: { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/pg_ctl") }) else { return nil }
        let server = BenchPostgres(directory: directory, binaries: "\(root)/\(version)/bin", runAs: getuid() == 0 ? "postgres" : nil)
        try FileManager.default.createDirectory(atPath: server.socket, withIntermediateDirectories: true)
        if let runAs = server.runAs { try shell("chown", ["-R", runAs, directory]) }
        try server.run("initdb -D '\(directory)/data' -U postgres --auth=trust -E UTF8 --no-sync --locale=C")
        // Output to a file, not to shell()'s pipe: the daemon pg_ctl leaves would hold the pipe open.
        try server.run("pg_ctl -D '\(directory)/data' -l '\(directory)/server.log' -w -t 60 -o \"-k \(server.socket) -c listen_addresses='' -c fsync=off\" start")
        return server
    }

    /// Runs a server binary through posix_spawn and waitpid, not Foundation's Process: after
    /// `pg_ctl start` Process never sees `runuser` exit (PostgresServer says the same).
    private func run(_ command: String) throws {
        let line = (runAs.map { "runuser -u \($0) -- " } ?? "") + "\(binaries)/\(command) >>'\(directory)/output.log' 2>&1 </dev/null"
        let words: [String] = ["/bin/bash", "-c", line]
        let argv = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/bash", nil, nil, argv, environ) == 0 else { throw BenchFailure("cannot run \(command)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else { throw BenchFailure("\(command) failed (status \(status)); see \(directory)/output.log") }
    }

    func stop() {
        try? run("pg_ctl -D '\(directory)/data' -m immediate -w stop")
    }

    func psqlCommand(_ database: String) -> String {
        "psql -X -q -v ON_ERROR_STOP=1 -h '\(socket)' -U postgres -d \(database)"
    }

    /// Runs SQL and returns psql's unaligned output, trimmed.
    @discardableResult
    func psql(_ sql: String, database: String = "postgres") throws -> String {
        var result = ""
        for statement in sql.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !statement.isEmpty {
            result = try shell("/bin/bash", ["-c", "\(psqlCommand(database)) -At -c \"\(statement)\""]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return result
    }
}
