import CSPBasics
import CSPCrypto
import CSPFormat
import CSPTestSupport
import Foundation
import XCTest

/// The committed vectors in docs/vectors/format-v1.json pin every byte that is hashed or
/// signed: any change to the encoding fails here. `CSP_WRITE_VECTORS=1 swift test
/// --filter GoldenVectorTests` rewrites them (only when the format version changes).
final class GoldenVectorTests: XCTestCase {
    static let vectorsPath = repositoryRoot + "/docs/vectors/format-v1.json"
    static let certificate = try! Array(Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/docs/vectors/signer-cert.der")))
    static let endorserCertificate = try! Array(Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/docs/vectors/endorser-cert.der")))

    /// The sample transaction: a customer demand submitted to the consortium chain.
    static func sampleBody() throws -> TransactionBody {
        try TransactionBody(
            channel: "consortium", timestamp: 1_764_028_800_000,
            nonce: Hex.decode("000102030405060708090a0b0c0d0e0f")!, creator: certificate,
            contract: "demand", function: "submit",
            arguments: [TransactionArgument(name: "title", text: "Heating unit fails at night"),
                        TransactionArgument(name: "customer", text: "C-1001"),
                        TransactionArgument(name: "priority", text: "high")])
    }

    static func sampleHeader(merkleRoot: SHA256Digest, commitHash: SHA256Digest) -> BlockHeader {
        BlockHeader(channel: "consortium", number: 1,
                    previousHash: SHA256.hash("block 0 of the vectors"),
                    merkleRoot: merkleRoot, commitHash: commitHash,
                    timestamp: 1_764_028_800_250, orderer: certificate, transactionCount: 1)
    }

    static let sampleWrites = [StateWrite(key: Array("demand/D-1".utf8), value: Array("{\"status\":\"submitted\"}".utf8)),
                               StateWrite(key: Array("account/C-1001/D-1".utf8), value: []),
                               StateWrite(key: Array("demand/D-0".utf8), value: nil)]

    func testVectors() throws {
        if ProcessInfo.processInfo.environment["CSP_WRITE_VECTORS"] == "1" { try writeVectors(); try writeEndorsedVector() }
        if ProcessInfo.processInfo.environment["CSP_WRITE_VECTORS"] == "endorsed" { try writeEndorsedVector() }
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.vectorsPath))
        let vectors = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let publicKey = try P256PublicKey(pemFile: repositoryRoot + "/docs/vectors/signer-pub.pem")

        // Transaction body, id and signed envelope.
        let tx = try XCTUnwrap(vectors["transaction"] as? [String: String])
        let body = try Self.sampleBody()
        XCTAssertEqual(Hex.encode(body.encoded()), tx["body"])
        XCTAssertEqual(body.id.hex, tx["txid"])
        let signature = try XCTUnwrap(Hex.decode(tx["signature"]!))
        let transaction = Transaction(body: body, signature: signature)
        XCTAssertEqual(Hex.encode(transaction.encoded()), tx["encoded"])
        XCTAssertTrue(try transaction.hasValidSignature(by: publicKey))
        XCTAssertEqual(try Transaction(decoding: Hex.decode(tx["encoded"]!)!), transaction)

        // Commit hash.
        let commit = try XCTUnwrap(vectors["commit"] as? [String: String])
        let preimage = try CommitHash.preimage(previous: SHA256.hash("commit of block 0"), number: 1,
                                               validations: [.valid], writes: Self.sampleWrites)
        XCTAssertEqual(Hex.encode(preimage), commit["preimage"])
        XCTAssertEqual(SHA256.hash(preimage).hex, commit["hash"])

        // Block header, hash, orderer signature, whole block.
        let block = try XCTUnwrap(vectors["block"] as? [String: String])
        let header = Self.sampleHeader(merkleRoot: Block.merkleRoot(of: [transaction]), commitHash: SHA256.hash(preimage))
        XCTAssertEqual(header.merkleRoot.hex, block["merkle_root"])
        XCTAssertEqual(Hex.encode(header.encoded()), block["header"])
        XCTAssertEqual(header.hash.hex, block["hash"])
        let blockSignature = try XCTUnwrap(Hex.decode(block["signature"]!))
        XCTAssertTrue(try publicKey.isValidSignature(blockSignature, digest: header.hash))
        let full = Block(header: header, signature: blockSignature, transactions: [transaction], validations: [.valid])
        XCTAssertEqual(Hex.encode(full.encoded()), block["encoded"])
        XCTAssertEqual(try Block(decoding: full.encoded()), full)

        // The same transaction endorsed once: the body, id and creator signature unchanged,
        // the endorsement list after them, and a different Merkle leaf.
        let endorsedVector = try XCTUnwrap(vectors["endorsed"] as? [String: String])
        let endorserKey = try P256PublicKey(pemFile: repositoryRoot + "/docs/vectors/endorser-pub.pem")
        let endorserSignature = try XCTUnwrap(Hex.decode(endorsedVector["endorser_signature"]!))
        let endorsed = try Transaction(transaction, endorsements: [Endorsement(certificate: Self.endorserCertificate, signature: endorserSignature)])
        XCTAssertEqual(Hex.encode(endorsed.encoded()), endorsedVector["encoded"])
        XCTAssertEqual(try Transaction(decoding: Hex.decode(endorsedVector["encoded"]!)!), endorsed)
        XCTAssertEqual(endorsed.id, transaction.id)
        XCTAssertTrue(try endorserKey.isValidLowSSignature(endorserSignature, digest: transaction.id))
        XCTAssertEqual(Block.merkleRoot(of: [endorsed]).hex, endorsedVector["merkle_root"])

        // Merkle roots for 0 to 8 leaves, leaf i being the single byte i.
        let merkle = try XCTUnwrap(vectors["merkle"] as? [String])
        XCTAssertEqual(merkle.count, 9)
        for n in 0...8 {
            XCTAssertEqual(MerkleTree.root(leaves: (0..<n).map { [UInt8($0)] }).hex, merkle[n], "\(n) leaves")
        }
    }

    /// docs/vectors/verify.py decodes the vectors with its own parser, written from
    /// FORMAT.md alone: the document is precise enough to verify csp's bytes.
    func testIndependentPythonVerifierAgrees() throws {
        let result = try runProcess("python3", [repositoryRoot + "/docs/vectors/verify.py"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.hasSuffix("verify.py: all vectors agree with FORMAT.md\n"), result.stdout)
    }

    /// `CSP_WRITE_VECTORS=endorsed` adds the endorsed transaction to the committed
    /// vectors without re-signing the others (ECDSA signatures are not reproducible).
    private func writeEndorsedVector() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.vectorsPath))
        var vectors = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let tx = try XCTUnwrap(vectors["transaction"] as? [String: String])
        let transaction = Transaction(body: try Self.sampleBody(), signature: Hex.decode(tx["signature"]!)!)
        let key = try P256PrivateKey(pemFile: repositoryRoot + "/docs/vectors/endorser-key.pem")
        let endorsed = try transaction.endorsed(certificate: Self.endorserCertificate, key: key)
        vectors["endorsed"] = ["endorser_signature": Hex.encode(endorsed.endorsements[0].signature), "encoded": Hex.encode(endorsed.encoded()),
                               "merkle_root": Block.merkleRoot(of: [endorsed]).hex]
        let out = try JSONSerialization.data(withJSONObject: vectors, options: [.prettyPrinted, .sortedKeys])
        try (out + Data("\n".utf8)).write(to: URL(fileURLWithPath: Self.vectorsPath))
    }

    private func writeVectors() throws {
        let key = try P256PrivateKey(pemFile: repositoryRoot + "/docs/vectors/signer-key.pem")
        let body = try Self.sampleBody()
        let transaction = try Transaction(signing: body, with: key)
        let preimage = try CommitHash.preimage(previous: SHA256.hash("commit of block 0"), number: 1,
                                               validations: [.valid], writes: Self.sampleWrites)
        let header = Self.sampleHeader(merkleRoot: Block.merkleRoot(of: [transaction]), commitHash: SHA256.hash(preimage))
        let signature = try key.signature(forDigest: header.hash)
        let block = Block(header: header, signature: signature, transactions: [transaction], validations: [.valid])
        let vectors: [String: Any] = [
            "transaction": ["body": Hex.encode(body.encoded()), "txid": body.id.hex,
                            "signature": Hex.encode(transaction.signature), "encoded": Hex.encode(transaction.encoded())],
            "commit": ["preimage": Hex.encode(preimage), "hash": SHA256.hash(preimage).hex],
            "block": ["merkle_root": header.merkleRoot.hex, "header": Hex.encode(header.encoded()), "hash": header.hash.hex,
                      "signature": Hex.encode(signature), "encoded": Hex.encode(block.encoded())],
            "merkle": (0...8).map { n in MerkleTree.root(leaves: (0..<n).map { [UInt8($0)] }).hex },
        ]
        let data = try JSONSerialization.data(withJSONObject: vectors, options: [.prettyPrinted, .sortedKeys])
        try (data + Data("\n".utf8)).write(to: URL(fileURLWithPath: Self.vectorsPath))
    }
}
