import CSPKeyValue
import Foundation
import XCTest

final class SnapshotAndIteratorTests: LevelDBTestCase {
    func testSnapshotDoesNotSeeLaterWrites() throws {
        let db = try open()
        try db.put(bytes("a"), bytes("1"))
        try db.put(bytes("c"), bytes("3"))
        let snapshot = try db.snapshot()
        try db.put(bytes("a"), bytes("changed"))
        try db.put(bytes("b"), bytes("new"))
        try db.delete(bytes("c"))
        let batch = WriteBatch()
        batch.put(bytes("d"), bytes("batched"))
        try db.write(batch)

        XCTAssertEqual(try db.get(bytes("a"), snapshot: snapshot), bytes("1"))
        XCTAssertNil(try db.get(bytes("b"), snapshot: snapshot))
        XCTAssertEqual(try db.get("c", snapshot: snapshot), bytes("3"))
        XCTAssertNil(try db.get(bytes("d"), snapshot: snapshot))
        XCTAssertEqual(keys(try db.scan(prefix: [], snapshot: snapshot).collect()), [bytes("a"), bytes("c")])
        XCTAssertEqual(keys(try db.scan(from: nil, to: nil, reverse: true, snapshot: snapshot).collect()),
                       [bytes("c"), bytes("a")])

        // Without the snapshot the current state is visible.
        XCTAssertEqual(try db.get(bytes("a")), bytes("changed"))
        XCTAssertEqual(keys(try db.scan(prefix: []).collect()), [bytes("a"), bytes("b"), bytes("d")])
    }

    func testSnapshotSurvivesCompaction() throws {
        let db = try open()
        for index in 0..<200 { try db.put(bytes("k\(index)"), bytes("old")) }
        let snapshot = try db.snapshot()
        for index in 0..<200 { try db.put(bytes("k\(index)"), bytes("new")) }
        try db.compact()
        XCTAssertEqual(try db.get(bytes("k7"), snapshot: snapshot), bytes("old"))
        XCTAssertEqual(try db.get(bytes("k7")), bytes("new"))
    }

    func testSnapshotOfAnotherDatabaseIsRejected() throws {
        let db = try open()
        let other = try open(path: directory.appendingPathComponent("other").path)
        let foreign = try other.snapshot()
        XCTAssertEqual(levelDBError { try db.get(bytes("k"), snapshot: foreign) },
                       .foreignSnapshot(label: "database", path: dbPath))
        XCTAssertNotNil(levelDBError { try db.scan(prefix: [], snapshot: foreign) })
        XCTAssertNotNil(levelDBError { try db.iterator(snapshot: foreign) })
    }

    func testIteratorSeeksAndSteps() throws {
        let db = try open()
        for key in ["b", "d", "f"] { try db.put(bytes(key), bytes(key.uppercased())) }
        let iterator = try db.iterator()
        XCTAssertFalse(iterator.isValid, "a new iterator is unpositioned")
        XCTAssertNil(iterator.key)

        try iterator.seek(to: bytes("d"))
        XCTAssertTrue(iterator.isValid)
        XCTAssertEqual(iterator.key, bytes("d"))
        XCTAssertEqual(iterator.value, bytes("D"))

        try iterator.seek(to: bytes("c"))  // between keys: lands on the next one
        XCTAssertEqual(iterator.key, bytes("d"))
        try iterator.prev()
        XCTAssertEqual(iterator.key, bytes("b"))
        try iterator.prev()
        XCTAssertFalse(iterator.isValid)
        XCTAssertNil(iterator.value)
        XCTAssertNoThrow(try iterator.prev(), "stepping an exhausted iterator is harmless")
        XCTAssertNoThrow(try iterator.next())
        XCTAssertFalse(iterator.isValid)

        try iterator.seekToFirst()
        XCTAssertEqual(iterator.key, bytes("b"))
        try iterator.next()
        try iterator.next()
        XCTAssertEqual(iterator.key, bytes("f"))
        try iterator.next()
        XCTAssertFalse(iterator.isValid)

        try iterator.seekToLast()
        XCTAssertEqual(iterator.key, bytes("f"))
        try iterator.seek(to: "g")
        XCTAssertFalse(iterator.isValid)
        try iterator.seek(to: [])
        XCTAssertEqual(iterator.key, bytes("b"))
        XCTAssertNoThrow(try iterator.checkStatus())
    }

    func testIteratorLendsKeyAndValueWithoutCopying() throws {
        let db = try open()
        try db.put([0x01, 0x02], [0x00, 0x00, 0x2A])
        let iterator = try db.iterator()
        XCTAssertNil(try iterator.withUnsafeKey { $0.count })
        try iterator.seekToFirst()
        XCTAssertEqual(try iterator.withUnsafeKey { Array($0) }, [0x01, 0x02])
        XCTAssertEqual(try iterator.withUnsafeValue { $0.last }, 0x2A)
    }

    func testIteratorReadsThroughSnapshot() throws {
        let db = try open()
        try db.put(bytes("a"), bytes("1"))
        var snapshot: Snapshot? = try db.snapshot()
        try db.put(bytes("a"), bytes("2"))
        try db.put(bytes("b"), bytes("2"))
        let iterator = try db.iterator(snapshot: snapshot)
        snapshot = nil  // the iterator must keep its snapshot alive
        try iterator.seekToFirst()
        XCTAssertEqual(iterator.value, bytes("1"))
        try iterator.next()
        XCTAssertFalse(iterator.isValid)
    }

    func testIteratorStartedBeforeWriteDoesNotSeeIt() throws {
        let db = try open()
        try db.put(bytes("a"), bytes("1"))
        let iterator = try db.iterator()
        try db.put(bytes("b"), bytes("2"))
        try iterator.seekToFirst()
        try iterator.next()
        XCTAssertFalse(iterator.isValid, "LevelDB iterators read an implicit snapshot")
    }

    func testCloseInvalidatesIteratorsAndSnapshotsAndReleasesTheLock() throws {
        let db = try open()
        try db.put(bytes("a"), bytes("1"))
        let iterator = try db.iterator()
        try iterator.seekToFirst()
        let snapshot = try db.snapshot()
        db.close()

        let closed = LevelDBError.closed(label: "database", path: dbPath)
        XCTAssertFalse(iterator.isValid)
        XCTAssertNil(iterator.key)
        XCTAssertEqual(levelDBError { try iterator.next() }, closed)
        XCTAssertEqual(levelDBError { try iterator.seekToFirst() }, closed)
        XCTAssertEqual(levelDBError { try iterator.checkStatus() }, closed)
        XCTAssertEqual(levelDBError { try db.get(bytes("a"), snapshot: snapshot) }, closed)

        // The directory lock is released even though the iterator and snapshot still exist.
        let reopened = try open()
        XCTAssertEqual(try reopened.get(bytes("a")), bytes("1"))
    }
}
