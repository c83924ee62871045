/// Where one block record lives in the block files: file `blocks-<file>.dat`, the byte
/// offset of the record's 8-byte header, and the payload length. Enough to read the
/// record with one `pread` and check it, without scanning.
public struct BlockLocation: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The number in the file name `blocks-NNNNNN.dat`.
    public var file: UInt32
    /// Offset of the record header (length and checksum) from the start of the file.
    public var offset: UInt64
    /// Length of the payload (the encoded `CommittedBlock`), without the 8-byte header.
    public var length: UInt32

    public init(file: UInt32, offset: UInt64, length: UInt32) {
        self.file = file
        self.offset = offset
        self.length = length
    }

    /// Bytes the whole record occupies on disk, header included.
    public var recordLength: UInt64 { UInt64(BlockRecord.headerLength) + UInt64(length) }

    public var description: String { "\(BlockRecord.fileName(file))@\(offset)+\(length)" }
}
