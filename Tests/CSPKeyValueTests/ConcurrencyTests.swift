import CSPKeyValue
import Foundation
import XCTest

final class ConcurrencyTests: LevelDBTestCase {
    func testConcurrentWritersAndReaders() throws {
        let db = try open()
        let failures = Counter()
        let threads = 4, perThread = 1000
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            do {
                for index in 0..<perThread {
                    let key = bytes("t\(thread)-\(index)")
                    try db.put(key, key)
                    if try db.get(key) != key { failures.add() }
                    if index % 100 == 0 { _ = try db.scan(prefix: bytes("t\(thread)-"), limit: 10).collect() }
                }
            } catch {
                failures.add()
            }
        }
        XCTAssertEqual(failures.value, 0)
        XCTAssertEqual(try db.scan(prefix: []).collect().count, threads * perThread)
    }

    func testCloseWhileOtherThreadsAreBusyNeverCrashes() throws {
        let db = try open()
        try db.put(bytes("seed"), bytes("v"))
        let unexpected = Counter(), stoppedByClose = Counter(), operations = Counter()
        let group = DispatchGroup()
        let closed = LevelDBError.closed(label: "database", path: dbPath)
        for thread in 0..<3 {
            DispatchQueue.global().async(group: group) {
                var index = 0
                while true {
                    do {
                        try db.put(bytes("w\(thread)-\(index)"), bytes("x"))
                        _ = try db.get(bytes("seed"))
                        let iterator = try db.iterator()
                        try iterator.seekToFirst()
                        try iterator.next()
                        _ = try db.snapshot()
                        operations.add()
                    } catch let error as LevelDBError where error == closed {
                        stoppedByClose.add()
                        return
                    } catch {
                        unexpected.add()
                        return
                    }
                    index += 1
                }
            }
        }
        // Let the workers get going, then pull the handle out from under them.
        while operations.value < 100 { usleep(1000) }
        db.close()
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(unexpected.value, 0)
        XCTAssertEqual(stoppedByClose.value, 3)
    }
}
