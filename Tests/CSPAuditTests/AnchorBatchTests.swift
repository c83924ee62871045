import CSPAudit
import CSPBasics
import CSPCrypto
import CSPFormat
import XCTest

final class AnchorBatchTests: XCTestCase {
    /// Every receipt leads from its salted leaf to the root, and only its own document's.
    func testReceiptsProveEachDocumentAndNoOther() throws {
        let documents = (0..<37).map { SHA256.hash(Array("document \($0)".utf8)) }
        let batch = try AnchorBatch(documents: documents)
        XCTAssertEqual(Set(batch.salts.map { Hex.encode($0) }).count, 37, "a fresh salt per document")
        XCTAssertEqual(batch.root, MerkleTree.root(leafHashes: zip(batch.salts, documents).map { AnchorBatch.leafHash(salt: $0, document: $1) }))
        for index in documents.indices {
            let receipt = batch.receipt(index)
            let path = receipt.path.map { SHA256Digest(hex: $0)! }
            let leaf = AnchorBatch.leafHash(salt: Hex.decode(receipt.salt)!, document: documents[index])
            XCTAssertEqual(MerkleTree.root(fromLeaf: leaf, index: receipt.index, treeSize: receipt.size, path: path), batch.root)
            let other = AnchorBatch.leafHash(salt: Hex.decode(receipt.salt)!, document: documents[(index + 1) % 37])
            XCTAssertNotEqual(MerkleTree.root(fromLeaf: other, index: receipt.index, treeSize: receipt.size, path: path), batch.root)
        }
        // The same documents with other salts give another root: the root reveals nothing.
        XCTAssertNotEqual(try AnchorBatch(documents: documents).root, batch.root)
    }

    /// The hand-written JSON reads back as the same proof.
    func testProofFileRoundTrips() throws {
        let proof = ProofFile(document: SHA256.hash([1]), batch: ProofFile.Batch(salt: String(repeating: "ab", count: 32), index: 2, size: 5, path: [SHA256.hash([2]).hex]),
                              transaction: [1, 2, 3], position: 0, blockPath: [], header: [4, 5], signature: [6], commit: [7], chain: [[8, 9]])
        XCTAssertEqual(try ProofFile(decoding: proof.encoded(), source: "p"), proof)
        // The batch encoder writes the very bytes of encoded(compact:) for any document and position.
        var other = proof
        other.document = SHA256.hash([9]).hex
        other.batch = ProofFile.Batch(salt: String(repeating: "cd", count: 32), index: 4, size: 5, path: [SHA256.hash([3]).hex, SHA256.hash([4]).hex])
        for compact in [false, true] {
            XCTAssertEqual(ProofFile.ReceiptEncoder(template: proof, compact: compact).encode(document: SHA256.hash([9]), batch: other.batch!),
                           other.encoded(compact: compact))
        }
        XCTAssertThrowsError(try ProofFile(decoding: Array(#"{"format":"csp-proof","version":2}"#.utf8), source: "p"))
    }

    /// A transaction proof has a kind and no document; CRLs travel in both kinds, and a
    /// receipt with CRLs still encodes fast to the same bytes.
    func testTransactionProofsAndCRLsRoundTrip() throws {
        let proof = ProofFile(document: nil, batch: nil, transaction: [1, 2, 3], position: 1, blockPath: [SHA256.hash([2])], header: [4, 5],
                              signature: [6], commit: [7], chain: [], crls: [[0x30, 1], [0x30, 2]])
        XCTAssertTrue(proof.isTransactionProof)
        let text = String(decoding: proof.encoded(), as: UTF8.self)
        XCTAssertTrue(text.contains(#""kind": "transaction""#) && !text.contains("document") && text.contains(#""crls": ["MAE=", "MAI="]"#), text)
        XCTAssertEqual(try ProofFile(decoding: proof.encoded(), source: "p"), proof)
        XCTAssertEqual(try ProofFile.Lookup(proof.encoded(compact: true), source: "p").proof(for: nil), proof)
        var receipt = ProofFile(document: SHA256.hash([1]), batch: ProofFile.Batch(salt: String(repeating: "ab", count: 32), index: 0, size: 2, path: [SHA256.hash([5]).hex]),
                                transaction: [1], position: 0, blockPath: [], header: [4], signature: [6], commit: [7], chain: [], crls: [[0x30, 1]])
        XCTAssertFalse(receipt.isTransactionProof)
        let encoder = ProofFile.ReceiptEncoder(template: receipt, compact: true)
        receipt.document = SHA256.hash([2]).hex
        receipt.batch!.index = 1
        XCTAssertEqual(encoder.encode(document: SHA256.hash([2]), batch: receipt.batch!), receipt.encoded(compact: true))
    }

    func testUTCTimeMatchesRFC3339() {
        XCTAssertEqual(UTCTime.format(milliseconds: 0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(UTCTime.format(milliseconds: 1_796_014_862_278), "2026-11-30T05:01:02.278Z")
        XCTAssertEqual(UTCTime.format(milliseconds: 951_782_400_007), "2000-02-29T00:00:00.007Z")
    }
}
