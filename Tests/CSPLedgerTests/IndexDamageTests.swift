import CSPTestSupport
import CSPFormat
import CSPKeyValue
import CSPLedger
import Foundation
import XCTest

/// A damaged index is reported, never served as partial answers (issue 12, bug 11),
/// and what the open repairs is reported line by line (bug 17).
final class IndexDamageTests: LedgerTestCase {
    /// A value snappy stores verbatim (no repeated 4-byte runs to speak of), so the test
    /// can find it in a table file and damage the block that holds it.
    private static let marker = String((0..<200).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })

    /// 8 blocks of 250 keys `s/NNNNN`, one of them holding `marker`; the index compacted
    /// into table files, as a node's index is after a restart.
    private func commitKeysAndCompact() throws -> Int {
        let chain = ChainBuilder()
        var records: [CommittedBlock] = []
        var written = 0
        for _ in 0..<8 {
            records.append(try chain.block((0..<250).map { _ in
                defer { written += 1 }
                let key = String(format: "s/%05d", written)
                return try chain.put(key, written == 1000 ? Self.marker : "value of \(key) " + String(repeating: "x", count: 60))
            }))
        }
        try commitAndClose(records)
        let index = try LevelDB(path: directory + "/index")
        try index.compact()
        index.close()
        return written
    }

    /// Overwrites 16 bytes of every copy of the marker in the index's table files.
    private func damageMarker() throws {
        var damaged = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: directory + "/index") where name.hasSuffix(".ldb") {
            let path = directory + "/index/" + name
            var bytes = try contents(path)
            let needle = Array(Self.marker.utf8.prefix(120).suffix(12))
            var at = 0
            while at + needle.count <= bytes.count {
                if bytes[at] == needle[0], Array(bytes[at..<at + needle.count]) == needle {
                    for offset in at..<at + 16 { bytes[offset] ^= 0xFF }
                    damaged += 1
                }
                at += 1
            }
            try write(bytes, to: path)
        }
        XCTAssertGreaterThan(damaged, 0, "the marker was found in a table file")
    }

    func testDamagedTableBlockFailsTheQueryInsteadOfSkippingKeys() throws {
        let count = try commitKeysAndCompact()
        let store = try open()
        XCTAssertEqual(try store.range(prefix: "s/".bytes, limit: 10_000, after: nil).items.count, count)
        store.close()
        try damageMarker()

        let damaged = try open()
        // Paged, as a client reads it: every page is whole or the request fails.
        var token: String?
        var seen = 0
        var failure: LedgerError?
        repeat {
            do {
                let page = try damaged.range(prefix: "s/".bytes, limit: 100, after: token)
                for item in page.items {
                    XCTAssertEqual(item.key.text, String(format: "s/%05d", seen), "no key skipped")
                    seen += 1
                }
                token = page.next
            } catch let error as LedgerError {
                failure = error
                break
            }
        } while token != nil
        let error = try XCTUnwrap(failure, "a page over the damaged block fails (\(seen) of \(count) keys read without an error)")
        XCTAssertEqual(error.kind, .corrupt)
        XCTAssertTrue(error.indexDamaged)
        XCTAssertTrue(error.message.hasPrefix("cannot iterate ledger index '\(directory)/index': Corruption: "), error.message)
        XCTAssertTrue(error.message.hasSuffix("(the ledger index is damaged: rebuild it from the block files)"), error.message)
        XCTAssertFalse(error.message.contains("\n"))
        // A point read of the damaged key fails too.
        assertLedgerError(.corrupt, ["cannot read ledger index", "Corruption"]) { try damaged.state("s/01000".bytes) }
        damaged.close()

        // The block files are the truth: without the index, the open rebuilds it whole.
        try FileManager.default.moveItem(atPath: directory + "/index", toPath: directory + "/index.broken")
        let rebuilt = try open()
        XCTAssertEqual(rebuilt.recovery.blocksReapplied, 8)
        XCTAssertEqual(try rebuilt.range(prefix: "s/".bytes, limit: 10_000, after: nil).items.count, count)
        XCTAssertEqual(try rebuilt.state("s/01000".bytes)?.value.text, Self.marker)
    }

    func testMissingCurrentFileIsNamedNotMistakenForANewIndex() throws {
        try commitAndClose(try ChainBuilder().blocks(3))
        try FileManager.default.removeItem(atPath: directory + "/index/CURRENT")
        assertLedgerError(.corrupt, ["ledger index '\(directory)/index' has lost its CURRENT file", "rebuild it from the block files"]) {
            try open()
        }
        XCTAssertTrue((try? open()) == nil, "still refused: nothing was created in its place")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/index/CURRENT"))
        do {
            _ = try open()
        } catch let error as LedgerError {
            XCTAssertTrue(error.indexDamaged)
        }
        // An empty index folder is a new index, not damage.
        try FileManager.default.removeItem(atPath: directory + "/index")
        try FileManager.default.createDirectory(atPath: directory + "/index", withIntermediateDirectories: false)
        XCTAssertEqual(try open().height, 3)
    }

    func testBlockFileDamageIsNotMistakenForIndexDamage() throws {
        try commitAndClose(try ChainBuilder().blocks(3))
        var bytes = try contents(blockFile())
        bytes[bytes.count / 2] ^= 0xFF
        try write(bytes, to: blockFile())
        XCTAssertThrowsError(try open()) { error in
            XCTAssertEqual((error as? LedgerError)?.kind, .corrupt)
            XCTAssertEqual((error as? LedgerError)?.indexDamaged, false, "\(error)")
        }
    }

    func testRepairsAreReportedOneLineEach() throws {
        let chain = ChainBuilder()
        try commitAndClose(try chain.blocks(2))
        XCTAssertEqual(try open().recovery.repairs, [], "a clean open repairs nothing")

        // Blocks 2 and 3 in the files but not in the index, then a torn tail after them.
        let blocks = try BlockStore(directory: directory)
        for record in try chain.blocks(2) { _ = try blocks.append(record) }
        blocks.close()
        let size = try self.size(blockFile())
        try append([0, 0, 0x13, 0x88, 1, 2, 3, 4] + [UInt8](repeating: 7, count: 100), to: blockFile())

        let store = try open()
        XCTAssertEqual(store.recovery.firstReapplied, 2)
        XCTAssertEqual(store.recovery.repairs, [
            "removed a torn record at the end of '\(blockFile())': 108 bytes from offset \(size) (record of 5000 bytes runs past the end of the file (100 bytes follow its header))",
            "re-applied 2 blocks (blocks 2 to 3) from the block files to the ledger index (the index ended at block 1)",
        ])
        store.close()

        try FileManager.default.removeItem(atPath: directory + "/index")
        XCTAssertEqual(try open().recovery.repairs,
                       ["re-applied 4 blocks (blocks 0 to 3) from the block files to the ledger index (the index held no blocks)"])
    }
}
