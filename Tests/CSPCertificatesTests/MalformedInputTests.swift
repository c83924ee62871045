import COpenSSL
import CSPBasics
import CSPCertificates
import CSPCrypto
import CSPTestSupport
import Foundation
import XCTest

/// Garbage in: a clear one-line error, never a crash, and no stale OpenSSL errors left
/// for the next call.
final class MalformedInputTests: XCTestCase {
    func testEmptyInput() {
        XCTAssertEqual(errorMessage { try Certificate(der: []) }, "malformed certificate: empty input")
        XCTAssertEqual(errorMessage { try Certificate(pem: []) }, "malformed certificate: no CERTIFICATE block found in PEM input")
        XCTAssertEqual(errorMessage { try Certificate.all(pem: []) }, "malformed certificate: no CERTIFICATE block found in PEM input")
    }

    func testRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 1..<700, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let message = errorMessage { try Certificate(der: bytes) }
            XCTAssertTrue(message.hasPrefix("malformed certificate: not DER X.509 ("), message)
            XCTAssertFalse(message.contains("\n"))
            _ = try? Certificate(pem: bytes)
            _ = try? CertificateSigningRequest(der: bytes)
            _ = try? CertificateRevocationList(der: bytes)
        }
        XCTAssertEqual(ERR_peek_error_isEmpty(), true)
    }

    func testTruncatedDER() throws {
        let pki = try PKI()
        let der = pki.leaf.der
        for length in stride(from: 1, to: der.count, by: 7) + [der.count - 1] {
            let message = errorMessage { try Certificate(der: Array(der.prefix(length))) }
            XCTAssertTrue(message.hasPrefix("malformed certificate: not DER X.509 ("), "\(length): \(message)")
        }
        XCTAssertEqual(errorMessage { try Certificate(der: der + [0x00]) }, "malformed certificate: 1 trailing byte after the DER X.509")
        XCTAssertEqual(errorMessage { try Certificate(der: der + der) }, "malformed certificate: \(der.count) trailing bytes after the DER X.509")
    }

    func testBitFlipsNeverCrash() throws {
        let pki = try PKI()
        let der = pki.leaf.der
        let store = TrustStore(roots: [pki.root], intermediates: [pki.intermediate], checkRevocation: false)
        var accepted = 0
        for index in stride(from: 0, to: der.count, by: 3) {
            var mutated = der
            mutated[index] ^= 0x10
            if case .valid = store.verify(der: mutated, at: referenceNow) { accepted += 1 }
        }
        XCTAssertEqual(accepted, 0, "every change breaks the encoding or the signature")
        XCTAssertTrue(store.verify(der: der, at: referenceNow).isValid, "no stale errors")
    }

    func testWrongPEMBlocks() throws {
        let key = try P256PrivateKey.generate()
        let keyPEM = try key.pkcs8PEM()
        XCTAssertEqual(errorMessage { try Certificate(pem: keyPEM) }, "malformed certificate: no CERTIFICATE block found in PEM input")
        let request = try CertificateSigningRequest.create(key: key, subject: DistinguishedName(commonName: "x"))
        XCTAssertEqual(errorMessage { try Certificate(pem: Array(request.pem().utf8)) }, "malformed certificate: no CERTIFICATE block found in PEM input")
        let pki = try PKI()
        XCTAssertEqual(errorMessage { try Certificate(pem: pki.leaf.der) }, "malformed certificate: no CERTIFICATE block found in PEM input",
                       "DER where PEM was expected")
        // A CERTIFICATE block holding something else.
        let disguised = request.pem().replacingOccurrences(of: "CERTIFICATE REQUEST", with: "CERTIFICATE")
        XCTAssertTrue(errorMessage { try Certificate(pem: Array(disguised.utf8)) }.hasPrefix("malformed certificate: not DER X.509 ("))
        // Damaged base64.
        var damaged = pki.leaf.pem()
        damaged = damaged.replacingOccurrences(of: "\n", with: "\n!!", options: [], range: damaged.index(damaged.startIndex, offsetBy: 40)..<damaged.index(damaged.startIndex, offsetBy: 100))
        XCTAssertTrue(errorMessage { try Certificate(pem: Array(damaged.utf8)) }.hasPrefix("malformed certificate: cannot decode PEM ("))
        let unterminated = String(pki.leaf.pem().dropLast(30))
        XCTAssertTrue(errorMessage { try Certificate(pem: Array(unterminated.utf8)) }.hasPrefix("malformed certificate: "))
    }

    func testFileErrorsNameTheFile() throws {
        let folder = try temporaryDirectory(self)
        let path = try write("hello\n", folder, "cert.pem")
        XCTAssertEqual(errorMessage { try Certificate(pemFile: path) }, "malformed certificate '\(path)': no CERTIFICATE block found in PEM input")
        let disguised = try write("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", folder, "short.pem")
        XCTAssertTrue(errorMessage { try Certificate(pemFile: disguised) }.hasPrefix("malformed certificate '\(disguised)': not DER X.509 ("))
        XCTAssertEqual(errorMessage { try Certificate(pemFile: folder + "/missing.pem") }, "cannot open '\(folder)/missing.pem': no such file or directory")
        XCTAssertEqual(errorMessage { try Certificate.all(pemFile: path) }, "malformed certificate '\(path)': no CERTIFICATE block found in PEM input")
    }

    func testMessagesNeverContainKeyMaterial() throws {
        let pki = try PKI()
        let secret = String(decoding: try pki.intermediateKey.pkcs8PEM(), as: UTF8.self)
        let body = secret.split(separator: "\n").dropFirst().dropLast().joined()
        let messages = [
            errorMessage { try CertificateIssuer.issue(CertificateTemplate(subject: DistinguishedName(commonName: "x"), notBefore: referenceNow, notAfter: referenceNow + day),
                                                       subjectKey: try pki.leafKey.publicKey, issuer: pki.root, issuerKey: pki.intermediateKey) },
            errorMessage { try Certificate(pem: Array(secret.utf8)) },
        ]
        for message in messages {
            XCTAssertFalse(message.contains(body.prefix(20)), message)
        }
    }
}

/// Whether OpenSSL's thread-local error queue is empty: failures must not leave errors behind.
private func ERR_peek_error_isEmpty() -> Bool { ERR_peek_error() == 0 }
