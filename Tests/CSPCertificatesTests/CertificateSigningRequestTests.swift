import CSPCertificates
import CSPCrypto
import CSPTestSupport
import Foundation
import XCTest

final class CertificateSigningRequestTests: XCTestCase {
    func testCreateAndRead() throws {
        let key = try P256PrivateKey.generate()
        let subject = DistinguishedName(organization: "Acme", organizationalUnit: "customer", commonName: "alice")
        let request = try CertificateSigningRequest.create(key: key, subject: subject)
        XCTAssertEqual(request.subject, subject)
        XCTAssertTrue(request.hasValidProofOfPossession)
        XCTAssertFalse(request.requestsCA)
        XCTAssertEqual(try request.publicKey, try key.publicKey)

        let pem = request.pem()
        XCTAssertTrue(pem.hasPrefix("-----BEGIN CERTIFICATE REQUEST-----\n"))
        let again = try CertificateSigningRequest(pem: Array(pem.utf8))
        XCTAssertEqual(again.der, request.der)
        XCTAssertEqual(try CertificateSigningRequest(der: request.der).subject, subject)
        let folder = try temporaryDirectory(self)
        XCTAssertEqual(try CertificateSigningRequest(pemFile: try write(pem, folder, "req.pem")).der, request.der)
    }

    func testRequestCA() throws {
        let request = try CertificateSigningRequest.create(key: try P256PrivateKey.generate(), subject: DistinguishedName(commonName: "sub"), requestCA: true)
        XCTAssertTrue(request.requestsCA)
        XCTAssertTrue(request.hasValidProofOfPossession)
    }

    func testAcceptsTheOldPEMLabel() throws {
        let request = try CertificateSigningRequest.create(key: try P256PrivateKey.generate(), subject: DistinguishedName(commonName: "old"))
        let old = request.pem().replacingOccurrences(of: "CERTIFICATE REQUEST", with: "NEW CERTIFICATE REQUEST")
        XCTAssertEqual(try CertificateSigningRequest(pem: Array(old.utf8)).der, request.der)
    }

    func testIssueFromRequest() throws {
        let pki = try PKI()
        let key = try P256PrivateKey.generate()
        let request = try CertificateSigningRequest.create(key: key, subject: DistinguishedName(organization: "Acme", commonName: "dept-7"))
        try request.checkProofOfPossession()
        let certificate = try CertificateIssuer.issue(
            CertificateTemplate(subject: request.subject, identity: IdentityExtension(role: "department", organization: "Acme"),
                                notBefore: referenceNow, notAfter: referenceNow + day),
            subjectKey: try request.publicKey, issuer: pki.intermediate, issuerKey: pki.intermediateKey)
        XCTAssertEqual(try certificate.publicKey, try key.publicKey)
        XCTAssertEqual(certificate.subject, request.subject)
    }

    func testMalformedRequests() throws {
        XCTAssertEqual(errorMessage { try CertificateSigningRequest(der: []) }, "malformed certificate request: empty input")
        XCTAssertTrue(errorMessage { try CertificateSigningRequest(der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
            .hasPrefix("malformed certificate request: not DER PKCS#10 ("))
        let request = try CertificateSigningRequest.create(key: try P256PrivateKey.generate(), subject: DistinguishedName(commonName: "x"))
        XCTAssertTrue(errorMessage { try CertificateSigningRequest(der: Array(request.der.dropLast())) }.hasPrefix("malformed certificate request: not DER PKCS#10"))
        XCTAssertEqual(errorMessage { try CertificateSigningRequest(der: request.der + [0, 0]) },
                       "malformed certificate request: 2 trailing bytes after the DER PKCS#10")
        let pki = try PKI()
        XCTAssertEqual(errorMessage { try CertificateSigningRequest(pem: Array(pki.leaf.pem().utf8)) },
                       "malformed certificate request: no CERTIFICATE REQUEST block found in PEM input")
        XCTAssertTrue(errorMessage { try CertificateSigningRequest(der: pki.leaf.der) }.hasPrefix("malformed certificate request: "))
        XCTAssertEqual(errorMessage { try CertificateSigningRequest(pemFile: "/nonexistent/req.pem") },
                       "cannot open '/nonexistent/req.pem': no such file or directory")
    }
}
