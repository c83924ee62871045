import CSPTestSupport
import Foundation
import XCTest

/// The main job the README opens with (`make demo`, docs/demo.sh) runs to the end with the
/// built binaries and shows what it promises: both scenarios through the real tools, the
/// anchored receipts, the re-verified ledger, the SQL tables and the independent verifier.
final class DemoTests: XCTestCase {
    func testTheDemoRunsBothScenariosToTheEnd() throws {
        let script = repositoryRoot + "/docs/demo.sh"
        let result = try runProcess("/bin/bash", [script, productsDirectory], timeLimit: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        let output = result.stdout

        // Every step, in the script's order.
        let steps = try String(contentsOfFile: script, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("step \"") }
            .map { "== " + $0.dropFirst("step \"".count).dropLast() }
        XCTAssertEqual(steps.count, 13)
        var rest = output[...]
        for step in steps {
            guard let found = rest.range(of: step + "\n") else { return XCTFail("step '\(step)' missing or out of order:\n\(output)") }
            rest = rest[found.upperBound...]
        }

        for line in [
            // scenario 4.1: the contract completes; 4.2: the demand closes and a second confirm is refused.
            "confirm-payment: accepted → completed  (payment-doc)",
            "-> closed; next: nobody (done)",
            "a second confirm is refused (exit 1): the demand is closed",
            // Seven receipts verify offline; an edited report does not.
            "acceptance.txt: OK anchored in consortium block ",
            "FAILED the document's fingerprint ",
            // The ledger re-verifies, and its tables answer sqlite3.
            "29 blocks and 29 transactions verified (28 valid)",
            "service-contract  C-1001  completed",
            "demand            D-1     closed",
            "contract.txt: FAILED",
            "verify.py: all vectors agree with FORMAT.md",
        ] {
            XCTAssertTrue(output.contains(line), "'\(line)' missing:\n\(output)")
        }
        XCTAssertEqual(output.components(separatedBy: "receipt: ").count - 1, 7, output)
    }
}
