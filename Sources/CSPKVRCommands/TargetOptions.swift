import ArgumentParser
import CSPCLI
import CSPKVR

/// What `export` writes and how it reports.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    /// Into the SQLite database --db, with a summary line for people.
    case text
    /// Into the SQLite database --db, with a JSON summary for scripts.
    case json
    /// SQL on stdout, for sqlite3, psql or mysql (--dialect).
    case sql
    /// One CSV file per table and the DDL, in --dir.
    case csv
}

/// Where rows go and which blocks: the options `export` and `follow` share.
struct TargetOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite database to write (created if missing).", valueName: "file"),
            completion: .file())
    var db: String?

    @Option(name: .long, help: ArgumentHelp(
        "A PostgreSQL server to write to instead of --db: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB, or postgresql://USER@/DB?host=/socket/dir; TLS with ?sslmode=require|verify-ca|verify-full and sslrootcert=FILE.",
        valueName: "url"))
    var postgres: String?

    @Option(name: .long, help: "text or json: a summary of the export into --db or --postgres; sql: SQL on stdout; csv: files in --dir.")
    var format: ExportFormat = .text

    @Option(name: .long, help: "The SQL dialect of --format sql and of the DDL of --format csv: sqlite, postgres or mysql.")
    var dialect: Dialect = .sqlite

    @Option(name: .long, help: ArgumentHelp("The folder for --format csv (created; must be empty).", valueName: "dir"),
            completion: .directory)
    var dir: String?

    @Option(name: .long, help: ArgumentHelp("First block to export when the target holds no checkpoint.", valueName: "n"))
    var from: UInt64 = 0

    @Option(name: .long, help: ArgumentHelp("Last block to export (default: the last complete block).", valueName: "n"))
    var to: UInt64?

    @Option(name: .long, help: ArgumentHelp("Rows per batch (one transaction with its checkpoint).", valueName: "n"))
    var batchRows: Int = 200_000

    @Flag(name: .long, help: "Include creator and orderer certificates and signatures (left out by default).")
    var includeCertificates = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @OptionGroup var rows: RowOptions

    func validate(following: Bool) throws {
        switch format {
        case .text, .json:
            if db == nil && postgres == nil {
                throw ValidationError("\(following ? "follow" : "export") needs --db FILE, --postgres URL, --format sql or --format csv --dir DIR")
            }
            if db != nil && postgres != nil { throw ValidationError("--db and --postgres cannot be used together") }
            if dir != nil { throw ValidationError("--dir goes with --format csv") }
        case .sql:
            if db != nil || dir != nil || postgres != nil {
                throw ValidationError("--format sql writes to stdout; --db, --postgres and --dir do not apply")
            }
        case .csv:
            if following { throw ValidationError("follow writes to --db or --format sql; CSV files are for export") }
            if dir == nil { throw ValidationError("--format csv needs --dir DIR") }
            if db != nil || postgres != nil { throw ValidationError("--db and --postgres do not go with --format csv") }
        }
        if let to, to < from { throw ValidationError("--to \(to) is before --from \(from)") }
        if batchRows < 1 { throw ValidationError("--batch-rows must be at least 1") }
    }

    func sink() throws -> Sink {
        switch format {
        case .text, .json: return try postgres.map { try PostgresSink(url: $0) } ?? SQLiteSink(path: db!)
        case .sql: return SQLTextSink(dialect: dialect, output: StandardOutput())
        case .csv: return try CSVSink(directory: dir!, dialect: dialect)
        }
    }

    var options: Exporter.Options {
        var options = Exporter.Options()
        options.from = from
        options.to = to
        options.batchRows = batchRows
        return options
    }

    func deriver(channel: String) throws -> RowDeriver {
        try rows.deriver(channel: channel, includeCertificates: includeCertificates)
    }
}
