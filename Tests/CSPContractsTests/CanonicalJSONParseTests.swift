import CSPContracts
import XCTest

final class CanonicalJSONParseTests: XCTestCase {
    private func parse(_ text: String) throws -> CanonicalJSON.Value { try CanonicalJSON.parse(Array(text.utf8)) }

    private func refusal(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let value = try CanonicalJSON.parse(bytes)
            XCTFail("accepted \(value)", file: file, line: line)
            return ""
        } catch {
            return error.description
        }
    }

    private func refusal(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        refusal(Array(text.utf8), file: file, line: line)
    }

    func testReadsEveryShape() throws {
        XCTAssertEqual(try parse(#" { "b" : [1, -2, 0, true, false, null] , "a":"x" } "#),
                       .object(["a": .string("x"), "b": .array([.integer(1), .integer(-2), .integer(0), .bool(true), .bool(false), .null])]))
        XCTAssertEqual(try parse("[]"), .array([]))
        XCTAssertEqual(try parse("{}"), .object([:]))
        XCTAssertEqual(try parse("9223372036854775807"), .integer(Int.max))
        XCTAssertEqual(try parse("-9223372036854775808"), .integer(Int.min))
    }

    func testReadsEveryEscape() throws {
        XCTAssertEqual(try parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u4e2d""#), .string("\"\\/\u{08}\u{0c}\n\r\tAé中"))
        // A surrogate pair is one scalar beyond the BMP.
        XCTAssertEqual(try parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(try parse("\"中文 😀\""), .string("中文 😀"))
    }

    func testRoundTripsThroughTheCanonicalEncoder() throws {
        let samples = [
            #"{"z":1,"a":{"y":[true,null,"\u0001\n"],"b":"é😀"},"m":-5}"#,
            #"["\"quoted\"","back\\slash","tab\tand\u001f"]"#,
            #"{"\u00e9":1,"e":2,"\ud83d\ude00":3,"\uff61":4}"#,
        ]
        for sample in samples {
            let value = try parse(sample)
            let canonical = CanonicalJSON.encode(value)
            XCTAssertEqual(try CanonicalJSON.parse(canonical), value)
            // Canonical bytes are a fixed point.
            XCTAssertEqual(CanonicalJSON.encode(try CanonicalJSON.parse(canonical)), canonical)
        }
        XCTAssertEqual(String(decoding: CanonicalJSON.encode(try parse(#" { "b" : 1 , "a" : [ 2 ] } "#)), as: UTF8.self), #"{"a":[2],"b":1}"#)
    }

    /// Integers are written as Swift's `String(Int)` writes them, at every edge.
    func testIntegersAreWrittenAsTheirDecimalDigits() throws {
        var numbers = [0, 1, -1, 9, 10, -10, 99, 100, 1_234_567_890, Int.max, Int.min, Int.min + 1, Int.max - 1]
        var generator = SystemRandomNumberGenerator()
        numbers += (0..<200).map { _ in Int.random(in: Int.min...Int.max, using: &generator) }
        for number in numbers {
            XCTAssertEqual(CanonicalJSON.encode(.integer(number)), Array(String(number).utf8), "\(number)")
            XCTAssertEqual(try CanonicalJSON.parse(CanonicalJSON.encode(.array([.integer(number)]))), .array([.integer(number)]))
        }
    }

    func testRefusesFloatsAndExponents() {
        XCTAssertEqual(refusal("1.5"), "invalid JSON at byte 0: only integers are allowed (write amounts as strings)")
        XCTAssertTrue(refusal("[1e3]").contains("only integers"))
        XCTAssertTrue(refusal("[-2E1]").contains("only integers"))
        XCTAssertTrue(refusal("012").contains("leading zeros"))
        XCTAssertTrue(refusal("-").contains("digits"))
        XCTAssertTrue(refusal("99999999999999999999").contains("out of range"))
    }

    func testRefusesDuplicateKeysAndTrailingBytes() {
        XCTAssertEqual(refusal(#"{"a":1,"a":2}"#), "invalid JSON at byte 7: member \"a\" appears twice")
        XCTAssertEqual(refusal("{} x"), "invalid JSON at byte 3: unexpected bytes after the value")
        XCTAssertTrue(refusal("[1,]").contains("unexpected character ']'"))
        XCTAssertTrue(refusal(#"{"a" 1}"#).contains("expected ':'"))
        XCTAssertTrue(refusal("").contains("unexpected end of input"))
        XCTAssertTrue(refusal("[1").contains("unexpected end"))
        XCTAssertTrue(refusal("tru").contains("unexpected character"))
        XCTAssertTrue(refusal("{'a':1}").contains("expected a member name"))
    }

    func testRefusesBadStrings() {
        XCTAssertTrue(refusal([0x22, 0xff, 0x22]).contains("invalid UTF-8"))
        XCTAssertTrue(refusal([0x22, 0xc0, 0xaf, 0x22]).contains("invalid UTF-8"), "overlong form")
        XCTAssertTrue(refusal([0x22, 0xed, 0xa0, 0x80, 0x22]).contains("invalid UTF-8"), "encoded surrogate")
        XCTAssertTrue(refusal([0x22, 0xe4, 0xb8, 0x22]).contains("invalid UTF-8"), "truncated sequence")
        XCTAssertTrue(refusal(#""\ud83d""#).contains("high surrogate without a low surrogate"))
        XCTAssertTrue(refusal(#""\ud83dx""#).contains("high surrogate without a low surrogate"))
        XCTAssertTrue(refusal(#""\ude00""#).contains("lone low surrogate"))
        XCTAssertTrue(refusal(#""\x""#).contains("invalid escape"))
        XCTAssertTrue(refusal(#""\u12g4""#).contains("four hex digits"))
        XCTAssertTrue(refusal("\"a\nb\"").contains("control character 0xa"))
        XCTAssertTrue(refusal("\"open").contains("unterminated string"))
    }

    func testRefusesNestingDeeperThan64() throws {
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        XCTAssertNoThrow(try parse(deep))
        let deeper = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        XCTAssertTrue(refusal(deeper).contains("nesting deeper than 64"))
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        XCTAssertTrue(refusal(objects).contains("nesting deeper than 64"))
        // Very deep input is refused, not a stack overflow.
        XCTAssertTrue(refusal(String(repeating: "[", count: 100_000)).contains("nesting deeper than 64"))
    }
}
