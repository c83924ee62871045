import CSPTestSupport
import CSPCrypto
import CSPFormat
import CSPLedger
import Foundation
import XCTest

/// Block files altered on disk must stop the ledger at open, naming the block.
final class TamperTests: LedgerTestCase {
    /// Commits five blocks and returns the location of each.
    private func ledgerOfFive() throws -> [BlockLocation] {
        let chain = ChainBuilder()
        let store = try open()
        for record in try chain.blocks(5, perBlock: 3) { try store.commit(record) }
        store.close()
        let blocks = try BlockStore(directory: directory)
        defer { blocks.close() }
        return try (0..<5).map { try XCTUnwrap(blocks.location(ofBlock: UInt64($0))) }
    }

    func testFlippedByteInTheMiddleIsCaughtByTheChecksum() throws {
        let locations = try ledgerOfFive()
        var bytes = try contents(blockFile())
        let target = locations[2]
        bytes[Int(target.offset) + 8 + Int(target.length) / 2] ^= 0x01
        try write(bytes, to: blockFile())
        assertLedgerError(.corrupt, ["block 2 in '\(blockFile())' at offset \(target.offset) is corrupt: checksum mismatch"]) { try open() }
        // The read-only reader sees the same damage.
        assertLedgerError(.corrupt, ["block 2 in", "checksum mismatch"]) {
            try BlockFileReader(directory: directory).forEach(from: 0) { _, _ in }
        }
    }

    func testAlteredBlockWithRecomputedChecksumIsCaughtByTheChains() throws {
        let locations = try ledgerOfFive()
        let bytes = try contents(blockFile())
        // Change a written value (in the effects, not under the block hash) and fix up the CRC,
        // as someone who knows the file format would: only the commit-hash chain can tell.
        let target = locations[1]
        let start = Int(target.offset) + 8
        var payload = Array(bytes[start..<start + Int(target.length)])
        let needle = "v1.2".bytes
        let at = try XCTUnwrap(payload.indices.last { Array(payload[$0...].prefix(needle.count)) == needle })
        payload[at + 3] = UInt8(ascii: "9")
        try write(rewritten(bytes, at: target, payload: payload), to: blockFile())
        assertLedgerError(.corrupt, ["block 1 in '\(blockFile())' at offset \(target.offset) is corrupt", "commit hash"]) { try open() }

        // Changing a transaction instead breaks the Merkle root.
        var other = Array(bytes[start..<start + Int(target.length)])
        let key = "k/1/0".bytes
        let keyAt = try XCTUnwrap(other.indices.first { Array(other[$0...].prefix(key.count)) == key })
        other[keyAt + 4] = UInt8(ascii: "7")
        try write(rewritten(bytes, at: target, payload: other), to: blockFile())
        assertLedgerError(.corrupt, ["block 1 in", "Merkle root"]) { try open() }
    }

    func testRemovedMiddleRecordIsCaught() throws {
        let locations = try ledgerOfFive()
        var bytes = try contents(blockFile())
        let removed = locations[2]
        bytes.removeSubrange(Int(removed.offset)..<Int(removed.offset + removed.recordLength))
        try write(bytes, to: blockFile())
        assertLedgerError(.corrupt, ["block 2 in '\(blockFile())' at offset \(removed.offset) is corrupt", "holds block 3"]) { try open() }
        assertLedgerError(.corrupt, ["block 2 in", "holds block 3"]) {
            try BlockFileReader(directory: directory).forEach(from: 0) { _, _ in }
        }
    }

    func testRemovedLastRecordIsCaughtByTheIndex() throws {
        let locations = try ledgerOfFive()
        let bytes = try contents(blockFile())
        try write(Array(bytes.prefix(Int(locations[4].offset))), to: blockFile())
        assertLedgerError(.corrupt, ["records 5 blocks", "hold only 4"]) { try open() }
    }

    func testReplacedBlockFilesAreCaughtByTheSavepoint() throws {
        _ = try ledgerOfFive()
        let saved = try contents(blockFile())
        // Another, equally valid chain of the same length in place of the real one.
        try FileManager.default.removeItem(atPath: directory + "/blocks")
        let other = ChainBuilder()
        let blocks = try BlockStore(directory: directory)
        for record in try other.blocks(5, perBlock: 3) { _ = try blocks.append(record) }
        blocks.close()
        XCTAssertNotEqual(try contents(blockFile()), saved)
        assertLedgerError(.corrupt, ["block 4 in", "differ from those the ledger index"]) { try open() }
    }

    func testBrokenHashChainIsCaught() throws {
        // Every record valid and well numbered, but block 1 does not follow block 0.
        let chain = ChainBuilder()
        let first = try chain.block([try chain.put("a", "1")])
        let stranger = ChainBuilder()
        _ = try stranger.block([try stranger.put("b", "2")])
        let second = try stranger.block([try stranger.put("c", "3")])
        let blocks = try BlockStore(directory: directory)
        _ = try blocks.append(first)
        _ = try blocks.append(second)
        blocks.close()
        assertLedgerError(.corrupt, ["block 1 in", "previous hash"]) { try open() }
    }

    /// The file with the record at `location` replaced by `payload` (same length) and a fresh checksum.
    private func rewritten(_ bytes: [UInt8], at location: BlockLocation, payload: [UInt8]) -> [UInt8] {
        var result = bytes
        let crc = standardCRC32(payload)
        let start = Int(location.offset)
        result.replaceSubrange(start + 4..<start + 8, with: withUnsafeBytes(of: crc.bigEndian, Array.init))
        result.replaceSubrange(start + 8..<start + 8 + payload.count, with: payload)
        return result
    }
}

/// CRC-32 as zlib, gzip and PNG define it (reflected polynomial 0xEDB88320), written out
/// here independently so the tests also pin the checksum STORAGE.md documents.
func standardCRC32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
