import CSPBasics
import CSPCertificates
import CSPCrypto
import CSPTestSupport
import Foundation
import XCTest

final class CertificateRevocationListTests: XCTestCase {
    func testIssueAndReadBack() throws {
        let pki = try PKI()
        let entries = [
            RevokedCertificate(serial: pki.node.serial, date: referenceNow - 60, reason: .cessationOfOperation),
            RevokedCertificate(serial: pki.leaf.serial, date: referenceNow - 120, reason: .keyCompromise),
            RevokedCertificate(serial: [0x05], date: referenceNow - 180, reason: .unspecified),
            RevokedCertificate(serial: [0x00, 0x80], date: referenceNow - 240.5, reason: .certificateHold),
        ]
        let crl = try CertificateRevocationList.issue(issuer: pki.intermediate, key: pki.intermediateKey, number: UInt64.max,
                                                      thisUpdate: referenceNow - 10, nextUpdate: referenceNow + day, revoked: entries)
        XCTAssertEqual(crl.number, UInt64.max)
        XCTAssertEqual(crl.issuer, pki.intermediate.subject)
        XCTAssertEqual(crl.thisUpdate, referenceNow - 10)
        XCTAssertEqual(crl.nextUpdate, referenceNow + day)
        XCTAssertTrue(crl.isSigned(by: pki.intermediate))
        XCTAssertFalse(crl.isSigned(by: pki.root))
        XCTAssertEqual(crl.reason(forSerial: pki.leaf.serial), .keyCompromise)
        XCTAssertEqual(crl.reason(forSerial: pki.node.serial), .cessationOfOperation)
        XCTAssertEqual(crl.reason(forSerial: [0x05]), .unspecified)
        XCTAssertEqual(crl.reason(forSerial: [0x00, 0x05]), .unspecified, "leading zeros do not change a serial")
        XCTAssertEqual(crl.reason(forSerial: [0x80]), .certificateHold)
        XCTAssertNil(crl.reason(forSerial: pki.intermediate.serial))
        XCTAssertEqual(crl.revoked.count, 4)
        let leafEntry = crl.revoked.first { $0.serial == pki.leaf.serial }
        XCTAssertEqual(leafEntry, RevokedCertificate(serial: pki.leaf.serial, date: referenceNow - 120, reason: .keyCompromise))
        XCTAssertEqual(crl.revoked.first { $0.serial == [0x80] }?.date, referenceNow - 241, "whole seconds")
        // Sorted by serial, as X509_CRL_sort leaves it.
        XCTAssertEqual(crl.revoked.map(\.serial).first, [0x05])

        let again = try CertificateRevocationList(pem: Array(crl.pem().utf8))
        XCTAssertEqual(again.der, crl.der)
        XCTAssertEqual(again.revoked, crl.revoked)
        XCTAssertTrue(crl.pem().hasPrefix("-----BEGIN X509 CRL-----\n"))
        let folder = try temporaryDirectory(self)
        XCTAssertEqual(try CertificateRevocationList(pemFile: try write(crl.pem(), folder, "crl.pem")).der, crl.der)
    }

    func testEmptyList() throws {
        let pki = try PKI()
        let crl = try PKI.crl(pki.root, pki.rootKey, number: 0)
        XCTAssertEqual(crl.revoked, [])
        XCTAssertEqual(crl.number, 0)
        XCTAssertNil(crl.reason(forSerial: pki.intermediate.serial))
    }

    func testEveryReasonRoundTrips() throws {
        let pki = try PKI()
        let reasons = RevocationReason.allCases.filter { $0 != .removeFromCRL }
        let entries = reasons.enumerated().map { RevokedCertificate(serial: [UInt8($0.offset + 1)], date: referenceNow, reason: $0.element) }
        let crl = try PKI.crl(pki.root, pki.rootKey, revoked: entries)
        for entry in entries { XCTAssertEqual(crl.reason(forSerial: entry.serial), entry.reason) }
    }

    func testRefusals() throws {
        let pki = try PKI()
        func issue(_ issuer: Certificate, _ key: P256PrivateKey, this: Date = referenceNow, next: Date = referenceNow + day,
                   _ revoked: [RevokedCertificate] = []) -> String {
            errorMessage {
                try CertificateRevocationList.issue(issuer: issuer, key: key, number: 1, thisUpdate: this, nextUpdate: next, revoked: revoked)
            }
        }
        XCTAssertEqual(issue(pki.leaf, pki.leafKey), "issuer certificate is not a CA")
        XCTAssertEqual(issue(pki.intermediate, pki.rootKey), "issuer key does not match the issuer certificate")
        XCTAssertTrue(issue(pki.root, pki.rootKey, next: referenceNow).contains("is not before nextUpdate"))
        XCTAssertEqual(issue(pki.root, pki.rootKey, [RevokedCertificate(serial: [1], date: referenceNow), RevokedCertificate(serial: [0, 1], date: referenceNow)]),
                       "serial 01 is listed twice")
        XCTAssertEqual(issue(pki.root, pki.rootKey, [RevokedCertificate(serial: [0], date: referenceNow)]), "serial number must not be zero")
        XCTAssertEqual(issue(pki.root, pki.rootKey, [RevokedCertificate(serial: [1], date: referenceNow, reason: .removeFromCRL)]),
                       "reason removeFromCRL is only valid in a delta CRL")
    }

    func testReasonNames() {
        XCTAssertEqual(RevocationReason(name: "keyCompromise"), .keyCompromise)
        XCTAssertEqual(RevocationReason(name: "key-compromise"), .keyCompromise)
        XCTAssertEqual(RevocationReason(name: "keycompromise"), .keyCompromise)
        XCTAssertEqual(RevocationReason(name: "KEY_COMPROMISE"), .keyCompromise)
        XCTAssertEqual(RevocationReason(name: "ca-compromise"), .caCompromise)
        XCTAssertEqual(RevocationReason(name: "cACompromise"), .caCompromise, "RFC 5280's own spelling")
        XCTAssertEqual(RevocationReason(name: "cessation-of-operation"), .cessationOfOperation)
        XCTAssertNil(RevocationReason(name: "stolen"))
        XCTAssertNil(RevocationReason(name: ""))
        XCTAssertEqual(RevocationReason.keyCompromise.name, "keyCompromise")
        XCTAssertEqual(RevocationReason.caCompromise.name, "CACompromise")
        for reason in RevocationReason.allCases { XCTAssertEqual(RevocationReason(name: reason.name), reason) }
        XCTAssertEqual(RevocationReason.allCases.map(\.rawValue), [0, 1, 2, 3, 4, 5, 6, 8, 9, 10])
    }

    func testMalformedLists() throws {
        XCTAssertEqual(errorMessage { try CertificateRevocationList(der: []) }, "malformed revocation list: empty input")
        let pki = try PKI()
        let crl = try PKI.crl(pki.root, pki.rootKey)
        XCTAssertTrue(errorMessage { try CertificateRevocationList(der: Array(crl.der.prefix(40))) }.hasPrefix("malformed revocation list: not DER X.509 CRL ("))
        XCTAssertEqual(errorMessage { try CertificateRevocationList(der: crl.der + [1]) }, "malformed revocation list: 1 trailing byte after the DER X.509 CRL")
        XCTAssertEqual(errorMessage { try CertificateRevocationList(pem: Array(pki.root.pem().utf8)) },
                       "malformed revocation list: no X509 CRL block found in PEM input")
        let folder = try temporaryDirectory(self)
        let path = try write("not pem\n", folder, "crl.pem")
        XCTAssertEqual(errorMessage { try CertificateRevocationList(pemFile: path) },
                       "malformed revocation list '\(path)': no X509 CRL block found in PEM input")
    }
}
