import CSPCLI
@testable import CSPTxCommands
import XCTest

final class DefinitionDocumentTests: XCTestCase {
    func json(_ yaml: String) throws -> String {
        String(decoding: try DefinitionDocument.json(yaml: Array(yaml.utf8), source: "d.yaml"), as: UTF8.self)
    }

    func failure(_ yaml: String, source: String = "d.yaml", line: UInt = #line) -> String? {
        do {
            _ = try DefinitionDocument(bytes: Array(yaml.utf8), source: source)
            XCTFail("accepted", line: line)
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testYAMLBecomesCanonicalJSON() throws {
        let yaml = """
            name: demand
            version: 1
            organizations: [Acme, NO]       # the organisation "NO", not false
            parties:
              customer: {role: customer}
            fields:
              due: {type: date, default: 2026-12-31}
              flag: {type: string, values: [on, yes, "1", true, ~, -3]}
            states: [submitted, closed]
            initial: submitted
            final:
              - closed
            text: |
              two
              lines
            """
        XCTAssertEqual(try json(yaml), #"{"fields":{"due":{"default":"2026-12-31","type":"date"},"flag":{"type":"string","values":["on","yes","1",true,null,-3]}},"final":["closed"],"initial":"submitted","name":"demand","organizations":["Acme","NO"],"parties":{"customer":{"role":"customer"}},"states":["submitted","closed"],"text":"two\nlines","version":1}"#)
        let document = try DefinitionDocument(bytes: Array(yaml.utf8), source: "demand.yaml")
        XCTAssertEqual(document.name, "demand")
        XCTAssertEqual(document.version, 1)
    }

    func testJSONIsSentAsWritten() throws {
        let text = "{ \"name\": \"demand\",\n  \"version\": 2, \"states\": [] }\n"
        let document = try DefinitionDocument(bytes: Array(text.utf8), source: "demand.json")
        XCTAssertEqual(document.json, Array(text.utf8))
        XCTAssertEqual(document.version, 2)
        // Sniffed as JSON without an extension, because it opens with '{'.
        XCTAssertEqual(try DefinitionDocument(bytes: Array(text.utf8), source: "-").json, Array(text.utf8))
    }

    func testRefusals() {
        XCTAssertEqual(failure("name: a\nversion: 1.5\n"), "'d.yaml' at version: 1.5 is not an integer (write fractions and amounts as strings)")
        XCTAssertEqual(failure("name: a\nname: b\nversion: 1\n"), "'d.yaml': key 'name' appears twice")
        XCTAssertEqual(failure("name: a\n"), "'d.yaml': the definition has no \"version\" (an integer, 1 or more)")
        XCTAssertEqual(failure("version: 1\n"), "'d.yaml': the definition has no \"name\" (a string)")
        XCTAssertEqual(failure("- a\n- b\n"), "'d.yaml' must hold a definition (a mapping), not a list")
        XCTAssertEqual(failure("name: a\nversion: !custom 1\n"), "'d.yaml' at version: unsupported tag '!custom'")
        XCTAssertEqual(failure("{\"name\": \"a\", \"version\": 1", source: "d.json"), "'d.json' is not valid JSON")
        XCTAssertEqual(failure("name: [a\n"), "'d.yaml' is not valid YAML: line 2, column 1: did not find expected ',' or ']'")
        XCTAssertEqual(failure(""), "'d.yaml' is empty")
    }

    func testNestingDeeperThanTheConfigLoaderAllowsIsRefused() {
        let deepYAML = "name: a\nversion: 1\nx: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n"
        XCTAssertEqual(failure(deepYAML), "'d.yaml': nested deeper than 64 levels at line 3")
        let deepJSON = "{\"name\":\"a\",\"version\":1,\"x\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        XCTAssertEqual(failure(deepJSON, source: "d.json"), "'d.json': nested deeper than 64 levels at line 1")
        let fine = "name: a\nversion: 1\nx: " + String(repeating: "[", count: 60) + String(repeating: "]", count: 60) + "\n"
        XCTAssertNoThrow(try DefinitionDocument(bytes: Array(fine.utf8), source: "d.yaml"))
    }

    func testAliasesCannotMultiplyWithoutBound() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 { yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        XCTAssertEqual(failure("name: a\nversion: 1\n" + yaml), "'d.yaml': more than 100000 values (aliases repeating a subtree?)")
    }
}
