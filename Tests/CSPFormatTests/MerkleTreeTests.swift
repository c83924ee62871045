import CSPBasics
import CSPCrypto
@testable import CSPFormat
import XCTest

final class MerkleTreeTests: XCTestCase {
    func testSmallTreesByHand() {
        let a: [UInt8] = [0x61], b: [UInt8] = [0x62], c: [UInt8] = [0x63]
        XCTAssertEqual(MerkleTree.root(leaves: []), SHA256.hash([UInt8]()))
        XCTAssertEqual(MerkleTree.root(leaves: [a]), SHA256.hash([0x00, 0x61]))
        let ab = MerkleTree.nodeHash(MerkleTree.leafHash(a), MerkleTree.leafHash(b))
        XCTAssertEqual(ab, SHA256.hash([0x01] + SHA256.hash([0x00, 0x61]).bytes + SHA256.hash([0x00, 0x62]).bytes))
        XCTAssertEqual(MerkleTree.root(leaves: [a, b]), ab)
        // Three leaves split 2 + 1; the last leaf is not duplicated (unlike Bitcoin).
        XCTAssertEqual(MerkleTree.root(leaves: [a, b, c]), MerkleTree.nodeHash(ab, MerkleTree.leafHash(c)))
        XCTAssertNotEqual(MerkleTree.root(leaves: [a, b, c]), MerkleTree.root(leaves: [a, b, c, c]))
    }

    func testSplitPoint() {
        XCTAssertEqual(MerkleTree.largestPowerOfTwo(below: 2), 1)
        XCTAssertEqual(MerkleTree.largestPowerOfTwo(below: 5), 4)
        XCTAssertEqual(MerkleTree.largestPowerOfTwo(below: 8), 4)
        XCTAssertEqual(MerkleTree.largestPowerOfTwo(below: 9), 8)
    }

    /// Known RFC 6962 roots: the test vectors of Certificate Transparency's reference
    /// code for the 8 leaves "", 00, 10, 2021, 3031, 40414243, 5051525354555657,
    /// 606162636465666768696a6b6c6d6e6f.
    func testCertificateTransparencyVectors() {
        let leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map { Hex.decode($0)! }
        let expected = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]
        for n in 1...8 {
            XCTAssertEqual(MerkleTree.root(leaves: Array(leaves.prefix(n))).hex, expected[n - 1], "\(n) leaves")
        }
    }

    func testAuditPathsProveEveryLeafOfEverySize() {
        for size in 1...33 {
            let hashes = (0..<size).map { MerkleTree.leafHash([UInt8($0)]) }
            let root = MerkleTree.root(leafHashes: hashes)
            for index in 0..<size {
                let path = MerkleTree.auditPath(index: index, leafHashes: hashes)
                XCTAssertEqual(MerkleTree.root(fromLeaf: hashes[index], index: index, treeSize: size, path: path), root, "size \(size) index \(index)")
                // A proof for another leaf, or with a tampered sibling, does not reach the root.
                if size > 1 {
                    let other = (index + 1) % size
                    XCTAssertNotEqual(MerkleTree.root(fromLeaf: hashes[other], index: index, treeSize: size, path: path), root)
                    var bad = path
                    bad[0] = MerkleTree.leafHash([0xFF])
                    XCTAssertNotEqual(MerkleTree.root(fromLeaf: hashes[index], index: index, treeSize: size, path: bad), root)
                }
            }
        }
    }
}
