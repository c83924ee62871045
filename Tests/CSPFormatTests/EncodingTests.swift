import CSPBasics
import CSPCrypto
@testable import CSPFormat
import XCTest

final class EncodingTests: XCTestCase {
    func body(_ arguments: [TransactionArgument] = [TransactionArgument(name: "k", text: "v")]) throws -> TransactionBody {
        try TransactionBody(channel: "c", timestamp: 42, nonce: [1, 2, 3], creator: [0x30, 0x00],
                            contract: "kv", function: "put", arguments: arguments)
    }

    func testArgumentsAreSortedByBytesAndIDIgnoresInputOrder() throws {
        let a = try body([TransactionArgument(name: "b", text: "2"), TransactionArgument(name: "a", text: "1"), TransactionArgument(name: "B", text: "0")])
        let b = try body([TransactionArgument(name: "a", text: "1"), TransactionArgument(name: "B", text: "0"), TransactionArgument(name: "b", text: "2")])
        XCTAssertEqual(a.arguments.map(\.name), ["B", "a", "b"])
        XCTAssertEqual(a.encoded(), b.encoded())
        XCTAssertEqual(a.id, b.id)
    }

    func testDuplicateArgumentIsRefused() {
        XCTAssertThrowsError(try body([TransactionArgument(name: "a", text: "1"), TransactionArgument(name: "a", text: "2")])) { error in
            XCTAssertEqual(String(describing: error), "malformed transaction at byte 0: argument 'a' given twice")
        }
    }

    func testRoundTripAndEveryTruncationFails() throws {
        let bytes = try body().encoded()
        XCTAssertEqual(try TransactionBody(decoding: bytes), try body())
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try TransactionBody(decoding: Array(bytes.prefix(length))), "prefix of \(length) bytes")
        }
        XCTAssertThrowsError(try TransactionBody(decoding: bytes + [0])) { error in
            XCTAssertTrue(String(describing: error).contains("1 trailing bytes"), "\(error)")
        }
    }

    func testOutOfOrderArgumentsInBytesAreRefused() throws {
        // Hand-build a body whose arguments are in the wrong order: a second valid encoding
        // of the same call would give it a second id.
        var writer = CanonicalWriter()
        writer.fixed(TransactionBody.magic); writer.u8(1); writer.string("c"); writer.u64(42)
        writer.lengthPrefixed([1]); writer.lengthPrefixed([]); writer.string("kv"); writer.string("put")
        writer.u32(2); writer.string("b"); writer.lengthPrefixed([]); writer.string("a"); writer.lengthPrefixed([])
        XCTAssertThrowsError(try TransactionBody(decoding: writer.bytes)) { error in
            XCTAssertTrue(String(describing: error).contains("out of canonical order"), "\(error)")
        }
    }

    func testHostileCountsAndLengthsAreRefusedCheaply() throws {
        var writer = CanonicalWriter()
        writer.fixed(TransactionBody.magic); writer.u8(1); writer.string("c"); writer.u64(42)
        writer.lengthPrefixed([1]); writer.lengthPrefixed([]); writer.string("kv"); writer.string("put")
        writer.u32(1000)  // announces 1000 arguments, holds none
        XCTAssertThrowsError(try TransactionBody(decoding: writer.bytes)) { error in
            XCTAssertTrue(String(describing: error).contains("cannot fit"), "\(error)")
        }
        var huge = CanonicalWriter()
        huge.fixed(TransactionBody.magic); huge.u8(1); huge.u32(0xFFFF_FFFF)
        XCTAssertThrowsError(try TransactionBody(decoding: huge.bytes)) { error in
            XCTAssertTrue(String(describing: error).contains("more than the limit"), "\(error)")
        }
    }

    func testWrongMagicVersionAndUTF8() throws {
        var bytes = try body().encoded()
        bytes[0] = UInt8(ascii: "X")
        XCTAssertThrowsError(try TransactionBody(decoding: bytes)) { XCTAssertTrue("\($0)".contains("expected magic CSPT")) }
        bytes = try body().encoded()
        bytes[4] = 9
        XCTAssertThrowsError(try TransactionBody(decoding: bytes)) { XCTAssertTrue("\($0)".contains("unsupported version 9")) }
        bytes = try body().encoded()
        bytes[9] = 0xFF  // the channel's single byte
        XCTAssertThrowsError(try TransactionBody(decoding: bytes)) { XCTAssertTrue("\($0)".contains("not valid UTF-8")) }
    }

    func testSignedTransactionVerifiesAndTamperingIsCaught() throws {
        let key = try P256PrivateKey.generate()
        let transaction = try Transaction(signing: try body(), with: key)
        XCTAssertTrue(try transaction.hasValidSignature(by: key.publicKey))
        var tampered = transaction.encoded()
        tampered[tampered.count - 80] ^= 1  // inside the body
        if let decoded = try? Transaction(decoding: tampered) {
            XCTAssertFalse(try decoded.hasValidSignature(by: key.publicKey))
            XCTAssertNotEqual(decoded.id, transaction.id)
        }
    }

    func testBlockDecodingChecksCountsAndMerkleRoot() throws {
        let key = try P256PrivateKey.generate()
        let txs = try (0..<3).map { i in try Transaction(signing: try body([TransactionArgument(name: "i", text: "\(i)")]), with: key) }
        let header = BlockHeader(channel: "c", number: 7, previousHash: .zero, merkleRoot: Block.merkleRoot(of: txs),
                                 commitHash: .zero, timestamp: 1, orderer: [], transactionCount: 3)
        let block = Block(header: header, signature: try key.signature(forDigest: header.hash), transactions: txs,
                          validations: [.valid, Validation(code: .policyDenied, reason: "role customer may not call kv.put"), .valid])
        XCTAssertEqual(try Block(decoding: block.encoded()), block)

        var wrongRoot = block
        wrongRoot.header.merkleRoot = .zero
        XCTAssertThrowsError(try Block(decoding: wrongRoot.encoded())) { XCTAssertTrue("\($0)".contains("Merkle root"), "\($0)") }
        var wrongCount = block
        wrongCount.header.transactionCount = 2
        XCTAssertThrowsError(try Block(decoding: wrongCount.encoded())) { XCTAssertTrue("\($0)".contains("announces 2"), "\($0)") }
        var missingValidation = block
        missingValidation.validations.removeLast()
        XCTAssertThrowsError(try Block(decoding: missingValidation.encoded())) { XCTAssertTrue("\($0)".contains("2 validations for 3"), "\($0)") }
        var bytes = block.encoded()
        bytes[bytes.count - 1 - "role customer may not call kv.put".utf8.count - 4 - 1 - 5] = 200
        XCTAssertThrowsError(try Block(decoding: bytes))
    }

    func testCommitHashIsOrderIndependentAndRefusesDuplicates() throws {
        let writes = [StateWrite(key: [2], value: [1]), StateWrite(key: [1], value: nil)]
        let a = try CommitHash.compute(previous: .zero, number: 1, validations: [.valid], writes: writes)
        let b = try CommitHash.compute(previous: .zero, number: 1, validations: [.valid], writes: writes.reversed())
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, try CommitHash.compute(previous: .zero, number: 1, validations: [.badSignature], writes: writes))
        XCTAssertNotEqual(a, try CommitHash.compute(previous: .zero, number: 1, validations: [.valid],
                                                    writes: [StateWrite(key: [2], value: [1]), StateWrite(key: [1], value: [])]))
        XCTAssertThrowsError(try CommitHash.compute(previous: .zero, number: 1, validations: [], writes: writes + [StateWrite(key: [1], value: [3])]))
    }
}

final class CommittedBlockTests: XCTestCase {
    func testRecordRoundTripFinalWritesAndCommitHash() throws {
        let key = try P256PrivateKey.generate()
        let txs = try (0..<3).map { i in
            try Transaction(signing: try TransactionBody(channel: "c", timestamp: UInt64(i), nonce: [UInt8(i)], creator: [],
                                                         contract: "kv", function: "put", arguments: []), with: key)
        }
        let effects = [
            TransactionEffects(writes: [StateWrite(key: [1], value: [1]), StateWrite(key: [2], value: [2])],
                               events: [ContractEvent(name: "put", payload: [1])], accounts: ["Acme/alice"]),
            TransactionEffects(writes: [StateWrite(key: [1], value: [9])]),  // invalid: must not count
            TransactionEffects(writes: [StateWrite(key: [2], value: nil)], accounts: ["Acme/bob", "Acme/alice"]),
        ]
        let validations = [Validation.valid, Validation(code: .policyDenied, reason: "no"), .valid]
        let header = BlockHeader(channel: "c", number: 0, previousHash: .zero, merkleRoot: Block.merkleRoot(of: txs),
                                 commitHash: .zero, timestamp: 5, orderer: [], transactionCount: 3)
        let record = CommittedBlock(block: Block(header: header, signature: [0x30, 0x00], transactions: txs, validations: validations),
                                    effects: effects)
        XCTAssertEqual(try CommittedBlock(decoding: record.encoded()), record)
        XCTAssertEqual(record.finalWrites, [StateWrite(key: [1], value: [1]), StateWrite(key: [2], value: nil)])
        XCTAssertEqual(try record.commitHash(previous: .zero),
                       try CommitHash.compute(previous: .zero, number: 0, validations: [.valid, .policyDenied, .valid],
                                              writes: [StateWrite(key: [1], value: [1]), StateWrite(key: [2], value: nil)]))
        let bytes = record.encoded()
        for cut in [5, bytes.count / 2, bytes.count - 1] {
            XCTAssertThrowsError(try CommittedBlock(decoding: Array(bytes.prefix(cut))), "cut at \(cut)")
        }
        XCTAssertThrowsError(try CommittedBlock(decoding: bytes + [0])) { XCTAssertTrue("\($0)".contains("trailing"), "\($0)") }
    }
}
