import ArgumentParser
import CSPBasics
import CSPCLI
import CSPKVR

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
                also while the node runs, or a running node's blocks through --socket or \
                --node, checking the hash chain and every commit hash either way.
                """)

        @OptionGroup var ledger: LedgerOptions

        @OptionGroup var target: TargetOptions

        func validate() throws {
            try target.validate(following: false)
        }

        func execute() throws -> ExitStatus {
            try reporting {
                // Rules first: a bad mask file is reported before anything is opened.
                var deriver = try target.deriver(channel: ledger.channel)
                let source = try ledger.source()
                let sink = try target.sink()
                let meter = ProgressLine(total: try ProgressLine.wanted ? source.height() : nil)
                let summary = try Exporter(source: source, sink: sink, options: target.options).run(deriver: &deriver) { meter.update($0) }
                meter.finish()
                report(summary, into: sink.target)
                return .success
            }
        }

        private func report(_ summary: Exporter.Summary, into destination: String) {
            guard !target.quiet, target.format == .text || target.format == .json else { return }
            let output = Output(format: target.format == .json ? .json : .text)
            var json: [String: JSONValue] = [
                "channel": .string(summary.channel), "target": .string(destination), "blocks": .int(Int64(summary.blocks)),
                "transactions": .int(Int64(summary.transactions)), "rows": .int(Int64(summary.rows)),
                "seconds": .double((summary.seconds * 1000).rounded() / 1000),
            ]
            json["first_block"] = summary.firstBlock.map { .int(Int64($0)) } ?? .null
            json["last_block"] = summary.lastBlock.map { .int(Int64($0)) } ?? .null
            json["resumed_after"] = summary.resumedAfter.map { .int(Int64($0)) } ?? .null
            let text: String
            if let first = summary.firstBlock, let last = summary.lastBlock {
                text = "exported blocks \(first) to \(last) of channel \(quoted(summary.channel)) into \(quoted(destination)): "
                    + "\(summary.transactions) transactions, \(summary.rows) rows in \(String(format: "%.2f", summary.seconds)) s"
            } else if let resumed = summary.resumedAfter {
                text = "\(quoted(destination)) is up to date: channel \(quoted(summary.channel)) to block \(resumed)"
            } else {
                text = "no blocks to export from channel \(quoted(summary.channel))"
            }
            output.emit(json: json, text: text)
        }
    }
}
