import CSPTestSupport
import Foundation
import XCTest

/// A service contract signed by both parties in ONE transaction (docs/CONTRACTS.md,
/// "Co-signatures"), through the real binaries: `call --sign-only` on one side, `decode`
/// and `endorse` on the other, `submit --signed`; and the endorsements the node refuses.
final class CoSignatureTests: XCTestCase {
    func json(_ text: String) -> [String: Any] {
        let first = text.split(separator: "\n").first.map(String.init) ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(first.utf8))) as? [String: Any] ?? [:]
    }

    private func show(_ fixture: NodeFixture, _ id: String) throws -> [String: Any] {
        json(try fixture.tx("dora", ["show", id, "--format", "json"]).stdout)
    }

    /// `who` signs service-contract.sign for `id` without sending it: the JSON line.
    private func signOnly(_ fixture: NodeFixture, _ who: String, _ id: String) throws -> Data {
        Data(try fixture.tx(who, ["call", "service-contract.sign", "--id", id, "--sign-only"]).stdout.utf8)
    }

    private func endorse(_ fixture: NodeFixture, _ who: String, _ signed: Data, expect status: Int32 = 0,
                         file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        try NodeFixture.run("csp-tx", ["endorse", "-", "--home", fixture.dir + "/" + who], input: signed, expect: status, file: file, line: line)
    }

    func testBothPartiesSignOneTransaction() throws {
        let fixture = try NodeFixture.consortium(self)
        _ = try fixture.enroll("eve", role: "enterprise")
        _ = try fixture.enroll("mallory", role: "enterprise")
        var node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        for who in ["root", "dora", "carol", "eve", "mallory"] {
            try fixture.tx(who, ["submit", "account.register", "displayName=\(who)"])
        }
        try fixture.tx("root", ["contract", "propose", repositoryRoot + "/docs/contracts/service-contract.json"])
        try fixture.tx("root", ["contract", "approve", "service-contract", "1"])
        try fixture.tx("dora", ["call", "service-contract.draft", "--id", "C-1", "customer=Beta/carol", "title=Heat pumps",
                                "terms=install", "price=120000.00 CNY"])

        // A party the contract does not name: admitted, but its signature counts for nothing.
        let byDora = try signOnly(fixture, "dora", "C-1")
        let withEve = try endorse(fixture, "eve", byDora)
        var refused = try fixture.tx("carol", ["submit", "--signed", "-"], input: Data(withEve.stdout.utf8), expect: 1)
        XCTAssertEqual(json(refused.stdout)["code"] as? String, "contract-failed", refused.stdout)
        XCTAssertEqual(json(refused.stdout)["reason"] as? String,
                       "service-contract.sign: endorser 'Acme/eve' is not a signer; 'sign' needs customer (Beta/carol), enterprise (Acme/dora)")
        XCTAssertEqual(try show(fixture, "C-1")["state"] as? String, "draft")
        XCTAssertTrue(try show(fixture, "C-1")["signatures"] is NSNull, "nothing collected")

        // An endorsement over different bytes: carol's signature of another transaction,
        // spliced onto dora's. The format is fine; the signature is not.
        let other = try signOnly(fixture, "dora", "C-1")
        let carolsOther = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(json(try endorse(fixture, "carol", other).stdout)["tx"] as? String)))
        let otherBytes = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(json(String(decoding: other, as: UTF8.self))["tx"] as? String)))
        let doraBytes = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(json(String(decoding: byDora, as: UTF8.self))["tx"] as? String)))
        let spliced = Data((doraBytes + carolsOther.suffix(from: otherBytes.count)).base64EncodedString().utf8)
        let decoded = try NodeFixture.run("csp-tx", ["decode", "-", "--format", "json"], input: spliced, expect: 1)
        XCTAssertEqual(json(decoded.stdout)["signatures"] as? String, "endorser 1's ('Beta/carol') does not verify", decoded.stdout)
        XCTAssertEqual(json(decoded.stdout)["endorsers"] as? [String], ["Beta/carol"])
        let endorseSpliced = try endorse(fixture, "eve", spliced, expect: 1)
        XCTAssertTrue(endorseSpliced.stderr.hasPrefix("error: transaction "), endorseSpliced.stderr)
        XCTAssertTrue(endorseSpliced.stderr.contains(": endorser 1's ('Beta/carol') signature does not verify: it was changed after signing"), endorseSpliced.stderr)
        refused = try fixture.tx("carol", ["submit", "--signed", "-"], input: spliced, expect: 1)
        XCTAssertEqual(json(refused.stdout)["code"] as? String, "bad-signature", refused.stdout)
        XCTAssertEqual(json(refused.stdout)["reason"] as? String, "endorser 1 ('Beta/carol'): signature does not verify with its key over the transaction id")

        // A revoked identity's endorsement.
        try NodeFixture.run("csp-ca", ["revoke", "mallory", "--home", fixture.ca, "--reason", "keyCompromise"])
        let crl = try String(contentsOfFile: fixture.ca + "/crl.pem", encoding: .utf8)
        try fixture.tx("root", ["submit", "config.set-crl", "organization=Acme", "crl=\(crl)"])
        refused = try fixture.tx("carol", ["submit", "--signed", "-"], input: Data(try endorse(fixture, "mallory", byDora).stdout.utf8), expect: 1)
        XCTAssertEqual(json(refused.stdout)["code"] as? String, "revoked-creator", refused.stdout)
        XCTAssertTrue((json(refused.stdout)["reason"] as? String ?? "").hasPrefix("endorser 1 certificate serial "), refused.stdout)

        // The creator cannot endorse its own transaction, nor anyone twice.
        XCTAssertTrue(try endorse(fixture, "dora", byDora, expect: 1).stderr.contains("is signed by 'Acme/dora' as its creator already"))
        let byCarol = Data(try endorse(fixture, "carol", byDora).stdout.utf8)
        XCTAssertTrue(try endorse(fixture, "carol", byCarol, expect: 1).stderr.contains("is endorsed by 'Beta/carol' already"))
        XCTAssertEqual(try show(fixture, "C-1")["state"] as? String, "draft", "no refusal changed the contract")

        // Both parties in one transaction: in force at once. Text form, piped, works too.
        let text = try fixture.tx("dora", ["call", "service-contract.sign", "--id", "C-1", "--sign-only", "--format", "text"]).stdout
        let endorsed = try NodeFixture.run("csp-tx", ["endorse", "-", "--format", "text", "--home", fixture.dir + "/carol"], input: Data(text.utf8))
        XCTAssertTrue(endorsed.stderr.hasPrefix("endorsing service-contract.sign id=C-1 by Acme/dora (txid "), endorsed.stderr)
        let described = json(try NodeFixture.run("csp-tx", ["decode", "-", "--format", "json"], input: Data(endorsed.stdout.utf8)).stdout)
        XCTAssertEqual(described["creator"] as? String, "Acme/dora")
        XCTAssertEqual(described["signatures"] as? String, "valid")
        // The names 'csp-tx tx' uses for the same data.
        XCTAssertEqual(described["contract"] as? String, "service-contract")
        XCTAssertEqual(described["function"] as? String, "sign")
        XCTAssertEqual((described["arguments"] as? [String: String])?["id"], "C-1")
        XCTAssertNil(described["call"])
        // timestamp in milliseconds as 'csp-tx tx' prints it; time, the same instant in ISO 8601 UTC as csp-audit prints it.
        let milliseconds = try XCTUnwrap(described["timestamp"] as? Int)
        let seconds = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(milliseconds / 1000)))
        XCTAssertEqual(described["time"] as? String, seconds.dropLast() + String(format: ".%03dZ", milliseconds % 1000))
        let decodedText = try NodeFixture.run("csp-tx", ["decode", "-", "--format", "text"], input: Data(endorsed.stdout.utf8)).stdout
        XCTAssertTrue(decodedText.contains("\ntime        \(described["time"] as? String ?? "?")\n"), decodedText)
        let committed = json(try fixture.tx("carol", ["submit", "--signed", "-"], input: Data(endorsed.stdout.utf8)).stdout)
        XCTAssertEqual(committed["code"] as? String, "valid", "\(committed)")
        let contract = try show(fixture, "C-1")
        XCTAssertEqual(contract["state"] as? String, "in-force", "\(contract)")
        let last = try XCTUnwrap((contract["timeline"] as? [[String: Any]])?.last)
        XCTAssertEqual(last["signed"] as? [String], ["customer", "enterprise"], "\(last)")
        XCTAssertEqual(last["endorsers"] as? [String], ["Beta/carol"], "\(last)")
        XCTAssertEqual(last["by"] as? String, "Acme/dora")
        let shownText = try fixture.tx("dora", ["show", "C-1", "--format", "text"]).stdout
        XCTAssertTrue(shownText.contains("  Acme/dora + Beta/carol  sign: draft → in-force  signed: customer, enterprise\n"), shownText)
        let txid = try XCTUnwrap(committed["txid"] as? String)
        let stored = json(try fixture.tx("dora", ["tx", txid, "--format", "json"]).stdout)
        XCTAssertEqual(stored["endorsers"] as? [String], ["Beta/carol"], "\(stored)")
        XCTAssertTrue(try fixture.tx("dora", ["tx", txid]).stdout.contains("Acme/dora + Beta/carol  valid"))

        // Every node re-checking the ledger reaches the same verdicts: a restart and a full check.
        node.terminate(); node.waitUntilExit()
        try NodeFixture.run("csp-node", ["check", "--home", fixture.node])
        node = try fixture.start()
        XCTAssertEqual(try show(fixture, "C-1")["state"] as? String, "in-force")
    }
}
