import CSPBasics
import CSPCrypto
@testable import CSPFormat
import XCTest

/// Endorsements (docs/FORMAT.md, "Signed transaction"): absent when none, one encoding
/// otherwise, and the id never depends on them.
final class EndorsementEncodingTests: XCTestCase {
    let creator: [UInt8] = [0x30, 0x01, 0x01]

    func signed() throws -> (Transaction, P256PrivateKey) {
        let body = try TransactionBody(channel: "c", timestamp: 42, nonce: [1], creator: creator,
                                       contract: "service", function: "sign", arguments: [TransactionArgument(name: "id", text: "C-1")])
        let key = try P256PrivateKey.generate()
        return (try Transaction(signing: body, with: key), key)
    }

    func testNoEndorsementsEncodesAsBefore() throws {
        let (transaction, _) = try signed()
        var writer = CanonicalWriter()
        writer.lengthPrefixed(transaction.bodyBytes)
        writer.lengthPrefixed(transaction.signature)
        XCTAssertEqual(transaction.encoded(), writer.bytes)
        XCTAssertEqual(transaction.encodedSize, writer.bytes.count)
    }

    func testRoundTripKeepsIdAndVerifiesEveryEndorsement() throws {
        let (transaction, _) = try signed()
        let bob = try P256PrivateKey.generate(), carol = try P256PrivateKey.generate()
        let endorsed = try transaction.endorsed(certificate: [0x30, 0x02], key: bob).endorsed(certificate: [0x30, 0x03], key: carol)
        XCTAssertEqual(endorsed.id, transaction.id)
        XCTAssertEqual(endorsed.encodedSize, endorsed.encoded().count)
        let decoded = try Transaction(decoding: endorsed.encoded())
        XCTAssertEqual(decoded, endorsed)
        XCTAssertEqual(decoded.endorsements.map(\.certificate), [[0x30, 0x02], [0x30, 0x03]])
        XCTAssertTrue(try bob.publicKey.isValidLowSSignature(decoded.endorsements[0].signature, digest: decoded.id))
        XCTAssertTrue(try carol.publicKey.isValidLowSSignature(decoded.endorsements[1].signature, digest: decoded.id))
        // Every truncation fails, and the leaves of a block differ with the endorsements.
        let bytes = endorsed.encoded()
        for length in (transaction.encoded().count + 1)..<bytes.count {
            XCTAssertThrowsError(try Transaction(decoding: Array(bytes.prefix(length))), "prefix of \(length) bytes")
        }
        XCTAssertNotEqual(Block.merkleRoot(of: [transaction]), Block.merkleRoot(of: [endorsed]))
    }

    func testMalformedListsAreRefused() throws {
        let (transaction, _) = try signed()
        func encoded(_ entries: [([UInt8], [UInt8])], count: UInt32? = nil) -> [UInt8] {
            var writer = CanonicalWriter()
            writer.lengthPrefixed(transaction.bodyBytes)
            writer.lengthPrefixed(transaction.signature)
            writer.u32(count ?? UInt32(entries.count))
            for (certificate, signature) in entries { writer.lengthPrefixed(certificate); writer.lengthPrefixed(signature) }
            return writer.bytes
        }
        func refused(_ bytes: [UInt8], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try Transaction(decoding: bytes), file: file, line: line) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)", file: file, line: line)
            }
        }
        refused(encoded([]), "an empty endorsement list must be left out")
        refused(encoded([(creator, [1])]), "endorsement 1 is by the creator's own certificate")
        refused(encoded([([0x30, 0x02], [1]), ([0x30, 0x02], [2])]), "endorsement 2 repeats the certificate of an earlier endorsement")
        refused(encoded([([], [1])]), "endorsement 1: certificate must be 1 to")
        refused(encoded((0..<17).map { ([0x30, UInt8($0)], [1]) }), "17 endorsements, more than the limit of 16")
        refused(encoded([([0x30, 0x02], [1])], count: 2), "cannot fit")
        refused(encoded([([0x30, 0x02], Array(repeating: 1, count: 73))]), "more than the limit of 72")
        refused(encoded([([0x30, 0x02], [1])]) + [0], "1 trailing bytes")
        // 16 distinct endorsements are fine.
        XCTAssertEqual(try Transaction(decoding: encoded((0..<16).map { ([0x30, UInt8($0)], [1]) })).endorsements.count, 16)
        // The API refuses what the decoder refuses.
        XCTAssertThrowsError(try Transaction(transaction, endorsements: [Endorsement(certificate: creator, signature: [1])]))
    }

    func testBlockCarriesEndorsedTransactions() throws {
        let (transaction, key) = try signed()
        let endorsed = try transaction.endorsed(certificate: [0x30, 0x02], key: try P256PrivateKey.generate())
        let header = BlockHeader(channel: "c", number: 1, previousHash: .zero, merkleRoot: Block.merkleRoot(of: [endorsed, transaction]),
                                 commitHash: .zero, timestamp: 1, orderer: [], transactionCount: 2)
        let block = Block(header: header, signature: try key.signature(forDigest: header.hash), transactions: [endorsed, transaction],
                          validations: [.valid, .valid])
        XCTAssertEqual(try Block(decoding: block.encoded()), block)
    }
}
