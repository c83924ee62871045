import CSPTestSupport
import CSPBasics
import CSPCrypto
import CSPFormat
import CSPLedger
import XCTest

/// Commits and every query the node serves from the store.
final class CommitAndQueryTests: LedgerTestCase {
    func testCommitAndReadBackByNumberAndHash() throws {
        let chain = ChainBuilder()
        let store = try open()
        XCTAssertEqual(store.height, 0)
        XCTAssertNil(store.lastBlockHash)
        XCTAssertEqual(store.lastCommitHash, .zero)
        let records = try chain.blocks(3)
        for record in records { try store.commit(record) }

        XCTAssertEqual(store.height, 3)
        XCTAssertEqual(store.lastBlockHash, records[2].block.header.hash)
        XCTAssertEqual(store.lastCommitHash, records[2].block.header.commitHash)
        XCTAssertEqual(store.lastCommitHash, chain.lastCommit)
        for (number, record) in records.enumerated() {
            XCTAssertEqual(try store.block(number: UInt64(number)), record)
            XCTAssertEqual(try store.block(hash: record.block.header.hash), record)
        }
        XCTAssertNil(try store.block(number: 3))
        XCTAssertNil(try store.block(hash: SHA256.hash("no such block")))
    }

    func testTransactionLookupForValidAndInvalidTransactions() throws {
        let chain = ChainBuilder()
        let store = try open()
        try store.commit(try chain.block([try chain.put("a", "1")]))
        let valid = try chain.put("b", "2", accounts: ["C-1"])
        let refused = try chain.invalid(.policyDenied, reason: "customers may not call close",
                                        writes: [StateWrite(key: "b".bytes, value: "evil".bytes)])
        let record = try chain.block([valid, refused])
        try store.commit(record)

        let found = try XCTUnwrap(try store.transaction(valid.transaction.id))
        XCTAssertEqual(found.transaction, valid.transaction)
        XCTAssertEqual(found.validation, .valid)
        XCTAssertEqual(found.block, 1)
        XCTAssertEqual(found.index, 0)
        XCTAssertEqual(found.effects, valid.effects)
        XCTAssertEqual(found.blockTimestamp, record.block.header.timestamp)

        let invalid = try XCTUnwrap(try store.transaction(refused.transaction.id))
        XCTAssertEqual(invalid.validation, Validation(code: .policyDenied, reason: "customers may not call close"))
        XCTAssertEqual(invalid.block, 1)
        XCTAssertEqual(invalid.index, 1)
        // An invalid transaction's effects are kept for the record but never applied.
        XCTAssertEqual(try store.state("b".bytes)?.value, "2".bytes)

        XCTAssertNil(try store.transaction(SHA256.hash("unknown")))
    }

    func testDuplicateDetectionKeepsTheFirstOccurrence() throws {
        let chain = ChainBuilder()
        let store = try open()
        let first = try chain.put("a", "1")
        let refused = try chain.invalid(.badSignature, reason: "signature does not verify")
        try store.commit(try chain.block([first, refused]))
        XCTAssertTrue(try store.contains(transaction: first.transaction.id))
        XCTAssertTrue(try store.contains(transaction: refused.transaction.id), "invalid transactions count too")
        XCTAssertFalse(try store.contains(transaction: SHA256.hash("never submitted")))

        // The resubmission is marked duplicate in a later block; the id keeps naming the first.
        let again = try chain.invalid(.duplicateID, reason: "already committed", transaction: first.transaction)
        let inBlockTwice = try chain.put("c", "3")
        try store.commit(try chain.block([again, inBlockTwice, ChainBuilder.Entry(inBlockTwice.transaction, .duplicateID)]))
        let found = try XCTUnwrap(try store.transaction(first.transaction.id))
        XCTAssertEqual(found.block, 0)
        XCTAssertEqual(found.validation, .valid)
        let within = try XCTUnwrap(try store.transaction(inBlockTwice.transaction.id))
        XCTAssertEqual(within.block, 1)
        XCTAssertEqual(within.index, 1)
    }

    func testStateVersionsFollowTheLastValidWrite() throws {
        let chain = ChainBuilder()
        let store = try open()
        try store.commit(try chain.block([try chain.put("order/1", "new"), try chain.put("order/2", "x")]))
        XCTAssertEqual(try store.state("order/1".bytes), VersionedValue(value: "new".bytes, block: 0, transaction: 0))

        // Two writes of one key in a block: the later transaction wins; an invalid one changes nothing.
        try store.commit(try chain.block([
            try chain.put("order/1", "paid"),
            try chain.writes([("order/1", "first"), ("order/1", "shipped")]),
            try chain.invalid(.contractFailed, reason: "not allowed", writes: [StateWrite(key: "order/1".bytes, value: "stolen".bytes)]),
        ]))
        XCTAssertEqual(try store.state("order/1".bytes), VersionedValue(value: "shipped".bytes, block: 1, transaction: 1))
        XCTAssertEqual(try store.history("order/1".bytes, limit: 10, after: nil).items.map { $0.value?.text },
                       ["new", "paid", "shipped"], "invalid transactions leave no history")
        XCTAssertEqual(try store.state("order/2".bytes), VersionedValue(value: "x".bytes, block: 0, transaction: 1))

        try store.commit(try chain.block([try chain.delete("order/1")]))
        XCTAssertNil(try store.state("order/1".bytes))
        XCTAssertNil(try store.state("order/3".bytes))
        try store.commit(try chain.block([try chain.put("order/1", "again")]))
        XCTAssertEqual(try store.state("order/1".bytes), VersionedValue(value: "again".bytes, block: 3, transaction: 0))
    }

    func testRangeWithPrefixInThreePages() throws {
        let chain = ChainBuilder()
        let store = try open()
        // Neighbours on both sides of the prefix must stay out.
        try store.commit(try chain.block(["demand", "demand.", "demanc/z", "order/1"].map { try chain.put($0, "other") }))
        let keys = (1...7).map { "demand/D-\($0)" }
        try store.commit(try chain.block(keys.reversed().map { try chain.put($0, "v-\($0)") }))
        try store.commit(try chain.block([try chain.delete("demand/D-4")]))
        let expected = keys.filter { $0 != "demand/D-4" }

        var collected: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try store.range(prefix: "demand/".bytes, limit: 2, after: token)
            pages += 1
            XCTAssertLessThanOrEqual(page.items.count, 2)
            for item in page.items {
                collected.append(item.key.text)
                XCTAssertEqual(item.value.value, "v-\(item.key.text)".bytes)
                XCTAssertEqual(item.value.block, 1)
            }
            token = page.next
            if let token { XCTAssertNotNil(Hex.decodeForTest(token)) }
        } while token != nil && pages < 10
        XCTAssertEqual(pages, 3)
        XCTAssertEqual(collected, expected)

        let whole = try store.range(prefix: "demand/".bytes, limit: 100, after: nil)
        XCTAssertEqual(whole.items.map(\.key.text), expected)
        XCTAssertNil(whole.next)
        XCTAssertEqual(try store.range(prefix: [], limit: 100, after: nil).items.count, expected.count + 4)
        XCTAssertEqual(try store.range(prefix: "none/".bytes, limit: 5, after: nil).items.count, 0)

        assertLedgerError(.invalidArgument, ["page limit"]) { try store.range(prefix: [], limit: 0, after: nil) }
        assertLedgerError(.invalidArgument, ["invalid page token 'zz'"]) { try store.range(prefix: [], limit: 1, after: "zz") }
        // A token from another prefix cannot silently restart elsewhere.
        let orderToken = "order/1".bytes.map { String(format: "%02x", $0) }.joined()
        assertLedgerError(.invalidArgument, ["invalid page token"]) { try store.range(prefix: "demand/".bytes, limit: 1, after: orderToken) }
    }

    func testHistoryOldestFirstWithPaginationAndDeletions() throws {
        let chain = ChainBuilder()
        let store = try open()
        var writers: [ChainBuilder.Entry] = []
        for step in 0..<5 {
            let entry = step == 3 ? try chain.delete("contract/K-1") : try chain.put("contract/K-1", "state-\(step)")
            writers.append(entry)
            // Another key that extends this one must not appear in its history.
            try store.commit(try chain.block([try chain.put("contract/K-10", "noise"), entry]))
        }
        var entries: [HistoryEntry] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try store.history("contract/K-1".bytes, limit: 2, after: token)
            entries += page.items
            token = page.next
            pages += 1
        } while token != nil && pages < 10
        XCTAssertEqual(pages, 3)
        XCTAssertEqual(entries.map(\.block), [0, 1, 2, 3, 4])
        XCTAssertEqual(entries.map(\.transaction), [1, 1, 1, 1, 1])
        XCTAssertEqual(entries.map { $0.value.map(\.text) }, ["state-0", "state-1", "state-2", nil, "state-4"])
        XCTAssertEqual(entries.map(\.txid), writers.map(\.transaction.id))
        XCTAssertEqual(entries.map(\.timestamp), writers.map(\.transaction.body.timestamp))
        XCTAssertEqual(try store.history("contract/K-10".bytes, limit: 10, after: nil).items.count, 5)
        XCTAssertEqual(try store.history("contract/K".bytes, limit: 10, after: nil).items.count, 0)
        assertLedgerError(.invalidArgument, ["invalid page token"]) { try store.history("contract/K-1".bytes, limit: 2, after: "00") }
    }

    func testAccountIndexInCommitOrder() throws {
        let chain = ChainBuilder()
        let store = try open()
        var expected: [SHA256Digest] = []
        for number in 0..<4 {
            let mine = try chain.put("demand/\(number)", "open", accounts: ["C-1001", "ENT"])
            let other = try chain.put("demand/x\(number)", "open", accounts: ["C-2002"])
            let refused = try chain.invalid(.policyDenied, reason: "no", accounts: ["C-1001"])
            expected += [mine.transaction.id, refused.transaction.id]
            try store.commit(try chain.block([mine, other, refused]))
        }
        var records: [TransactionRecord] = []
        var token: String?
        repeat {
            let page = try store.transactions(account: "C-1001", limit: 3, after: token)
            records += page.items
            token = page.next
        } while token != nil && records.count < 100
        XCTAssertEqual(records.map(\.transaction.id), expected)
        XCTAssertEqual(records.map(\.block), [0, 0, 1, 1, 2, 2, 3, 3])
        XCTAssertEqual(records.map(\.index), [0, 2, 0, 2, 0, 2, 0, 2])
        XCTAssertEqual(records[1].validation.code, .policyDenied)
        XCTAssertEqual(try store.transactions(account: "C-2002", limit: 10, after: nil).items.count, 4)
        XCTAssertEqual(try store.transactions(account: "C-100", limit: 10, after: nil).items.count, 0)
        XCTAssertEqual(try store.transactions(account: "ENT", limit: 10, after: nil).items.map(\.block), [0, 1, 2, 3])
    }

    func testRefusedBlocksWriteNothing() throws {
        let chain = ChainBuilder()
        let store = try open()
        try store.commit(try chain.block([try chain.put("a", "1")]))
        let fileSize = try size(blockFile())
        let entries = [try chain.put("a", "2")]

        assertLedgerError(.refused, ["cannot commit block 5", "the next block is 1"]) {
            try store.commit(try chain.block(entries, advance: false, number: 5))
        }
        assertLedgerError(.refused, ["previous hash"]) {
            try store.commit(try chain.block(entries, advance: false, previousHash: SHA256.hash("fork")))
        }
        assertLedgerError(.refused, ["commit hash", "computed from the effects"]) {
            try store.commit(try chain.block(entries, advance: false, commitHash: SHA256.hash("diverged state")))
        }
        assertLedgerError(.refused, ["channel 'private'"]) {
            try store.commit(try chain.block(entries, advance: false, channel: "private"))
        }
        // Encodable but not decodable (a state key over the format's limit): the next open would fail on it.
        let huge = ChainBuilder.Entry(transaction: try chain.transaction(), validation: .valid,
                                      effects: TransactionEffects(writes: [StateWrite(key: [UInt8](repeating: 7, count: (1 << 20) + 1), value: [1])]))
        assertLedgerError(.refused, ["does not read back"]) { try store.commit(try chain.block([huge], advance: false)) }

        XCTAssertEqual(store.height, 1)
        XCTAssertEqual(try size(blockFile()), fileSize)
        XCTAssertEqual(try store.state("a".bytes)?.value, "1".bytes)
        XCTAssertFalse(try store.contains(transaction: entries[0].transaction.id))

        try store.commit(try chain.block(entries))
        XCTAssertEqual(store.height, 2)
        XCTAssertEqual(try store.state("a".bytes)?.value, "2".bytes)
    }

    func testEmptyBlockAndEmptyValue() throws {
        let chain = ChainBuilder()
        let store = try open()
        try store.commit(try chain.block([]))
        try store.commit(try chain.block([try chain.put("empty", "")]))
        XCTAssertEqual(try store.state("empty".bytes), VersionedValue(value: [], block: 1, transaction: 0))
        XCTAssertEqual(try store.history("empty".bytes, limit: 5, after: nil).items.first?.value, [])
        XCTAssertEqual(try store.block(number: 0)?.block.transactions.count, 0)
    }

    func testConcurrentReadersWhileCommitting() throws {
        let chain = ChainBuilder()
        let store = try open()
        let records = try chain.blocks(30, perBlock: 5)
        try store.commit(records[0])
        let failures = Failures()
        let done = Flag()
        let readers = (0..<3).map { reader in
            Thread {
                var lastHeight: UInt64 = 0
                while !done.isSet {
                    do {
                        let height = store.height
                        if height < lastHeight { failures.add("height went back from \(lastHeight) to \(height)") }
                        lastHeight = height
                        let number = UInt64(reader) % height
                        guard let block = try store.block(number: number) else { failures.add("block \(number) missing"); continue }
                        for transaction in block.block.transactions where try !store.contains(transaction: transaction.id) {
                            failures.add("transaction of block \(number) not found")
                        }
                        if try store.state("k/\(number)/0".bytes) == nil { failures.add("state of block \(number) missing") }
                        _ = try store.range(prefix: "k/".bytes, limit: 7, after: nil)
                    } catch {
                        failures.add("\(error)")
                    }
                }
            }
        }
        readers.forEach { $0.start() }
        for record in records.dropFirst() { try store.commit(record) }
        done.set()
        while readers.contains(where: { !$0.isFinished }) { usleep(1000) }
        XCTAssertEqual(failures.all, [])
        XCTAssertEqual(store.height, 30)
    }

    func testClosedStoreRefusesEverything() throws {
        let chain = ChainBuilder()
        let store = try open()
        try store.commit(try chain.block([try chain.put("a", "1")]))
        store.close()
        store.close()
        assertLedgerError(.unavailable, ["is closed"]) { try store.state("a".bytes) }
        assertLedgerError(.unavailable, ["is closed"]) { try store.commit(try chain.block([])) }
        assertLedgerError(.unavailable, ["is closed"]) { try store.block(number: 0) }
    }
}

extension ChainBuilder.Entry {
    /// The same transaction again under another validation code, with no effects.
    init(_ transaction: Transaction, _ code: ValidationCode) {
        self.init(transaction: transaction, validation: Validation(code: code, reason: "\(code)"), effects: .none)
    }
}

extension Hex {
    static func decodeForTest(_ text: String) -> [UInt8]? { decode(text) }
}

/// Messages collected from reader threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ message: String) { lock.withLock { if messages.count < 20 { messages.append(message) } } }
    var all: [String] { lock.withLock { messages } }
}

/// A one-way switch threads poll.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
