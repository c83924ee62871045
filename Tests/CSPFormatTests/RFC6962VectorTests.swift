import CSPBasics
import CSPCrypto
import CSPFormat
import CSPTestSupport
import Foundation
import XCTest

/// The published RFC 6962 inclusion and consistency vectors of transparency-dev/merkle
/// (values only, copied into Tests/RFC6962Vectors): every happy path must verify and
/// every altered proof, index, size or root must fail, and the proofs this code builds
/// must be exactly the published ones.
final class RFC6962VectorTests: XCTestCase {
    struct Vectors: Decodable {
        struct Inclusion: Decodable {
            let leafIdx: UInt64, treeSize: UInt64, root: String, leafHash: String, proof: [String], desc: String, wantErr: Bool, file: String
        }
        struct Consistency: Decodable {
            let size1: Int, size2: Int, root1: String, root2: String, proof: [String], desc: String, wantErr: Bool, file: String
        }
        let leaves: [String]
        let roots: [String]
        let inclusion: [Inclusion]
        let consistency: [Consistency]
    }

    func load() throws -> Vectors {
        let data = try Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/Tests/RFC6962Vectors/transparency-dev.json"))
        return try JSONDecoder().decode(Vectors.self, from: data)
    }

    func testInclusionVectors() throws {
        let vectors = try load()
        XCTAssertGreaterThan(vectors.inclusion.count, 50)
        var happy = 0
        for v in vectors.inclusion {
            let proof = v.proof.map { SHA256Digest(hex: $0) }
            var verified = false
            // An index past Int's range (2^64 - 1 in one vector) cannot name a leaf.
            if let leaf = SHA256Digest(hex: v.leafHash), let root = SHA256Digest(hex: v.root), !proof.contains(where: { $0 == nil }),
               let index = Int(exactly: v.leafIdx), let size = Int(exactly: v.treeSize) {
                verified = MerkleTree.root(fromLeaf: leaf, index: index, treeSize: size, path: proof.map { $0! }) == root
            }
            XCTAssertEqual(verified, !v.wantErr, "\(v.file): \(v.desc)")
            if !v.wantErr { happy += 1 }
        }
        XCTAssertGreaterThan(happy, 5)
    }

    func testConsistencyVectors() throws {
        let vectors = try load()
        XCTAssertGreaterThan(vectors.consistency.count, 50)
        for v in vectors.consistency {
            let proof = v.proof.map { SHA256Digest(hex: $0) }
            var verified = false
            // A few vectors carry placeholder roots that are not 32 bytes ("don't care"):
            // stand-ins keep only what matters there, whether the two are equal.
            let root1 = SHA256Digest(hex: v.root1) ?? SHA256.hash(Array(v.root1.utf8))
            let root2 = SHA256Digest(hex: v.root2) ?? SHA256.hash(Array(v.root2.utf8))
            if !proof.contains(where: { $0 == nil }) {
                verified = MerkleTree.verifyConsistency(oldSize: v.size1, newSize: v.size2, oldRoot: root1, newRoot: root2, proof: proof.map { $0! })
            }
            XCTAssertEqual(verified, !v.wantErr, "\(v.file): \(v.desc)")
        }
    }

    /// Every audit path and consistency proof over the 8 reference leaves matches the
    /// published roots, and the happy-path proofs are exactly those this code builds.
    func testProofsBuiltHereMatchThePublishedOnes() throws {
        let vectors = try load()
        let hashes = vectors.leaves.map { MerkleTree.leafHash(Hex.decode($0)!) }
        for size in 1...hashes.count {
            let tree = Array(hashes[..<size])
            let root = MerkleTree.root(leafHashes: tree)
            XCTAssertEqual(root.hex, vectors.roots[size])
            for index in 0..<size {
                let path = MerkleTree.auditPath(index: index, leafHashes: tree)
                XCTAssertEqual(MerkleTree.root(fromLeaf: tree[index], index: index, treeSize: size, path: path), root)
                // One step more or less, or the index at the size, no longer verifies.
                XCTAssertNil(MerkleTree.root(fromLeaf: tree[index], index: index, treeSize: size, path: path + [root]))
                if !path.isEmpty { XCTAssertNil(MerkleTree.root(fromLeaf: tree[index], index: index, treeSize: size, path: Array(path.dropLast()))) }
                XCTAssertNil(MerkleTree.root(fromLeaf: tree[index], index: size, treeSize: size, path: path))
            }
            for old in 1...size {
                let proof = MerkleTree.consistencyProof(oldSize: old, leafHashes: tree)
                let oldRoot = MerkleTree.root(leafHashes: Array(hashes[..<old]))
                XCTAssertTrue(MerkleTree.verifyConsistency(oldSize: old, newSize: size, oldRoot: oldRoot, newRoot: root, proof: proof), "\(old) → \(size)")
                if old < size {
                    XCTAssertFalse(MerkleTree.verifyConsistency(oldSize: old, newSize: size, oldRoot: root, newRoot: root, proof: proof))
                }
            }
        }
        for v in vectors.inclusion where !v.wantErr && v.treeSize <= hashes.count && v.leafHash == hashes[Int(v.leafIdx)].hex {
            XCTAssertEqual(MerkleTree.auditPath(index: Int(v.leafIdx), leafHashes: Array(hashes[..<Int(v.treeSize)])).map(\.hex), v.proof, v.file)
        }
        for v in vectors.consistency where !v.wantErr && v.size2 <= hashes.count && v.size1 > 0 {
            XCTAssertEqual(MerkleTree.consistencyProof(oldSize: v.size1, leafHashes: Array(hashes[..<v.size2])).map(\.hex), v.proof, v.file)
        }
    }

    /// The level-by-level tree used for large batches gives the recursive definition's
    /// root and paths for every size.
    func testLevelsMatchTheRecursiveTree() {
        let hashes = (0..<70).map { MerkleTree.leafHash([UInt8(truncatingIfNeeded: $0)]) }
        for size in 1...hashes.count {
            let tree = Array(hashes[..<size])
            let levels = MerkleLevels(leafHashes: tree)
            XCTAssertEqual(levels.root, MerkleTree.root(leafHashes: tree), "size \(size)")
            for index in 0..<size {
                XCTAssertEqual(levels.auditPath(index: index), MerkleTree.auditPath(index: index, leafHashes: tree), "\(index) of \(size)")
            }
        }
    }
}
