import ArgumentParser
import CSPBasics
import CSPCLI
import CSPKVR
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Dispatch

/// Set by SIGINT and SIGTERM: `follow` finishes the block in hand, commits and exits 0.
private let stopRequested = Atomic<Bool>(false)

extension CSPKVR {
    /// `csp-kvr follow`: the instant mode.
    struct Follow: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Keep a target up to date as blocks commit.",
            discussion: """
                Exports what the target lacks, then each new block as the node commits it \
                (from the block files, looked at every --interval; through --socket or --node \
                the node pushes each block as it commits), one transaction per block with its \
                checkpoint, so a row is visible well within a second of its commit. Survives \
                node restarts (through a socket it reconnects and resumes) and its own: \
                started again, it continues after the target's checkpoint, never skipping or \
                repeating a block. Stops cleanly on SIGINT or SIGTERM, or after --to.
                """)

        @OptionGroup var ledger: LedgerOptions

        @OptionGroup var target: TargetOptions

        @Option(name: .long, help: ArgumentHelp("How often to look for new blocks in the block files, in milliseconds (through a node's socket they are pushed).", valueName: "ms"))
        var interval: Int = 100

        func validate() throws {
            try target.validate(following: true)
            if interval < 1 || interval > 60_000 { throw ValidationError("--interval must be 1 to 60000 milliseconds") }
        }

        func execute() throws -> ExitStatus {
            return try reporting {
                // Rules first: a bad mask file is reported before anything is opened.
                var deriver = try target.deriver(channel: ledger.channel)
                let source = try ledger.source(following: true)
                // Signals through dispatch rather than a handler, so that besides setting the flag
                // they can end a wait on a node's stream at once (a handler may do almost nothing).
                let node = source.provider as? NodeBlocks
                let watchers = [SIGINT, SIGTERM].map { signalNumber in
                    signal(signalNumber, SIG_IGN)
                    let watcher = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                    watcher.setEventHandler {
                        stopRequested.store(true, ordering: .relaxed)
                        node?.interrupt()
                    }
                    watcher.resume()
                    return watcher
                }
                defer { watchers.forEach { $0.cancel() } }
                let sink = try target.sink()
                let output = Output(format: target.format == .json ? .json : .text, quiet: target.quiet || target.format == .sql)
                _ = try Exporter(source: source, sink: sink, options: target.options).follow(
                    deriver: &deriver, interval: Double(interval) / 1000,
                    shouldStop: { stopRequested.load(ordering: .relaxed) }
                ) { checkpoint, rows in
                    output.emit(json: ["channel": .string(checkpoint.channel), "block": .int(Int64(checkpoint.block)),
                                       "hash": .string(checkpoint.hash.hex), "rows": .int(Int64(rows))],
                                text: "channel \(quoted(checkpoint.channel)) block \(checkpoint.block): \(rows) rows")
                    fflush(nil)
                }
                return .success
            }
        }
    }
}
