import ArgumentParser
import CSPBasics
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

extension CSPKVR {
    /// `csp-kvr export`: the batch mode.
    struct Export: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Export a channel's blocks as relational rows.",
            discussion: """
                Into an SQLite database (--db), as SQL on stdout (--format sql --dialect \
                sqlite|postgres|mysql) or as CSV files with their DDL (--format csv --dir). \
                The target keeps a checkpoint (channel, last block, hash) written with each \
                batch: run it again to continue where it stopped, with no duplicates and no \
                gaps; a target made from another ledger is refused. Reads the block files, \
                also while the node runs.
                """)

        @OptionGroup var ledger: LedgerOptions

        @Option(name: .long, help: ArgumentHelp("The SQLite database to write (created if missing).", valueName: "file"),
                completion: .file())
        var db: String?

        @Option(name: .long, help: "text or json: a summary of the export into --db; sql: SQL on stdout; csv: files in --dir.")
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

        func validate() throws {
            switch format {
            case .text, .json:
                if db == nil { throw ValidationError("export needs --db FILE, --format sql or --format csv --dir DIR") }
                if dir != nil { throw ValidationError("--dir goes with --format csv") }
            case .sql:
                if db != nil || dir != nil { throw ValidationError("--format sql writes to stdout; --db and --dir do not apply") }
            case .csv:
                if dir == nil { throw ValidationError("--format csv needs --dir DIR") }
                if db != nil { throw ValidationError("--db does not go with --format csv") }
            }
            if let to, to < from { throw ValidationError("--to \(to) is before --from \(from)") }
            if batchRows < 1 { throw ValidationError("--batch-rows must be at least 1") }
        }

        func execute() throws -> ExitStatus {
            try reporting {
                let source = try ledger.source()
                let sink: Sink
                switch format {
                case .text, .json: sink = try SQLiteSink(path: db!)
                case .sql: sink = SQLTextSink(dialect: dialect, output: StandardOutput())
                case .csv: sink = try CSVSink(directory: dir!, dialect: dialect)
                }
                var options = Exporter.Options()
                options.from = from
                options.to = to
                options.batchRows = batchRows
                var deriver = RowDeriver(channel: ledger.channel, includeCertificates: includeCertificates)
                let meter = ProgressLine(total: try ProgressLine.wanted ? source.height() : nil)
                let summary = try Exporter(source: source, sink: sink, options: options).run(deriver: &deriver) { meter.update($0) }
                meter.finish()
                report(summary, target: sink.target)
                return .success
            }
        }

        private func report(_ summary: Exporter.Summary, target: String) {
            guard !quiet, format == .text || format == .json else { return }
            let output = Output(format: format == .json ? .json : .text)
            var json: [String: JSONValue] = [
                "channel": .string(summary.channel), "target": .string(target), "blocks": .int(Int64(summary.blocks)),
                "transactions": .int(Int64(summary.transactions)), "rows": .int(Int64(summary.rows)),
                "seconds": .double((summary.seconds * 1000).rounded() / 1000),
            ]
            json["first_block"] = summary.firstBlock.map { .int(Int64($0)) } ?? .null
            json["last_block"] = summary.lastBlock.map { .int(Int64($0)) } ?? .null
            json["resumed_after"] = summary.resumedAfter.map { .int(Int64($0)) } ?? .null
            let text: String
            if let first = summary.firstBlock, let last = summary.lastBlock {
                text = "exported blocks \(first) to \(last) of channel \(quoted(summary.channel)) into \(quoted(target)): "
                    + "\(summary.transactions) transactions, \(summary.rows) rows in \(String(format: "%.2f", summary.seconds)) s"
            } else if let resumed = summary.resumedAfter {
                text = "\(quoted(target)) is up to date: channel \(quoted(summary.channel)) to block \(resumed)"
            } else {
                text = "no blocks to export from channel \(quoted(summary.channel))"
            }
            output.emit(json: json, text: text)
        }
    }
}
