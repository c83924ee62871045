import CSPBasics
import CSPCompression

/// The framing of one block in the block files (docs/STORAGE.md, "Block files"):
/// `u32 BE payload length`, `u32 BE CRC-32 of the payload`, then the payload, which is
/// `CommittedBlock.encoded()`. The checksum lets a reader tell a torn or damaged record
/// from a good one without decoding it.
enum BlockRecord {
    static let headerLength = 8
    /// The folder inside a ledger directory that holds the block files.
    static let folderName = "blocks"

    /// `blocks-000042.dat`: six digits keep `ls` in numeric order for 64 TiB of ledger
    /// at the default size; more digits simply appear after that.
    static func fileName(_ number: UInt32) -> String {
        let digits = String(number)
        return "blocks-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".dat"
    }

    /// The file number in a block file name, nil for any other name (LOCK, editor droppings).
    static func fileNumber(_ name: String) -> UInt32? {
        guard name.hasPrefix("blocks-"), name.hasSuffix(".dat") else { return nil }
        let digits = name.dropFirst(7).dropLast(4)
        guard digits.count >= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let number = UInt32(digits), fileName(number) == name else { return nil }
        return number
    }

    /// zlib's CRC-32 (the one of gzip and PNG), so `python3 -c 'zlib.crc32(...)'` can
    /// check a record by hand.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        Zlib.crc32(bytes)
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// The 8-byte header for `payload`.
    static func header(for payload: [UInt8]) -> [UInt8] {
        var header: [UInt8] = []
        header.reserveCapacity(headerLength)
        header.appendBigEndian(UInt32(payload.count))
        header.appendBigEndian(checksum(payload))
        return header
    }

    /// The block number in a record payload, read from the fixed positions of the
    /// encoding (record magic "CSPR", version 1, block length, header length, header
    /// magic "CSPH", version 1, channel, number) without decoding the block. Lets a
    /// plain scan check that record i holds block i, so a removed or duplicated record
    /// is caught at no decoding cost. nil when the bytes are not a version 1 record.
    static func blockNumber(inPayload payload: UnsafeRawBufferPointer) -> UInt64? {
        func u32(_ at: Int) -> UInt32? {
            guard at + 4 <= payload.count else { return nil }
            return (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(payload[at + $1]) }
        }
        let recordMagic = Array("CSPR".utf8), headerMagic = Array("CSPH".utf8)
        guard payload.count >= 22, Array(payload[0..<4]) == recordMagic, payload[4] == 1,
              Array(payload[13..<17]) == headerMagic, payload[17] == 1,
              let channelLength = u32(18), channelLength <= 4096 else { return nil }
        let at = 22 + Int(channelLength)
        guard at + 8 <= payload.count else { return nil }
        return (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(payload[at + $1]) }
    }

    static func blockNumber(inPayload payload: [UInt8]) -> UInt64? {
        payload.withUnsafeBytes { blockNumber(inPayload: $0) }
    }
}
