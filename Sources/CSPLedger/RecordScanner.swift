import CSPBasics

/// Walks the records of one block file in order through a read-ahead buffer, so that
/// opening a ledger reads each file with a few large reads instead of two small ones per
/// block. It only frames and checksums; deciding whether damage is a torn tail (repair)
/// or corruption (refuse) is the caller's, because the store and a read-only reader
/// answer that differently.
struct RecordScanner {
    /// What lies at the current offset.
    enum Step {
        /// A complete record with a good checksum; `payload` is nil when the caller asked to skip it.
        case record(location: BlockLocation, payload: [UInt8]?, number: UInt64?)
        /// Clean end of the data known so far.
        case end
        /// A record that cannot be used. `atTail` is true when the damage reaches the end
        /// of the file, which is what an append interrupted by a crash leaves behind.
        case damaged(offset: UInt64, reason: String, atTail: Bool)
    }

    let file: BlockFile
    /// The file size this scan trusts; `refreshSize()` re-reads it for a growing file.
    private(set) var size: UInt64
    private(set) var offset: UInt64
    private var buffer: [UInt8] = []
    private var bufferStart: UInt64 = 0
    private let readAhead: Int

    init(file: BlockFile, offset: UInt64 = 0, readAhead: Int = 1 << 20) throws {
        self.file = file
        self.size = try file.size()
        self.offset = offset
        self.readAhead = readAhead
    }

    /// Re-reads the size of a file another process may be appending to, and forgets the
    /// read-ahead so bytes read while a record was still being written are read again.
    mutating func refreshSize() throws {
        size = try file.size()
        buffer = []
        bufferStart = 0
    }

    /// The buffer index range holding `count` bytes at `at`, reading ahead when they are not loaded.
    private mutating func window(at: UInt64, count: Int) throws -> Range<Int>? {
        if at >= bufferStart, at + UInt64(count) <= bufferStart + UInt64(buffer.count) {
            let start = Int(at - bufferStart)
            return start..<start + count
        }
        let available = size > at ? size - at : 0
        let wanted = Int(min(UInt64(max(count, readAhead)), available))
        try file.read(at: at, count: wanted, into: &buffer)
        bufferStart = at
        return buffer.count >= count ? 0..<count : nil
    }

    /// Reads the record at the current offset; on `.record` moves past it, otherwise stays.
    /// With `checked` false the payload is neither read nor checksummed (for skipping).
    mutating func next(checked: Bool = true) throws -> Step {
        let remaining = size > offset ? size - offset : 0
        if remaining == 0 { return .end }
        if remaining < UInt64(BlockRecord.headerLength) {
            return .damaged(offset: offset, reason: "incomplete record header (\(remaining) of 8 bytes)", atTail: true)
        }
        guard let head = try window(at: offset, count: BlockRecord.headerLength) else {
            return .damaged(offset: offset, reason: "file ended while reading", atTail: true)
        }
        let length = buffer[head].prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let stored = buffer[head].suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let body = remaining - UInt64(BlockRecord.headerLength)
        if length == 0 {
            // No payload is empty. Zeros to the end are a file extended by a crash before its data landed.
            return .damaged(offset: offset, reason: "record has length 0", atTail: try zerosToEnd(from: offset))
        }
        if UInt64(length) > body {
            return .damaged(offset: offset, reason: "record of \(length) bytes runs past the end of the file (\(body) bytes follow its header)",
                            atTail: true)
        }
        let location = BlockLocation(file: file.number, offset: offset, length: length)
        let recordEnd = offset + location.recordLength
        guard checked else {
            offset = recordEnd
            return .record(location: location, payload: nil, number: nil)
        }
        guard let range = try window(at: offset + UInt64(BlockRecord.headerLength), count: Int(length)) else {
            return .damaged(offset: offset, reason: "file ended while reading", atTail: true)
        }
        let (sum, number) = buffer.withUnsafeBytes { raw in
            let payload = UnsafeRawBufferPointer(rebasing: raw[range])
            return (BlockRecord.checksum(payload), BlockRecord.blockNumber(inPayload: payload))
        }
        guard sum == stored else {
            return .damaged(offset: offset, reason: "checksum mismatch (stored \(hex8(stored)), computed \(hex8(sum)))",
                            atTail: recordEnd == size)
        }
        let payload = Array(buffer[range])
        offset = recordEnd
        return .record(location: location, payload: payload, number: number)
    }

    /// Whether every byte from `start` to the end of the file is zero.
    private mutating func zerosToEnd(from start: UInt64) throws -> Bool {
        var at = start
        while at < size {
            let count = Int(min(UInt64(readAhead), size - at))
            guard let range = try window(at: at, count: count) else { return false }
            if buffer[range].contains(where: { $0 != 0 }) { return false }
            at += UInt64(count)
        }
        return true
    }
}

/// A checksum as eight hex digits, as the messages print it.
func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}
