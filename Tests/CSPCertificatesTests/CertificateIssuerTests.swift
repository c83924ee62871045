import CSPBasics
import CSPCertificates
import CSPCrypto
import CSPTestSupport
import Foundation
import XCTest

final class CertificateIssuerTests: XCTestCase {
    func testRootFields() throws {
        let pki = try PKI()
        let root = pki.root
        XCTAssertEqual(root.subject, DistinguishedName(organization: "Acme", commonName: "Acme Root CA"))
        XCTAssertEqual(root.issuer, root.subject)
        XCTAssertTrue(root.isCA)
        XCTAssertEqual(root.pathLength, 1)
        XCTAssertTrue(root.isSelfSigned)
        XCTAssertTrue(root.isIssued(by: root))
        XCTAssertEqual(root.notBefore, referenceNow - 10 * day)
        XCTAssertEqual(root.notAfter, referenceNow + 3650 * day)
        XCTAssertEqual(root.subjectKeyIdentifier?.count, 20)
        XCTAssertNil(root.authorityKeyIdentifier, "self-signed: no AKI")
        XCTAssertNil(try root.identity)
        XCTAssertEqual(try root.publicKey, try pki.rootKey.publicKey)
        XCTAssertEqual(root.fingerprint, SHA256.hash(root.der))
    }

    /// The key comes from the certificate's own decoding (not a second parse of its DER):
    /// it must verify exactly what the matching private key signed, and nothing else.
    func testCertificateKeyVerifiesItsPrivateKeysSignatures() throws {
        let pki = try PKI()
        let digest = SHA256.hash(Array("block header".utf8))
        let signature = try pki.leafKey.signature(forDigest: digest)
        XCTAssertTrue(try pki.leaf.publicKey.isValidSignature(signature, digest: digest))
        XCTAssertFalse(try pki.leaf.publicKey.isValidSignature(signature, digest: SHA256.hash(Array("another header".utf8))))
        XCTAssertFalse(try pki.root.publicKey.isValidSignature(signature, digest: digest))
        // Each call hands out its own key object; they are the same key.
        XCTAssertEqual(try pki.leaf.publicKey.der, try pki.leafKey.publicKey.der)
    }

    func testIntermediateFields() throws {
        let pki = try PKI()
        let intermediate = pki.intermediate
        XCTAssertEqual(intermediate.subject.description, "O=Acme, OU=customer, CN=Acme Customer CA")
        XCTAssertEqual(intermediate.issuer, pki.root.subject)
        XCTAssertTrue(intermediate.isCA)
        XCTAssertEqual(intermediate.pathLength, 0)
        XCTAssertFalse(intermediate.isSelfSigned)
        XCTAssertTrue(intermediate.isIssued(by: pki.root))
        XCTAssertFalse(intermediate.isIssued(by: intermediate))
        XCTAssertEqual(intermediate.authorityKeyIdentifier, pki.root.subjectKeyIdentifier)
        XCTAssertNotEqual(intermediate.subjectKeyIdentifier, pki.root.subjectKeyIdentifier)
    }

    func testLeafFields() throws {
        let pki = try PKI()
        let leaf = pki.leaf
        XCTAssertEqual(leaf.subject, DistinguishedName(organization: "Acme", organizationalUnit: "customer", commonName: "alice"))
        XCTAssertEqual(leaf.subject.description, "O=Acme, OU=customer, CN=alice")
        XCTAssertEqual(leaf.issuer, pki.intermediate.subject)
        XCTAssertFalse(leaf.isCA)
        XCTAssertNil(leaf.pathLength)
        XCTAssertEqual(try leaf.identity, PKI.leafIdentity)
        XCTAssertEqual(try leaf.identity?.role, CertificateRole.customer.rawValue)
        XCTAssertEqual(leaf.authorityKeyIdentifier, pki.intermediate.subjectKeyIdentifier)
        XCTAssertTrue(leaf.isIssued(by: pki.intermediate))
        XCTAssertFalse(leaf.isIssued(by: pki.root))
        XCTAssertEqual(try leaf.publicKey, try pki.leafKey.publicKey)
        XCTAssertEqual(try pki.node.identity?.role, "node")
    }

    func testSerialsArePositiveSixteenBytesAndDistinct() throws {
        let pki = try PKI()
        let serials = [pki.root.serial, pki.intermediate.serial, pki.leaf.serial, pki.node.serial]
        for serial in serials {
            XCTAssertEqual(serial.count, 16)
            XCTAssertLessThan(serial[0], 0x80, "top bit clear: positive")
            XCTAssertNotEqual(serial[0], 0)
        }
        XCTAssertEqual(Set(serials).count, serials.count)
        XCTAssertEqual(pki.leaf.serialHex, Hex.encode(pki.leaf.serial).uppercased())
        var drawn = Set<[UInt8]>()
        for _ in 0..<1000 {
            let serial = try CertificateIssuer.randomSerial()
            XCTAssertEqual(serial.count, 16)
            XCTAssertTrue(serial[0] > 0 && serial[0] < 0x80)
            drawn.insert(serial)
        }
        XCTAssertEqual(drawn.count, 1000)
    }

    func testExplicitSerialAndTimesTruncatedToSeconds() throws {
        let key = try P256PrivateKey.generate()
        let start = Date(timeIntervalSince1970: 1_700_000_000.75)
        let certificate = try CertificateIssuer.selfSigned(
            CertificateTemplate(subject: DistinguishedName(commonName: "x"), isCA: true, notBefore: start,
                                notAfter: start + 100, serial: [0xff, 0x01]),
            key: key)
        XCTAssertEqual(certificate.serial, [0xff, 0x01], "a top-bit serial stays positive")
        XCTAssertEqual(certificate.serialHex, "FF01")
        XCTAssertEqual(certificate.notBefore, Date(timeIntervalSince1970: 1_700_000_000))
        XCTAssertEqual(certificate.notAfter, Date(timeIntervalSince1970: 1_700_000_100))
        XCTAssertNil(certificate.pathLength, "CA without pathlen is unconstrained")
        XCTAssertEqual(certificate.subject, DistinguishedName(commonName: "x"))
    }

    func testDatesAfter2049UseGeneralizedTime() throws {
        let key = try P256PrivateKey.generate()
        let far = Date(timeIntervalSince1970: 4_102_444_800) // 2100-01-01
        let certificate = try CertificateIssuer.selfSigned(
            CertificateTemplate(subject: DistinguishedName(commonName: "long"), isCA: true, notBefore: referenceNow, notAfter: far),
            key: key)
        XCTAssertEqual(certificate.notAfter, far)
    }

    func testPEMRoundTripAndChains() throws {
        let pki = try PKI()
        let pem = pki.leaf.pem()
        XCTAssertTrue(pem.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        XCTAssertTrue(pem.hasSuffix("\n-----END CERTIFICATE-----\n"))
        XCTAssertTrue(pem.split(separator: "\n").allSatisfy { $0.count <= 64 })
        XCTAssertEqual(try Certificate(pem: Array(pem.utf8)), pki.leaf)
        let chain = "comment before\n" + pki.leaf.pem() + pki.intermediate.pem() + "trailing text\n" + pki.root.pem()
        XCTAssertEqual(try Certificate.all(pem: Array(chain.utf8)), [pki.leaf, pki.intermediate, pki.root])
        XCTAssertEqual(try Certificate(pem: Array(chain.utf8)), pki.leaf, "first block")
        let folder = try temporaryDirectory(self)
        let path = try write(chain, folder, "chain.pem")
        XCTAssertEqual(try Certificate(pemFile: path), pki.leaf)
        XCTAssertEqual(try Certificate.all(pemFile: path).count, 3)
        XCTAssertEqual(Set([pki.leaf, try Certificate(der: pki.leaf.der), pki.root]).count, 2)
    }

    func testNonASCIINamesRoundTrip() throws {
        let key = try P256PrivateKey.generate()
        let name = DistinguishedName(organization: "Société Générale, Zürich", organizationalUnit: "客服", commonName: "Jürgen \\ Ø")
        let certificate = try CertificateIssuer.selfSigned(
            CertificateTemplate(subject: name, notBefore: referenceNow, notAfter: referenceNow + day), key: key)
        XCTAssertEqual(certificate.subject, name)
        XCTAssertEqual(name.description, "O=Société Générale\\, Zürich, OU=客服, CN=Jürgen \\\\ Ø")
    }

    // MARK: Refusals

    func testRefusesNonCAIssuer() throws {
        let pki = try PKI()
        let message = errorMessage {
            try CertificateIssuer.issue(CertificateTemplate(subject: DistinguishedName(commonName: "bob"), notBefore: referenceNow, notAfter: referenceNow + day),
                                        subjectKey: try P256PrivateKey.generate().publicKey, issuer: pki.leaf, issuerKey: pki.leafKey)
        }
        XCTAssertEqual(message, "issuer certificate is not a CA")
    }

    func testRefusesMismatchedIssuerKey() throws {
        let pki = try PKI()
        let message = errorMessage {
            try CertificateIssuer.issue(CertificateTemplate(subject: DistinguishedName(commonName: "bob"), notBefore: referenceNow, notAfter: referenceNow + day),
                                        subjectKey: try pki.leafKey.publicKey, issuer: pki.intermediate, issuerKey: pki.rootKey)
        }
        XCTAssertEqual(message, "issuer key does not match the issuer certificate")
    }

    func testRefusesOutlivingTheIssuer() throws {
        let pki = try PKI()
        let template = CertificateTemplate(subject: DistinguishedName(commonName: "bob"), notBefore: referenceNow,
                                           notAfter: pki.intermediate.notAfter + 1)
        let message = errorMessage {
            try CertificateIssuer.issue(template, subjectKey: try pki.leafKey.publicKey, issuer: pki.intermediate, issuerKey: pki.intermediateKey)
        }
        XCTAssertTrue(message.hasPrefix("notAfter ") && message.contains("is after the issuer's notAfter"), message)
        var exact = template
        exact.notAfter = pki.intermediate.notAfter
        XCTAssertNoThrow(try CertificateIssuer.issue(exact, subjectKey: try pki.leafKey.publicKey, issuer: pki.intermediate, issuerKey: pki.intermediateKey))
    }

    func testRefusesEmptyOrReversedValidity() throws {
        let key = try P256PrivateKey.generate()
        for (start, end) in [(referenceNow, referenceNow), (referenceNow + 10, referenceNow), (referenceNow + 0.2, referenceNow + 0.7)] {
            let message = errorMessage {
                try CertificateIssuer.selfSigned(CertificateTemplate(subject: DistinguishedName(commonName: "x"), notBefore: start, notAfter: end), key: key)
            }
            XCTAssertTrue(message.contains("is not before notAfter"), message)
        }
    }

    func testRefusesPathLengthViolations() throws {
        let pki = try PKI()
        let subCA = CertificateTemplate(subject: DistinguishedName(commonName: "sub"), isCA: true, notBefore: referenceNow, notAfter: referenceNow + day)
        let below = errorMessage {
            try CertificateIssuer.issue(subCA, subjectKey: try pki.leafKey.publicKey, issuer: pki.intermediate, issuerKey: pki.intermediateKey)
        }
        XCTAssertEqual(below, "issuer 'O=Acme, OU=customer, CN=Acme Customer CA' has path length 0 and may not issue CA certificates")
        var tooLong = subCA
        tooLong.pathLength = 1
        let exceeds = errorMessage {
            try CertificateIssuer.issue(tooLong, subjectKey: try pki.leafKey.publicKey, issuer: pki.root, issuerKey: pki.rootKey)
        }
        XCTAssertTrue(exceeds.contains("exceeds what issuer 'O=Acme, CN=Acme Root CA' allows (at most 0)"), exceeds)
        var leafWithPath = CertificateTemplate(subject: DistinguishedName(commonName: "x"), notBefore: referenceNow, notAfter: referenceNow + day)
        leafWithPath.pathLength = 0
        XCTAssertEqual(errorMessage { try CertificateIssuer.selfSigned(leafWithPath, key: pki.rootKey) }, "a path length needs a CA certificate")
    }

    func testRefusesBadSubjectsAndSerials() throws {
        let key = try P256PrivateKey.generate()
        func attempt(_ name: DistinguishedName, serial: [UInt8]? = nil) -> String {
            errorMessage {
                try CertificateIssuer.selfSigned(CertificateTemplate(subject: name, notBefore: referenceNow, notAfter: referenceNow + day, serial: serial), key: key)
            }
        }
        XCTAssertEqual(attempt(DistinguishedName(commonName: "")), "subject common name must not be empty")
        XCTAssertEqual(attempt(DistinguishedName(organization: "", commonName: "x")), "subject organization must not be empty")
        XCTAssertEqual(attempt(DistinguishedName(commonName: String(repeating: "é", count: 65))), "subject common name is longer than 64 characters")
        XCTAssertNoThrow(try CertificateIssuer.selfSigned(CertificateTemplate(subject: DistinguishedName(commonName: String(repeating: "é", count: 64)),
                                                                              notBefore: referenceNow, notAfter: referenceNow + day), key: key))
        XCTAssertEqual(attempt(DistinguishedName(commonName: "x"), serial: [0, 0]), "serial number must not be zero")
        XCTAssertEqual(attempt(DistinguishedName(commonName: "x"), serial: []), "serial number must not be zero")
        XCTAssertTrue(attempt(DistinguishedName(commonName: "x"), serial: [UInt8](repeating: 1, count: 21)).contains("longer than 20 bytes"))
    }
}
