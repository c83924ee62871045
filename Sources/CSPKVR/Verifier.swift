import CSPBasics
import CSPContracts
import CSPCrypto
import CSPSQLite

/// Checks a target against the ledger: derives every row again from the block files and
/// compares, per block, the number of rows and a digest of them in every table that rows
/// arrive in, and the whole of every current-state table. Names the first block that differs.
public struct Verifier {
    public struct Report: Sendable {
        /// The target as messages name it (a PostgreSQL URL without its password).
        public var target = ""
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
                case var .text(string):
                    // JSON compared in canonical form: PostgreSQL's JSONB spaces and orders keys its own way.
                    if column.type == .json, let parsed = try? CanonicalJSON.parse(Array(string.utf8)) { string = RowDeriver.encode(parsed) }
                    text += "|t\(string.utf8.count):\(string)"
                case let .blob(bytes): text += "|b" + Hex.encode(bytes)
                }
            }
            let digest = SHA256.hash(text).bytes
            count += 1
            sum &+= digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
    }

    public init() {}

    /// Checks the SQLite database at `path`.
    public func verify(database path: String, source: LedgerSource, deriver: RowDeriver? = nil) throws -> Report {
        guard FileIO.exists(path) else { throw KVRError(.failure, "cannot open database \(quoted(path)): no such file") }
        let database: SQLiteDatabase
        do {
            database = try SQLiteDatabase(path: path, readOnly: true)
        } catch let error as SQLiteError {
            throw SQLiteSink.describe(error, path)
        }
        defer { database.close() }
        do {
            return try verify(SQLiteRows(database: database, name: path), source: source, deriver: deriver)
        } catch let error as SQLiteError {
            throw SQLiteSink.describe(error, path)
        }
    }

    /// Checks the PostgreSQL database at `url` (read only: no lock, no DDL).
    public func verify(postgres url: String, source: LedgerSource, deriver: RowDeriver? = nil) throws -> Report {
        let client = try PostgresSession(url: url)
        return try verify(PostgresRows(client: client), source: source, deriver: deriver)
    }

    func verify(_ target: some TargetRows, source: LedgerSource, deriver: RowDeriver?) throws -> Report {
        var report = Report()
        let channel = source.channel
        let path = target.name
        report.target = path
        do {
            guard let checkpoint = try target.checkpoint(channel: channel) else {
                throw KVRError(.refused, "database \(quoted(path)) holds no export of channel \(quoted(channel))")
            }
            let block = Int64(bitPattern: checkpoint.block)
            report.checkpoint = checkpoint
            // What the ledger says, per block and per current-state table.
            var expected: [UInt64: Tally] = [:]
            var current: [String: [[SQLiteValue]: [SQLiteValue]]] = [:]
            var deriver = deriver ?? RowDeriver(channel: channel)
            try source.forEach(from: 0, to: checkpoint.block, after: nil, target: path) { record, blockHash, writes in
                let number = record.block.header.number
                if number == checkpoint.block, blockHash != checkpoint.hash {
                    throw KVRError(.refused, "database \(quoted(path)) holds block \(number) with hash \(checkpoint.hash), but the ledger's block \(number) has hash \(blockHash)")
                }
                var tally = Tally()
                try deriver.derive(record, writes: writes) { change in
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
                try target.forEachRow(table, channel: channel, where: (blockColumn, block)) { values in
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
                try target.forEachRow(table, channel: channel, where: nil) { have.add(table, $0) }
                if want != have {
                    report.difference = "table '\(table.name)' differs: the ledger gives \(want.count) rows up to block \(checkpoint.block), the database holds \(have.count)"
                        + (want.count == have.count ? " with other values" : "")
                    return report
                }
            }
        }
        return report
    }
}

/// What `verify` reads from a target: its checkpoint, and a table's rows of one channel
/// (those with `column <= bound` when given) in the table's column order.
protocol TargetRows {
    var name: String { get }
    func checkpoint(channel: String) throws -> Checkpoint?
    func forEachRow(_ table: Table, channel: String, where bound: (column: String, max: Int64)?, _ body: ([SQLiteValue]) throws -> Void) throws
}

struct SQLiteRows: TargetRows {
    let database: SQLiteDatabase
    let name: String

    func checkpoint(channel: String) throws -> Checkpoint? {
        guard try database.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'kvr_checkpoint'")?.int64Value == 1,
              let row = try database.query("SELECT block, hash, commit_hash FROM kvr_checkpoint WHERE channel = ?", channel).first,
              let block = row[0].int64Value, let hash = row[1].stringValue.flatMap(SHA256Digest.init(hex:)),
              let commit = row[2].stringValue.flatMap(SHA256Digest.init(hex:)) else { return nil }
        return Checkpoint(channel: channel, block: UInt64(block), hash: hash, commitHash: commit)
    }

    func forEachRow(_ table: Table, channel: String, where bound: (column: String, max: Int64)?, _ body: ([SQLiteValue]) throws -> Void) throws {
        var sql = "SELECT * FROM \(Dialect.sqlite.quote(table.name)) WHERE channel = ?"
        var bindings: [SQLiteValue] = [.text(channel)]
        if let bound {
            sql += " AND \(Dialect.sqlite.quote(bound.column)) <= ?"
            bindings.append(.integer(bound.max))
        }
        try database.forEachRow(sql, bindings: bindings) { try body($0.row()) }
    }
}

/// PostgreSQL's rows read as text and turned back into the values the deriver gives:
/// integers and booleans as integers, BYTEA from hex, JSONB as its text (the tally compares
/// JSON in canonical form, so JSONB's own spacing and key order do not matter).
struct PostgresRows: TargetRows {
    let client: PostgresSession
    var name: String { client.target }

    func checkpoint(channel: String) throws -> Checkpoint? {
        let exists = try client.rows("SELECT (to_regclass('kvr_checkpoint') IS NOT NULL)::text", [])
        guard exists.first?.first == "true",
              let row = try client.rows("SELECT block::text, hash, commit_hash FROM kvr_checkpoint WHERE channel = $1", [channel]).first,
              let block = row[0].flatMap(UInt64.init), let hash = row[1].flatMap(SHA256Digest.init(hex:)),
              let commit = row[2].flatMap(SHA256Digest.init(hex:)) else { return nil }
        return Checkpoint(channel: channel, block: block, hash: hash, commitHash: commit)
    }

    func forEachRow(_ table: Table, channel: String, where bound: (column: String, max: Int64)?, _ body: ([SQLiteValue]) throws -> Void) throws {
        let quote = Dialect.postgres.quote
        let columns = table.columns.map { column -> String in
            switch column.type {
            case .blob: return "encode(\(quote(column.name)), 'hex')"
            case .boolean: return "\(quote(column.name))::int::text"
            case .integer, .json: return "\(quote(column.name))::text"
            case .text, .hash: return quote(column.name)
            }
        }
        var sql = "SELECT \(columns.joined(separator: ", ")) FROM \(quote(table.name)) WHERE channel = $1"
        if let bound { sql += " AND \(quote(bound.column)) <= \(bound.max)" }
        let types = table.columns.map(\.type)
        try client.forEachRow(sql, [channel]) { texts in
            try body(zip(types, texts).map { type, text in
                guard let text else { return .null }
                switch type {
                case .integer, .boolean: return Int64(text).map(SQLiteValue.integer) ?? .text(text)
                case .blob: return Hex.decode(text).map(SQLiteValue.blob) ?? .text(text)
                case .text, .hash, .json: return .text(text)
                }
            })
        }
    }
}
