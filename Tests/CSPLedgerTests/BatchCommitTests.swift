import CSPFormat
import CSPLedger
import CSPTestSupport
import Foundation
import XCTest

/// `commit(batch:)` (docs/STORAGE.md, "Batched commits"): many blocks, one fsync and one
/// unsynced index batch, the same checks per block, and a prefix of whole blocks after a crash.
final class BatchCommitTests: LedgerTestCase {
    func testABatchCommitsEveryBlockAsSingleCommitsWould() throws {
        let chain = ChainBuilder()
        let records = try chain.blocks(1) + [try chain.block([try chain.put("k", "1", accounts: ["A-1"])]),
                                             try chain.block([try chain.put("k", "2"), try chain.delete("k/0/1")]),
                                             try chain.block([try chain.put("k", "3", accounts: ["A-1"])])]
        let store = try open()
        try store.commit(batch: Array(records.prefix(1)))
        try store.commit(batch: Array(records.dropFirst()), payloads: records.dropFirst().map { $0.encoded() })
        XCTAssertEqual(store.height, 4)
        XCTAssertEqual(store.lastCommitHash, chain.lastCommit)
        // A later write in the batch wins; deletes apply; every block's index entries are there.
        XCTAssertEqual(try store.state("k".bytes), VersionedValue(value: "3".bytes, block: 3, transaction: 0))
        XCTAssertNil(try store.state("k/0/1".bytes))
        XCTAssertEqual(try store.history("k".bytes, limit: 10, after: nil).items.map(\.block), [1, 2, 3])
        XCTAssertEqual(try store.transactions(account: "A-1", limit: 10, after: nil).items.map(\.block), [1, 3])
        for record in records {
            XCTAssertEqual(try store.block(hash: record.block.header.hash), record)
            XCTAssertEqual(try store.transaction(record.block.transactions[0].id)?.block, record.block.header.number)
        }
        store.close()
        let reopened = try open()
        XCTAssertEqual(reopened.height, 4)
        XCTAssertEqual(reopened.recovery.blocksReapplied, 0, "the savepoint is the last block's")
    }

    func testABlockThatDoesNotFollowCommitsThoseBeforeItAndNothingAfter() throws {
        let chain = ChainBuilder()
        let good = try chain.blocks(3)
        let forged = try chain.block([try chain.put("x", "y")], advance: false, commitHash: .zero)
        let after = try chain.block([try chain.put("z", "1")])
        let store = try open()
        assertLedgerError(.refused, ["cannot commit block 3", "commit hash"]) { try store.commit(batch: good + [forged, after]) }
        XCTAssertEqual(store.height, 3, "the blocks before the refused one are committed")
        XCTAssertNil(try store.state("x".bytes))
        XCTAssertNil(try store.state("z".bytes))
        store.close()
        XCTAssertEqual(try open().height, 3)
    }

    func testABatchAcrossFilesSyncsEachFileAndReopens() throws {
        let chain = ChainBuilder()
        let records = try chain.blocks(20, perBlock: 3)
        let store = try open(fileSizeLimit: 2048)
        try store.commit(batch: records)
        store.close()
        XCTAssertTrue(FileManager.default.fileExists(atPath: blockFile(2)), "the batch spans several files")
        let reopened = try open(fileSizeLimit: 2048)
        XCTAssertEqual(reopened.height, 20)
        XCTAssertEqual(try reopened.block(number: 19), records[19])
    }

    /// A batch's index write is not synced: a power cut may lose it, and any batches
    /// after it (LevelDB keeps a prefix of its writes). The copy of the index taken
    /// after the first batch stands for that; the synced block files bring the rest back.
    func testBatchesWhoseIndexWritesWereLostAreReappliedFromTheBlockFiles() throws {
        let chain = ChainBuilder()
        let first = try chain.blocks(3)
        let later = [try chain.block([try chain.put("k", "1", accounts: ["A-1"])]), try chain.block([try chain.put("k", "2")])]
        let store = try open()
        try store.commit(batch: first)
        store.close()
        let saved = directory + "-index-after-first-batch"
        try FileManager.default.copyItem(atPath: directory + "/index", toPath: saved)
        let again = try open()
        try again.commit(batch: Array(later.prefix(1)))
        try again.commit(batch: Array(later.suffix(1)))
        again.close()
        try FileManager.default.removeItem(atPath: directory + "/index")
        try FileManager.default.moveItem(atPath: saved, toPath: directory + "/index")

        let recovered = try open()
        XCTAssertEqual(recovered.height, 5)
        XCTAssertEqual(recovered.recovery.blocksReapplied, 2)
        XCTAssertEqual(recovered.lastCommitHash, chain.lastCommit)
        XCTAssertEqual(try recovered.state("k".bytes), VersionedValue(value: "2".bytes, block: 4, transaction: 0))
        XCTAssertEqual(try recovered.transactions(account: "A-1", limit: 10, after: nil).items.map(\.block), [3])
    }

    /// A crash after a batch's records reached the files, part of the last one torn, and
    /// before its index batch: the ledger recovers to the whole blocks, re-applied.
    func testACrashInsideABatchLeavesAPrefixOfWholeBlocks() throws {
        let chain = ChainBuilder()
        try commitAndClose(try chain.blocks(2))
        let batch = try chain.blocks(3)
        let blocks = try BlockStore(directory: directory)
        for record in batch.prefix(2) { _ = try blocks.append(record) }
        blocks.close()
        let torn = Array(try contents(blockFile()) + [0, 0, 0, 40] + Array(repeating: 7, count: 11))
        try write(torn, to: blockFile())

        let store = try open()
        XCTAssertEqual(store.height, 4)
        XCTAssertEqual(store.recovery.blocksReapplied, 2)
        XCTAssertNotNil(store.recovery.truncatedTail)
        XCTAssertEqual(store.lastBlockHash, batch[1].block.header.hash)
        // The lost block is committed again, as a follower would after fetching it anew.
        try store.commit(batch: [batch[2]])
        XCTAssertEqual(store.height, 5)
    }
}
