import CSPKeyValue
import Foundation
import XCTest

final class WriteBatchTests: LevelDBTestCase {
    func testBatchCountsPutsAndDeletes() {
        let batch = WriteBatch()
        XCTAssertEqual(batch.count, 0)
        XCTAssertTrue(batch.isEmpty)
        batch.put(bytes("a"), bytes("1"))
        batch.put("b", bytes("2"))
        batch.delete(bytes("c"))
        batch.delete("d")
        XCTAssertEqual(batch.count, 4)
        XCTAssertFalse(batch.isEmpty)
        batch.clear()
        XCTAssertEqual(batch.count, 0)
        XCTAssertTrue(batch.isEmpty)
    }

    func testNothingIsVisibleUntilTheBatchIsWritten() throws {
        let db = try open()
        try db.put(bytes("old"), bytes("x"))
        let batch = WriteBatch()
        batch.put(bytes("a"), bytes("1"))
        batch.put(bytes("b"), bytes("2"))
        batch.delete(bytes("old"))
        XCTAssertNil(try db.get(bytes("a")))
        XCTAssertEqual(try db.get(bytes("old")), bytes("x"))

        try db.write(batch)
        XCTAssertEqual(try db.get(bytes("a")), bytes("1"))
        XCTAssertEqual(try db.get(bytes("b")), bytes("2"))
        XCTAssertNil(try db.get(bytes("old")))
    }

    func testOperationsApplyInOrder() throws {
        let db = try open()
        let batch = WriteBatch()
        batch.put(bytes("k"), bytes("first"))
        batch.delete(bytes("k"))
        batch.put(bytes("j"), bytes("first"))
        batch.put(bytes("j"), bytes("second"))
        try db.write(batch)
        XCTAssertNil(try db.get(bytes("k")))
        XCTAssertEqual(try db.get(bytes("j")), bytes("second"))
    }

    func testClearedBatchWritesNothing() throws {
        let db = try open()
        let batch = WriteBatch()
        batch.put(bytes("dropped"), bytes("1"))
        batch.clear()
        batch.put(bytes("kept"), bytes("2"))
        try db.write(batch)
        XCTAssertNil(try db.get(bytes("dropped")))
        XCTAssertEqual(try db.get(bytes("kept")), bytes("2"))
    }

    func testAppendCombinesBatches() throws {
        let db = try open()
        let first = WriteBatch()
        first.put(bytes("a"), bytes("1"))
        let second = WriteBatch()
        second.put(bytes("b"), bytes("2"))
        second.delete(bytes("a"))
        first.append(second)
        XCTAssertEqual(first.count, 3)
        XCTAssertEqual(second.count, 2)
        first.append(first)
        XCTAssertEqual(first.count, 6)
        try db.write(first)
        XCTAssertNil(try db.get(bytes("a")))
        XCTAssertEqual(try db.get(bytes("b")), bytes("2"))
    }

    func testBatchIsAtomicForConcurrentSnapshotReaders() throws {
        let db = try open()
        try db.put(bytes("a"), bytes("0"))
        try db.put(bytes("b"), bytes("0"))
        let torn = Counter(), reads = Counter(), stop = Counter()
        let done = DispatchSemaphore(value: 0)
        Thread {
            defer { done.signal() }
            while stop.value == 0 {
                do {
                    let snapshot = try db.snapshot()
                    let a = try db.get(bytes("a"), snapshot: snapshot)
                    let b = try db.get(bytes("b"), snapshot: snapshot)
                    if a != b { torn.add() }
                    reads.add()
                } catch {
                    torn.add()
                    return
                }
            }
        }.start()
        // Let the reader start before writing, and keep writing while it reads, so the
        // two really overlap however the threads are scheduled.
        let start = Date()
        while reads.value == 0 && Date().timeIntervalSince(start) < 10 { usleep(1000) }
        let batch = WriteBatch()
        var round = 0
        while round < 2000 || (reads.value < 100 && Date().timeIntervalSince(start) < 10) {
            round += 1
            batch.clear()
            batch.put(bytes("a"), bytes(String(round)))
            batch.put(bytes("b"), bytes(String(round)))
            try db.write(batch)
        }
        stop.add()
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success)
        XCTAssertGreaterThan(reads.value, 0)
        XCTAssertEqual(torn.value, 0, "a reader saw half of a batch")
    }

    func testWritingToClosedDatabaseFailsAndAppliesNothing() throws {
        let db = try open()
        db.close()
        let batch = WriteBatch()
        batch.put(bytes("a"), bytes("1"))
        XCTAssertEqual(levelDBError { try db.write(batch) }, .closed(label: "database", path: dbPath))
        let reopened = try open()
        XCTAssertNil(try reopened.get(bytes("a")))
    }
}

/// A thread-safe tally for assertions made on background threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
