#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSPBasics
import CSPFormat

/// The append-only block files of one channel, `<directory>/blocks/blocks-NNNNNN.dat`
/// (docs/STORAGE.md, "Block files"). Blocks are the data that only grows, so they live in
/// plain files any process can read; LevelDB holds only what can be rebuilt from them.
///
/// Opening scans every record once: it checks each checksum and that record i holds
/// block i, keeps every location in memory, and truncates a torn tail (what a crash in
/// the middle of an append leaves). Damage anywhere else is refused with the block
/// number, file and offset, never repaired silently.
///
/// One writer appends while any number of threads read: the location table is guarded
/// by a lock, appends are serialised by another so reads never wait for an fsync.
/// A `flock` on `blocks/LOCK` keeps a second process from appending (or truncating) too.
public final class BlockStore: @unchecked Sendable {
    /// The ledger directory given to `init`.
    public let directory: String
    /// `<directory>/blocks`.
    public let folder: String
    /// A record goes to a new file when it would take a non-empty file past this size.
    public let fileSizeLimit: UInt64
    /// What opening removed from the end of the last file, for the node's log; nil when nothing.
    public let truncatedTail: String?

    /// Guards `locations`, `openFiles` and `closed`; never held across I/O.
    private let lock = Lock()
    private var locations: [BlockLocation]
    /// Read handles by file number, bounded so a large ledger does not exhaust descriptors.
    private var openFiles: [UInt32: BlockFile] = [:]
    private var closed = false
    /// The file appends go to; its handle is never evicted. Guarded by `lock`.
    private var currentFile: UInt32?
    private static let openFileLimit = 32

    /// Serialises appends; guards the writer fields below.
    private let appendLock = Lock()
    private var writer: BlockFile?
    private var writerEnd: UInt64
    /// Set when an append failed in a way that leaves the file in doubt (fsync failed,
    /// a partial write could not be removed); later appends refuse until reopened.
    private var writeFailure: LedgerError?

    /// False once an append failed in a way only reopening repairs (its record may be on
    /// disk); a failed append that removed its partial record leaves the store writable.
    public var isWritable: Bool { appendLock.withLock { writeFailure == nil } }
    private var lockDescriptor: Int32

    /// Opens (creating `<directory>/blocks` when missing) and scans the block files.
    public convenience init(directory: String, fileSizeLimit: UInt64 = 64 << 20) throws {
        try self.init(directory: directory, fileSizeLimit: fileSizeLimit, durableCount: 0, visit: nil)
    }

    /// The scan behind `init`. `durableCount` records are known to be committed (the
    /// index's savepoint), so damage among them is corruption even at the tail: a torn
    /// tail can only be a record nobody was told about. `visit` sees every good record
    /// in order during the one pass, so the ledger verifies chains without reading twice;
    /// a `RecordProblem` it throws becomes the usual "block N in 'file' at offset O" error.
    init(directory: String, fileSizeLimit: UInt64, durableCount: UInt64,
         visit: ((UInt64, [UInt8], BlockLocation) throws -> Void)?) throws {
        guard fileSizeLimit > 0 else { throw LedgerError(.invalidArgument, "block file size limit must be at least 1 byte") }
        self.directory = directory
        self.folder = directory + "/" + BlockRecord.folderName
        self.fileSizeLimit = fileSizeLimit

        let created = !FileIO.isDirectory(folder)
        do {
            try FileIO.makeDirectory(folder)
            if created { try FileIO.syncDirectory(containing: folder) }
        } catch let error as SystemError {
            throw LedgerError.system(error)
        }
        let lockDescriptor = try Self.lockFolder(folder)
        var ok = false
        defer { if !ok { closeDescriptor(lockDescriptor) } }

        let numbers = try blockFileNumbers(in: folder)
        for (expected, number) in numbers.enumerated() where number != UInt32(expected) {
            throw LedgerError(.corrupt, "block file \(quoted(blockFilePath(folder, UInt32(expected)))) is missing (\(quoted(BlockRecord.fileName(number))) follows it)")
        }

        var locations: [BlockLocation] = []
        var writer: BlockFile?
        var writerEnd: UInt64 = 0
        var torn: String?
        for number in numbers {
            let isLast = number == numbers.last
            let file = try BlockFile(path: blockFilePath(folder, number), number: number, mode: isLast ? .write : .read)
            var scanner = try RecordScanner(file: file)
            scan: while true {
                let expected = UInt64(locations.count)
                switch try scanner.next() {
                case .end:
                    break scan
                case let .record(location, payload, found):
                    guard found == expected else {
                        throw LedgerError.corruptBlock(expected, file: file.path, offset: location.offset, found.map {
                            "the record holds block \($0) (a record is missing, repeated or out of place)"
                        } ?? "the record is not a version 1 block record")
                    }
                    do {
                        try visit?(expected, payload!, location)
                    } catch let problem as RecordProblem {
                        throw LedgerError.corruptBlock(expected, file: file.path, offset: location.offset, problem.reason)
                    }
                    locations.append(location)
                case let .damaged(offset, reason, atTail):
                    guard isLast, atTail, expected >= durableCount else {
                        throw LedgerError.corruptBlock(expected, file: file.path, offset: offset, reason)
                    }
                    let removed = scanner.size - offset
                    try file.truncate(to: offset)
                    try file.sync()
                    torn = "removed a torn record at the end of \(quoted(file.path)): \(removed) bytes from offset \(offset) (\(reason))"
                    break scan
                }
            }
            if isLast {
                writer = file
                writerEnd = scanner.offset
            }
        }
        self.locations = locations
        self.writer = writer
        self.writerEnd = writerEnd
        self.truncatedTail = torn
        self.lockDescriptor = lockDescriptor
        if let writer {
            openFiles[writer.number] = writer
            currentFile = writer.number
        }
        ok = true
    }

    deinit { close() }

    /// Takes the folder's advisory lock; a second writer, here or in another process, is refused.
    static func lockFolder(_ folder: String) throws -> Int32 {
        let path = folder + "/LOCK"
        let fd = retryingEINTR { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw LedgerError.system(SystemError("cannot open \(quoted(path))")) }
        if retryingEINTR({ flock(fd, LOCK_EX | LOCK_NB) }) != 0 {
            let code = errno
            closeDescriptor(fd)
            if code == EWOULDBLOCK {
                throw LedgerError(.unavailable, "block files in \(quoted(folder)) are in use by another process")
            }
            throw LedgerError.system(SystemError("cannot lock \(quoted(path))", code: code))
        }
        return fd
    }

    /// Releases the files and the folder lock. Reads and appends afterwards throw.
    public func close() {
        appendLock.withLock {
            lock.withLock {
                guard !closed else { return }
                closed = true
                openFiles.removeAll()
            }
            writer = nil
            if lockDescriptor >= 0 {
                closeDescriptor(lockDescriptor)
                lockDescriptor = -1
            }
        }
    }

    private var closedError: LedgerError { LedgerError(.unavailable, "block files in \(quoted(folder)) are closed") }

    /// Records (blocks) stored: block numbers 0..<count.
    public var count: UInt64 { lock.withLock { UInt64(locations.count) } }

    /// Where block `number` is, from the table built at open; nil past the end.
    public func location(ofBlock number: UInt64) -> BlockLocation? {
        lock.withLock { number < UInt64(locations.count) ? locations[Int(number)] : nil }
    }

    // MARK: Appending

    /// Appends block `count` and returns once it is on disk (fdatasync, and the folder
    /// fsynced when a new file was started). Refuses any other block number: record i
    /// must hold block i.
    public func append(_ record: CommittedBlock) throws -> BlockLocation {
        try append(payload: record.encoded(), number: record.block.header.number)
    }

    /// `append` for a payload the caller already encoded (and checked), to encode once.
    func append(payload: [UInt8], number: UInt64) throws -> BlockLocation {
        try append(payloads: [payload], from: number)[0]
    }

    /// Appends blocks `from`, `from`+1, … (one payload each) and returns their locations
    /// once all are on disk: one fdatasync for the lot, so a follower catching up pays one
    /// sync per batch instead of one per block. Before a new file is started the current
    /// one is synced, so only the last file can end in a torn record (docs/STORAGE.md,
    /// "Batched commits"). A failure before anything was synced removes what this call
    /// wrote and leaves the store writable; after a file was synced it needs reopening
    /// (the scan then finds whole blocks, which the ledger re-applies).
    func append(payloads: [[UInt8]], from first: UInt64) throws -> [BlockLocation] {
        try appendLock.withLock {
            let expected = try lock.withLock {
                if closed { throw closedError }
                return UInt64(locations.count)
            }
            if let writeFailure { throw writeFailure }
            guard first == expected else {
                throw LedgerError(.refused, "cannot append block \(first) to \(quoted(folder)): the next block is \(expected)")
            }
            var added: [BlockLocation] = []
            added.reserveCapacity(payloads.count)
            // Where this call started writing in the current file, for removing a partial batch.
            var batchStart: (file: BlockFile, offset: UInt64)? = writer.map { ($0, writerEnd) }
            var offset = writerEnd
            var synced = false
            func doubtful(_ what: String, _ error: any Error) -> LedgerError {
                LedgerError(.unavailable, "block files in \(quoted(folder)) need reopening after a failed \(what): \(error)")
            }
            for (position, payload) in payloads.enumerated() {
                let number = first + UInt64(position)
                guard !payload.isEmpty, payload.count <= Int(UInt32.max) else {
                    throw LedgerError(.refused, "cannot append block \(number): a record payload must be 1 byte to 4 GiB, got \(payload.count)")
                }
                let recordLength = UInt64(BlockRecord.headerLength + payload.count)
                var file: BlockFile
                if let current = writer, offset == 0 || offset + recordLength <= fileSizeLimit {
                    file = current
                } else {
                    if let current = writer, !added.isEmpty {
                        // Records of this batch in the file being left must be durable before
                        // a later file exists: a torn record may only end the last file.
                        do {
                            try current.sync()
                        } catch {
                            writeFailure = doubtful("sync", error)
                            throw error
                        }
                        synced = true
                    }
                    let next = writer.map { $0.number + 1 } ?? 0
                    file = try BlockFile(path: blockFilePath(folder, next), number: next, mode: .create)
                    do {
                        try FileIO.syncDirectory(containing: file.path)
                    } catch let error as SystemError {
                        throw LedgerError.system(error)
                    }
                    writer = file
                    writerEnd = 0
                    offset = 0
                    if batchStart == nil || !synced { batchStart = (file, 0) }
                    lock.withLock {
                        currentFile = file.number
                        cache(file)
                    }
                }
                var bytes = BlockRecord.header(for: payload)
                bytes.reserveCapacity(Int(recordLength))
                bytes.append(contentsOf: payload)
                do {
                    try file.write(bytes, at: offset)
                } catch {
                    // Remove the partial batch so the next append does not land after garbage.
                    if synced {
                        writeFailure = doubtful("append", error)
                    } else if let start = batchStart {
                        do {
                            try start.file.truncate(to: start.offset)
                            writerEnd = start.offset
                        } catch {
                            writeFailure = doubtful("append", error)
                        }
                    }
                    throw error
                }
                added.append(BlockLocation(file: file.number, offset: offset, length: UInt32(payload.count)))
                offset += recordLength
                writerEnd = offset
            }
            do {
                try writer?.sync()
            } catch {
                // After a failed fsync the kernel may have dropped the dirty pages: nothing
                // about the file can be trusted until the scan at the next open.
                writeFailure = doubtful("sync", error)
                throw error
            }
            lock.withLock { locations.append(contentsOf: added) }
            return added
        }
    }

    // MARK: Reading

    /// Reads, checks (length, checksum, decoding) and returns the record at `location`,
    /// which must be one this store returned or listed.
    public func read(_ location: BlockLocation) throws -> CommittedBlock {
        let (file, number) = try locate(location)
        return try Self.readRecord(file: file, location: location, number: number)
    }

    /// The stored payload at `location` (length and checksum checked), not decoded: what
    /// a node sends another node, which decodes and verifies it itself.
    public func readPayload(_ location: BlockLocation) throws -> [UInt8] {
        let (file, number) = try locate(location)
        return try Self.readPayload(file: file, location: location, number: number)
    }

    /// The file holding `location` and the number of the block there.
    private func locate(_ location: BlockLocation) throws -> (BlockFile, UInt64) {
        try lock.withLock { () throws -> (BlockFile, UInt64) in
            if closed { throw closedError }
            guard let number = blockNumber(at: location) else {
                throw LedgerError(.invalidArgument, "no block record of \(location.length) bytes starts at offset \(location.offset) of \(quoted(blockFilePath(folder, location.file)))")
            }
            return (try handle(for: location.file), number)
        }
    }

    /// Reads one record with a single pread and checks it the way the open scan did.
    static func readRecord(file: BlockFile, location: BlockLocation, number: UInt64) throws -> CommittedBlock {
        let payload = try readPayload(file: file, location: location, number: number)
        let record: CommittedBlock
        do {
            record = try CommittedBlock(decoding: payload)
        } catch {
            throw LedgerError.corruptBlock(number, file: file.path, offset: location.offset, "\(error)")
        }
        guard record.block.header.number == number else {
            throw LedgerError.corruptBlock(number, file: file.path, offset: location.offset, "the record holds block \(record.block.header.number)")
        }
        return record
    }

    /// One record's payload with a single pread: its length and checksum checked.
    static func readPayload(file: BlockFile, location: BlockLocation, number: UInt64) throws -> [UInt8] {
        let bytes = try file.read(at: location.offset, count: Int(location.recordLength))
        func corrupt(_ reason: String) -> LedgerError {
            LedgerError.corruptBlock(number, file: file.path, offset: location.offset, reason)
        }
        guard bytes.count == Int(location.recordLength) else {
            throw corrupt("the file ends \(location.recordLength - UInt64(bytes.count)) bytes before the end of the record")
        }
        let length = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let stored = bytes[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard length == location.length else { throw corrupt("record length \(length) differs from the \(location.length) recorded when it was written") }
        let payload = Array(bytes[BlockRecord.headerLength...])
        let sum = BlockRecord.checksum(payload)
        guard sum == stored else { throw corrupt("checksum mismatch (stored \(hex8(stored)), computed \(hex8(sum)))") }
        return payload
    }

    /// Calls `body` with every block from `number` on, in order, as of the call.
    public func forEach(from number: UInt64, _ body: (UInt64, CommittedBlock, BlockLocation) throws -> Void) throws {
        let end = count
        var current = number
        while current < end {
            guard let location = location(ofBlock: current) else { return }
            try body(current, try read(location), location)
            current += 1
        }
    }

    /// Binary search of the (file, offset)-ordered table; call with `lock` held.
    private func blockNumber(at location: BlockLocation) -> UInt64? {
        var low = 0, high = locations.count
        while low < high {
            let middle = (low + high) / 2
            let probe = locations[middle]
            if (probe.file, probe.offset) < (location.file, location.offset) { low = middle + 1 } else { high = middle }
        }
        guard low < locations.count, locations[low] == location else { return nil }
        return UInt64(low)
    }

    /// A read handle for file `number`; call with `lock` held.
    private func handle(for number: UInt32) throws -> BlockFile {
        if let file = openFiles[number] { return file }
        let file = try BlockFile(path: blockFilePath(folder, number), number: number, mode: .read)
        cache(file)
        return file
    }

    /// Keeps `file` open for later reads, dropping some other handle when at the limit
    /// (a reader still holding it keeps its descriptor until done). Call with `lock` held.
    private func cache(_ file: BlockFile) {
        if openFiles.count >= Self.openFileLimit,
           let victim = openFiles.keys.first(where: { $0 != currentFile }) {
            openFiles[victim] = nil
        }
        openFiles[file.number] = file
    }
}

/// Thrown by a scan visitor to reject the record it was shown; the store turns it into
/// a LedgerError naming the block, file and offset.
struct RecordProblem: Error {
    let reason: String
}

/// `close(2)`, under a name a type with its own `close()` method can call.
func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
