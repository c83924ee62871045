import CSPFormat
import CSPKeyValue
import CSPLedger
import CSPTestSupport
import Foundation
import XCTest

/// Restarts: clean reopen, torn tails, and every way the index can lag the block files.
final class RecoveryTests: LedgerTestCase {
    func testReopenKeepsEverything() throws {
        let chain = ChainBuilder()
        let records = try chain.blocks(4) + [try chain.block([try chain.delete("k/0/0", accounts: ["C-1"])])]
        try commitAndClose(records)

        let store = try open()
        XCTAssertEqual(store.recovery, RecoveryReport(blocksVerified: 5, blocksReapplied: 0, truncatedTail: nil))
        XCTAssertEqual(store.height, 5)
        XCTAssertEqual(store.lastBlockHash, records[4].block.header.hash)
        XCTAssertEqual(store.lastCommitHash, chain.lastCommit)
        XCTAssertNil(try store.state("k/0/0".bytes))
        XCTAssertEqual(try store.state("k/3/1".bytes), VersionedValue(value: "v3.1".bytes, block: 3, transaction: 1))
        XCTAssertEqual(try store.history("k/0/0".bytes, limit: 10, after: nil).items.map(\.block), [0, 4])
        XCTAssertEqual(try store.transactions(account: "C-1", limit: 10, after: nil).items.map(\.block), [4])
        XCTAssertEqual(try store.block(number: 2), records[2])
        XCTAssertTrue(try store.contains(transaction: records[1].block.transactions[0].id))
        // And it goes on where it stopped.
        try store.commit(try chain.block([try chain.put("after", "reopen")]))
        XCTAssertEqual(store.height, 6)
    }

    func testHalfRecordAtTheTailIsTruncatedAndCommitsContinue() throws {
        let chain = ChainBuilder()
        try commitAndClose(try chain.blocks(3))
        let intact = try size(blockFile())
        // The block the node was appending when the power went: half of its record reached the disk.
        let next = try chain.block([try chain.put("torn", "write")])
        let payload = next.encoded()
        var record: [UInt8] = []
        record.append(contentsOf: withUnsafeBytes(of: UInt32(payload.count).bigEndian, Array.init))
        record.append(contentsOf: [0xde, 0xad, 0xbe, 0xef])
        record.append(contentsOf: payload.prefix(payload.count / 2))
        try append(record, to: blockFile())

        let store = try open()
        XCTAssertEqual(store.height, 3)
        XCTAssertEqual(try size(blockFile()), intact)
        let report = try XCTUnwrap(store.recovery.truncatedTail)
        XCTAssertTrue(report.contains("offset \(intact)"), report)
        XCTAssertEqual(try store.block(number: 2)?.block.header.number, 2)
        try store.commit(next)
        try store.commit(try chain.block([try chain.put("more", "1")]))
        store.close()

        let reopened = try open()
        XCTAssertEqual(reopened.height, 5)
        XCTAssertNil(reopened.recovery.truncatedTail)
        XCTAssertEqual(try reopened.state("torn".bytes)?.value, "write".bytes)
    }

    func testGarbageAtTheTailIsTruncated() throws {
        let chain = ChainBuilder()
        try commitAndClose(try chain.blocks(2))
        let intact = try size(blockFile())
        for garbage in [[0xff, 0xff, 0x00, 0x10, 1, 2, 3, 4, 5, 6, 7], [0x01, 0x02, 0x03], [UInt8](repeating: 0, count: 300)] as [[UInt8]] {
            try append(garbage, to: blockFile())
            let store = try open()
            XCTAssertEqual(store.height, 2)
            XCTAssertNotNil(store.recovery.truncatedTail, "\(garbage.prefix(4))")
            store.close()
            XCTAssertEqual(try size(blockFile()), intact)
        }
        // A complete record with a bad checksum as the very last record is a torn write too.
        let next = try chain.block([try chain.put("x", "y")], advance: false).encoded()
        try append(withUnsafeBytes(of: UInt32(next.count).bigEndian, Array.init) + [0, 0, 0, 0] + next, to: blockFile())
        let store = try open()
        XCTAssertEqual(store.height, 2)
        XCTAssertTrue(store.recovery.truncatedTail?.contains("checksum mismatch") ?? false, "\(store.recovery)")
        try store.commit(try chain.block([try chain.put("x", "y")]))
    }

    func testCommittedRecordDamagedAtTheTailIsNotTruncated() throws {
        let chain = ChainBuilder()
        try commitAndClose(try chain.blocks(3))
        // Cut into the last committed block: the index knows it was committed, so this is
        // damage to report, not a torn append to repair.
        let bytes = try contents(blockFile())
        try write(Array(bytes.dropLast(10)), to: blockFile())
        assertLedgerError(.corrupt, ["block 2 in '\(blockFile())'", "runs past the end of the file"]) { try open() }
        XCTAssertEqual(try size(blockFile()), UInt64(bytes.count - 10), "nothing truncated")
    }

    func testCrashBetweenBlockAppendAndIndexBatchIsReapplied() throws {
        let chain = ChainBuilder()
        try commitAndClose(try chain.blocks(2))
        // The node appended and fsynced block 2, then died before its LevelDB batch.
        let missing = try chain.block([try chain.put("k/0/0", "overwritten", accounts: ["C-9"]), try chain.delete("k/1/1")])
        let blocks = try BlockStore(directory: directory)
        XCTAssertEqual(blocks.count, 2)
        _ = try blocks.append(missing)
        blocks.close()

        let store = try open()
        XCTAssertEqual(store.recovery.blocksReapplied, 1)
        XCTAssertEqual(store.recovery.blocksVerified, 3)
        XCTAssertEqual(store.height, 3)
        XCTAssertEqual(store.lastBlockHash, missing.block.header.hash)
        XCTAssertEqual(store.lastCommitHash, chain.lastCommit)
        XCTAssertEqual(try store.state("k/0/0".bytes), VersionedValue(value: "overwritten".bytes, block: 2, transaction: 0))
        XCTAssertNil(try store.state("k/1/1".bytes))
        XCTAssertEqual(try store.transaction(missing.block.transactions[1].id)?.block, 2)
        XCTAssertEqual(try store.block(hash: missing.block.header.hash), missing)
        XCTAssertEqual(try store.transactions(account: "C-9", limit: 5, after: nil).items.count, 1)
        store.close()
        XCTAssertEqual(try open().recovery.blocksReapplied, 0, "the replay was made durable")
    }

    func testIndexRolledBackToAnOlderCopyCatchesUp() throws {
        let chain = ChainBuilder()
        var records = try chain.blocks(2)
        let store = try open()
        for record in records { try store.commit(record) }
        store.close()
        let saved = try temporaryDirectory(self) + "/index-copy"
        try FileManager.default.copyItem(atPath: directory + "/index", toPath: saved)

        records += [try chain.block([try chain.put("k/0/0", "changed", accounts: ["A"]), try chain.put("new", "1")]),
                    try chain.block([try chain.delete("new", accounts: ["A"]), try chain.put("k/1/0", "again")])]
        let reopened = try open()
        for record in records.dropFirst(2) { try reopened.commit(record) }
        let expected = try snapshot(reopened)
        reopened.close()

        try FileManager.default.removeItem(atPath: directory + "/index")
        try FileManager.default.copyItem(atPath: saved, toPath: directory + "/index")
        let recovered = try open()
        XCTAssertEqual(recovered.recovery.blocksReapplied, 2)
        XCTAssertEqual(recovered.height, 4)
        XCTAssertEqual(try snapshot(recovered), expected)
    }

    func testLostSavepointAndLostIndexAreRebuiltFromTheBlockFiles() throws {
        let chain = ChainBuilder()
        let records = try chain.blocks(3) + [try chain.block([try chain.delete("k/2/0", accounts: ["B"])])]
        let store = try open()
        for record in records { try store.commit(record) }
        let expected = try snapshot(store)
        store.close()

        // Savepoint key gone: the whole chain is re-applied over the existing entries, idempotently.
        let index = try LevelDB(path: directory + "/index")
        try index.delete([0x02], sync: true)
        index.close()
        let replayed = try open()
        XCTAssertEqual(replayed.recovery.blocksReapplied, 4)
        XCTAssertEqual(try snapshot(replayed), expected)
        replayed.close()

        // Index folder gone altogether: rebuilt from scratch.
        try FileManager.default.removeItem(atPath: directory + "/index")
        let rebuilt = try open()
        XCTAssertEqual(rebuilt.recovery.blocksReapplied, 4)
        XCTAssertEqual(try snapshot(rebuilt), expected)
    }

    func testIndexAheadOfTheBlockFilesIsRefused() throws {
        let chain = ChainBuilder()
        try commitAndClose(try chain.blocks(3), fileSizeLimit: 1)
        // Each block has its own file; losing the last file leaves the index ahead.
        try FileManager.default.removeItem(atPath: blockFile(2))
        assertLedgerError(.corrupt, ["records 3 blocks", "hold only 2"]) { try open(fileSizeLimit: 1) }
    }

    /// Everything a query can see, to compare two stores.
    private func snapshot(_ store: LedgerStore) throws -> [String] {
        var lines = try store.range(prefix: [], limit: 1000, after: nil).items.map {
            "state \($0.key.text)=\($0.value.value.text)@\($0.value.block).\($0.value.transaction)"
        }
        for key in ["k/0/0", "k/1/0", "k/1/1", "k/2/0", "new"] {
            lines += try store.history(key.bytes, limit: 100, after: nil).items.map {
                "history \(key) \($0.block).\($0.transaction) \($0.value?.text ?? "deleted") \($0.txid)"
            }
        }
        for account in ["A", "B"] {
            lines += try store.transactions(account: account, limit: 100, after: nil).items.map { "account \(account) \($0.block).\($0.index)" }
        }
        for number in 0..<store.height {
            let block = try XCTUnwrap(try store.block(number: number))
            for transaction in block.block.transactions {
                let found = try XCTUnwrap(try store.transaction(transaction.id))
                lines.append("tx \(transaction.id) \(found.block).\(found.index)")
            }
            XCTAssertEqual(try store.block(hash: block.block.header.hash), block)
        }
        lines.append("height \(store.height) \(store.lastBlockHash.map(\.hex) ?? "-") \(store.lastCommitHash)")
        return lines
    }
}
