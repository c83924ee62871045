import CSPCrypto
import CSPTestSupport
import Foundation
import XCTest

/// NIST FIPS 180-2 example vectors and the streaming path.
final class SHA256Tests: XCTestCase {
    func testNISTVectors() {
        XCTAssertEqual(SHA256.hash("").hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hash("abc").hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex,
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hash("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu").hex,
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    func testMillionAsStreamedInOddChunks() {
        let hasher = SHA256Hasher()
        var remaining = 1_000_000
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 7919)
        while remaining > 0 {
            let n = min(remaining, chunk.count)
            hasher.update(Array(chunk.prefix(n)))
            remaining -= n
        }
        XCTAssertEqual(hasher.finalize().hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testFileHashMatchesSha256sum() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/data.bin"
        let bytes = try SecureRandom.bytes(3 << 20 + 17)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reference = try runProcess("sha256sum", [path])
        XCTAssertEqual(reference.status, 0)
        XCTAssertEqual(try SHA256.hash(file: path).hex, String(reference.stdout.prefix(64)))
        XCTAssertEqual(SHA256.hash(bytes), try SHA256.hash(file: path))
    }

    func testMissingFileIsAClearError() {
        XCTAssertThrowsError(try SHA256.hash(file: "/nonexistent/x")) { error in
            XCTAssertEqual(String(describing: error), "cannot open '/nonexistent/x': no such file or directory")
        }
    }

    func testDigestHexRoundTrip() {
        let digest = SHA256.hash("abc")
        XCTAssertEqual(SHA256Digest(hex: digest.hex), digest)
        XCTAssertNil(SHA256Digest(hex: "abcd"))
        XCTAssertNil(SHA256Digest(hex: String(repeating: "zz", count: 32)))
    }

    func testRandomBytesDiffer() throws {
        let a = try SecureRandom.bytes(32), b = try SecureRandom.bytes(32)
        XCTAssertEqual(a.count, 32)
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(try SecureRandom.bytes(0), [])
    }
}
