import CSPKeyValue
import Foundation
import XCTest

final class BasicOperationTests: LevelDBTestCase {
    func testPutGetDeleteRoundtrip() throws {
        let db = try open()
        try db.put(bytes("alpha"), bytes("one"))
        XCTAssertEqual(try db.get(bytes("alpha")), bytes("one"))
        try db.delete(bytes("alpha"))
        XCTAssertNil(try db.get(bytes("alpha")))
    }

    func testMissingKeyReadsAsNil() throws {
        let db = try open()
        try db.put(bytes("present"), bytes("x"))
        XCTAssertNil(try db.get(bytes("absent")))
        XCTAssertNil(try db.get(bytes("presen")))
        XCTAssertNil(try db.get(bytes("present\0")))
    }

    func testOverwriteReplacesValue() throws {
        let db = try open()
        try db.put(bytes("k"), bytes("first"))
        try db.put(bytes("k"), bytes("second"))
        XCTAssertEqual(try db.get(bytes("k")), bytes("second"))
    }

    func testDeletingAbsentKeyIsNotAnError() throws {
        let db = try open()
        XCTAssertNoThrow(try db.delete(bytes("never-written")))
    }

    func testStringKeyOverloadsShareKeysWithByteKeys() throws {
        let db = try open()
        try db.put("tx/0001", bytes("payload"))
        XCTAssertEqual(try db.get(bytes("tx/0001")), bytes("payload"))
        try db.put(bytes("naïve"), [1])
        XCTAssertEqual(try db.get("naïve"), [1])
        try db.delete("tx/0001")
        XCTAssertNil(try db.get("tx/0001"))
    }

    func testBinaryKeysAndValuesWithZeroBytes() throws {
        let db = try open()
        let pairs: [([UInt8], [UInt8])] = [
            ([0x00], [0x00, 0x00]),
            ([0x00, 0x00], [0x01]),
            ([0x00, 0x01], [0x00, 0xFF, 0x00]),
            ([0x61, 0x00, 0x62], [0x02]),
            ([0xFF, 0x00], []),
        ]
        for (key, value) in pairs { try db.put(key, value) }
        for (key, value) in pairs {
            XCTAssertEqual(try db.get(key), value, "key \(key)")
        }
        // A key truncated at its zero byte is a different key.
        XCTAssertNil(try db.get([0x61]))
        XCTAssertEqual(keys(try db.scan(prefix: []).collect()),
                       [[0x00], [0x00, 0x00], [0x00, 0x01], [0x61, 0x00, 0x62], [0xFF, 0x00]])
    }

    func testEmptyKeyAndEmptyValue() throws {
        let db = try open()
        try db.put([], bytes("for the empty key"))
        try db.put(bytes("empty"), [])
        XCTAssertEqual(try db.get([]), bytes("for the empty key"))
        // An empty value is stored and distinct from a missing key.
        XCTAssertEqual(try db.get(bytes("empty")), [])
        XCTAssertNil(try db.get(bytes("missing")))
        XCTAssertEqual(try db.get(""), bytes("for the empty key"))
    }

    func testLargeValueRoundtrip() throws {
        let db = try open()
        let value = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try db.put(bytes("big"), value)
        XCTAssertEqual(try db.get(bytes("big")), value)
    }

    func testReopenAfterClosePersistsData() throws {
        do {
            let db = try open()
            try db.put(bytes("persistent"), bytes("yes"))
            try db.put(bytes("deleted"), bytes("no"))
            try db.delete(bytes("deleted"))
            db.close()
        }
        let reopened = try open(.init(createIfMissing: false))
        XCTAssertEqual(try reopened.get(bytes("persistent")), bytes("yes"))
        XCTAssertNil(try reopened.get(bytes("deleted")))
    }

    func testDeinitClosesSoTheDatabaseCanBeReopened() throws {
        do {
            let db = try open()
            try db.put(bytes("k"), bytes("v"))
        }
        let reopened = try open()
        XCTAssertEqual(try reopened.get(bytes("k")), bytes("v"))
    }

    func testSyncWritesPersist() throws {
        do {
            let db = try open()
            try db.put(bytes("synced-put"), bytes("1"), sync: true)
            let batch = WriteBatch()
            batch.put(bytes("synced-batch"), bytes("2"))
            try db.write(batch, sync: true)
            try db.put(bytes("to-delete"), bytes("3"))
            try db.delete(bytes("to-delete"), sync: true)
            db.close()
        }
        let db = try open()
        XCTAssertEqual(try db.get(bytes("synced-put")), bytes("1"))
        XCTAssertEqual(try db.get(bytes("synced-batch")), bytes("2"))
        XCTAssertNil(try db.get(bytes("to-delete")))
    }

    func testNonDefaultOptionsWorkAcrossFlushesAndReopen() throws {
        let options = LevelDB.Options(
            paranoidChecks: true, blockCacheBytes: 0, bloomFilterBitsPerKey: 0,
            compression: .none, writeBufferBytes: 64 << 10, maxOpenFiles: 100)
        let value = [UInt8](repeating: 0xAB, count: 512)
        do {
            let db = try open(options)
            // Enough data to overflow the 64 KiB memtable several times.
            for index in 0..<2000 { try db.put(bytes(String(format: "key-%05d", index)), value) }
            try db.compact()
            db.close()
        }
        let db = try open(options)
        for index in stride(from: 0, to: 2000, by: 97) {
            XCTAssertEqual(try db.get(bytes(String(format: "key-%05d", index))), value)
        }
        XCTAssertNil(try db.get(bytes("key-99999")))
        XCTAssertEqual(try db.scan(prefix: bytes("key-")).collect().count, 2000)
    }

    func testPropertiesExposeLevelDBStatistics() throws {
        let db = try open()
        try db.put(bytes("k"), bytes("v"))
        let stats = try XCTUnwrap(try db.property("leveldb.stats"))
        XCTAssertTrue(stats.contains("Compactions"), stats)
        XCTAssertEqual(try db.property("leveldb.num-files-at-level0"), "0")
        XCTAssertNil(try db.property("leveldb.no-such-property"))
    }
}
