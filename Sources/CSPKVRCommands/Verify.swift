import ArgumentParser
import CSPBasics
import CSPCLI
import CSPKVR

extension CSPKVR {
    /// `csp-kvr verify`: does a target still say what the ledger says?
    struct Verify: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Check an SQLite or PostgreSQL target against the ledger.",
            discussion: """
                Derives every row again from the block files (or a node's, --socket) up to the target's checkpoint and \
                compares row counts and a digest per block (blocks, transactions, events, \
                history, transitions, milestones, account_transactions) and of every \
                current-state table; names the first block or table that differs. A masked \
                export is checked with the same --mask and --mask-key. Reads the target \
                only (--db or --postgres). Exit 0 when the target agrees, 1 when it differs \
                or was made from another ledger, 2 when it cannot be read.
                """)

        @OptionGroup var ledger: LedgerOptions

        @Option(name: .long, help: ArgumentHelp("The SQLite database to check.", valueName: "file"), completion: .file())
        var db: String?

        @Option(name: .long, help: ArgumentHelp("The PostgreSQL database to check instead of --db (a URL as export takes).",
                                                valueName: "url"))
        var postgres: String?

        @Option(name: .long, help: "Output format: json (one object) or text.")
        var format: OutputFormat = .text

        @Flag(name: .shortAndLong, help: "Print nothing but errors.")
        var quiet = false

        @OptionGroup var rows: RowOptions

        func validate() throws {
            if (db == nil) == (postgres == nil) { throw ValidationError("verify needs one target: --db FILE or --postgres URL") }
        }

        func execute() throws -> ExitStatus {
            let report = try reporting {
                let deriver = try rows.deriver(channel: ledger.channel)
                let source = try ledger.source()
                if let postgres { return try Verifier().verify(postgres: postgres, source: source, deriver: deriver) }
                return try Verifier().verify(database: db!, source: source, deriver: deriver)
            }
            let name = report.target
            let output = Output(format: format, quiet: quiet)
            let last = report.checkpoint.map { Int64($0.block) } ?? -1
            if let difference = report.difference {
                if format == .json {
                    output.emit(json: ["ok": false, "channel": .string(ledger.channel), "difference": .string(difference), "checkpoint": .int(last)], text: "")
                } else {
                    Diagnostics.error("\(quoted(name)) does not match the ledger: \(difference)")
                }
                return .no
            }
            output.emit(json: ["ok": true, "channel": .string(ledger.channel), "blocks": .int(Int64(report.blocks)),
                               "rows": .int(Int64(report.rows)), "checkpoint": .int(last)],
                        text: "\(quoted(name)) matches the ledger: channel \(quoted(ledger.channel)), blocks 0 to \(last), \(report.rows) rows")
            return .success
        }
    }
}
