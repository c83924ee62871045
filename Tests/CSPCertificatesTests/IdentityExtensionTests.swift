import CSPBasics
import CSPCertificates
import CSPTestSupport
import Foundation
import XCTest

final class IdentityExtensionTests: XCTestCase {
    /// Written out by hand from the ASN.1 definition, not copied from the encoder.
    static let goldenHex =
        "3031" + "020101" +
        "0c08" + "637573746f6d6572" +                          // "customer"
        "0c04" + "41636d65" +                                  // "Acme"
        "301c" +
        "300c" + "0c06" + "726567696f6e" + "0c02" + "6575" +   // region = eu
        "300c" + "0c04" + "74696572" + "0c04" + "676f6c64"     // tier = gold
    static let golden = IdentityExtension(role: "customer", organization: "Acme", attributes: ["tier": "gold", "region": "eu"])

    /// A tag-length-value with a short-form length, for building bad inputs by hand.
    private func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { [tag, UInt8(content.count)] + content }
    private func utf8(_ text: String) -> [UInt8] { tlv(0x0c, Array(text.utf8)) }
    private func identity(version: [UInt8] = [0x02, 0x01, 0x01], pairs: [(String, String)]) -> [UInt8] {
        let list = pairs.flatMap { tlv(0x30, utf8($0.0) + utf8($0.1)) }
        return tlv(0x30, version + utf8("customer") + utf8("Acme") + tlv(0x30, list))
    }

    private func rejection(_ der: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> String {
        let message = errorMessage({ try IdentityExtension(der: der) }, file: file, line: line)
        XCTAssertTrue(message.hasPrefix("malformed identity extension: "), message, file: file, line: line)
        return message
    }

    func testGoldenBytes() throws {
        XCTAssertEqual(Hex.encode(Self.golden.derEncoded()), Self.goldenHex)
        XCTAssertEqual(try IdentityExtension(der: Hex.decode(Self.goldenHex)!), Self.golden)
    }

    func testGoldenBytesAreDEROpenSSLCanParse() throws {
        let result = try runProcess("openssl", ["asn1parse", "-inform", "DER"], input: Data(Hex.decode(Self.goldenHex)!))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("UTF8STRING        :customer"), result.stdout)
        XCTAssertTrue(result.stdout.contains("INTEGER           :01"), result.stdout)
        XCTAssertTrue(result.stdout.contains(":gold"), result.stdout)
    }

    func testRoundTrip() throws {
        let values = [
            IdentityExtension(role: "admin", organization: "", attributes: [:]),
            IdentityExtension(role: "regulator", organization: "Finanzaufsicht Zürich", attributes: ["ünïcode": "✓", "a": "", "A": "upper"]),
            // 200-byte values need the long length form (0x81 0xc8).
            IdentityExtension(role: "customer", organization: String(repeating: "o", count: 200),
                              attributes: Dictionary(uniqueKeysWithValues: (0..<50).map { ("key\($0)", String(repeating: "v", count: $0 * 7)) })),
        ]
        for value in values {
            let der = value.derEncoded()
            XCTAssertEqual(try IdentityExtension(der: der), value)
            XCTAssertEqual(try IdentityExtension(der: der).derEncoded(), der, "one value, one encoding")
        }
        XCTAssertTrue(Hex.encode(values[2].derEncoded()).contains("0c81c8"), "long-form length")
    }

    func testEncodingDoesNotDependOnInsertionOrder() {
        var a = IdentityExtension(role: "customer", organization: "Acme", attributes: [:])
        var b = a
        for index in 0..<20 { a.attributes["k\(index)"] = "\(index)" }
        for index in (0..<20).reversed() { b.attributes["k\(index)"] = "\(index)" }
        XCTAssertEqual(a.derEncoded(), b.derEncoded())
    }

    func testAcceptsWhatTheTestBuilderBuilds() throws {
        // Guards the rejection tests below: the builder itself makes valid DER.
        XCTAssertEqual(try IdentityExtension(der: identity(pairs: [("a", "1"), ("b", "2")])).attributes, ["a": "1", "b": "2"])
    }

    func testRejectsTrailingByte() {
        XCTAssertTrue(rejection(Hex.decode(Self.goldenHex)! + [0x00]).contains("trailing bytes"))
    }

    func testRejectsWrongTags() {
        var set = Hex.decode(Self.goldenHex)!
        set[0] = 0x31
        XCTAssertTrue(rejection(set).contains("tag 0x31, expected 0x30"))
        var printable = Hex.decode(Self.goldenHex)!
        printable[5] = 0x13 // role as PrintableString
        XCTAssertTrue(rejection(printable).contains("role has tag 0x13"))
    }

    func testRejectsBadVersion() {
        XCTAssertTrue(rejection(identity(version: [0x02, 0x01, 0x02], pairs: [])).contains("unsupported version"))
        XCTAssertTrue(rejection(identity(version: [0x02, 0x02, 0x00, 0x01], pairs: [])).contains("unsupported version"))
        XCTAssertTrue(rejection(identity(version: [], pairs: [])).contains("version has tag 0x0c"))
    }

    func testRejectsUnsortedAndDuplicateAttributes() {
        XCTAssertTrue(rejection(identity(pairs: [("tier", "gold"), ("region", "eu")])).contains("not sorted"))
        XCTAssertTrue(rejection(identity(pairs: [("tier", "gold"), ("tier", "silver")])).contains("duplicate attribute 'tier'"))
        // Different bytes, equal Swift strings (NFC é against NFD e + combining acute).
        XCTAssertTrue(rejection(identity(pairs: [("e\u{301}", "1"), ("\u{e9}", "2")])).contains("duplicate attribute"))
    }

    func testRejectsNonMinimalAndIndefiniteLengths() {
        let golden = Hex.decode(Self.goldenHex)!
        XCTAssertTrue(rejection([0x30, 0x81, 0x31] + golden.dropFirst(2)).contains("non-minimal length"))
        XCTAssertTrue(rejection([0x30, 0x82, 0x00, 0x31] + golden.dropFirst(2)).contains("non-minimal length"))
        XCTAssertTrue(rejection([0x30, 0x80] + golden.dropFirst(2) + [0, 0]).contains("unsupported length"))
    }

    func testRejectsTruncatedEmptyAndInvalidUTF8() {
        let golden = Hex.decode(Self.goldenHex)!
        for length in 0..<golden.count {
            _ = rejection(Array(golden.prefix(length)))
        }
        XCTAssertTrue(rejection([]).contains("identity is missing"))
        var invalid = golden
        invalid[7] = 0xff // inside "customer"
        XCTAssertTrue(rejection(invalid).contains("not valid UTF-8"))
    }

    func testRejectsExtraFields() {
        let withExtraField = tlv(0x30, [0x02, 0x01, 0x01] + utf8("r") + utf8("o") + tlv(0x30, []) + utf8("x"))
        XCTAssertTrue(rejection(withExtraField).contains("unexpected fields"))
        let pairWithThree = tlv(0x30, [0x02, 0x01, 0x01] + utf8("r") + utf8("o") + tlv(0x30, tlv(0x30, utf8("a") + utf8("b") + utf8("c"))))
        XCTAssertTrue(rejection(pairWithThree).contains("extra fields"))
    }

    func testRandomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? IdentityExtension(der: bytes)
        }
        // Mutations of a valid value: each either fails cleanly or re-encodes identically.
        let golden = Hex.decode(Self.goldenHex)!
        for index in golden.indices {
            for bit in 0..<8 {
                var mutated = golden
                mutated[index] ^= 1 << bit
                if let value = try? IdentityExtension(der: mutated) {
                    XCTAssertEqual(value.derEncoded(), mutated, "a mutation accepted must be canonical")
                }
            }
        }
    }
}
