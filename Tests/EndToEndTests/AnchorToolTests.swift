import CSPTestSupport
import Foundation
import XCTest

/// `csp-audit anchor`, `verify` and `proof` through the real node, and offline proofs
/// checked by the real binary after the node is stopped; every tampering must fail.
final class AnchorToolTests: XCTestCase {
    var fixture: NodeFixture!
    var node: Process?

    override func setUpWithError() throws {
        fixture = try NodeFixture.make(self)
        node = try fixture.start()
    }

    override func tearDown() {
        if let node, node.isRunning { node.terminate(); node.waitUntilExit() }
    }

    func stopNode() {
        if let node, node.isRunning { node.terminate(); node.waitUntilExit() }
    }

    @discardableResult
    func audit(_ who: String, _ arguments: [String], expect status: Int32? = 0, file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        try NodeFixture.run("csp-audit", arguments + ["--home", fixture.dir + "/" + who, "--socket", fixture.socket, "--channel", fixture.channel],
                            expect: status, file: file, line: line)
    }

    /// Offline: no socket, no channel, no home.
    @discardableResult
    func offline(_ arguments: [String], expect status: Int32? = 0, file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        try NodeFixture.run("csp-audit", ["verify"] + arguments, expect: status, file: file, line: line)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = fixture.dir + "/docs/" + name
        try FileManager.default.createDirectory(atPath: fixture.dir + "/docs", withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    var caPEM: String { fixture.ca + "/ca-cert.pem" }

    func edit(_ path: String, _ change: (inout [String: Any]) -> Void) throws -> String {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        change(&object)
        let out = path + ".tampered"
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: out))
        return out
    }

    func testIndexedAnchorIsFoundThroughTheNodeAndItsProofVerifiesOffline() throws {
        let invoice = try write("invoice 7.pdf", "invoice 7: 1200 EUR")
        let report = try write("report.txt", "inspection passed")
        let stranger = try write("stranger.txt", "never anchored")
        let anchored = try audit("root", ["anchor", invoice, report, "--ref", "demand-42", "--type", "invoice"])
        let lines = anchored.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let fingerprint = String(lines[0].prefix(64))
        XCTAssertTrue(lines[0].contains("  \(invoice)  block 1  tx "), String(lines[0]))

        let found = try audit("alice", ["verify", invoice])
        XCTAssertTrue(found.stdout.hasPrefix("\(invoice): anchored in consortium block 1 tx "), found.stdout)
        XCTAssertTrue(found.stdout.contains(" by Acme/root (admin), ref demand-42, type invoice\n"), found.stdout)
        let json = try audit("alice", ["verify", "--format", "json", report])
        XCTAssertTrue(json.stdout.contains("\"anchored\":true"), json.stdout)
        XCTAssertTrue(json.stdout.contains("\"organization\":\"Acme\""), json.stdout)
        XCTAssertTrue(json.stdout.contains("\"by\":\"Acme/root\""), json.stdout)
        let missing = try audit("alice", ["verify", invoice, stranger], expect: 1)
        XCTAssertTrue(missing.stdout.contains("\(stranger): not anchored ("), missing.stdout)

        // A sha256sum list: anchored and matching, then one file changed.
        let sums = try runProcess("sha256sum", [invoice, report])
        try Data(sums.stdout.utf8).write(to: URL(fileURLWithPath: fixture.dir + "/SUMS"))
        try audit("alice", ["verify", "-c", fixture.dir + "/SUMS"])

        let proof = fixture.dir + "/invoice.proof"
        let written = try audit("root", ["proof", invoice, "--out", proof])
        XCTAssertTrue(written.stdout.hasPrefix(fingerprint + "  block 1  tx "), written.stdout)
        let txid = String(written.stdout.split(separator: " ").filter { $0.count == 64 }[1])
        let byTransaction = fixture.dir + "/by-tx.proof"
        // The transaction's proof: it proves both fingerprints anchor.record lists.
        let transactionProof = try audit("root", ["proof", txid, "--out", byTransaction])
        XCTAssertTrue(transactionProof.stdout.hasPrefix("transaction  block 1  tx \(txid)  proof "), transactionProof.stdout)
        // A reader without the right to read blocks cannot build proofs.
        try audit("alice", ["proof", invoice, "--out", byTransaction], expect: 1)

        stopNode()
        let ok = try offline([invoice, "--proof", proof, "--ca", caPEM])
        XCTAssertTrue(ok.stdout.hasPrefix("\(invoice): OK anchored in consortium block 1 tx \(txid) at "), ok.stdout)
        for document in [invoice, report] {
            XCTAssertTrue(try offline([document, "--proof", byTransaction, "--ca", caPEM]).stdout.contains(": OK anchored in consortium block 1 tx \(txid) at "))
        }
        XCTAssertTrue(try offline([txid, "--proof", byTransaction, "--ca", caPEM]).stdout
            .hasPrefix("\(txid): OK anchor.record valid in consortium block 1 tx \(txid) at "))
        XCTAssertTrue(try offline([stranger, "--proof", byTransaction, "--ca", caPEM], expect: 1).stdout.contains("does not anchor fingerprint"))
        XCTAssertTrue(ok.stdout.contains("by Acme/root (admin), ref demand-42, type invoice; signed by "), ok.stdout)
        // The same names as through the node: who anchored is "by", an account.
        let offlineJSON = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try offline([invoice, "--proof", proof, "--ca", caPEM, "--format", "json"]).stdout.utf8)) as? [String: Any])
        let onlineJSON = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(offlineJSON["by"] as? String, "Acme/root")
        XCTAssertNil(offlineJSON["signer"])
        for key in ["file", "sha256", "ok", "channel", "block", "txid", "time", "by", "organization", "role", "ref", "type"] {
            XCTAssertNotNil(offlineJSON[key], key)
            XCTAssertNotNil(onlineJSON[key], key)
        }
        let explained = try offline([invoice, "--proof", proof, "--ca", caPEM, "--explain"])
        XCTAssertTrue(explained.stdout.contains("  document sha256 = \(fingerprint)\n"), explained.stdout)
        XCTAssertTrue(explained.stdout.contains("  orderer signature over "), explained.stdout)
        XCTAssertTrue(explained.stdout.contains("  validation code of transaction 0 = 0 (valid)\n"), explained.stdout)

        // A modified document.
        try Data("invoice 7: 12000 EUR".utf8).write(to: URL(fileURLWithPath: invoice))
        let modified = try offline([invoice, "--proof", proof, "--ca", caPEM], expect: 1)
        XCTAssertTrue(modified.stdout.contains(": FAILED the document's fingerprint "), modified.stdout)
        // Another document with this document's proof.
        let other = try offline([report, "--proof", proof, "--ca", caPEM], expect: 1)
        XCTAssertTrue(other.stdout.contains("FAILED the document's fingerprint"), other.stdout)
        try Data("invoice 7: 1200 EUR".utf8).write(to: URL(fileURLWithPath: invoice))
        try offline([invoice, "--proof", proof, "--ca", caPEM])
        // Without a pinned CA there is nothing to trust.
        try offline([invoice, "--proof", proof], expect: 64)
    }

    /// A document anchored and its proof written, the node stopped, the proof verified offline.
    func anchoredOffline(_ name: String, _ text: String) throws -> (doc: String, proof: String) {
        let doc = try write(name, text)
        try audit("root", ["anchor", doc])
        let proof = fixture.dir + "/" + name + ".proof"
        try audit("root", ["proof", doc, "--out", proof])
        stopNode()
        try offline([doc, "--proof", proof, "--ca", caPEM])
        return (doc, proof)
    }

    /// `verify --proof` in its plain form skips ArgumentParser (csp-audit's quick path);
    /// with `--` before the files it takes the ordinary path: the same answers either way.
    func testTheQuickProofCheckAnswersAsTheOrdinaryPath() throws {
        let (doc, proof) = try anchoredOffline("quick.txt", "checked by scripts, one process per document")
        for format in ["text", "json"] {
            let quick = try offline([doc, "--proof", proof, "--ca", caPEM, "--format", format])
            XCTAssertEqual(try offline(["--proof", proof, "--ca", caPEM, "--format", format, "--", doc]).stdout, quick.stdout)
            XCTAssertEqual(try offline(["--proof=" + proof, "--ca=" + caPEM, "--format=" + format, doc]).stdout, quick.stdout)
        }
        XCTAssertEqual(try offline([doc, "--proof", proof, "--ca", caPEM, "-q"]).stdout, "")
        let missing = try offline([doc + ".none", "--proof", proof, "--ca", caPEM], expect: 2)
        XCTAssertEqual(try offline(["--proof", proof, "--ca", caPEM, "--", doc + ".none"], expect: 2).stderr, missing.stderr)
        XCTAssertTrue(missing.stderr.hasPrefix("error: cannot open '\(doc).none'"), missing.stderr)
        let unreadable = try offline([doc, "--proof", proof + ".none", "--ca", caPEM], expect: 2)
        XCTAssertEqual(try offline(["--proof", proof + ".none", "--ca", caPEM, "--", doc], expect: 2).stderr, unreadable.stderr)
        // Usage errors are ArgumentParser's, as before.
        XCTAssertEqual(try offline([doc, "--proof", proof, "--ca", caPEM, "--format", "xml"], expect: 64).stdout, "")
    }

    func testProofAgainstTheWrongCAOrWithAForgedSignatureFails() throws {
        let (doc, proof) = try anchoredOffline("contract.pdf", "signed by both parties")

        // Another CA (an impostor's, same organisation name): the orderer does not chain to it.
        try NodeFixture.run("csp-ca", ["init", "--home", fixture.dir + "/other-ca", "--org", "Acme"])
        let wrong = try offline([doc, "--proof", proof, "--ca", fixture.dir + "/other-ca/ca-cert.pem"], expect: 1)
        XCTAssertTrue(wrong.stdout.contains("does not chain to a pinned CA"), wrong.stdout)

        // One bit of the orderer's signature changed.
        let forged = try edit(proof) { object in
            var signature = [UInt8](Data(base64Encoded: object["signature"] as! String)!)
            signature[signature.count - 5] ^= 0x01
            object["signature"] = Data(signature).base64EncodedString()
        }
        let refused = try offline([doc, "--proof", forged, "--ca", caPEM], expect: 1)
        XCTAssertTrue(refused.stdout.contains("the orderer's signature over block 1 does not verify"), refused.stdout)

        // The commit preimage of another block, and a transaction position past the block.
        let position = try edit(proof) { $0["position"] = 1 }
        XCTAssertTrue(try offline([doc, "--proof", position, "--ca", caPEM], expect: 1).stdout.contains("is not below the block's 1 transactions"))
        let garbage = fixture.dir + "/garbage.proof"
        try Data("{\"format\":\"csp-proof\"}".utf8).write(to: URL(fileURLWithPath: garbage))
        XCTAssertEqual(try offline([doc, "--proof", garbage, "--ca", caPEM], expect: 2).stderr,
                       "error: '\(garbage)' is not a csp proof file (JSON with format 'csp-proof')\n")
    }

    func testBatchReceiptsVerifyOfflineAndEveryTamperingFails() throws {
        var docs: [String] = []
        for i in 0..<5 { docs.append(try write("doc-\(i).txt", "document number \(i)")) }
        let receipts = fixture.dir + "/receipts"
        let bundle = fixture.dir + "/all.receipts"
        let stranger = try write("stranger.txt", "not in the batch")
        let anchored = try audit("root", ["anchor", "--batch", "--receipts", receipts, "--bundle", bundle, "--ref", "invoice-2026-11"] + docs)
        XCTAssertEqual(anchored.stdout.split(separator: "\n").count, 5)
        // The ledger holds the root only: the index does not find the documents.
        let hidden = try audit("alice", ["verify", docs[0]], expect: 1)
        XCTAssertTrue(hidden.stdout.contains("not anchored"), hidden.stdout)
        stopNode()

        for (i, doc) in docs.enumerated() {
            let ok = try offline([doc, "--proof", "\(receipts)/doc-\(i).txt.proof", "--ca", caPEM])
            XCTAssertTrue(ok.stdout.contains(": OK anchored in consortium block 1 tx "), ok.stdout)
        }
        // The bundle: the batch transaction's proof, then a line per document; a document not in it fails.
        let bundleLines = try String(contentsOfFile: bundle, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(bundleLines.count, 6)
        XCTAssertTrue(bundleLines[1].hasPrefix(#"{"document":""#) && bundleLines[1].contains(#"","index":0,"salt":""#), String(bundleLines[1]))
        // The first line is the batch transaction's proof.
        let batchTxid = String(try XCTUnwrap(anchored.stdout.split(separator: "\n").first).split(separator: " ").filter { $0.count == 64 }[1])
        XCTAssertTrue(try offline([batchTxid, "--proof", bundle, "--ca", caPEM]).stdout.contains(": OK anchor.batch valid in consortium block 1"))
        // A bundle with a line changed or missing is refused as malformed (the tree needs every line).
        var damaged = bundleLines.map(String.init)
        damaged[3] = damaged[3].replacingOccurrences(of: #""index":2"#, with: #""index":7"#)
        try Data((damaged.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: bundle + ".bad"))
        XCTAssertTrue(try offline([docs[0], "--proof", bundle + ".bad", "--ca", caPEM], expect: 2).stderr.contains("line 4 is not the receipt line of document 2"))
        try Data((bundleLines.dropLast().joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: bundle + ".short"))
        XCTAssertTrue(try offline([docs[0], "--proof", bundle + ".short", "--ca", caPEM], expect: 1).stdout.contains("the receipt says the batch holds 4 documents, the transaction 5"))
        for doc in [docs[0], docs[4]] {
            XCTAssertTrue(try offline([doc, "--proof", bundle, "--ca", caPEM]).stdout.contains(": OK anchored in consortium block 1 tx "))
        }
        let absent = try offline([stranger, "--proof", bundle, "--ca", caPEM], expect: 1)
        XCTAssertTrue(absent.stdout.contains("holds no receipt for it"), absent.stdout)
        // Many documents against the bundle in one process: each its own line and verdict.
        let many = try offline(docs + [stranger, "--proof", bundle, "--ca", caPEM], expect: 1)
        XCTAssertEqual(many.stdout.split(separator: "\n").filter { $0.contains(": OK anchored in consortium block 1") }.count, 5, many.stdout)
        // The batch's header, signature, chain and CRLs are checked once per process.
        let twice = try offline([docs[0], docs[1], "--proof", bundle, "--ca", caPEM, "--explain"])
        XCTAssertEqual(twice.stdout.components(separatedBy: "  orderer signature over ").count, 2, twice.stdout)
        XCTAssertEqual(twice.stdout.components(separatedBy: "  orderer signature, chain and CRLs: the same as a proof verified above\n").count, 2, twice.stdout)
        XCTAssertTrue(many.stdout.hasSuffix("\(stranger): FAILED '\(bundle)' holds no receipt for it (\(try runProcess("sha256sum", [stranger]).stdout.prefix(64)))\n"), many.stdout)
        try audit("root", ["anchor", "--batch", docs[0]], expect: 64)
        let receipt = receipts + "/doc-2.txt.proof"
        let explained = try offline([docs[2], "--proof", receipt, "--ca", caPEM, "--explain"])
        XCTAssertTrue(explained.stdout.contains("  leaf = SHA-256(00 || salt "), explained.stdout)
        XCTAssertTrue(explained.stdout.contains("  batch root = "), explained.stdout)

        // A receipt for another document.
        let another = try offline([docs[3], "--proof", receipt, "--ca", caPEM], expect: 1)
        XCTAssertTrue(another.stdout.contains("FAILED the document's fingerprint"), another.stdout)
        // The other document's fingerprint written into the receipt: the salted leaf no longer leads to the root.
        let digest3 = String(try runProcess("sha256sum", [docs[3]]).stdout.prefix(64))
        let relabelled = try edit(receipt) { $0["document"] = digest3 }
        XCTAssertTrue(try offline([docs[3], "--proof", relabelled, "--ca", caPEM], expect: 1).stdout.contains("is not the one transaction"))
        // One path step altered.
        let step = try edit(receipt) { object in
            var batch = object["batch"] as! [String: Any]
            var path = batch["path"] as! [String]
            path[0] = String(path[0].reversed())
            batch["path"] = path
            object["batch"] = batch
        }
        XCTAssertTrue(try offline([docs[2], "--proof", step, "--ca", caPEM], expect: 1).stdout.contains("is not the one transaction"))
        // A step dropped or added: the path length is exact.
        let short = try edit(receipt) { object in
            var batch = object["batch"] as! [String: Any]
            batch["path"] = Array((batch["path"] as! [String]).dropLast())
            object["batch"] = batch
        }
        XCTAssertTrue(try offline([docs[2], "--proof", short, "--ca", caPEM], expect: 1).stdout.contains("the batch path has 2 steps, not the number leaf 2 of 5 needs"))
        // The index changed, the size changed, the index at the size.
        for (field, value, message) in [("index", 3, "is not the one transaction"), ("size", 6, "the receipt says the batch holds 6 documents, the transaction 5"),
                                        ("index", 5, "the receipt's index 5 is not below its batch size 5")] {
            let changed = try edit(receipt) { object in
                var batch = object["batch"] as! [String: Any]
                batch[field] = value
                object["batch"] = batch
            }
            let result = try offline([docs[2], "--proof", changed, "--ca", caPEM], expect: 1)
            XCTAssertTrue(result.stdout.contains(message), "\(field)=\(value): \(result.stdout)")
        }
        // The salt changed.
        let salted = try edit(receipt) { object in
            var batch = object["batch"] as! [String: Any]
            batch["salt"] = String(repeating: "0", count: 64)
            object["batch"] = batch
        }
        XCTAssertTrue(try offline([docs[2], "--proof", salted, "--ca", caPEM], expect: 1).stdout.contains("is not the one transaction"))
    }

    /// Submits kv.put as alice; its transaction id.
    func put(_ key: String) throws -> String {
        let result = try fixture.tx("alice", ["submit", "kv.put", "key=\(key)", "value=v", "--format", "json"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return try XCTUnwrap(object["txid"] as? String)
    }

    func testAnyTransactionHasAProofVerifiedOfflineAndBoundToItsId() throws {
        let txid = try put("order-1")
        let other = try put("order-2")
        let proof = fixture.dir + "/order-1.proof"
        let written = try audit("root", ["proof", txid, "--out", proof])
        XCTAssertTrue(written.stdout.hasPrefix("transaction  block "), written.stdout)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: proof))) as? [String: Any])
        XCTAssertEqual(object["kind"] as? String, "transaction")
        XCTAssertNil(object["document"])
        XCTAssertEqual((object["crls"] as? [String])?.count, 1, "the proof carries Acme's CRL")
        // Unknown to the node, and not a valid transaction id.
        try audit("root", ["proof", String(repeating: "ab", count: 32), "--out", proof + ".none"], expect: 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: proof + ".none"))
        stopNode()

        let ok = try offline([txid, "--proof", proof, "--ca", caPEM])
        XCTAssertTrue(ok.stdout.hasPrefix("\(txid): OK kv.put valid in consortium block "), ok.stdout)
        XCTAssertTrue(ok.stdout.contains(" by Acme/alice (customer); signed by "), ok.stdout)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try offline([txid, "--proof", proof, "--ca", caPEM, "--format", "json"]).stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["call"] as? String, "kv.put")
        XCTAssertEqual(json["txid"] as? String, txid)
        let explained = try offline([txid, "--proof", proof, "--ca", caPEM, "--explain"])
        XCTAssertTrue(explained.stdout.contains(" not revoked at "), explained.stdout)
        // Another transaction's id, a document, another CA, a moved position: all "no".
        XCTAssertTrue(try offline([other, "--proof", proof, "--ca", caPEM], expect: 1).stdout.contains("the proof is for transaction \(txid), not \(other)"))
        let doc = try write("unrelated.txt", "unrelated")
        XCTAssertTrue(try offline([doc, "--proof", proof, "--ca", caPEM], expect: 1).stdout.contains("is kv.put, not an anchor"))
        try NodeFixture.run("csp-ca", ["init", "--home", fixture.dir + "/other-ca", "--org", "Acme"])
        XCTAssertTrue(try offline([txid, "--proof", proof, "--ca", fixture.dir + "/other-ca/ca-cert.pem"], expect: 1).stdout.contains("does not chain to a pinned CA"))
        let moved = try edit(proof) { $0["position"] = 3 }
        XCTAssertTrue(try offline([txid, "--proof", moved, "--ca", caPEM], expect: 1).stdout.contains("is not below the block's"))
        // Without a CRL nobody can tell the orderer was not revoked: could not check, until one is given.
        let bare = try edit(proof) { $0.removeValue(forKey: "crls") }
        let undecided = try offline([txid, "--proof", bare, "--ca", caPEM], expect: 2)
        XCTAssertTrue(undecided.stdout.contains(": CANNOT CHECK cannot tell whether the orderer certificate "), undecided.stdout)
        try offline([txid, "--proof", bare, "--ca", caPEM, "--crl", fixture.ca + "/crl.pem"])
        // A CRL signed by another CA is no evidence.
        XCTAssertTrue(try offline([txid, "--proof", bare, "--ca", caPEM, "--crl", fixture.dir + "/other-ca/crl.pem"], expect: 2).stdout.contains("CANNOT CHECK"))
    }

    func testADocumentOfABatchGetsAProofFromItsReceiptOrBundle() throws {
        var docs: [String] = []
        for i in 0..<3 { docs.append(try write("batch-\(i).txt", "batched document \(i)")) }
        let bundle = fixture.dir + "/batch.receipts"
        try audit("root", ["anchor", "--batch", "--bundle", bundle] + docs)
        let stranger = try write("stranger.txt", "not in the batch")
        // Not indexed: the index does not know it, the receipt does.
        XCTAssertTrue(try audit("root", ["proof", docs[1], "--out", fixture.dir + "/x.proof"], expect: 1).stderr.contains("give its --receipt"))
        let proof = fixture.dir + "/batch-1.proof"
        let written = try audit("root", ["proof", docs[1], "--receipt", bundle, "--out", proof])
        XCTAssertTrue(written.stdout.hasPrefix(String(try runProcess("sha256sum", [docs[1]]).stdout.prefix(64)) + "  block 1  tx "), written.stdout)
        try audit("root", ["proof", stranger, "--receipt", bundle, "--out", fixture.dir + "/y.proof"], expect: 1)
        try audit("root", ["proof", String(repeating: "0", count: 64), "--receipt", bundle, "--out", fixture.dir + "/z.proof"], expect: 64)
        stopNode()
        let ok = try offline([docs[1], "--proof", proof, "--ca", caPEM])
        XCTAssertTrue(ok.stdout.contains(": OK anchored in consortium block 1 tx "), ok.stdout)
        XCTAssertTrue(try offline([docs[0], "--proof", proof, "--ca", caPEM], expect: 1).stdout.contains("FAILED the document's fingerprint"))
        // With --ca the receipt is cut out offline: no node, no home; the same proof, checked first.
        let cut = fixture.dir + "/batch-1-offline.proof"
        let offlineCut = try NodeFixture.run("csp-audit", ["proof", docs[1], "--receipt", bundle, "--ca", caPEM, "--out", cut])
        XCTAssertEqual(offlineCut.stdout, written.stdout.replacingOccurrences(of: proof, with: cut))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: cut)), try Data(contentsOf: URL(fileURLWithPath: proof)))
        // Against another CA it does not verify and nothing is written.
        let other = fixture.dir + "/other.pem"
        try Data(try String(contentsOfFile: fixture.node + "/cert.pem", encoding: .utf8).utf8).write(to: URL(fileURLWithPath: other))
        let refused = try NodeFixture.run("csp-audit", ["proof", docs[1], "--receipt", bundle, "--ca", other, "--out", cut + ".2"], expect: 1)
        XCTAssertTrue(refused.stderr.hasPrefix("error: the receipt for '\(docs[1])' does not verify: "), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cut + ".2"))
        try NodeFixture.run("csp-audit", ["proof", stranger, "--receipt", bundle, "--ca", caPEM, "--out", cut + ".3"], expect: 1)
        try NodeFixture.run("csp-audit", ["proof", docs[1], "--ca", caPEM, "--out", cut + ".4"], expect: 64)
    }

    /// Many proofs in one process: each document finds the proof about it among the
    /// --proof files (its receipt, an indexed proof, an anchor.record transaction proof,
    /// a bundle's line); -c LIST also checks each file against its listed fingerprint.
    func testManyProofsAreCheckedInOneProcess() throws {
        var batch: [String] = []
        for i in 0..<3 { batch.append(try write("batch-\(i).txt", "batched document \(i)")) }
        let receipts = fixture.dir + "/receipts", bundle = fixture.dir + "/all.receipts"
        try audit("root", ["anchor", "--batch", "--receipts", receipts, "--bundle", bundle] + batch)
        let first = try write("first.txt", "indexed one"), second = try write("second.txt", "indexed two")
        let anchored = try audit("root", ["anchor", first, second, "--format", "json"])
        let txid = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(anchored.stdout.split(separator: "\n")[0].utf8)) as? [String: Any])?["txid"] as? String)
        let firstProof = fixture.dir + "/first.proof", recordProof = fixture.dir + "/record.proof"
        try audit("root", ["proof", first, "--out", firstProof])
        try audit("root", ["proof", txid, "--out", recordProof])
        let stranger = try write("stranger.txt", "never anchored")
        stopNode()

        let proofs = ["--proof", receipts + "/batch-0.txt.proof", "--proof", firstProof, "--proof", recordProof, "--proof", bundle]
        // batch-0 by its receipt, batch-1 and -2 by the bundle, first by its proof, second by the
        // anchor.record transaction proof, the transaction by its id; in the order given.
        let all = try offline([batch[0], batch[1], batch[2], first, second, txid] + proofs + ["--ca", caPEM])
        let lines = all.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 6, all.stdout)
        for (line, name) in zip(lines, [batch[0], batch[1], batch[2], first, second]) {
            XCTAssertTrue(line.hasPrefix("\(name): OK anchored in consortium block "), line)
        }
        XCTAssertTrue(lines[5].hasPrefix("\(txid): OK anchor.record valid in consortium block "), lines[5])
        // A document none of the proofs is about: a "no" for it alone, in the quick path and the ordinary one.
        for separator in [[], ["--"]] {
            let mixed = try offline(proofs + ["--ca", caPEM] + separator + [first, stranger], expect: 1)
            XCTAssertTrue(mixed.stdout.contains("\(first): OK anchored"), mixed.stdout)
            XCTAssertTrue(mixed.stdout.contains("\(stranger): FAILED none of the 4 proofs is for it ("), mixed.stdout)
        }
        // -c LIST with --proof: sha256sum's list; a file changed since it was listed fails.
        let sums = try runProcess("sha256sum", batch + [first, second])
        XCTAssertEqual(sums.status, 0)
        try Data(sums.stdout.utf8).write(to: URL(fileURLWithPath: fixture.dir + "/SUMS"))
        let listed = try offline(["-c", fixture.dir + "/SUMS"] + proofs + ["--ca", caPEM])
        XCTAssertEqual(listed.stdout.split(separator: "\n").filter { $0.contains(": OK anchored") }.count, 5, listed.stdout)
        try Data("changed after it was listed".utf8).write(to: URL(fileURLWithPath: second))
        let changed = try offline(["-c", fixture.dir + "/SUMS"] + proofs + ["--ca", caPEM], expect: 1)
        XCTAssertTrue(changed.stdout.contains("\(second): FAILED does not match its listed fingerprint"), changed.stdout)
        XCTAssertEqual(changed.stdout.split(separator: "\n").filter { $0.contains(": OK anchored") }.count, 4, changed.stdout)
    }

    /// The orderer's certificate revoked (not for a compromised key) by its CA after the
    /// early block, before the "between" block, and the channel taking the CRL after that:
    /// revocation is judged as of each block. The early and between proofs carry the CRL
    /// the channel had at their block, whenever they are made, and hold; the late block's
    /// channel listed the orderer, so no proof of it holds. The CA's newer CRL, given
    /// with --crl, still lets the early block through (revoked after it) and fails the
    /// between block (revoked before it).
    func testRevocationIsJudgedWithTheCRLsInForceAtTheBlock() throws {
        let early = try write("early.txt", "anchored before the revocation")
        try audit("root", ["anchor", early])
        let earlyProof = fixture.dir + "/early.proof"
        try audit("root", ["proof", early, "--out", earlyProof])
        Thread.sleep(forTimeInterval: 1.1)
        try NodeFixture.run("csp-ca", ["revoke", "node", "--home", fixture.ca, "--reason", "superseded"])
        let between = try write("between.txt", "anchored after the CA revoked the orderer, before the channel knew")
        try audit("root", ["anchor", between])
        let crl = try String(contentsOfFile: fixture.ca + "/crl.pem", encoding: .utf8)
        try fixture.tx("root", ["submit", "config.set-crl", "organization=Acme", "crl=\(crl)"])
        let late = try write("late.txt", "anchored after the channel took the CRL")
        try audit("root", ["anchor", late])
        let lateProof = fixture.dir + "/late.proof"
        // The channel's CRL in force at the late block lists the orderer: no proof.
        let refused = try audit("root", ["proof", late, "--out", lateProof], expect: 1)
        XCTAssertTrue(refused.stderr.contains("does not verify: the orderer certificate "), refused.stderr)
        XCTAssertTrue(refused.stderr.contains(" (superseded), before block time "), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: lateProof))
        // Proofs of the earlier blocks made now carry the CRL of their block, not the new one.
        let remade = fixture.dir + "/early-now.proof", betweenProof = fixture.dir + "/between.proof"
        try audit("root", ["proof", early, "--out", remade])
        try audit("root", ["proof", between, "--out", betweenProof])
        func crls(_ path: String) throws -> [String] {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            return try XCTUnwrap(object["crls"] as? [String])
        }
        XCTAssertEqual(try crls(remade), try crls(earlyProof))
        XCTAssertEqual(try crls(betweenProof), try crls(earlyProof))
        // The CA's newest CRL (PEM: the DER's base64 between the armour lines) is not among them.
        let newest = crl.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        XCTAssertFalse(try crls(betweenProof).contains(newest))
        XCTAssertFalse(try crls(earlyProof).isEmpty)
        stopNode()
        for (document, proof) in [(early, earlyProof), (early, remade), (between, betweenProof)] {
            XCTAssertTrue(try offline([document, "--proof", proof, "--ca", caPEM]).stdout.contains(": OK anchored"))
        }
        // The CA's newer CRL: revoked after the early block, still good; before the between block, not.
        XCTAssertTrue(try offline([early, "--proof", earlyProof, "--ca", caPEM, "--crl", fixture.ca + "/crl.pem"]).stdout.contains(": OK anchored"))
        let failed = try offline([between, "--proof", betweenProof, "--ca", caPEM, "--crl", fixture.ca + "/crl.pem"], expect: 1)
        XCTAssertTrue(failed.stdout.contains(": FAILED the orderer certificate "), failed.stdout)
        XCTAssertTrue(failed.stdout.contains(" (superseded), before block time "), failed.stdout)
    }

    /// A key revoked as compromised signs any time stamp: no proof signed by it holds,
    /// whatever the block's time.
    func testAnOrdererKeyRevokedAsCompromisedFailsEveryProof() throws {
        let (doc, proof) = try anchoredOffline("contract.txt", "anchored, then the orderer's key leaked")
        try NodeFixture.run("csp-ca", ["revoke", "node", "--home", fixture.ca, "--reason", "keyCompromise"])
        let failed = try offline([doc, "--proof", proof, "--ca", caPEM, "--crl", fixture.ca + "/crl.pem"], expect: 1)
        XCTAssertTrue(failed.stdout.contains(": FAILED the orderer certificate "), failed.stdout)
        XCTAssertTrue(failed.stdout.contains("because its key was compromised (keyCompromise): nothing it signed can be trusted"), failed.stdout)
    }
}
