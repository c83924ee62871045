import CSPTestSupport
import CSPFormat
import CSPLedger
import Foundation
import XCTest

/// The append-only block files on their own.
final class BlockStoreTests: LedgerTestCase {
    func testAppendReadAndReopen() throws {
        let chain = ChainBuilder()
        let records = try chain.blocks(3)
        let store = try BlockStore(directory: directory)
        XCTAssertEqual(store.count, 0)
        var locations: [BlockLocation] = []
        for record in records { locations.append(try store.append(record)) }
        XCTAssertEqual(store.count, 3)
        XCTAssertEqual(locations.map(\.file), [0, 0, 0])
        XCTAssertEqual(locations[0].offset, 0)
        XCTAssertEqual(locations[1].offset, locations[0].recordLength)
        XCTAssertEqual(locations[2].offset, locations[1].offset + locations[1].recordLength)
        XCTAssertEqual(try size(blockFile()), locations[2].offset + locations[2].recordLength)
        for (number, location) in locations.enumerated() {
            XCTAssertEqual(store.location(ofBlock: UInt64(number)), location)
            XCTAssertEqual(try store.read(location), records[number])
        }
        XCTAssertNil(store.location(ofBlock: 3))
        store.close()

        // The record framing is exactly what STORAGE.md says: length, CRC-32, payload.
        let bytes = try contents(blockFile())
        let payload = records[0].encoded()
        XCTAssertEqual(Array(bytes[0..<4]), withUnsafeBytes(of: UInt32(payload.count).bigEndian, Array.init))
        XCTAssertEqual(Array(bytes[4..<8]), withUnsafeBytes(of: standardCRC32(payload).bigEndian, Array.init))
        XCTAssertEqual(Array(bytes[8..<8 + payload.count]), payload)

        let reopened = try BlockStore(directory: directory)
        XCTAssertEqual(reopened.count, 3)
        XCTAssertNil(reopened.truncatedTail)
        var seen: [UInt64] = []
        try reopened.forEach(from: 1) { number, record, location in
            seen.append(number)
            XCTAssertEqual(record, records[Int(number)])
            XCTAssertEqual(location, locations[Int(number)])
        }
        XCTAssertEqual(seen, [1, 2])
    }

    func testAppendRefusesAnythingButTheNextNumber() throws {
        let chain = ChainBuilder()
        let records = try chain.blocks(2)
        let store = try BlockStore(directory: directory)
        assertLedgerError(.refused, ["cannot append block 1", "the next block is 0"]) { try store.append(records[1]) }
        _ = try store.append(records[0])
        assertLedgerError(.refused, ["the next block is 1"]) { try store.append(records[0]) }
        XCTAssertEqual(store.count, 1)
    }

    func testReadOfAnUnknownLocationIsRefused() throws {
        let chain = ChainBuilder()
        let store = try BlockStore(directory: directory)
        let location = try store.append(try chain.block([]))
        assertLedgerError(.invalidArgument, ["no block record"]) {
            try store.read(BlockLocation(file: 0, offset: location.offset + 1, length: location.length))
        }
        assertLedgerError(.invalidArgument, ["no block record"]) {
            try store.read(BlockLocation(file: 3, offset: 0, length: location.length))
        }
    }

    func testRollsToANewFileAtTheSizeLimit() throws {
        let chain = ChainBuilder()
        let records = try chain.blocks(12, perBlock: 2)
        let limit: UInt64 = 3000
        let store = try BlockStore(directory: directory, fileSizeLimit: limit)
        let locations = try records.map { try store.append($0) }
        store.close()
        let files = Set(locations.map(\.file))
        XCTAssertGreaterThan(files.count, 2)
        XCTAssertEqual(files, Set(0..<UInt32(files.count)), "files are numbered without gaps")
        for file in files {
            let path = blockFile(Int(file))
            XCTAssertLessThanOrEqual(try size(path), limit, path)
            XCTAssertEqual(locations.first { $0.file == file }?.offset, 0)
        }

        // A ledger across several files opens, verifies and serves every block.
        try FileManager.default.removeItem(atPath: directory)
        let chain2 = ChainBuilder()
        let records2 = try chain2.blocks(12)
        try commitAndClose(records2, fileSizeLimit: limit)
        XCTAssertTrue(FileManager.default.fileExists(atPath: blockFile(2)))
        let ledger = try open(fileSizeLimit: limit)
        XCTAssertEqual(ledger.recovery.blocksVerified, 12)
        for (number, record) in records2.enumerated() {
            XCTAssertEqual(try ledger.block(number: UInt64(number)), record)
        }
        XCTAssertEqual(try ledger.state("k/11/1".bytes)?.block, 11)
    }

    func testASecondWriterIsRefused() throws {
        let store = try BlockStore(directory: directory)
        assertLedgerError(.unavailable, ["in use by another process"]) { try BlockStore(directory: directory) }
        store.close()
        XCTAssertNoThrow(try BlockStore(directory: directory))
    }

    func testAMissingMiddleFileIsCorruption() throws {
        let chain = ChainBuilder()
        let store = try BlockStore(directory: directory, fileSizeLimit: 1)
        for record in try chain.blocks(3) { _ = try store.append(record) }
        store.close()
        try FileManager.default.removeItem(atPath: blockFile(1))
        assertLedgerError(.corrupt, ["'\(blockFile(1))' is missing"]) { try BlockStore(directory: directory, fileSizeLimit: 1) }
    }

    func testInvalidSizeLimit() {
        assertLedgerError(.invalidArgument, ["size limit"]) { try BlockStore(directory: directory, fileSizeLimit: 0) }
    }
}
