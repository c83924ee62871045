import CSPAudit
import CSPCertificates
import CSPCrypto
import Foundation
import XCTest

/// `ProofFile(decoding:)` reads proof files with the repository's strict JSON reader
/// instead of JSONDecoder: the same proofs for every well-formed file, and a refusal
/// ("is not a csp proof file") for anything malformed or ambiguous.
final class ProofFileParsingTests: XCTestCase {
    let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        + "/docs/vectors/proof"

    func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: vectors + "/" + name))) }

    /// The published vectors (a batch receipt, an indexed proof, a transaction proof)
    /// read as JSONDecoder reads them through ProofFile's Codable conformance.
    func testVectorsReadAsJSONDecoderReadsThem() throws {
        for name in ["invoice.txt.receipt", "report.txt.proof", "kv-put.proof"] {
            let bytes = try read(name)
            let expected = try JSONDecoder().decode(ProofFile.self, from: Data(bytes))
            XCTAssertEqual(try ProofFile(decoding: bytes, source: name), expected, name)
            // Compact, as a bundle's first line or another tool writes it.
            XCTAssertEqual(try ProofFile(decoding: expected.encoded(compact: true), source: name), expected, name)
        }
        let receipt = try ProofFile(decoding: try read("invoice.txt.receipt"), source: "r")
        XCTAssertNotNil(receipt.batch)
        XCTAssertNil(receipt.kind)
        XCTAssertTrue(try ProofFile(decoding: try read("kv-put.proof"), source: "k").isTransactionProof)
    }

    /// White space anywhere between tokens, members in any order, a member this version
    /// does not know, and an optional member given as null all read.
    func testLayoutUnknownMembersAndNullOptionalsRead() throws {
        let proof = try ProofFile(decoding: try read("invoice.txt.receipt"), source: "r")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try read("invoice.txt.receipt"))) as? [String: Any])
        var members = object
        members["comment"] = ["any": [1, true, nil]] as [String: Any]
        members["crls"] = NSNull()
        let shuffled = try JSONSerialization.data(withJSONObject: members, options: [.prettyPrinted])
        var expected = proof
        expected.crls = nil
        XCTAssertEqual(try ProofFile(decoding: Array(shuffled), source: "r"), expected)
        XCTAssertEqual(try ProofFile(decoding: Array(" \n\t".utf8) + proof.encoded() + Array("\r\n ".utf8), source: "r"), proof)
    }

    func assertRefused(_ bytes: [UInt8], _ why: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ProofFile(decoding: bytes, source: "p.proof"), why, file: file, line: line) { error in
            XCTAssertEqual(error as? ProofError, .malformed("'p.proof' is not a csp proof file (JSON with format 'csp-proof')"), why, file: file, line: line)
        }
    }

    /// Replaces the first occurrence of `old` in the encoded receipt.
    func receipt(replacing old: String, with new: String) throws -> [UInt8] {
        let text = String(decoding: try read("invoice.txt.receipt"), as: UTF8.self)
        let range = try XCTUnwrap(text.range(of: old), old)
        return Array(text.replacingCharacters(in: range, with: new).utf8)
    }

    func testMalformedOrAmbiguousFilesAreRefused() throws {
        let good = try read("invoice.txt.receipt")
        // A member given twice: which value would count is not for a reader to guess.
        assertRefused(try receipt(replacing: #""format""#, with: #""position": 0, "format""#), "position twice")
        assertRefused(try receipt(replacing: #""format""#, with: #""format": "csp-proof", "format""#), "format twice")
        assertRefused(try receipt(replacing: #""salt""#, with: #""index": 0, "salt""#), "a batch member twice")
        // Anything after the object.
        assertRefused(good + Array("x".utf8), "trailing byte")
        assertRefused(good + good, "two objects")
        assertRefused(Array(good.dropLast(3)), "truncated")
        assertRefused([], "empty")
        assertRefused(Array("[]".utf8), "not an object")
        // Members of the wrong type, or missing.
        assertRefused(try receipt(replacing: #""position": 0"#, with: #""position": "0""#), "position as a string")
        assertRefused(try receipt(replacing: #""position": 0"#, with: #""position": 0.0"#), "position as a fraction")
        assertRefused(try receipt(replacing: #""position": 0"#, with: #""position": null"#), "required member null")
        assertRefused(try receipt(replacing: #""version": 1"#, with: #""version": true"#), "version as a boolean")
        assertRefused(try receipt(replacing: #""format": "csp-proof""#, with: #""format": 1"#), "format as a number")
        assertRefused(try receipt(replacing: #""chain": ["#, with: #""chain": [1, "#), "a number in a list of base64")
        assertRefused(try receipt(replacing: #""batch": {"#, with: #""batch": {"size": "1", "x": "#), "batch size as a string")
        assertRefused(try receipt(replacing: #""document": "#, with: #""document": 7, "x": "#), "document as a number")
        assertRefused(try receipt(replacing: #""position": 0,"#, with: ""), "position missing")
        // Not UTF-8, an invalid escape.
        assertRefused(try receipt(replacing: #""csp-proof""#, with: "\"csp-proof\u{1}\""), "control character")
        assertRefused(try receipt(replacing: #""csp-proof""#, with: #""csp-proof\x""#), "bad escape")
        var invalid = good
        invalid.insert(0xff, at: try XCTUnwrap(invalid.firstIndex(of: UInt8(ascii: "c"))))
        assertRefused(invalid, "invalid UTF-8")
    }

    /// What the reader accepts is then checked as before: another format or version, and
    /// hex that is not hex, are refused by the checks after it.
    func testFormatVersionAndHexAreStillChecked() throws {
        XCTAssertThrowsError(try ProofFile(decoding: try receipt(replacing: #""version": 1"#, with: #""version": 2"#), source: "p")) { error in
            XCTAssertEqual(error as? ProofError, .malformed("'p': proof version 2 is not supported (only 1)"))
        }
        XCTAssertThrowsError(try ProofFile(decoding: try receipt(replacing: #""format": "csp-proof""#, with: #""format": "other""#), source: "p")) { error in
            XCTAssertEqual(error as? ProofError, .malformed("'p': format is 'other', not 'csp-proof'"))
        }
        // Bad hex in the salt reads, and the verifier refuses the receipt.
        let badSalt = try ProofFile(decoding: try receipt(replacing: #""salt": ""#, with: #""salt": "zz"#), source: "p")
        let ca = try Certificate.all(pemFile: vectors + "/ca-cert.pem")
        let document = try SHA256.hash(file: vectors + "/invoice.txt")
        XCTAssertThrowsError(try ProofVerifier(pinned: ca).verify(badSalt, document: document)) { error in
            XCTAssertEqual(error as? ProofError, .mismatch("the receipt's salt is not 32 bytes of hex"))
        }
        XCTAssertNoThrow(try ProofVerifier(pinned: ca).verify(try ProofFile(decoding: try read("invoice.txt.receipt"), source: "p"), document: document))
    }

    /// One verifier checks the orderer signature, chain and CRLs that a batch's receipts
    /// share once; a proof that differs in any of them, even by where one field ends and
    /// the next begins, is checked again and fails on its own.
    func testASignerCheckedOnceIsReusedOnlyForTheSameFields() throws {
        let ca = try Certificate.all(pemFile: vectors + "/ca-cert.pem")
        let document = try SHA256.hash(file: vectors + "/invoice.txt")
        let verifier = ProofVerifier(pinned: ca)
        let good = try ProofFile(decoding: try read("invoice.txt.receipt"), source: "p")
        XCTAssertFalse(good.chain.isEmpty, "the vector's orderer is under an intermediate CA")
        XCTAssertNoThrow(try verifier.verify(good, document: document))
        var steps: [String] = []
        XCTAssertNoThrow(try verifier.verify(good, document: document) { steps.append($0) })
        XCTAssertTrue(steps.contains("orderer signature, chain and CRLs: the same as a proof verified above"))

        var moved = good
        moved.signature = good.signature + good.chain[0]
        moved.chain = Array(good.chain.dropFirst())
        XCTAssertThrowsError(try verifier.verify(moved, document: document)) { XCTAssertNotNil($0 as? ProofError) }
        var resigned = good
        resigned.crls = Array((good.crls ?? []).dropLast())
        resigned.signature = String(good.signature.reversed())
        XCTAssertThrowsError(try verifier.verify(resigned, document: document)) { XCTAssertNotNil($0 as? ProofError) }
    }
}
