import CSPAudit
import CSPCrypto
import XCTest

final class SHA256SumLineTests: XCTestCase {
    let hex = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
    var digest: SHA256Digest { SHA256Digest(hex: hex)! }

    func entry(_ line: String) -> SHA256SumLine? {
        if case .entry(let e) = SHA256SumLine.parse(Substring(line)) { return e }
        return nil
    }

    func testEveryFormSha256sumReads() {
        let expected = SHA256SumLine(digest: digest, name: "x y")
        XCTAssertEqual(entry("\(hex)  x y"), expected)
        XCTAssertEqual(entry("\(hex) *x y"), expected)
        XCTAssertEqual(entry("\(hex)  x y\r"), expected, "CRLF ending")
        XCTAssertEqual(entry("  \(hex)  x y"), expected, "leading blanks")
        XCTAssertEqual(entry("\(hex.uppercased())  x y"), expected, "upper-case hex")
        XCTAssertEqual(entry("SHA256 (x y) = \(hex)"), expected, "BSD --tag")
        XCTAssertEqual(entry("SHA256 (x y) = \(hex)\r"), expected)
        XCTAssertEqual(entry("SHA256 (a) b) = \(hex)")?.name, "a) b", "a tagged name ends at the last ')'")
        XCTAssertEqual(entry("\\\(hex)  a\\\\b\\nc\\rd")?.name, "a\\b\nc\rd")
        XCTAssertEqual(entry("\\SHA256 (n\\nl) = \(hex)")?.name, "n\nl")
        XCTAssertEqual(entry("\(hex) x"), SHA256SumLine(digest: digest, name: "x"), "md5 -r's single space")
    }

    func testSkippedAndMalformedLines() {
        XCTAssertEqual(SHA256SumLine.parse(""), .skip)
        XCTAssertEqual(SHA256SumLine.parse("\r"), .skip)
        XCTAssertEqual(SHA256SumLine.parse("# \(hex)  x"), .skip)
        XCTAssertEqual(SHA256SumLine.parse("   "), .malformed)
        XCTAssertEqual(SHA256SumLine.parse("garbage"), .malformed)
        XCTAssertEqual(SHA256SumLine.parse(Substring(String(hex.dropLast()) + "  x")), .malformed)
        XCTAssertEqual(SHA256SumLine.parse(Substring("\(hex) ")), .malformed, "no name")
        XCTAssertEqual(SHA256SumLine.parse(Substring("\\\(hex)  bad\\q")), .malformed, "unknown escape")
        XCTAssertEqual(SHA256SumLine.parse(Substring("SHA256 (x) = \(hex)00")), .malformed)
        XCTAssertEqual(SHA256SumLine.parse(Substring("MD5 (x) = \(hex)")), .malformed)
    }

    func testWritingEscapesLikeCoreutils() {
        XCTAssertEqual(SHA256SumLine(digest: digest, name: "x y").formatted, "\(hex)  x y")
        XCTAssertEqual(SHA256SumLine(digest: digest, name: "b\\s").formatted, "\\\(hex)  b\\\\s")
        XCTAssertEqual(SHA256SumLine(digest: digest, name: "c\rr").formatted, "\\\(hex)  c\\rr")
        XCTAssertEqual(SHA256SumLine(digest: digest, name: "a\r\nb").formatted, "\\\(hex)  a\\r\\nb")
        // -c output escapes only a name with a newline.
        XCTAssertEqual(SHA256SumLine.checkedName("b\\s"), "b\\s")
        XCTAssertEqual(SHA256SumLine.checkedName("c\rr"), "c\rr")
        XCTAssertEqual(SHA256SumLine.checkedName("a\\b\nc\rd"), "\\a\\\\b\\nc\\rd")
        for name in ["plain", "b\\s", "n\nl", "a\r\nb", "ü ñ"] {
            let line = SHA256SumLine(digest: digest, name: name)
            XCTAssertEqual(entry(line.formatted), line, name)
        }
    }
}
