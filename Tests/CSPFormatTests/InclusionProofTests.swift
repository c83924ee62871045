import CSPBasics
import CSPCrypto
import CSPFormat
import CSPTestSupport
import Foundation
import XCTest

/// A transaction's inclusion proof checks against its block's header, at every position of
/// blocks of 1 to 9 transactions, and refuses a changed transaction, path, position or header.
final class InclusionProofTests: XCTestCase {
    func block(of count: Int) throws -> Block {
        let key = try P256PrivateKey(pemFile: repositoryRoot + "/docs/vectors/signer-key.pem")
        let transactions = try (0..<count).map { i in
            try Transaction(signing: try TransactionBody(
                channel: "consortium", timestamp: 1_764_028_800_000, nonce: [UInt8(i + 1)], creator: GoldenVectorTests.certificate,
                contract: "kv", function: "put", arguments: [TransactionArgument(name: "key", text: "k\(i)")]), with: key)
        }
        var header = GoldenVectorTests.sampleHeader(merkleRoot: Block.merkleRoot(of: transactions), commitHash: .zero)
        header.transactionCount = UInt32(count)
        return Block(header: header, signature: [], transactions: transactions, validations: transactions.map { _ in .valid })
    }

    func testEveryPositionProvesAndAlterationsAreRefused() throws {
        for count in 1...9 {
            let block = try block(of: count)
            for index in 0..<count {
                let proof = InclusionProof(block: block, index: index)
                XCTAssertNil(proof.failure(against: block.header), "\(index) of \(count)")
                XCTAssertEqual(proof.transaction, block.transactions[index].encoded())
                var changed = proof
                changed.transaction[changed.transaction.count - 1] ^= 1
                XCTAssertNotNil(changed.failure(against: block.header))
                if count > 1 {
                    var moved = proof
                    moved.index = UInt32((index + 1) % count)
                    XCTAssertNotNil(moved.failure(against: block.header), "\(index) of \(count) at another position")
                    var shortened = proof
                    shortened.path.removeLast()
                    XCTAssertNotNil(shortened.failure(against: block.header))
                    var flipped = proof
                    var bytes = flipped.path[0].bytes
                    bytes[0] ^= 1
                    flipped.path[0] = SHA256Digest(bytes: bytes)!
                    XCTAssertNotNil(flipped.failure(against: block.header))
                }
                var beyond = proof
                beyond.index = UInt32(count)
                XCTAssertEqual(beyond.failure(against: block.header), "position \(count) is not below block 1's \(count) transactions")
            }
        }
        let other = try block(of: 3)
        var header = other.header
        header.merkleRoot = SHA256.hash("another block")
        XCTAssertNotNil(InclusionProof(block: other, index: 1).failure(against: header))
    }
}
