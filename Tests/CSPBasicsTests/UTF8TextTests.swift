import CSPBasics
import XCTest

final class UTF8TextTests: XCTestCase {
    func testASCIIAndMultibyteTextDecode() {
        XCTAssertEqual(UTF8Text.decode(Array("demand/D-1 {\"a\":1}".utf8)), "demand/D-1 {\"a\":1}")
        XCTAssertEqual(UTF8Text.decode([]), "")
        XCTAssertEqual(UTF8Text.decode(Array("客户投诉 é 🙂".utf8)), "客户投诉 é 🙂")
    }

    /// The ASCII shortcut must never let through what full validation refuses.
    func testInvalidUTF8IsRefused() {
        let invalid: [[UInt8]] = [
            [0x61, 0xC3],             // truncated two-byte sequence
            [0xC0, 0xAF],             // overlong '/'
            [0xED, 0xA0, 0x80],       // UTF-16 surrogate
            [0x61, 0x80, 0x62],       // lone continuation byte
            [0xF4, 0x90, 0x80, 0x80], // past U+10FFFF
            [0xFF],
        ]
        for bytes in invalid { XCTAssertNil(UTF8Text.decode(bytes), "\(bytes)") }
    }
}
