#if canImport(Glibc)
import Glibc
#endif
import CSPBasics
import CSPCrypto
import CSPFormat

/// Reads a channel's block files from another process (csp-kvr, csp-audit) while the node
/// may be appending to them. It never writes, locks or truncates anything: where the
/// store would repair a torn tail, the reader simply stops, because that tail may be an
/// append still in progress.
///
/// Each record is checksummed and decoded (which checks the Merkle root), record i must
/// hold block i, and consecutive blocks must chain by previous hash; anything else is
/// reported as corruption with the block number, file and offset.
public final class BlockFileReader {
    /// The folder holding `blocks-NNNNNN.dat`.
    public let folder: String
    /// Whether a torn last record is damage (an auditor's view: a truncated file) rather
    /// than an append in progress; it is given a moment to complete first.
    public let completeTail: Bool

    /// `directory` is a ledger directory (holding `blocks/`) or the `blocks` folder itself.
    public init(directory: String, completeTail: Bool = false) throws {
        self.completeTail = completeTail
        let nested = directory + "/" + BlockRecord.folderName
        if FileIO.isDirectory(nested) {
            folder = nested
        } else if FileIO.isDirectory(directory), try !blockFileNumbers(in: directory).isEmpty {
            folder = directory
        } else if !FileIO.exists(directory) {
            throw LedgerError(.unavailable, "cannot open \(quoted(directory)): no such file or directory")
        } else {
            throw LedgerError(.unavailable, "\(quoted(directory)) holds no block files (no \(quoted(nested)))")
        }
    }

    /// Calls `body` with every complete block from `number` on, in order, up to the end of
    /// what is on disk when the walk gets there (blocks appended meanwhile are included).
    public func forEach(from number: UInt64, _ body: (UInt64, CommittedBlock) throws -> Void) throws {
        try walk(from: number) { try body($0, $1); return true }
    }

    /// Block `number`, or nil when the files do not (yet) hold it.
    public func block(_ number: UInt64) throws -> CommittedBlock? {
        var found: CommittedBlock?
        try walk(from: number) { _, record in
            found = record
            return false
        }
        return found
    }

    /// The walk behind `forEach`; `body` returns false to stop.
    private func walk(from number: UInt64, _ body: (UInt64, CommittedBlock) throws -> Bool) throws {
        let numbers = try blockFileNumbers(in: folder)
        for (expected, found) in numbers.enumerated() where found != UInt32(expected) {
            throw LedgerError(.corrupt, "block file \(quoted(blockFilePath(folder, UInt32(expected)))) is missing (\(quoted(BlockRecord.fileName(found))) follows it)")
        }
        guard !numbers.isEmpty else { return }
        var (fileNumber, expected) = try startingPoint(for: number, files: UInt32(numbers.count))
        var previousHash: SHA256Digest?
        var retried = false
        while true {
            let path = blockFilePath(folder, fileNumber)
            guard FileIO.exists(path) else { return }
            let file = try BlockFile(path: path, number: fileNumber, mode: .read)
            var scanner = try RecordScanner(file: file)
            var nextFileExists: Bool { FileIO.exists(blockFilePath(folder, fileNumber + 1)) }
            records: while true {
                switch try scanner.next(checked: expected >= number) {
                case let .record(location, payload, found):
                    retried = false
                    defer { expected += 1 }
                    guard let payload else { continue records }
                    func corrupt(_ reason: String) -> LedgerError {
                        LedgerError.corruptBlock(expected, file: path, offset: location.offset, reason)
                    }
                    guard found == expected else {
                        throw corrupt(found.map { "the record holds block \($0) (a record is missing, repeated or out of place)" }
                            ?? "the record is not a version 1 block record")
                    }
                    let record: CommittedBlock
                    do {
                        record = try CommittedBlock(decoding: payload)
                    } catch {
                        throw corrupt("\(error)")
                    }
                    if let previousHash, record.block.header.previousHash != previousHash {
                        throw corrupt("previous hash \(record.block.header.previousHash) is not block \(expected - 1)'s hash \(previousHash)")
                    }
                    previousHash = record.block.header.hash
                    guard try body(expected, record) else { return }
                case .end:
                    // The writer may have appended since the size was read, or finished this file and started the next.
                    let before = scanner.size
                    try scanner.refreshSize()
                    if scanner.size > before { continue records }
                    guard nextFileExists else { return }
                    try scanner.refreshSize()
                    if scanner.size > before { continue records }
                    break records
                case let .damaged(offset, reason, atTail):
                    // A damaged tail is an append in progress unless the writer has moved on
                    // to a newer file; then look once more before calling it corruption.
                    guard atTail else { throw LedgerError.corruptBlock(expected, file: path, offset: offset, reason) }
                    guard nextFileExists || completeTail else { return }
                    if retried { throw LedgerError.corruptBlock(expected, file: path, offset: offset, reason) }
                    retried = true
                    if completeTail { usleep(200_000) }
                    try scanner.refreshSize()
                }
            }
            fileNumber += 1
        }
    }

    /// The file to start in and the number of its first block: the last file whose first
    /// block is at most `number`, found by binary search over the files' first records
    /// (they grow with the file number), so a walk from a high block reads a handful of
    /// records instead of every file before it.
    private func startingPoint(for number: UInt64, files: UInt32) throws -> (UInt32, UInt64) {
        var low: UInt32 = 0, lowFirst: UInt64 = 0
        var high = files
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if let first = try firstBlock(in: middle), first <= number {
                (low, lowFirst) = (middle, first)
            } else {
                high = middle
            }
        }
        return (low, lowFirst)
    }

    /// The number of the first block in file `number`; nil when the file holds no complete,
    /// intact first record (a file just started, or damage the walk will report).
    private func firstBlock(in number: UInt32) throws -> UInt64? {
        let file = try BlockFile(path: blockFilePath(folder, number), number: number, mode: .read)
        var scanner = try RecordScanner(file: file, readAhead: 64 << 10)
        guard case let .record(_, _, first?) = try scanner.next() else { return nil }
        return first
    }
}
