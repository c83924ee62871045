import CSPBasics
import CSPCLI
import CSPCrypto
import CSPTestSupport
@testable import CSPTxCommands
import Foundation
import XCTest

final class CallArgumentsTests: XCTestCase {
    func testPlainFilesAndLiteralAt() throws {
        let fields = try CallArguments.parse(["category=complaint", "report=@/tmp/r.pdf", "note=@@home", "formula=a=b", "empty="])
        XCTAssertEqual(fields, [
            .init(name: "category", value: .text("complaint")),
            .init(name: "report", value: .file("/tmp/r.pdf")),
            .init(name: "note", value: .text("@home")),
            .init(name: "formula", value: .text("a=b")),
            .init(name: "empty", value: .text("")),
        ])
    }

    func testRefusals() {
        func usage(_ pairs: [String], _ message: String, line: UInt = #line) {
            XCTAssertThrowsError(try CallArguments.parse(pairs), line: line) { error in
                let failure = error as? CommandFailure
                XCTAssertEqual(failure?.status, .usage, line: line)
                XCTAssertEqual(failure?.message, message, line: line)
            }
        }
        usage(["report=@-"], "field 'report': a fingerprint needs a file name, not standard input ('@-'); write '@@-' for the text '@-'")
        usage(["report=@"], "field 'report': '@' needs a file name")
        usage(["id=D-1"], "give the instance id with --id, not as a field")
        usage(["a=1", "a=2"], "field 'a' is given twice")
        usage(["novalue"], "argument 'novalue' is not field=value")
        usage(["=x"], "argument '=x' is not field=value")
        // '@@-' is the text '@-'.
        XCTAssertEqual(try? CallArguments.parse(["x=@@-"]), [.init(name: "x", value: .text("@-"))])
    }

    func testArgumentsCarryTheFingerprintNotTheContent() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/report.pdf"
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: path))
        let arguments = try CallArguments.arguments(id: "D-1", fields: CallArguments.parse(["report=@" + path, "category=x"]))
        XCTAssertEqual(arguments.map(\.name), ["id", "report", "category"])
        XCTAssertEqual(String(decoding: arguments[1].value, as: UTF8.self),
                       #"{"name":"report.pdf","sha256":"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03","size":6}"#)
    }

    /// submit passes a file's content where call records its fingerprint.
    func testSubmitPassesFileContent() throws {
        let dir = try temporaryDirectory(self)
        try Data("-----BEGIN X509 CRL-----\nabc\n-----END X509 CRL-----\n".utf8).write(to: URL(fileURLWithPath: dir + "/crl.pem"))
        let arguments = try CallArguments.contents(["organization=Acme", "crl=@" + dir + "/crl.pem", "note=@@home", "empty="])
        XCTAssertEqual(arguments.map(\.name), ["organization", "crl", "note", "empty"])
        XCTAssertEqual(String(decoding: arguments[1].value, as: UTF8.self), "-----BEGIN X509 CRL-----\nabc\n-----END X509 CRL-----\n")
        XCTAssertEqual(String(decoding: arguments[2].value, as: UTF8.self), "@home")
        XCTAssertEqual(arguments[3].value, [])

        try Data([0x66, 0xff, 0x00]).write(to: URL(fileURLWithPath: dir + "/binary"))
        XCTAssertThrowsError(try CallArguments.contents(["x=@" + dir + "/binary"])) { error in
            XCTAssertEqual((error as? CommandFailure)?.status, .failure)
            XCTAssertEqual("\(error)", "argument 'x': '\(dir)/binary' is not UTF-8 text")
        }
        XCTAssertThrowsError(try CallArguments.contents(["x=@" + dir + "/missing"])) { error in
            XCTAssertEqual("\(error)", "cannot open '\(dir)/missing': no such file or directory")
        }
        XCTAssertThrowsError(try CallArguments.contents(["a=@-", "b=@-"])) { error in
            XCTAssertEqual((error as? CommandFailure)?.status, .usage)
        }
        XCTAssertThrowsError(try CallArguments.contents(["novalue"])) { error in
            XCTAssertEqual("\(error)", "argument 'novalue' is not name=value")
        }
    }

    func testMissingFileFailsWithOneLine() throws {
        let dir = try temporaryDirectory(self)
        XCTAssertThrowsError(try CallArguments.arguments(id: "D-1", fields: [.init(name: "report", value: .file(dir + "/missing.pdf"))])) { error in
            XCTAssertEqual("\(error)", "cannot open '\(dir)/missing.pdf': no such file or directory")
        }
    }

    func testFingerprintStreamsBigFilesAndEscapesNames() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/a \"quoted\" name.bin"
        // Three chunks and a bit: the hash and the size must add up across reads.
        let bytes = (0..<(3 << 20) + 12345).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fingerprint = try Fingerprint(file: path)
        XCTAssertEqual(fingerprint.sha256, SHA256.hash(bytes))
        XCTAssertEqual(fingerprint.size, Int64(bytes.count))
        XCTAssertEqual(fingerprint.json, #"{"name":"a \"quoted\" name.bin","sha256":""# + SHA256.hash(bytes).hex + #"","size":3158073}"#)
    }

    func testEmptyFile() throws {
        let dir = try temporaryDirectory(self)
        FileManager.default.createFile(atPath: dir + "/empty", contents: nil)
        XCTAssertEqual(try Fingerprint(file: dir + "/empty").json,
                       #"{"name":"empty","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0}"#)
    }

    func testGeneratedIDs() {
        let now = Date(timeIntervalSince1970: 1_796_033_700)  // 2026-11-30 10:15 UTC
        XCTAssertEqual(InstanceID.generate(definition: "demand", now: now, random: [0x9f, 0x2c, 0x41, 0xab]), "D-20261130-9f2c41ab")
        XCTAssertEqual(InstanceID.generate(definition: "service-contract", now: now, random: [0, 1, 2, 3]), "SC-20261130-00010203")
        let id = InstanceID.generate(definition: "order", now: now, random: [1, 2, 3, 4])
        // The engine's id rule: 1-64 of A-Z a-z 0-9 - _ .
        XCTAssertTrue(id.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }, id)
        XCTAssertNotEqual(try InstanceID.generate(definition: "demand"), try InstanceID.generate(definition: "demand"))
    }
}
