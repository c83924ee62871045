import CSPTestSupport
import Foundation
import XCTest

/// A genesis file nested 5,000 levels deep crashed `csp-node init` in the YAML scanner
/// (issue 12, bug 13): it must be refused with one line, exit 2, and create nothing.
final class ConfigNestingToolTests: XCTestCase {
    func testDeeplyNestedGenesisIsRefusedWithOneLine() throws {
        let fixture = try NodeFixture.make(self)
        let documents = [
            "flow.yaml": String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "\n",
            "block.yaml": String(repeating: "- ", count: 5_000) + "x\n",
            "indented.yaml": (0..<5_000).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n") + " b\n",
            "deep.json": String(repeating: "{\"a\":", count: 5_000) + "1" + String(repeating: "}", count: 5_000),
        ]
        for (name, text) in documents.sorted(by: { $0.key < $1.key }) {
            let path = fixture.dir + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let result = try NodeFixture.run("csp-node", ["init", "--home", fixture.node, "--channel", "deep", "--config", path], expect: nil)
            XCTAssertEqual(result.status, 2, "\(name): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("error: ") && result.stderr.contains("'\(path)': nested deeper than 64 levels at line "),
                          "\(name): \(result.stderr)")
            XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, "\(name): one line")
        }
        XCTAssertEqual(try NodeFixture.run("csp-node", ["channels", "--home", fixture.node]).stdout, "consortium\n", "no channel 'deep'")
    }
}
