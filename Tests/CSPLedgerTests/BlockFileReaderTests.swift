import CSPTestSupport
import CSPFormat
import CSPLedger
import Foundation
import XCTest

/// The read-only reader other processes use while the node appends.
final class BlockFileReaderTests: LedgerTestCase {
    func testReadsWhileTheWriterAppends() throws {
        let chain = ChainBuilder()
        let records = try chain.blocks(60, perBlock: 3)
        let limit: UInt64 = 4000  // several file switches during the run
        let store = try open(fileSizeLimit: limit)
        try store.commit(records[0])
        let reader = try BlockFileReader(directory: directory)
        let failures = Failures()
        let done = Flag()
        let writer = Thread {
            do {
                for record in records.dropFirst() {
                    try store.commit(record)
                }
            } catch {
                failures.add("writer: \(error)")
            }
            done.set()
        }
        writer.start()
        var passes = 0, partial = 0, lastSeen = 0
        while true {
            let finished = done.isSet
            var next: UInt64 = 0
            do {
                try reader.forEach(from: 0) { number, record in
                    if number != next { failures.add("expected block \(next), got \(number)") }
                    if record != records[Int(number)] { failures.add("block \(number) differs") }
                    next = number + 1
                }
            } catch {
                failures.add("reader: \(error)")
            }
            passes += 1
            if next < records.count { partial += 1 }
            if Int(next) < lastSeen { failures.add("saw \(lastSeen) blocks, then only \(next)") }
            lastSeen = Int(next)
            if finished { break }
        }
        XCTAssertEqual(failures.all, [])
        XCTAssertEqual(lastSeen, records.count, "after the writer stopped every block is read")
        XCTAssertGreaterThan(partial, 0, "some passes ran while the writer was still appending")
        store.close()
    }

    func testStartsAnywhereAndFindsSingleBlocks() throws {
        let chain = ChainBuilder()
        let records = try chain.blocks(20)
        try commitAndClose(records, fileSizeLimit: 2500)
        XCTAssertTrue(FileManager.default.fileExists(atPath: blockFile(3)))
        let reader = try BlockFileReader(directory: directory)
        var seen: [UInt64] = []
        try reader.forEach(from: 13) { number, record in
            seen.append(number)
            XCTAssertEqual(record, records[Int(number)])
        }
        XCTAssertEqual(seen, Array(13..<20))
        XCTAssertEqual(try reader.block(0), records[0])
        XCTAssertEqual(try reader.block(19), records[19])
        XCTAssertNil(try reader.block(20))
        var none = 0
        try reader.forEach(from: 25) { _, _ in none += 1 }
        XCTAssertEqual(none, 0)
        // The blocks folder itself works as well.
        XCTAssertEqual(try BlockFileReader(directory: directory + "/blocks").block(7), records[7])
    }

    func testStopsAtATornTailWithoutTouchingIt() throws {
        let chain = ChainBuilder()
        try commitAndClose(try chain.blocks(3))
        let torn = Array(try chain.block([try chain.put("half", "written")]).encoded().prefix(40))
        try append(withUnsafeBytes(of: UInt32(900).bigEndian, Array.init) + [1, 2, 3, 4] + torn, to: blockFile())
        let before = try size(blockFile())
        var count = 0
        try BlockFileReader(directory: directory).forEach(from: 0) { _, _ in count += 1 }
        XCTAssertEqual(count, 3)
        XCTAssertEqual(try size(blockFile()), before, "a reader never truncates")
    }

    func testEmptyAndMissingLedgers() throws {
        try FileManager.default.createDirectory(atPath: directory + "/blocks", withIntermediateDirectories: true)
        var count = 0
        try BlockFileReader(directory: directory).forEach(from: 0) { _, _ in count += 1 }
        XCTAssertEqual(count, 0)
        assertLedgerError(.unavailable, ["no such file or directory"]) { try BlockFileReader(directory: directory + "/nope") }
        let empty = directory + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        assertLedgerError(.unavailable, ["holds no block files"]) { try BlockFileReader(directory: empty) }
    }
}
