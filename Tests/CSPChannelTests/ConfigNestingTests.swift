@testable import CSPChannel
import CSPTestSupport
import Foundation
import XCTest

/// Deeply nested documents are refused before a parser recurses into them (issue 12,
/// bug 13: 5,000 levels of YAML crashed `csp-node init` in the YAML scanner).
final class ConfigNestingTests: XCTestCase {
    private func depthError(_ text: String, _ format: ConfigDecoding.Format) -> String? {
        do {
            try NestingScan.check(Array(text.utf8), format: format, limit: ConfigDecoding.maximumNesting)
            return nil
        } catch {
            return error.message
        }
    }

    func testDeepFlowBlockAndJSONAreRefusedWithOneLine() {
        let deep = 5_000
        let flow = String(repeating: "[", count: deep) + String(repeating: "]", count: deep)
        XCTAssertEqual(depthError(flow, .yaml), "nested deeper than 64 levels at line 1")
        XCTAssertEqual(depthError(flow, .json), "nested deeper than 64 levels at line 1")
        let mappings = String(repeating: "{a: ", count: deep) + "b" + String(repeating: "}", count: deep)
        XCTAssertEqual(depthError(mappings, .yaml), "nested deeper than 64 levels at line 1")
        let json = String(repeating: "{\"a\":", count: deep) + "1" + String(repeating: "}", count: deep)
        XCTAssertEqual(depthError(json, .json), "nested deeper than 64 levels at line 1")
        let indented = (0..<deep).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n") + " b\n"
        XCTAssertEqual(depthError(indented, .yaml), "nested deeper than 64 levels at line 65")
        let compact = String(repeating: "- ", count: deep) + "x\n"
        XCTAssertEqual(depthError(compact, .yaml), "nested deeper than 64 levels at line 1")
        let multiline = (0..<deep).map { String(repeating: " ", count: $0) + "- [" }.joined(separator: "\n")
        XCTAssertNotNil(depthError(multiline, .yaml))
    }

    func testTheLimitItselfPasses() {
        let flow = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        XCTAssertNil(depthError(flow, .json))
        XCTAssertNotNil(depthError("[" + flow + "]", .json))
        // In YAML the line's own block level counts too (the scan errs towards more).
        XCTAssertNil(depthError("a: " + String(flow.dropFirst().dropLast()), .yaml))
        let indented = (0..<64).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n") + " b\n"
        XCTAssertNil(depthError(indented, .yaml))
    }

    func testTextThatOnlyLooksNestedPasses() {
        let brackets = String(repeating: "[", count: 200)
        XCTAssertNil(depthError("a: \"\(brackets)\"\nb: '\(brackets)'\n", .yaml), "quoted scalars")
        XCTAssertNil(depthError("{\"a\": \"\(brackets)\\\"\(brackets)\"}", .json), "JSON strings with escapes")
        XCTAssertNil(depthError("a: 1 # \(brackets)\n# \(brackets)\n", .yaml), "comments")
        let text = (0..<200).map { String(repeating: " ", count: 2 + $0) + "line \($0) {" }.joined(separator: "\n")
        XCTAssertNil(depthError("note: |\n\(text)\nnext: >-\n  [[[[\n  (\nlast: 1\n", .yaml), "block scalars")
        let pretty = try! JSONSerialization.data(withJSONObject: ["a": ["b": ["c": [["d": [1, 2]]]]]], options: .prettyPrinted)
        XCTAssertNil(depthError(String(decoding: pretty, as: UTF8.self), .json), "pretty-printed JSON")
    }

    /// The genesis example of docs/CHANNELS.md passes the scan.
    func testTheDocumentedExamplePasses() throws {
        let doc = try String(contentsOfFile: repositoryRoot + "/docs/CHANNELS.md", encoding: .utf8)
        let start = try XCTUnwrap(doc.range(of: "```yaml\n"))
        let end = try XCTUnwrap(doc.range(of: "```", range: start.upperBound..<doc.endIndex))
        XCTAssertNil(depthError(String(doc[start.upperBound..<end.lowerBound]), .yaml))
    }

    func testDecodingSaysWhichFile() {
        let deep = String(repeating: "- ", count: 5_000) + "x\n"
        XCTAssertThrowsError(try ChannelConfig.decode(Array(deep.utf8), source: "deep.yaml")) { error in
            XCTAssertEqual("\(error)", "'deep.yaml': nested deeper than 64 levels at line 1")
        }
    }
}

/// Documents built to slip past a careless scan: each still nests too deep.
final class ConfigNestingEvasionTests: XCTestCase {
    private func refused(_ text: String, _ format: ConfigDecoding.Format = .yaml, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try NestingScan.check(Array(text.utf8), format: format, limit: 64), file: file, line: line)
    }

    func testQuotesInsidePlainScalarsDoNotHideWhatFollows() {
        let deep = String(repeating: "[", count: 200) + "\n"
        refused("a: it's\n" + deep)
        refused("a: say \"hi\n" + deep)
        refused("a: 'it''s' 'x\n" + deep)
        refused("a: \"esc \\\" still\" b\n" + deep)
    }

    func testSequencesAtTheirKeysIndentationCountTwice() {
        let text = (0..<100).map { String(repeating: "  ", count: $0) + "- a:" }.joined(separator: "\n")
        refused("a:\n" + text + "\n")
        refused(String(repeating: "? ", count: 100) + "x\n")
    }

    func testBlockScalarIndicatorsOnlyCountOutsideFlowAndEndWhereTheTextEnds() {
        refused("[ a |\n  " + String(repeating: "[", count: 100) + "\n")
        let nested = (0..<100).map { String(repeating: " ", count: 3 + $0) + "a:" }.joined(separator: "\n")
        refused("x: |\n      text\n" + nested + "\n")
    }

    func testBracketsInPlainScalarsNeverLowerTheCount() {
        refused("a: x]]]]]]\n" + String(repeating: "[", count: 100) + "\n")
    }
}
