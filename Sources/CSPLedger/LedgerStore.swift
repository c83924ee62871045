import CSPBasics
import CSPCrypto
import CSPFormat
import CSPKeyValue

/// The durable storage of one channel (docs/STORAGE.md): the append-only block files in
/// `<directory>/blocks` and a LevelDB index and world state in `<directory>/index`.
///
/// A commit appends the block (fdatasync) and then writes all its index entries and the
/// new savepoint in one synced LevelDB batch. The block files are the truth; the index
/// can always be rebuilt from them, so a crash between the two steps is repaired at the
/// next open by re-applying the blocks past the savepoint. Opening also re-verifies every
/// stored block (checksums, encoding, Merkle roots, hash chain, commit-hash chain), so a
/// block file altered on disk stops the node instead of being served.
///
/// One writer (the node's commit thread) and any number of reader threads. LevelDB is
/// safe for that on its own; the height and last hashes are guarded by a lock, and
/// commits are serialised by another so readers never wait for an fsync.
public final class LedgerStore: @unchecked Sendable {
    /// Settings fixed at open.
    public struct Options: Sendable {
        /// Create the ledger directory when it does not exist; false makes a mistyped path an error.
        public var create: Bool
        /// Passed to `BlockStore`: a new block file starts before one would pass this size.
        public var fileSizeLimit: UInt64
        /// LevelDB's block cache for the index and state.
        public var indexCacheBytes: Int
        /// LevelDB's memtable. A block of 500 transactions adds about 250 KB of index
        /// entries; 16 MiB (rather than LevelDB's 4) means fewer flushes and compactions
        /// competing with commits, measured about 20% faster on two cores.
        public var indexWriteBufferBytes: Int
        /// False for a rebuild: with the index (and its savepoint) set aside, nothing says
        /// which blocks were committed, so damage at the tail is refused, never truncated.
        var truncatesTornTail = true

        public init(create: Bool = true, fileSizeLimit: UInt64 = 64 << 20, indexCacheBytes: Int = 8 << 20,
                    indexWriteBufferBytes: Int = 16 << 20) {
            self.create = create
            self.fileSizeLimit = fileSizeLimit
            self.indexCacheBytes = indexCacheBytes
            self.indexWriteBufferBytes = indexWriteBufferBytes
        }
    }

    public let directory: String
    public let channel: String
    /// What the open found and repaired.
    public let recovery: RecoveryReport

    private let blocks: BlockStore
    private let index: LevelDB
    private let indexPath: String

    /// Guards the fields below; held only for memory access.
    private let lock = Lock()
    private var chain: ChainVerifier
    private var closed = false
    /// Set when a block reached the files but its index batch failed: the index now lags
    /// the files, which only the replay at the next open repairs, so commits stop.
    private var failure: LedgerError?
    /// Serialises commits and close.
    private let commitLock = Lock()
    /// The last few blocks decoded for queries, newest use first. Decoding a block of 500
    /// transactions costs milliseconds, and clients mostly ask about recent transactions,
    /// often several of one block (a page of an account's history, a client polling for
    /// its submission). Blocks never change, so a cached copy is never stale. Guarded by `lock`.
    private var decodedBlocks: [(number: UInt64, record: CommittedBlock)] = []
    private static let decodedBlockLimit = 4

    public convenience init(directory: String, channel: String) throws {
        try self.init(directory: directory, channel: channel, options: Options())
    }

    /// Opens the ledger of `channel` in `directory`: opens the index, scans and verifies
    /// the block files (truncating a torn tail), re-applies blocks the index lacks.
    ///
    /// `inspect` sees every stored block in order, after the ledger's own checks and
    /// before a block past the savepoint is re-applied to the index: the node verifies
    /// signatures and re-executes there (the ledger knows no rules), and derives the
    /// configuration in force from the blocks. An error it throws stops the open as a
    /// corrupt block, naming the block, file and offset; nothing is re-applied.
    public init(directory: String, channel: String, options: Options,
                inspect: ((OpeningBlock) throws -> Void)? = nil) throws {
        guard !channel.isEmpty, channel.utf8.count <= FormatLimits.name else {
            throw LedgerError(.invalidArgument, "invalid channel name \(quoted(channel)): must be 1 to \(FormatLimits.name) bytes")
        }
        if !FileIO.exists(directory) {
            guard options.create else { throw LedgerError(.unavailable, "ledger directory \(quoted(directory)) does not exist") }
            do {
                try FileIO.makeDirectory(directory)
                // So the new ledger's folder entry survives a power cut along with the first block.
                try FileIO.syncDirectory(containing: directory)
            } catch let error as SystemError {
                throw LedgerError.system(error)
            }
        } else if !FileIO.isDirectory(directory) {
            throw LedgerError(.unavailable, "\(quoted(directory)) is not a directory")
        }
        let indexPath = directory + "/index"
        // The index first: its LOCK keeps a second process out before the block files are
        // touched, and its savepoint tells the scan which blocks are known to be committed.
        let index = try Self.openIndex(indexPath, options: options)
        let (metadata, savepoint) = try LedgerError.translatingIndexErrors {
            (try index.get(IndexKey.metadata).map { try LedgerMetadata(decoding: $0, path: indexPath) },
             try index.get(IndexKey.savepoint).map { try Savepoint(decoding: $0) })
        }
        if let metadata, metadata.channel != channel {
            throw LedgerError(.wrongChannel, "\(quoted(directory)) holds the ledger of channel \(quoted(metadata.channel)), not \(quoted(channel))")
        }

        var verifier = ChainVerifier(channel: channel)
        var reapplied: UInt64 = 0
        let durable = savepoint?.height ?? 0
        let folder = directory + "/" + BlockRecord.folderName
        let blocks = try BlockStore(directory: directory, fileSizeLimit: options.fileSizeLimit,
                                    durableCount: options.truncatesTornTail ? durable : .max) { number, payload, location in
            let record: CommittedBlock
            do {
                record = try CommittedBlock(decoding: payload)
            } catch {
                throw RecordProblem(reason: "\(error)")
            }
            let accepted: ChainVerifier.Accepted
            switch verifier.check(record) {
            case let .success(result):
                accepted = result
            case let .failure(.channel(found, _)):
                throw LedgerError(.wrongChannel, "block \(number) in \(quoted(blockFilePath(folder, location.file))) at offset \(location.offset) belongs to channel \(quoted(found)), not \(quoted(channel))")
            case let .failure(mismatch):
                throw RecordProblem(reason: mismatch.description)
            }
            if let savepoint, number == savepoint.height - 1,
               accepted.blockHash != savepoint.lastBlockHash || accepted.commitHash != savepoint.lastCommitHash {
                throw RecordProblem(reason: "its hashes differ from those the ledger index \(quoted(indexPath)) recorded for it (were the block files or the index replaced?)")
            }
            if let inspect {
                do {
                    try inspect(OpeningBlock(record: record, pastSavepoint: number >= durable, index: IndexView(index: index)))
                } catch let failure as InspectionFailure {
                    throw RecordProblem(reason: failure.reason)
                } catch let error as LedgerError {
                    throw error
                } catch {
                    throw RecordProblem(reason: "\(error)")
                }
            }
            if number >= durable {
                // Past the savepoint: the crash came between the block's fsync and its index batch.
                // Unsynced here; one synced write after the scan makes the whole replay durable.
                try LedgerError.translatingIndexErrors {
                    try index.write(try BlockIndexer.batch(for: record, location: location, accepted: accepted, index: index))
                }
                reapplied += 1
            }
            verifier.advance(accepted)
        }
        guard blocks.count >= durable else {
            throw LedgerError(.corrupt, "ledger index \(quoted(indexPath)) records \(durable) blocks but the block files in \(quoted(blocks.folder)) hold only \(blocks.count) (were block files truncated or removed?)")
        }
        try LedgerError.translatingIndexErrors {
            if durable > 0, let stored = try index.get(IndexKey.blockNumber(durable - 1)) {
                let recorded = try BlockIndexer.location(from: stored, block: durable - 1)
                guard recorded == blocks.location(ofBlock: durable - 1) else {
                    throw LedgerError(.corrupt, "ledger index \(quoted(indexPath)) places block \(durable - 1) at \(recorded), but the block files hold it at \(blocks.location(ofBlock: durable - 1).map(\.description) ?? "no location")")
                }
            }
            let batch = WriteBatch()
            if metadata == nil { batch.put(IndexKey.metadata, LedgerMetadata(channel: channel).encoded()) }
            if reapplied > 0, let last = verifier.lastBlockHash {
                batch.put(IndexKey.savepoint, Savepoint(height: verifier.height, lastBlockHash: last, lastCommitHash: verifier.lastCommitHash).encoded())
            }
            if !batch.isEmpty { try index.write(batch, sync: true) }
        }
        self.directory = directory
        self.channel = channel
        self.indexPath = indexPath
        self.index = index
        self.blocks = blocks
        chain = verifier
        recovery = RecoveryReport(blocksVerified: verifier.height, blocksReapplied: reapplied, truncatedTail: blocks.truncatedTail,
                                  firstReapplied: reapplied > 0 ? durable : 0)
    }

    deinit { close() }

    /// Opens the index with checksums verified on every read, so damage is reported
    /// rather than served as missing or wrong entries.
    private static func openIndex(_ path: String, options: Options) throws -> LevelDB {
        // LevelDB finds its files through CURRENT. Without it, it would start an empty
        // database beside the old tables and later delete them as obsolete, and the
        // node would then fail on whatever it looks up first, far from the cause.
        let files = FileIO.isDirectory(path) ? try directoryEntries(path) : []
        if !files.contains("CURRENT"), let data = files.sorted().first(where: isIndexDataFile) {
            throw LedgerError.damagedIndex("ledger index \(quoted(path)) has lost its CURRENT file (\(quoted(data)) and other data files remain)")
        }
        do {
            return try LevelDB(path: path, options: LevelDB.Options(
                paranoidChecks: true, verifyChecksums: true, blockCacheBytes: options.indexCacheBytes, bloomFilterBitsPerKey: 10,
                writeBufferBytes: options.indexWriteBufferBytes, label: "ledger index"))
        } catch let error as LevelDBError {
            if let status = error.status, status.contains("/LOCK:") {
                throw LedgerError(.unavailable, "ledger index \(quoted(path)) is in use by another process")
            }
            throw LedgerError.index(error)
        }
    }

    /// LevelDB's manifests, tables and logs: the files that hold an index's data.
    private static func isIndexDataFile(_ name: String) -> Bool {
        name.hasPrefix("MANIFEST-") || name.hasSuffix(".ldb") || name.hasSuffix(".sst") || name.hasSuffix(".log")
    }

    /// Closes the index and the block files; later calls throw. Waits for a commit in progress.
    public func close() {
        commitLock.withLock {
            let first = lock.withLock { () -> Bool in
                defer {
                    closed = true
                    decodedBlocks.removeAll()
                }
                return !closed
            }
            guard first else { return }
            index.close()
            blocks.close()
        }
    }

    private var closedError: LedgerError { LedgerError(.unavailable, "ledger \(quoted(directory)) is closed") }

    // MARK: Chain position

    /// Whether a commit can still be attempted: false after close, and after a failure
    /// that left a block in the files but not in the index (or may have), which only the
    /// replay at the next open repairs. A commit refused for lack of space leaves it true.
    public var isWritable: Bool {
        lock.withLock { !closed && failure == nil } && blocks.isWritable
    }

    /// Committed blocks: numbers 0..<height.
    public var height: UInt64 { lock.withLock { chain.height } }
    /// The header hash of block height-1; nil before block 0.
    public var lastBlockHash: SHA256Digest? { lock.withLock { chain.lastBlockHash } }
    /// The commit hash after block height-1; `.zero` before block 0.
    public var lastCommitHash: SHA256Digest { lock.withLock { chain.lastCommitHash } }

    // MARK: Committing

    /// Checks that `record` is the next block (number, previous hash, channel, commit
    /// hash of its effects, an encoding that reads back), appends it to the block files,
    /// then indexes it in one synced batch. Returns once both are on disk. A refused
    /// record leaves nothing behind.
    ///
    /// `assembled` is for the node's own freshly built blocks: their hashes are taken as
    /// computed by the assembler and the encoding is not decoded back (the chain position
    /// is still checked); every other block gets the full checks.
    ///
    /// `durable`, when given, is called with the stored bytes once they are in the block
    /// files and synced, before the index batch: from then on the block survives a crash
    /// (the next open re-applies it), so a node may already send it to others.
    public func commit(_ record: CommittedBlock, assembled: AssembledHashes? = nil, durable: (([UInt8]) -> Void)? = nil) throws {
        try commitLock.withLock {
            let verifier = try lock.withLock { () throws -> ChainVerifier in
                if closed { throw closedError }
                if let failure { throw failure }
                return chain
            }
            let number = record.block.header.number
            func refuse(_ reason: String) -> LedgerError {
                LedgerError(.refused, "cannot commit block \(number) to channel \(quoted(channel)): \(reason)")
            }
            let accepted: ChainVerifier.Accepted
            switch verifier.check(record, assembled: assembled) {
            case let .success(result): accepted = result
            case let .failure(mismatch): throw refuse(mismatch.description)
            }
            // What is written must read back, or the next open would refuse the whole ledger.
            let payload = record.encoded()
            if assembled == nil {
                do {
                    _ = try CommittedBlock(decoding: payload)
                } catch {
                    throw refuse("its encoding does not read back: \(error)")
                }
            }
            let location = try blocks.append(payload: payload, number: number)
            durable?(payload)
            do {
                let batch = try BlockIndexer.batch(for: record, location: location, accepted: accepted, index: index)
                try index.write(batch, sync: true)
            } catch {
                let failure = LedgerError(.unavailable, "ledger \(quoted(directory)) stopped: block \(number) is in the block files but indexing it failed (\(error)); reopen the ledger to re-apply it")
                lock.withLock { self.failure = failure }
                throw failure
            }
            lock.withLock { chain.advance(accepted) }
        }
    }

    /// Commits consecutive blocks with one fdatasync of the block files and one index
    /// batch, not synced (docs/STORAGE.md, "Batched commits"): how a follower catching up
    /// commits the blocks it verified. Each block gets `commit`'s checks in order; when
    /// block k fails them, blocks before k are committed and k is refused (nothing of it
    /// or after it is written). After a crash the ledger recovers to a prefix of whole
    /// blocks: the index's savepoint is an earlier batch's or this one's, and blocks in the
    /// files past it are re-applied at the next open.
    ///
    /// `payloads`, when given, are the bytes each record was decoded from (a `blocks`
    /// answer): they are stored as they are, which reads back by construction, instead
    /// of encoding and decoding every block again.
    public func commit(batch records: [CommittedBlock], payloads given: [[UInt8]]? = nil) throws {
        guard !records.isEmpty else { return }
        precondition(given == nil || given!.count == records.count, "one payload per record")
        try commitLock.withLock {
            var verifier = try lock.withLock { () throws -> ChainVerifier in
                if closed { throw closedError }
                if let failure { throw failure }
                return chain
            }
            var accepted: [ChainVerifier.Accepted] = []
            var payloads: [[UInt8]] = []
            var refusal: LedgerError?
            for (position, record) in records.enumerated() {
                let number = record.block.header.number
                func refuse(_ reason: String) -> LedgerError {
                    LedgerError(.refused, "cannot commit block \(number) to channel \(quoted(channel)): \(reason)")
                }
                let checked = verifier.check(record)
                guard case let .success(result) = checked else {
                    if case let .failure(mismatch) = checked { refusal = refuse(mismatch.description) }
                    break
                }
                let payload: [UInt8]
                if let given {
                    payload = given[position]
                } else {
                    payload = record.encoded()
                    do {
                        _ = try CommittedBlock(decoding: payload)
                    } catch {
                        refusal = refuse("its encoding does not read back: \(error)")
                        break
                    }
                }
                verifier.advance(result)
                accepted.append(result)
                payloads.append(payload)
            }
            if !payloads.isEmpty {
                let first = records[0].block.header.number
                let locations = try blocks.append(payloads: payloads, from: first)
                do {
                    let batch = WriteBatch()
                    var seen = Set<SHA256Digest>()
                    for position in payloads.indices {
                        try BlockIndexer.add(records[position], location: locations[position], accepted: accepted[position],
                                             index: index, to: batch, seen: &seen)
                    }
                    // Not synced: the block files just synced are the record. A crash that
                    // loses this batch (LevelDB keeps a prefix of its writes) leaves blocks
                    // past the savepoint, which the next open re-applies.
                    try index.write(batch, sync: false)
                } catch {
                    let last = first + UInt64(payloads.count - 1)
                    let failure = LedgerError(.unavailable, "ledger \(quoted(directory)) stopped: blocks \(first) to \(last) are in the block files but indexing them failed (\(error)); reopen the ledger to re-apply them")
                    lock.withLock { self.failure = failure }
                    throw failure
                }
                lock.withLock { accepted.forEach { chain.advance($0) } }
            }
            if let refusal { throw refusal }
        }
    }

    // MARK: Queries

    /// Runs a query: refuses after close and turns LevelDB failures into LedgerError.
    private func query<T>(_ body: () throws -> T) throws -> T {
        if lock.withLock({ closed }) { throw closedError }
        return try LedgerError.translatingIndexErrors(body)
    }

    /// The current value of a state key with its version, nil when absent or deleted.
    public func state(_ key: [UInt8]) throws -> VersionedValue? {
        try query {
            guard let stored = try index.get(IndexKey.state(key)) else { return nil }
            return try Self.versionedValue(stored, key: key)
        }
    }

    private static func versionedValue(_ stored: [UInt8], key: [UInt8]) throws -> VersionedValue {
        var cursor = ByteCursor(stored, what: "state key 0x\(Hex.encode(key))")
        let block = try cursor.u64(), transaction = try cursor.u32()
        return VersionedValue(value: cursor.rest(), block: block, transaction: transaction)
    }

    /// State keys starting with `prefix` in key order, `limit` per page. The token is the
    /// last key returned, so keys written between pages are seen if they sort later.
    public func range(prefix: [UInt8], limit: Int, after token: String?) throws -> Page<(key: [UInt8], value: VersionedValue)> {
        try query {
            try Self.checkLimit(limit)
            let familyPrefix = IndexKey.state(prefix)
            var lower = familyPrefix
            if let token {
                guard let last = Hex.decode(token), last.starts(with: prefix) else { throw Self.badToken(token) }
                lower = IndexKey.successor(IndexKey.state(last))
            }
            let entries = try index.scan(from: lower, to: IndexKey.upperBound(familyPrefix), limit: limit + 1).collect()
            var items: [(key: [UInt8], value: VersionedValue)] = []
            items.reserveCapacity(min(limit, entries.count))
            for entry in entries.prefix(limit) {
                let key = Array(entry.key.dropFirst())
                items.append((key: key, value: try Self.versionedValue(entry.value, key: key)))
            }
            return Page(items: items, next: entries.count > limit ? items.last.map { Hex.encode($0.key) } : nil)
        }
    }

    /// Every write to `key`, oldest first, deletions included (value nil).
    public func history(_ key: [UInt8], limit: Int, after token: String?) throws -> Page<HistoryEntry> {
        try query {
            let entries = try positionPage(prefix: IndexKey.historyPrefix(key), limit: limit, after: token)
            var items: [HistoryEntry] = []
            for (block, transaction, value) in entries.items {
                var cursor = ByteCursor(value, what: "the history of key 0x\(Hex.encode(key))")
                let kind = try cursor.u8()
                let txid = try cursor.digest()
                let timestamp = try cursor.u64()
                let written: [UInt8]? = kind == 0 ? nil : cursor.rest()
                try cursor.finish()
                items.append(HistoryEntry(block: block, transaction: transaction, txid: txid, value: written, timestamp: timestamp))
            }
            return Page(items: items, next: entries.next)
        }
    }

    /// Transactions that named `account` in their effects, in commit order.
    public func transactions(account: String, limit: Int, after token: String?) throws -> Page<TransactionRecord> {
        try query {
            let entries = try positionPage(prefix: IndexKey.accountPrefix(account), limit: limit, after: token)
            var items: [TransactionRecord] = []
            for (block, transaction, _) in entries.items {
                let record = try readBlock(block)
                guard Int(transaction) < record.block.transactions.count else {
                    throw LedgerError(.corrupt, "ledger index lists transaction \(transaction) of block \(block) for account \(quoted(account)), but the block holds \(record.block.transactions.count)")
                }
                items.append(TransactionRecord(record, number: block, index: Int(transaction)))
            }
            return Page(items: items, next: entries.next)
        }
    }

    /// A page of a family keyed `prefix | u64 block | u32 transaction`; the token is that
    /// 12-byte position in hex.
    private func positionPage(prefix: [UInt8], limit: Int, after token: String?) throws
        -> (items: [(UInt64, UInt32, [UInt8])], next: String?) {
        try Self.checkLimit(limit)
        var lower = prefix
        if let token {
            guard let position = Hex.decode(token), position.count == 12 else { throw Self.badToken(token) }
            lower = IndexKey.successor(prefix + position)
        }
        let entries = try index.scan(from: lower, to: IndexKey.upperBound(prefix), limit: limit + 1).collect()
        var items: [(UInt64, UInt32, [UInt8])] = []
        for entry in entries.prefix(limit) {
            var cursor = ByteCursor(entry.key, from: prefix.count, what: "a position under prefix 0x\(Hex.encode(prefix))")
            let block = try cursor.u64(), transaction = try cursor.u32()
            try cursor.finish()
            items.append((block, transaction, entry.value))
        }
        let next = entries.count > limit ? entries[limit - 1].key.suffix(12) : nil
        return (items, next.map { Hex.encode($0) })
    }

    private static func checkLimit(_ limit: Int) throws {
        guard limit >= 1 else { throw LedgerError(.invalidArgument, "page limit must be at least 1, got \(limit)") }
    }

    private static func badToken(_ token: String) -> LedgerError {
        LedgerError(.invalidArgument, "invalid page token \(quoted(token)): not one this listing returned")
    }

    /// The transaction with this id (valid or not), with its block position and effects.
    public func transaction(_ id: SHA256Digest) throws -> TransactionRecord? {
        try query {
            guard let stored = try index.get(IndexKey.transaction(id)) else { return nil }
            var cursor = ByteCursor(stored, what: "transaction \(id)")
            let block = try cursor.u64(), position = try cursor.u32()
            try cursor.finish()
            let record = try readBlock(block)
            guard Int(position) < record.block.transactions.count, record.block.transactions[Int(position)].id == id else {
                throw LedgerError(.corrupt, "ledger index places transaction \(id) at position \(position) of block \(block), which holds another")
            }
            return TransactionRecord(record, number: block, index: Int(position))
        }
    }

    /// Whether a transaction with this id was committed (valid or not): the duplicate
    /// check. One LevelDB lookup, usually answered by the bloom filter without a disk read.
    public func contains(transaction id: SHA256Digest) throws -> Bool {
        try query { try index.get(IndexKey.transaction(id)) != nil }
    }

    /// Committed block `number`, nil at or past the height.
    public func block(number: UInt64) throws -> CommittedBlock? {
        guard number < height else { return nil }
        return try query { try readBlock(number) }
    }

    /// Committed block `number` as stored (`CommittedBlock.encoded()`), its checksum
    /// checked but not decoded, for sending to another node; nil at or past the height.
    public func blockPayload(number: UInt64) throws -> [UInt8]? {
        guard number < height else { return nil }
        return try query {
            guard let location = blocks.location(ofBlock: number) else {
                throw LedgerError(.corrupt, "block \(number) is below the height but the block files hold \(blocks.count) blocks")
            }
            return try blocks.readPayload(location)
        }
    }

    /// The committed block whose header hashes to `hash`.
    public func block(hash: SHA256Digest) throws -> CommittedBlock? {
        try query {
            guard let stored = try index.get(IndexKey.blockHash(hash)) else { return nil }
            var cursor = ByteCursor(stored, what: "block hash \(hash)")
            let number = try cursor.u64()
            try cursor.finish()
            return try readBlock(number)
        }
    }

    /// Reads a block the index refers to. No height check: the index batch lands just
    /// before the height moves, and the block is in the files before either.
    private func readBlock(_ number: UInt64) throws -> CommittedBlock {
        let cached = lock.withLock { () -> CommittedBlock? in
            guard let at = decodedBlocks.firstIndex(where: { $0.number == number }) else { return nil }
            let entry = decodedBlocks.remove(at: at)
            decodedBlocks.insert(entry, at: 0)
            return entry.record
        }
        if let cached { return cached }
        guard let location = blocks.location(ofBlock: number) else {
            throw LedgerError(.corrupt, "ledger index refers to block \(number), but the block files hold \(blocks.count) blocks")
        }
        let record = try blocks.read(location)
        lock.withLock {
            decodedBlocks.removeAll { $0.number == number }
            decodedBlocks.insert((number, record), at: 0)
            if decodedBlocks.count > Self.decodedBlockLimit { decodedBlocks.removeLast() }
        }
        return record
    }
}

/// A stored block as `LedgerStore.init`'s `inspect` sees it.
public struct OpeningBlock {
    public let record: CommittedBlock
    /// The index lacks this block (a crash came between its fsync and its index batch,
    /// or the block was appended behind the node's back): it is about to be re-applied.
    public let pastSavepoint: Bool
    /// The index as it stands before this block.
    public let index: IndexView
}

/// Read access to an index being opened: state values and committed transaction ids.
public struct IndexView {
    let index: LevelDB

    /// The value of a state key, nil when absent or deleted.
    public func state(_ key: [UInt8]) throws -> [UInt8]? {
        try LedgerError.translatingIndexErrors {
            guard let stored = try index.get(IndexKey.state(key)) else { return nil }
            var cursor = ByteCursor(stored, what: "state key 0x\(Hex.encode(key))")
            _ = try cursor.u64()
            _ = try cursor.u32()
            return cursor.rest()
        }
    }

    /// Whether a transaction with this id is in the index.
    public func contains(transaction id: SHA256Digest) throws -> Bool {
        try LedgerError.translatingIndexErrors { try index.get(IndexKey.transaction(id)) != nil }
    }
}

/// Thrown by an `inspect` function: why a stored block is not acceptable. The ledger
/// names the block, file and offset around `reason`.
public struct InspectionFailure: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
