import CSPContracts
import CSPCrypto
import CSPFormat
import Foundation

/// Feeds a sink from a ledger: resumes after the target's checkpoint (checked against the
/// ledger first), derives each block's rows and ends each batch with its checkpoint.
public struct Exporter {
    public struct Options: Sendable {
        /// First block to export when the target holds no checkpoint.
        public var from: UInt64 = 0
        /// Last block to export (inclusive); nil: up to the last complete block.
        public var to: UInt64?
        /// A batch ends after the block that brings it to this many rows.
        public var batchRows = 200_000
        public var includeCertificates = false

        public init() {}
    }

    /// Where an export stands, for a progress line.
    public struct Progress: Sendable {
        public var blocks: UInt64
        public var rows: UInt64
        public var lastBlock: UInt64
        public var seconds: Double
    }

    public struct Summary: Sendable {
        public var channel: String
        public var blocks: UInt64 = 0
        public var transactions: UInt64 = 0
        public var rows: UInt64 = 0
        public var firstBlock: UInt64?
        public var lastBlock: UInt64?
        /// The checkpoint the target held before (nil: a new target).
        public var resumedAfter: UInt64?
        public var seconds: Double = 0
    }

    public let source: LedgerSource
    public let sink: Sink
    public var options: Options
    public init(source: LedgerSource, sink: Sink, options: Options) {
        self.source = source
        self.sink = sink
        self.options = options
    }

    /// Runs one export. `progress` is called after each block.
    public func run(deriver: inout RowDeriver, progress: ((Progress) -> Void)? = nil) throws -> Summary {
        let started = Date()
        var summary = Summary(channel: source.channel)
        do {
            var checkpoint = try begin(&deriver, &summary)
            try pass(&checkpoint, &deriver, &summary, started: started, progress: progress)
            try sink.finish(catalog: deriver.catalog)
        } catch {
            sink.abandon()
            throw error
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// The instant mode: exports what is there, then each block as it appears (block files
    /// looked at every `interval` seconds; a node's socket pushes), one batch per block once
    /// caught up, until `shouldStop` says so. A node restart only pauses the blocks; nothing
    /// is skipped or repeated because every pass starts from the checkpoint just committed.
    public func follow(deriver: inout RowDeriver, interval: Double, shouldStop: () -> Bool,
                       onCommit: ((Checkpoint, UInt64) -> Void)? = nil) throws -> Summary {
        let started = Date()
        var summary = Summary(channel: source.channel)
        do {
            var checkpoint = try begin(&deriver, &summary)
            var caughtUp = false
            while !shouldStop() {
                let before = summary.rows
                let committed = try pass(&checkpoint, &deriver, &summary, started: started, perBlock: caughtUp, progress: nil)
                if let committed { onCommit?(committed, summary.rows - before) }
                if !caughtUp {
                    // Indexes once the backlog is in; from now on SQLite maintains them per row.
                    try sink.finish(catalog: deriver.catalog)
                    caughtUp = true
                }
                if let to = options.to, let checkpoint, checkpoint.block >= to { break }
                if committed == nil, !shouldStop() {
                    try source.waitForBlocks(from: checkpoint.map { $0.block + 1 } ?? options.from, interval: interval)
                }
            }
        } catch {
            sink.abandon()
            throw error
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Creates the tables, reads the target's checkpoint and learns the definitions before it.
    private func begin(_ deriver: inout RowDeriver, _ summary: inout Summary) throws -> Checkpoint? {
        let checkpoint = try sink.prepare(channel: source.channel, tables: deriver.tables)
        summary.resumedAfter = checkpoint?.block
        try seedCatalog(&deriver, start: checkpoint.map { $0.block + 1 } ?? options.from)
        return checkpoint
    }

    /// Exports the blocks after `checkpoint` that are on disk now, committing a batch
    /// whenever it reaches `batchRows` (or after every block with `perBlock`); returns the
    /// last checkpoint committed, nil when there was nothing new.
    @discardableResult
    private func pass(_ checkpoint: inout Checkpoint?, _ deriver: inout RowDeriver, _ summary: inout Summary, started: Date,
                      perBlock: Bool = false, progress: ((Progress) -> Void)?) throws -> Checkpoint? {
        // Two stages on two cores: a reader thread decodes, checks and derives blocks; this
        // thread writes them. Only this thread touches the sink, so batches and checkpoints
        // are exactly as with one thread.
        let pipe = BlockPipe(capacity: 16)
        let work = Unchecked((source: source, deriver: deriver, from: options.from, to: options.to, after: checkpoint, target: sink.target))
        let reader = Thread {
            do {
                try work.value.source.forEach(from: work.value.from, to: work.value.to, after: work.value.after,
                                              target: work.value.target) { record, hash, writes in
                    let rows = work.value.deriver.derive(record, writes: writes)
                    let header = record.block.header
                    return pipe.put(.block(DerivedBlock(number: header.number, hash: hash, commitHash: header.commitHash,
                                                        transactions: record.block.transactions.count, rows: rows)))
                }
                _ = pipe.put(.end)
            } catch {
                _ = pipe.put(.failed(Unchecked(error)))
            }
            pipe.finish()
        }
        reader.stackSize = 8 << 20
        reader.start()
        defer {
            pipe.cancel()
            pipe.waitUntilFinished()
            deriver = work.value.deriver
        }
        var batchRows = 0
        var pending: Checkpoint?
        var committed: Checkpoint?
        reading: while true {
            switch pipe.take() {
            case let .block(block):
                let count = block.rows.entries.count
                try sink.apply(block.rows)
                summary.blocks += 1
                summary.transactions += UInt64(block.transactions)
                summary.rows += UInt64(count)
                summary.firstBlock = summary.firstBlock ?? block.number
                summary.lastBlock = block.number
                batchRows += count
                pending = Checkpoint(channel: source.channel, block: block.number, hash: block.hash, commitHash: block.commitHash)
                if perBlock || batchRows >= options.batchRows, let ready = pending {
                    try sink.commit(ready)
                    committed = ready
                    batchRows = 0
                    pending = nil
                }
                progress?(Progress(blocks: summary.blocks, rows: summary.rows, lastBlock: block.number, seconds: Date().timeIntervalSince(started)))
            case .end:
                break reading
            case let .failed(error):
                throw error.value
            }
        }
        if let pending {
            try sink.commit(pending)
            committed = pending
        }
        if let committed { checkpoint = committed }
        return committed
    }

    /// The definitions written before the first exported block, so the views of a resumed
    /// export know every version's fields: from the target when it can say, else from the
    /// ledger's earlier blocks.
    private func seedCatalog(_ deriver: inout RowDeriver, start: UInt64) throws {
        guard start > 0 else { return }
        if let stored = try sink.storedDefinitions(channel: source.channel) {
            var catalog = deriver.catalog
            for definition in stored { catalog.add(definition) }
            deriver = RowDeriver(channel: deriver.channel, includeCertificates: deriver.includeCertificates, catalog: catalog,
                                 transform: deriver.transform, mapping: deriver.mapping)
            return
        }
        try source.forEach(from: 0, to: start - 1, after: nil, target: sink.target) { record, _ in
            deriver.learnDefinitions(from: record)
            return true
        }
    }
}
