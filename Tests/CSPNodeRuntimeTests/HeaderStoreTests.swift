@testable import CSPNodeRuntime
import CSPCrypto
import CSPFormat
import CSPTestSupport
import Foundation
import XCTest

/// The access node's header store: only headers that verify are kept (orderer, signature,
/// number, hash chain, time), the file is verified again when opened, a torn last record
/// is cut off and damage elsewhere is named.
final class HeaderStoreTests: XCTestCase {
    func store(_ path: String) throws -> HeaderStore {
        try HeaderStore(path: path, channel: "consortium", orderer: ChainBuilder.certificate, ordererKey: ChainBuilder.key.publicKey)
    }

    func testKeepsVerifiedHeadersAndRefusesOthers() throws {
        let path = try temporaryDirectory(self) + "/headers"
        let chain = ChainBuilder()
        let blocks = try chain.blocks(5)
        let headers = try store(path)
        for block in blocks { try headers.append(block.block.header, signature: block.block.signature) }
        XCTAssertEqual(headers.height, 5)
        XCTAssertEqual(headers.header(3), blocks[3].block.header)

        let next = try chain.block([try chain.put("k", "v")], advance: false)
        var forged = next.block.header
        forged.merkleRoot = SHA256.hash("other transactions")
        XCTAssertThrowsError(try headers.append(forged, signature: next.block.signature)) {
            XCTAssertEqual("\($0)", "block 5: the orderer's signature does not verify")
        }
        let unchained = try chain.block([try chain.put("k", "v")], advance: false, previousHash: SHA256.hash("elsewhere"))
        XCTAssertThrowsError(try headers.append(unchained.block.header, signature: unchained.block.signature)) {
            XCTAssertEqual("\($0)", "block 5: its previous hash does not chain to block 4")
        }
        let skipping = try chain.block([try chain.put("k", "v")], advance: false, number: 6)
        XCTAssertThrowsError(try headers.append(skipping.block.header, signature: skipping.block.signature)) {
            XCTAssertEqual("\($0)", "block 6: it is not the next block (height 5)")
        }
        try headers.append(next.block.header, signature: next.block.signature)

        // Reopened: every record verified again.
        let reopened = try store(path)
        XCTAssertEqual(reopened.height, 6)
        XCTAssertEqual(reopened.header(5), next.block.header)
    }

    func testATornTailIsCutAndDamageIsNamed() throws {
        let path = try temporaryDirectory(self) + "/headers"
        let headers = try store(path)
        let blocks = try ChainBuilder().blocks(3)
        for block in blocks { try headers.append(block.block.header, signature: block.block.signature) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.dropLast(5).write(to: URL(fileURLWithPath: path))
        let repaired = try store(path)
        XCTAssertEqual(repaired.height, 2, "the torn last record is dropped")
        // Cut exactly at the record boundary: appending the block again restores the file.
        try repaired.append(blocks[2].block.header, signature: blocks[2].block.signature)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), whole)
        var damaged = whole
        damaged[20] ^= 0xff
        try damaged.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try store(path)) { XCTAssertTrue("\($0)".hasPrefix("'\(path)': block 0: "), "\($0)") }
    }

    /// Opened for `csp-node check` (no repair), a torn tail is named and left as it is;
    /// damage is an `AccessDamage` with the block and where its record starts, which is
    /// where `csp-node rebuild` cuts (`offset(of:in:)`, by framing alone).
    func testReadOnlyOpenNamesATornTailAndDamageWithTheirOffsets() throws {
        let path = try temporaryDirectory(self) + "/headers"
        let headers = try store(path)
        let blocks = try ChainBuilder().blocks(3)
        for block in blocks { try headers.append(block.block.header, signature: block.block.signature) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let third = try HeaderStore.offset(of: 2, in: path)
        XCTAssertEqual(try HeaderStore.offset(of: 3, in: path), whole.count)
        XCTAssertEqual(try HeaderStore.offset(of: 9, in: path), whole.count, "past the end: the file's length")
        XCTAssertGreaterThan(third, 0)
        try whole.dropLast(5).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try HeaderStore(path: path, channel: "consortium", orderer: ChainBuilder.certificate,
                                             ordererKey: ChainBuilder.key.publicKey, repair: false)) { error in
            let damage = error as? AccessDamage
            XCTAssertEqual(damage?.block, 2)
            XCTAssertEqual(damage?.offset, third)
            XCTAssertEqual("\(error)", "'\(path)': block 2: \(AccessDamage.tornTail)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), whole.dropLast(5), "nothing written")
        XCTAssertEqual(try HeaderStore.offset(of: 2, in: path), third)
        XCTAssertEqual(try HeaderStore.offset(of: 3, in: path), third, "a torn record ends the framing")
        var damaged = whole
        damaged[whole.count - 3] ^= 0x01
        try damaged.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try store(path)) { error in
            XCTAssertEqual((error as? AccessDamage)?.offset, third)
            XCTAssertEqual("\(error)", "'\(path)': block 2: the orderer's signature does not verify")
        }
    }
}
