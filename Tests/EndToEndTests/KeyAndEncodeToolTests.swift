import CSPTestSupport
import Foundation
import XCTest

/// `csp-ca keygen` and `csp-tx encode` through the real binaries.
final class KeyAndEncodeToolTests: XCTestCase {
    func testKeygenWritesA0600KeyThatOpensslAccepts() throws {
        let dir = try temporaryDirectory(self)
        let result = try runProcess(productsDirectory + "/csp-ca", ["keygen", "--out", dir + "/key.pem"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/key.pem")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(try runProcess("openssl", ["pkey", "-in", dir + "/key.pem", "-noout", "-check"]).status, 0)
        let derived = try runProcess("openssl", ["pkey", "-in", dir + "/key.pem", "-pubout"])
        XCTAssertEqual(derived.stdout, result.stdout, "the printed public key belongs to the written private key")

        let again = try runProcess(productsDirectory + "/csp-ca", ["keygen", "--out", dir + "/key.pem"])
        XCTAssertEqual(again.status, 1, "already exists: 1, as csp-ca init and csp-node init say it")
        XCTAssertEqual(again.stderr, "error: '\(dir)/key.pem' already exists; use --force to replace it\n")

        let nowhere = try runProcess(productsDirectory + "/csp-ca", ["keygen", "--out", "/nonexistent/dir/key.pem"])
        XCTAssertEqual(nowhere.status, 2)
        XCTAssertEqual(nowhere.stderr, "error: cannot create '/nonexistent/dir/key.pem': no such file or directory\n")
        XCTAssertFalse(nowhere.stderr.contains("PRIVATE"))
    }

    func testEncodeReproducesTheCommittedVector() throws {
        let vectors = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/docs/vectors/format-v1.json"))) as! [String: Any]
        let tx = vectors["transaction"] as! [String: String]
        let result = try runProcess(productsDirectory + "/csp-tx", ["encode", "--format", "json", "--json", repositoryRoot + "/docs/vectors/transaction.json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let output = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(output["txid"] as? String, tx["txid"])
        XCTAssertEqual(output["body"] as? String, tx["body"])
    }

    func testEncodeRefusesMalformedInput() throws {
        let tool = productsDirectory + "/csp-tx"
        let notJSON = try runProcess(tool, ["encode"], input: Data("{oops".utf8))
        XCTAssertEqual(notJSON.status, 2)
        XCTAssertEqual(notJSON.stderr, "error: '-' is not valid JSON\n")
        let missingField = try runProcess(tool, ["encode"], input: Data(#"{"channel":"c","timestamp":1,"nonce":"00","creator":"","contract":"kv"}"#.utf8))
        XCTAssertEqual(missingField.status, 2)
        XCTAssertEqual(missingField.stderr, "error: '-': field 'function' must be a string\n")
        let badHex = try runProcess(tool, ["encode"], input: Data(#"{"channel":"c","timestamp":1,"nonce":"xyz","creator":"","contract":"kv","function":"put"}"#.utf8))
        XCTAssertEqual(badHex.stderr, "error: '-': field 'nonce' must be hex\n")
        let emptyNonce = try runProcess(tool, ["encode"], input: Data(#"{"channel":"c","timestamp":1,"nonce":"","creator":"","contract":"kv","function":"put"}"#.utf8))
        XCTAssertEqual(emptyNonce.status, 2)
        XCTAssertEqual(emptyNonce.stderr, "error: '-': nonce must be 1 to 64 bytes\n")
    }
}
