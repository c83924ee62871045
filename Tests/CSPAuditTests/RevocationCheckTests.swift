@testable import CSPAudit
import CSPCertificates
import CSPCrypto
import Foundation
import XCTest

/// Whether an orderer's certificate was revoked at a block's time, from CRLs its CA
/// signed: in force then, or issued later while the certificate was unexpired.
final class RevocationCheckTests: XCTestCase {
    let day: TimeInterval = 86_400
    let start = Date(timeIntervalSince1970: 1_764_028_800)
    var caKey: P256PrivateKey!
    var ca: Certificate!
    var orderer: Certificate!

    override func setUpWithError() throws {
        caKey = try P256PrivateKey.generate()
        ca = try CertificateIssuer.selfSigned(CertificateTemplate(subject: DistinguishedName(organization: "Acme", commonName: "Acme CA"), isCA: true, pathLength: 0,
                                                                  notBefore: start, notAfter: start + 365 * day), key: caKey)
        orderer = try CertificateIssuer.issue(CertificateTemplate(subject: DistinguishedName(organization: "Acme", organizationalUnit: "node", commonName: "node"),
                                                                  identity: IdentityExtension(role: "node", organization: "Acme"),
                                                                  notBefore: start, notAfter: start + 100 * day, serverAndClientAuth: true),
                                              subjectKey: try P256PrivateKey.generate().publicKey, issuer: ca, issuerKey: caKey)
    }

    func crl(_ number: UInt64, from: TimeInterval, to: TimeInterval, revoked: [RevokedCertificate] = [], impostor: Bool = false) throws -> CertificateRevocationList {
        var (issuer, key) = (ca!, caKey!)
        if impostor {
            // Another key under the CA's very name.
            key = try P256PrivateKey.generate()
            issuer = try CertificateIssuer.selfSigned(CertificateTemplate(subject: ca.subject, isCA: true, pathLength: 0, notBefore: start, notAfter: start + 365 * day), key: key)
        }
        return try CertificateRevocationList.issue(issuer: issuer, key: key, number: number, thisUpdate: start + from * day, nextUpdate: start + to * day, revoked: revoked)
    }

    /// The block's time, `days` after the start, in ms.
    func at(_ days: TimeInterval) -> UInt64 { UInt64((start.timeIntervalSince1970 + days * day) * 1000) }

    func check(_ crls: [CertificateRevocationList], at days: TimeInterval) throws {
        var steps: [String] = []
        try RevocationCheck(crls: crls).check(path: [orderer, ca], at: at(days)) { steps.append($0) }
        XCTAssertEqual(steps.count, 1)
    }

    func assertUndecided(_ crls: [CertificateRevocationList], at days: TimeInterval, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try check(crls, at: days), file: file, line: line) { error in
            guard case ProofError.undecided = error else { return XCTFail("\(error)", file: file, line: line) }
        }
    }

    func assertRevoked(_ crls: [CertificateRevocationList], at days: TimeInterval, mentioning text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try check(crls, at: days), file: file, line: line) { error in
            guard case ProofError.mismatch(let reason) = error else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertTrue(reason.contains(text), reason, file: file, line: line)
        }
    }

    func testACRLInForceOrIssuedLaterShowsTheCertificateWasNotRevoked() throws {
        try check([try crl(1, from: 0, to: 30)], at: 10)
        try check([try crl(2, from: 20, to: 50)], at: 10)
    }

    func testNoCRLAStaleOneOrAForgedOneCannotTell() throws {
        assertUndecided([], at: 10)
        assertUndecided([try crl(1, from: 0, to: 5)], at: 10)
        // Issued after the certificate expired: it may have dropped the serial.
        assertUndecided([try crl(3, from: 101, to: 130)], at: 10)
        // Signed by another key in the CA's name.
        let forged = try crl(1, from: 0, to: 30, impostor: true)
        XCTAssertEqual(forged.issuer, ca.subject)
        assertUndecided([forged], at: 10)
    }

    func testARevocationCountsFromItsDateUnlessTheKeyWasCompromised() throws {
        let superseded = RevokedCertificate(serial: orderer.serial, date: start + 15 * day, reason: .superseded)
        let later = try crl(2, from: 16, to: 40, revoked: [superseded])
        try check([later], at: 10)
        assertRevoked([later], at: 20, mentioning: "(superseded), before block time")
        // Older CRLs that do not list it do not outvote the one that does.
        assertRevoked([try crl(1, from: 0, to: 30), later], at: 20, mentioning: "was revoked at")
        let compromised = RevokedCertificate(serial: orderer.serial, date: start + 15 * day, reason: .keyCompromise)
        assertRevoked([try crl(3, from: 16, to: 40, revoked: [compromised])], at: 10, mentioning: "because its key was compromised (keyCompromise)")
    }
}
