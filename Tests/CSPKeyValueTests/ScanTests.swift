@testable import CSPKeyValue
import Foundation
import XCTest

final class ScanTests: LevelDBTestCase {
    /// Keys chosen to sit right at prefix and range boundaries.
    private let fixture: [[UInt8]] = [
        [0x00],
        [0x01],
        [0x01, 0x00],
        [0x01, 0xFE],
        [0x01, 0xFF],
        [0x01, 0xFF, 0xFF],
        [0x02],
        [0x61, 0x62],
        [0x61, 0x62, 0x63],
        [0x61, 0x63],
        [0xFE, 0xFF],
        [0xFF],
        [0xFF, 0xFE],
        [0xFF, 0xFF],
        [0xFF, 0xFF, 0x00],
        [0xFF, 0xFF, 0xFF],
        [0xFF, 0xFF, 0xFF, 0x01],
    ]

    private func populated() throws -> LevelDB {
        let db = try open()
        // Insert out of order so ordering comes from LevelDB, not from insertion.
        for key in fixture.reversed() { try db.put(key, key + [0xEE]) }
        return db
    }

    func testPrefixScanReturnsExactlyThePrefixInOrder() throws {
        let db = try populated()
        let entries = try db.scan(prefix: [0x61, 0x62]).collect()
        XCTAssertEqual(keys(entries), [[0x61, 0x62], [0x61, 0x62, 0x63]])
        XCTAssertEqual(entries.map(\.value), [[0x61, 0x62, 0xEE], [0x61, 0x62, 0x63, 0xEE]])
        XCTAssertEqual(keys(try db.scan(prefix: "ab").collect()), [[0x61, 0x62], [0x61, 0x62, 0x63]])
        XCTAssertEqual(keys(try db.scan(prefix: [0x01]).collect()),
                       [[0x01], [0x01, 0x00], [0x01, 0xFE], [0x01, 0xFF], [0x01, 0xFF, 0xFF]])
        XCTAssertEqual(try db.scan(prefix: [0x03]).collect().count, 0)
    }

    func testPrefixEndingInFFStopsBeforeTheNextPrefix() throws {
        let db = try populated()
        // Upper bound must be [0x02]: [0x02] itself is outside, [0x01,0xFF,0xFF] inside.
        XCTAssertEqual(keys(try db.scan(prefix: [0x01, 0xFF]).collect()), [[0x01, 0xFF], [0x01, 0xFF, 0xFF]])
        XCTAssertEqual(keys(try db.scan(prefix: [0x01, 0xFF], reverse: true).collect()),
                       [[0x01, 0xFF, 0xFF], [0x01, 0xFF]])
    }

    func testAllFFPrefixRunsToTheEndOfTheKeyspace() throws {
        let db = try populated()
        XCTAssertEqual(keys(try db.scan(prefix: [0xFF, 0xFF]).collect()),
                       [[0xFF, 0xFF], [0xFF, 0xFF, 0x00], [0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0x01]])
        XCTAssertEqual(keys(try db.scan(prefix: [0xFF, 0xFF], reverse: true).collect()),
                       [[0xFF, 0xFF, 0xFF, 0x01], [0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0x00], [0xFF, 0xFF]])
        XCTAssertEqual(keys(try db.scan(prefix: [0xFF]).collect()),
                       [[0xFF], [0xFF, 0xFE], [0xFF, 0xFF], [0xFF, 0xFF, 0x00], [0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0x01]])
        XCTAssertEqual(keys(try db.scan(prefix: [0xFF, 0xFF, 0xFF, 0xFF]).collect()), [])
    }

    func testEmptyPrefixScansEverything() throws {
        let db = try populated()
        XCTAssertEqual(keys(try db.scan(prefix: []).collect()), fixture)
        XCTAssertEqual(keys(try db.scan(prefix: [], reverse: true).collect()), fixture.reversed())
    }

    func testPrefixUpperBound() {
        XCTAssertEqual(prefixUpperBound([0x61, 0x62]), [0x61, 0x63])
        XCTAssertEqual(prefixUpperBound([0x01, 0xFF]), [0x02])
        XCTAssertEqual(prefixUpperBound([0x01, 0xFF, 0xFF]), [0x02])
        XCTAssertEqual(prefixUpperBound([0x00]), [0x01])
        XCTAssertNil(prefixUpperBound([0xFF, 0xFF]))
        XCTAssertNil(prefixUpperBound([0xFF]))
        XCTAssertNil(prefixUpperBound([]))
    }

    func testRangeScanIsHalfOpen() throws {
        let db = try populated()
        XCTAssertEqual(keys(try db.scan(from: [0x01, 0x00], to: [0x02]).collect()),
                       [[0x01, 0x00], [0x01, 0xFE], [0x01, 0xFF], [0x01, 0xFF, 0xFF]])
        // A lower bound that is not a key starts at the next key; the upper bound key is excluded.
        XCTAssertEqual(keys(try db.scan(from: [0x01, 0x01], to: [0x61, 0x62, 0x63]).collect()),
                       [[0x01, 0xFE], [0x01, 0xFF], [0x01, 0xFF, 0xFF], [0x02], [0x61, 0x62]])
        XCTAssertEqual(try db.scan(from: [0x02], to: [0x02]).collect().count, 0)
        XCTAssertEqual(try db.scan(from: [0x61], to: [0x02]).collect().count, 0)
    }

    func testAdjacentRangesTileTheKeyspace() throws {
        let db = try populated()
        let cuts: [[UInt8]] = [[0x01, 0xFF], [0x61, 0x62, 0x63], [0xFF, 0xFF]]
        var pieces: [[UInt8]] = try keys(db.scan(from: nil, to: cuts[0]).collect())
        for (lower, upper) in zip(cuts, cuts.dropFirst()) {
            pieces += try keys(db.scan(from: lower, to: upper).collect())
        }
        pieces += try keys(db.scan(from: cuts[2], to: nil).collect())
        XCTAssertEqual(pieces, fixture)
    }

    func testOpenEndedRanges() throws {
        let db = try populated()
        XCTAssertEqual(keys(try db.scan(from: nil, to: [0x01, 0x00]).collect()), [[0x00], [0x01]])
        XCTAssertEqual(keys(try db.scan(from: [0xFF, 0xFF, 0xFF], to: nil).collect()),
                       [[0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0x01]])
        XCTAssertEqual(keys(try db.scan(from: nil, to: nil).collect()), fixture)
    }

    func testReverseRangeScans() throws {
        let db = try populated()
        XCTAssertEqual(keys(try db.scan(from: [0x01, 0x00], to: [0x02], reverse: true).collect()),
                       [[0x01, 0xFF, 0xFF], [0x01, 0xFF], [0x01, 0xFE], [0x01, 0x00]])
        // Upper bound between keys, and above every key.
        XCTAssertEqual(keys(try db.scan(from: [0x61, 0x62], to: [0x61, 0x62, 0x64], reverse: true).collect()),
                       [[0x61, 0x62, 0x63], [0x61, 0x62]])
        XCTAssertEqual(keys(try db.scan(from: [0xFF, 0xFF, 0x00], to: [0xFF, 0xFF, 0xFF, 0xFF], reverse: true).collect()),
                       [[0xFF, 0xFF, 0xFF, 0x01], [0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0x00]])
        // Upper bound at or below the first key: nothing.
        XCTAssertEqual(try db.scan(from: nil, to: [0x00], reverse: true).collect().count, 0)
        XCTAssertEqual(keys(try db.scan(from: nil, to: [0x01], reverse: true).collect()), [[0x00]])
        XCTAssertEqual(keys(try db.scan(prefix: "a", reverse: true).collect()),
                       [[0x61, 0x63], [0x61, 0x62, 0x63], [0x61, 0x62]])
    }

    func testLimitCapsForwardAndReverseScans() throws {
        let db = try populated()
        XCTAssertEqual(keys(try db.scan(prefix: [0x01], limit: 2).collect()), [[0x01], [0x01, 0x00]])
        XCTAssertEqual(keys(try db.scan(prefix: [0x01], reverse: true, limit: 2).collect()),
                       [[0x01, 0xFF, 0xFF], [0x01, 0xFF]])
        XCTAssertEqual(keys(try db.scan(from: nil, to: nil, limit: 1).collect()), [[0x00]])
        XCTAssertEqual(try db.scan(prefix: [], limit: 0).collect().count, 0)
        XCTAssertEqual(try db.scan(prefix: [0x01], limit: 100).collect().count, 5)
        var seen = 0
        for _ in try db.scan(prefix: [], limit: 3) { seen += 1 }
        XCTAssertEqual(seen, 3)
    }

    func testNegativeLimitIsRejected() throws {
        let db = try populated()
        let error = levelDBError { try db.scan(prefix: [], limit: -1) }
        XCTAssertEqual(error?.description, "scan limit must not be negative, got -1")
    }

    func testForLoopAndRepeatedPasses() throws {
        let db = try populated()
        let scan = try db.scan(prefix: [0x61])
        var first: [[UInt8]] = []
        for (key, value) in scan {
            XCTAssertEqual(value, key + [0xEE])
            first.append(key)
        }
        let second = scan.map(\.key)
        XCTAssertEqual(first, [[0x61, 0x62], [0x61, 0x62, 0x63], [0x61, 0x63]])
        XCTAssertEqual(second, first)
    }

    func testScanSeesWritesMadeBeforeItsLoopStarts() throws {
        let db = try populated()
        let scan = try db.scan(prefix: [0x61])
        try db.put([0x61, 0x00], [1])
        XCTAssertEqual(scan.map(\.key).first, [0x61, 0x00])
    }

    func testCloseDuringScanEndsTheLoopWithAnError() throws {
        let db = try populated()
        let scan = try db.scan(prefix: [])
        let iterator = scan.makeIterator()
        XCTAssertNotNil(iterator.next())
        db.close()
        XCTAssertNil(iterator.next())
        XCTAssertEqual(iterator.error, .closed(label: "database", path: dbPath))
        XCTAssertNil(iterator.next())
        XCTAssertEqual(levelDBError { try scan.collect() }, .closed(label: "database", path: dbPath))
    }

    func testScanOnClosedDatabaseThrowsAtTheCall() throws {
        let db = try populated()
        db.close()
        XCTAssertEqual(levelDBError { try db.scan(prefix: []) }, .closed(label: "database", path: dbPath))
        XCTAssertEqual(levelDBError { try db.scan(from: nil, to: nil) }, .closed(label: "database", path: dbPath))
    }

    func testScanFinishingNormallyHasNoError() throws {
        let db = try populated()
        let iterator = try db.scan(prefix: [0x61]).makeIterator()
        while iterator.next() != nil {}
        XCTAssertNil(iterator.error)
    }
}
