import CSPBasics
import CSPCrypto
import CSPSQLite

/// Checks a target against the ledger: derives every row again from the block files and
/// compares, per block, the number of rows and a digest of them in every table that rows
/// arrive in, and the whole of every current-state table. Names the first block that differs.
public struct Verifier {
    public struct Report: Sendable {
        public var checkpoint: Checkpoint?
        public var blocks: UInt64 = 0
        public var rows: UInt64 = 0
        /// The first difference, in words; nil when the target agrees with the ledger.
        public var difference: String?
    }

    /// Columns left out of the comparison: certificates and signatures are optional.
    static let optionalColumns: Set<String> = ["orderer_certificate", "signature", "creator_certificate"]

    /// An order-independent digest of rows: their count and the sum of each row's hash.
    struct Tally: Equatable {
        var count: UInt64 = 0
        var sum: UInt64 = 0
        mutating func add(_ table: Table, _ values: [SQLiteValue]) {
            var text = table.name
            for (column, value) in zip(table.columns, values) where !Verifier.optionalColumns.contains(column.name) {
                switch value {
                case .null: text += "|n"
                case let .integer(number): text += "|i\(number)"
                case let .real(number): text += "|r\(number)"
                case let .text(string): text += "|t\(string.utf8.count):\(string)"
                case let .blob(bytes): text += "|b" + Hex.encode(bytes)
                }
            }
            let digest = SHA256.hash(text).bytes
            count += 1
            sum &+= digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
    }

    public init() {}

    public func verify(database path: String, source: LedgerSource, deriver: RowDeriver? = nil) throws -> Report {
        guard FileIO.exists(path) else { throw KVRError(.failure, "cannot open database \(quoted(path)): no such file") }
        let database: SQLiteDatabase
        do {
            database = try SQLiteDatabase(path: path, readOnly: true)
        } catch let error as SQLiteError {
            throw SQLiteSink.describe(error, path)
        }
        defer { database.close() }
        var report = Report()
        let channel = source.channel
        do {
            guard try database.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'kvr_checkpoint'")?.int64Value == 1,
                  let row = try database.query("SELECT block, hash, commit_hash FROM kvr_checkpoint WHERE channel = ?", channel).first,
                  let block = row[0].int64Value, let hash = row[1].stringValue.flatMap(SHA256Digest.init(hex:)),
                  let commit = row[2].stringValue.flatMap(SHA256Digest.init(hex:)) else {
                throw KVRError(.refused, "database \(quoted(path)) holds no export of channel \(quoted(channel))")
            }
            let checkpoint = Checkpoint(channel: channel, block: UInt64(block), hash: hash, commitHash: commit)
            report.checkpoint = checkpoint
            // What the ledger says, per block and per current-state table.
            var expected: [UInt64: Tally] = [:]
            var current: [String: [[SQLiteValue]: [SQLiteValue]]] = [:]
            var deriver = deriver ?? RowDeriver(channel: channel)
            try source.forEach(from: 0, to: checkpoint.block, after: nil, target: path) { record, blockHash in
                let number = record.block.header.number
                if number == checkpoint.block, blockHash != checkpoint.hash {
                    throw KVRError(.refused, "database \(quoted(path)) holds block \(number) with hash \(checkpoint.hash), but the ledger's block \(number) has hash \(blockHash)")
                }
                var tally = Tally()
                try deriver.derive(record) { change in
                    switch change {
                    case let .upsert(table, values) where table.isCurrentState:
                        current[table.name, default: [:]][table.keyPositions.map { values[$0] }] = values
                    case let .upsert(table, values):
                        tally.add(table, values)
                    case let .delete(table, key):
                        current[table.name, default: [:]][key] = nil
                    case .view:
                        break
                    }
                }
                expected[number] = tally
                report.blocks += 1
                report.rows += tally.count
                return true
            }
            guard report.blocks == checkpoint.block + 1 else {
                throw KVRError(.refused, "database \(quoted(path)) holds channel \(quoted(channel)) up to block \(checkpoint.block), but the ledger holds \(report.blocks) blocks")
            }
            // What the target holds.
            var found: [UInt64: Tally] = [:]
            for table in deriver.tables where !table.isCurrentState {
                let blockColumn = table.name == "blocks" ? "number" : "block"
                let index = table.columns.firstIndex { $0.name == blockColumn }!
                try database.forEachRow("SELECT * FROM \(Dialect.sqlite.quote(table.name)) WHERE channel = ? AND \(blockColumn) <= ?",
                                        bindings: [.text(channel), .integer(block)]) { statement in
                    let values = statement.row()
                    found[UInt64(values[index].int64Value ?? -1), default: Tally()].add(table, values)
                }
            }
            for number in 0...checkpoint.block where expected[number] != found[number] {
                let want = expected[number] ?? Tally(), have = found[number] ?? Tally()
                report.difference = "block \(number) differs: the ledger gives \(want.count) rows, the database holds \(have.count)"
                    + (want.count == have.count ? " with other values" : "")
                return report
            }
            for table in deriver.tables where table.isCurrentState && table.name != Tables.checkpoint.name {
                var want = Tally(), have = Tally()
                for values in (current[table.name] ?? [:]).values { want.add(table, values) }
                try database.forEachRow("SELECT * FROM \(Dialect.sqlite.quote(table.name)) WHERE channel = ?", bindings: [.text(channel)]) {
                    have.add(table, $0.row())
                }
                if want != have {
                    report.difference = "table '\(table.name)' differs: the ledger gives \(want.count) rows up to block \(checkpoint.block), the database holds \(have.count)"
                        + (want.count == have.count ? " with other values" : "")
                    return report
                }
            }
        } catch let error as SQLiteError {
            throw SQLiteSink.describe(error, path)
        }
        return report
    }
}
