@testable import CSPAudit
import CSPCertificates
import CSPCrypto
import Foundation
import XCTest

/// The chain and CRLs a proof carries are the channel's as of the block: the
/// configuration in force when it was validated, whatever came after.
final class ProofTrustTests: XCTestCase {
    let day: TimeInterval = 86_400
    let start = Date(timeIntervalSince1970: 1_764_028_800)
    var rootKey: P256PrivateKey!, root: Certificate!
    var issuingKey: P256PrivateKey!, issuing: Certificate!
    var orderer: Certificate!

    /// Root → issuing CA → orderer, as a channel whose organisation has an intermediate CA.
    override func setUpWithError() throws {
        rootKey = try P256PrivateKey.generate()
        root = try CertificateIssuer.selfSigned(CertificateTemplate(subject: DistinguishedName(organization: "Acme", commonName: "Acme Root"), isCA: true, pathLength: 1,
                                                                    notBefore: start, notAfter: start + 365 * day), key: rootKey)
        issuingKey = try P256PrivateKey.generate()
        issuing = try CertificateIssuer.issue(CertificateTemplate(subject: DistinguishedName(organization: "Acme", commonName: "Acme Issuing"), isCA: true, pathLength: 0,
                                                                  notBefore: start, notAfter: start + 365 * day),
                                              subjectKey: issuingKey.publicKey, issuer: root, issuerKey: rootKey)
        orderer = try CertificateIssuer.issue(CertificateTemplate(subject: DistinguishedName(organization: "Acme", organizationalUnit: "node", commonName: "node"),
                                                                  identity: IdentityExtension(role: "node", organization: "Acme"),
                                                                  notBefore: start, notAfter: start + 100 * day, serverAndClientAuth: true),
                                              subjectKey: try P256PrivateKey.generate().publicKey, issuer: issuing, issuerKey: issuingKey)
    }

    func crl(_ number: UInt64, by issuer: Certificate, _ key: P256PrivateKey, from: TimeInterval, to: TimeInterval,
             revoked: [RevokedCertificate] = []) throws -> CertificateRevocationList {
        try CertificateRevocationList.issue(issuer: issuer, key: key, number: number, thisUpdate: start + from * day, nextUpdate: start + to * day, revoked: revoked)
    }

    func at(_ days: TimeInterval) -> UInt64 { UInt64((start.timeIntervalSince1970 + days * day) * 1000) }

    func testTheConfigurationInForceAtTheBlockDecidesNotALaterOne() throws {
        let revoked = RevokedCertificate(serial: orderer.serial, date: start + 15 * day, reason: .superseded)
        let rootCRL = try crl(1, by: root, rootKey, from: 0, to: 300)
        let first = try crl(1, by: issuing, issuingKey, from: 0, to: 30)
        let listing = try crl(2, by: issuing, issuingKey, from: 16, to: 46, revoked: [revoked])
        let configurations = [ProofTrust.Configuration(block: 0, cas: [root, issuing], crls: [rootCRL, first]),
                              ProofTrust.Configuration(block: 8, cas: [root, issuing], crls: [rootCRL, listing])]
        // Block 5 (day 10) and block 8 itself (day 17, validated under block 0's configuration).
        for (block, days) in [(UInt64(5), 10.0), (8, 17)] {
            let chosen = ProofTrust.select(forBlock: block, orderer: orderer, time: at(days), configurations: configurations)
            XCTAssertEqual(chosen.path, [issuing, root])
            XCTAssertEqual(chosen.roots, [root])
            XCTAssertEqual(chosen.crls.map(\.der), [first.der, rootCRL.der], "block \(block)")
            try RevocationCheck(crls: chosen.crls).check(path: [orderer, issuing, root], at: at(days)) { _ in }
        }
        // Block 9 was validated under block 8's configuration, which lists the orderer.
        let late = ProofTrust.select(forBlock: 9, orderer: orderer, time: at(18), configurations: configurations)
        XCTAssertEqual(late.crls.map(\.der), [listing.der, rootCRL.der])
        XCTAssertThrowsError(try RevocationCheck(crls: late.crls).check(path: [orderer, issuing, root], at: at(18)) { _ in }) { error in
            guard case ProofError.mismatch(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("the orderer certificate"), reason)
        }
    }

    func testALapsedCRLInForceIsJoinedByTheNextOneThatCoversTheBlock() throws {
        let rootCRL = try crl(1, by: root, rootKey, from: 0, to: 300)
        let lapsed = try crl(1, by: issuing, issuingKey, from: 0, to: 7)
        let next = try crl(2, by: issuing, issuingKey, from: 40, to: 47)
        let configurations = [ProofTrust.Configuration(block: 0, cas: [root, issuing], crls: [rootCRL, lapsed]),
                              ProofTrust.Configuration(block: 50, cas: [root, issuing], crls: [rootCRL, next])]
        let chosen = ProofTrust.select(forBlock: 20, orderer: orderer, time: at(20), configurations: configurations)
        XCTAssertEqual(chosen.crls.map(\.der), [lapsed.der, next.der, rootCRL.der])
        try RevocationCheck(crls: chosen.crls).check(path: [orderer, issuing, root], at: at(20)) { _ in }
        // With no later configuration, nothing covers the block: the reader must give a CRL.
        let alone = ProofTrust.select(forBlock: 20, orderer: orderer, time: at(20), configurations: [configurations[0]])
        XCTAssertEqual(alone.crls.map(\.der), [lapsed.der, rootCRL.der])
        XCTAssertThrowsError(try RevocationCheck(crls: alone.crls).check(path: [orderer, issuing, root], at: at(20)) { _ in }) { error in
            guard case ProofError.undecided = error else { return XCTFail("\(error)") }
        }
    }

    func testAnOrdererOfNoConfiguredCAGetsNoChain() throws {
        let stranger = try CertificateIssuer.selfSigned(CertificateTemplate(subject: DistinguishedName(organization: "Other", commonName: "Other CA"), isCA: true,
                                                                            notBefore: start, notAfter: start + 365 * day), key: try P256PrivateKey.generate())
        let chosen = ProofTrust.select(forBlock: 3, orderer: orderer, time: at(3),
                                       configurations: [ProofTrust.Configuration(block: 0, cas: [stranger], crls: [])])
        XCTAssertTrue(chosen.path.isEmpty && chosen.crls.isEmpty)
        XCTAssertTrue(ProofTrust.select(forBlock: 3, orderer: orderer, time: at(3), configurations: []).roots.isEmpty)
    }
}
