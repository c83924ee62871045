import CSPBasics
import CSPCertificates
import CSPCrypto
import CSPTestSupport
import Foundation
import XCTest

/// Checks csp's certificates, requests and lists against the real `openssl` command,
/// in both directions.
final class OpenSSLInteropTests: XCTestCase {
    private var folder = ""
    private var pki: PKI!

    override func setUpWithError() throws {
        folder = try temporaryDirectory(self)
        pki = try PKI()
        try write(pki.root.pem(), folder, "root.pem")
        try write(pki.intermediate.pem(), folder, "inter.pem")
        try write(pki.leaf.pem(), folder, "leaf.pem")
        try write(pki.node.pem(), folder, "node.pem")
    }

    @discardableResult
    private func openssl(_ arguments: [String], expectSuccess: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        let result = try runProcess("openssl", arguments, currentDirectory: folder)
        if expectSuccess {
            XCTAssertEqual(result.status, 0, "openssl \(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        } else {
            XCTAssertNotEqual(result.status, 0, "openssl \(arguments.joined(separator: " ")) should fail: \(result.stdout)", file: file, line: line)
        }
        return result
    }

    private func bytes(_ name: String) throws -> [UInt8] { try FileIO.read(folder + "/" + name) }

    /// A P-256 key made by openssl, and the same key loaded into csp.
    private func opensslKey(_ name: String) throws -> P256PrivateKey {
        try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name])
        return try P256PrivateKey(pemFile: folder + "/" + name)
    }

    // MARK: openssl reads csp

    func testOpenSSLVerifiesTheChain() throws {
        try write(pki.root.pem() , folder, "root-only.pem")
        let direct = try openssl(["verify", "-CAfile", "root.pem", "inter.pem"])
        XCTAssertEqual(direct.stdout, "inter.pem: OK\n")
        let leaf = try openssl(["verify", "-CAfile", "root.pem", "-untrusted", "inter.pem", "leaf.pem"])
        XCTAssertEqual(leaf.stdout, "leaf.pem: OK\n")
        try openssl(["verify", "-CAfile", "root.pem", "-untrusted", "inter.pem", "-purpose", "sslserver", "node.pem"])
        try openssl(["verify", "-CAfile", "root.pem", "-untrusted", "inter.pem", "-purpose", "sslclient", "node.pem"])
        // Without the intermediate there is no path.
        let missing = try openssl(["verify", "-CAfile", "root.pem", "leaf.pem"], expectSuccess: false)
        XCTAssertTrue((missing.stdout + missing.stderr).contains("unable to get local issuer certificate"))
        // openssl's strict mode (RFC 5280 profile checks) accepts them too.
        try openssl(["verify", "-x509_strict", "-CAfile", "root.pem", "-untrusted", "inter.pem", "leaf.pem"])
    }

    func testOpenSSLDirectRootToLeaf() throws {
        let key = try P256PrivateKey.generate()
        let leaf = try CertificateIssuer.issue(
            CertificateTemplate(subject: DistinguishedName(organization: "Acme", organizationalUnit: "customer", commonName: "alice"),
                                identity: PKI.leafIdentity, notBefore: referenceNow - day, notAfter: referenceNow + day),
            subjectKey: try key.publicKey, issuer: pki.root, issuerKey: pki.rootKey)
        try write(leaf.pem(), folder, "direct.pem")
        XCTAssertEqual(try openssl(["verify", "-CAfile", "root.pem", "direct.pem"]).stdout, "direct.pem: OK\n")
    }

    func testOpenSSLTextOfTheRoot() throws {
        let text = try openssl(["x509", "-noout", "-text", "-in", "root.pem"]).stdout
        XCTAssertTrue(text.contains("Version: 3 (0x2)"), text)
        XCTAssertTrue(text.contains("Signature Algorithm: ecdsa-with-SHA256"), text)
        XCTAssertTrue(text.contains("Subject: O = Acme, CN = Acme Root CA"), text)
        XCTAssertTrue(text.contains("X509v3 Basic Constraints: critical"), text)
        XCTAssertTrue(text.contains("CA:TRUE, pathlen:1"), text)
        XCTAssertTrue(text.contains("X509v3 Key Usage: critical"), text)
        XCTAssertTrue(text.contains("Digital Signature, Certificate Sign, CRL Sign"), text)
        XCTAssertTrue(text.contains("X509v3 Subject Key Identifier"), text)
        XCTAssertFalse(text.contains("X509v3 Authority Key Identifier"), text)
        XCTAssertTrue(text.contains("ASN1 OID: prime256v1"), text)
        let serial = try openssl(["x509", "-noout", "-serial", "-in", "root.pem"]).stdout
        XCTAssertEqual(serial, "serial=\(pki.root.serialHex.uppercased())\n")
        let fingerprint = try openssl(["x509", "-noout", "-fingerprint", "-sha256", "-in", "root.pem"]).stdout
        XCTAssertEqual(fingerprint.split(separator: "=").last.map { $0.replacingOccurrences(of: ":", with: "").lowercased() },
                       pki.root.fingerprint.hex + "\n")
    }

    func testOpenSSLTextOfTheLeaves() throws {
        let text = try openssl(["x509", "-noout", "-text", "-in", "leaf.pem"]).stdout
        XCTAssertTrue(text.contains("Subject: O = Acme, OU = customer, CN = alice"), text)
        XCTAssertTrue(text.contains("Issuer: O = Acme, OU = customer, CN = Acme Customer CA"), text)
        XCTAssertTrue(text.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"), text)
        XCTAssertTrue(text.contains("X509v3 Key Usage: critical\n                Digital Signature\n"), text)
        XCTAssertTrue(text.contains("X509v3 Authority Key Identifier"), text)
        XCTAssertFalse(text.contains("Extended Key Usage"), text)
        XCTAssertTrue(text.contains("\(IdentityExtension.oid):"), text)
        XCTAssertFalse(text.contains("\(IdentityExtension.oid): critical"), text)
        let inter = try openssl(["x509", "-noout", "-text", "-in", "inter.pem"]).stdout
        XCTAssertTrue(inter.contains("CA:TRUE, pathlen:0"), inter)
        XCTAssertTrue(inter.contains("X509v3 Authority Key Identifier"), inter)
        let node = try openssl(["x509", "-noout", "-text", "-in", "node.pem"]).stdout
        XCTAssertTrue(node.contains("X509v3 Extended Key Usage: \n                TLS Web Server Authentication, TLS Web Client Authentication"), node)
    }

    func testSubjectIsUTF8String() throws {
        let dump = try openssl(["asn1parse", "-in", "leaf.pem"]).stdout
        XCTAssertTrue(dump.contains("UTF8STRING        :alice"), dump)
        XCTAssertTrue(dump.contains("UTF8STRING        :customer"), dump)
        XCTAssertFalse(dump.contains("PRINTABLESTRING"), dump)
    }

    func testIdentityExtensionBytesAsOpenSSLSeesThem() throws {
        // The extension value is an OCTET STRING wrapping our DER; openssl shows it in hex.
        let dump = try openssl(["asn1parse", "-in", "leaf.pem"]).stdout
        let expected = Hex.encode(PKI.leafIdentity.derEncoded()).uppercased()
        XCTAssertTrue(dump.contains("[HEX DUMP]:\(expected)"), dump)
    }

    func testCRLRevokesForOpenSSL() throws {
        let crl = try PKI.crl(pki.intermediate, pki.intermediateKey, number: 42, revoked: [
            RevokedCertificate(serial: pki.leaf.serial, date: referenceNow - 3600, reason: .keyCompromise),
        ])
        let rootCRL = try PKI.crl(pki.root, pki.rootKey)
        try write(crl.pem(), folder, "crl.pem")
        try write(crl.pem() + rootCRL.pem(), folder, "crls.pem")
        let revoked = try openssl(["verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "root.pem", "-untrusted", "inter.pem", "leaf.pem"],
                                  expectSuccess: false)
        XCTAssertTrue((revoked.stdout + revoked.stderr).contains("certificate revoked"), revoked.stdout + revoked.stderr)
        // The node certificate from the same CA is not on the list.
        XCTAssertEqual(try openssl(["verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "root.pem", "-untrusted", "inter.pem", "node.pem"]).stdout,
                       "node.pem: OK\n")
        XCTAssertEqual(try openssl(["verify", "-crl_check_all", "-CRLfile", "crls.pem", "-CAfile", "root.pem", "-untrusted", "inter.pem", "node.pem"]).stdout,
                       "node.pem: OK\n")

        let text = try openssl(["crl", "-noout", "-text", "-in", "crl.pem"]).stdout
        XCTAssertTrue(text.contains("Version 2 (0x1)"), text)
        XCTAssertTrue(text.contains("Signature Algorithm: ecdsa-with-SHA256"), text)
        XCTAssertTrue(text.contains("Issuer: O = Acme, OU = customer, CN = Acme Customer CA"), text)
        XCTAssertTrue(text.contains("X509v3 CRL Number: \n                42"), text)
        XCTAssertTrue(text.contains("X509v3 Authority Key Identifier"), text)
        XCTAssertTrue(text.contains("Serial Number: \(pki.leaf.serialHex.uppercased())"), text)
        XCTAssertTrue(text.contains("X509v3 CRL Reason Code: \n                Key Compromise"), text)
        // openssl checks the signature with the issuer's key.
        let checked = try openssl(["crl", "-noout", "-in", "crl.pem", "-CAfile", "root.pem", "-verify"], expectSuccess: false)
        XCTAssertFalse((checked.stdout + checked.stderr).contains("verify OK"), "the intermediate's CRL is not the root's")
        let byIssuer = try openssl(["crl", "-noout", "-in", "crl.pem", "-CAfile", "inter.pem", "-verify"])
        XCTAssertTrue((byIssuer.stdout + byIssuer.stderr).contains("verify OK"), byIssuer.stdout + byIssuer.stderr)
    }

    // MARK: csp reads openssl

    func testCSRFromOpenSSL() throws {
        let key = try opensslKey("k.pem")
        try openssl(["req", "-new", "-key", "k.pem", "-subj", "/CN=bob", "-out", "req.pem"])
        let request = try CertificateSigningRequest(pem: try bytes("req.pem"))
        XCTAssertEqual(request.subject, DistinguishedName(commonName: "bob"))
        XCTAssertTrue(request.hasValidProofOfPossession)
        XCTAssertNoThrow(try request.checkProofOfPossession())
        XCTAssertFalse(request.requestsCA)
        XCTAssertEqual(try request.publicKey, try key.publicKey)

        let certificate = try CertificateIssuer.issue(
            CertificateTemplate(subject: request.subject, identity: IdentityExtension(role: "customer", organization: "Acme"),
                                notBefore: referenceNow - day, notAfter: referenceNow + day),
            subjectKey: try request.publicKey, issuer: pki.intermediate, issuerKey: pki.intermediateKey)
        try write(certificate.pem(), folder, "bob.pem")
        XCTAssertEqual(try openssl(["verify", "-CAfile", "root.pem", "-untrusted", "inter.pem", "bob.pem"]).stdout, "bob.pem: OK\n")
        // The issued certificate carries the key openssl generated.
        let modulus = try openssl(["x509", "-noout", "-pubkey", "-in", "bob.pem"]).stdout
        XCTAssertEqual(modulus, String(decoding: try (try key.publicKey).pem(), as: UTF8.self))
    }

    func testCSRRequestingCA() throws {
        _ = try opensslKey("k.pem")
        try openssl(["req", "-new", "-key", "k.pem", "-subj", "/O=Acme/OU=customer/CN=Sub CA", "-addext", "basicConstraints=critical,CA:TRUE", "-out", "ca-req.pem"])
        let request = try CertificateSigningRequest(pem: try bytes("ca-req.pem"))
        XCTAssertTrue(request.requestsCA)
        XCTAssertEqual(request.subject, DistinguishedName(organization: "Acme", organizationalUnit: "customer", commonName: "Sub CA"))
        try openssl(["req", "-new", "-key", "k.pem", "-subj", "/CN=x", "-addext", "basicConstraints=critical,CA:FALSE", "-out", "leaf-req.pem"])
        XCTAssertFalse(try CertificateSigningRequest(pem: try bytes("leaf-req.pem")).requestsCA)
    }

    func testTamperedCSRSignature() throws {
        _ = try opensslKey("k.pem")
        try openssl(["req", "-new", "-key", "k.pem", "-subj", "/CN=mallory", "-outform", "DER", "-out", "req.der"])
        let der = try bytes("req.der")
        XCTAssertTrue(try CertificateSigningRequest(der: der).hasValidProofOfPossession)
        var tampered = der
        tampered[tampered.count - 1] ^= 0x01 // last byte of the signature's s
        do {
            let request = try CertificateSigningRequest(der: tampered)
            XCTAssertFalse(request.hasValidProofOfPossession)
            XCTAssertEqual(errorMessage { try request.checkProofOfPossession() }, "certificate request signature does not match its key")
        } catch {
            XCTAssertTrue("\(error)".hasPrefix("malformed certificate request: "), "\(error)")
        }
        // A changed subject invalidates the signature as well.
        let name = Array("mallory".utf8)
        guard let at = (0...(der.count - name.count)).first(where: { Array(der[$0..<$0 + name.count]) == name }) else {
            return XCTFail("subject not found in the DER")
        }
        var renamed = der
        renamed[at] = UInt8(ascii: "M")
        let request = try CertificateSigningRequest(der: renamed)
        XCTAssertEqual(request.subject.commonName, "Mallory")
        XCTAssertFalse(request.hasValidProofOfPossession)
    }

    func testRSACSRIsRefusedByKeyType() throws {
        try openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-subj", "/CN=rsa", "-out", "rsa.pem"])
        let request = try CertificateSigningRequest(pem: try bytes("rsa.pem"))
        XCTAssertTrue(request.hasValidProofOfPossession, "a valid RSA request, just not a key csp uses")
        XCTAssertThrowsError(try request.publicKey) { error in
            guard case CryptoError.wrongKeyType(_, let found) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(found.contains("RSA"), found)
        }
    }

    func testCSRFromCSPReadByOpenSSL() throws {
        let key = try P256PrivateKey.generate()
        let request = try CertificateSigningRequest.create(key: key, subject: DistinguishedName(organization: "Acme", organizationalUnit: "node", commonName: "node-2"),
                                                           requestCA: true)
        try write(request.pem(), folder, "csp-req.pem")
        let verified = try openssl(["req", "-in", "csp-req.pem", "-noout", "-verify", "-text"])
        XCTAssertTrue((verified.stdout + verified.stderr).contains("verify OK"), verified.stdout + verified.stderr)
        XCTAssertTrue(verified.stdout.contains("Subject: O = Acme, OU = node, CN = node-2"), verified.stdout)
        XCTAssertTrue(verified.stdout.contains("CA:TRUE"), verified.stdout)
        // openssl signs it with csp's root as the CA; csp reads and verifies the result.
        try FileIO.writeAtomically(folder + "/root.key", try pki.rootKey.pkcs8PEM(), mode: 0o600)
        try openssl(["x509", "-req", "-in", "csp-req.pem", "-CA", "root.pem", "-CAkey", "root.key", "-days", "30",
                     "-set_serial", "0x1234", "-sha256", "-out", "signed.pem"])
        let signed = try Certificate(pemFile: folder + "/signed.pem")
        XCTAssertEqual(signed.serial, [0x12, 0x34])
        XCTAssertTrue(signed.isIssued(by: pki.root))
        XCTAssertEqual(try signed.publicKey, try key.publicKey)
        let store = TrustStore(roots: [pki.root], checkRevocation: false)
        XCTAssertEqual(store.verify(signed).identity?.subject.commonName, "node-2")
    }

    func testOpenSSLMadeChainVerifiesInTheTrustStore() throws {
        _ = try opensslKey("ca.key")
        _ = try opensslKey("ee.key")
        try openssl(["req", "-x509", "-new", "-key", "ca.key", "-subj", "/C=DE/O=Other/CN=Other Root", "-days", "10", "-out", "other-root.pem"])
        try openssl(["req", "-new", "-key", "ee.key", "-subj", "/O=Other/CN=carol", "-out", "ee.csr"])
        try openssl(["x509", "-req", "-in", "ee.csr", "-CA", "other-root.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "5", "-out", "ee.pem"])
        let root = try Certificate(pemFile: folder + "/other-root.pem")
        let leaf = try Certificate(pemFile: folder + "/ee.pem")
        XCTAssertTrue(root.isCA, "openssl req -x509 sets CA:TRUE")
        XCTAssertEqual(root.subject, DistinguishedName(organization: "Other", commonName: "Other Root"), "C is not represented")
        let result = TrustStore(roots: [root], checkRevocation: false).verify(leaf)
        XCTAssertEqual(result.identity?.subject, DistinguishedName(organization: "Other", commonName: "carol"))
        XCTAssertNil(result.identity?.role)
        XCTAssertEqual(result.identity?.organization, "Other")
        XCTAssertEqual(TrustStore(roots: [pki.root], checkRevocation: false).verify(leaf).reason, "unable to get local issuer certificate")
    }

    func testCertificateSignedByALeafIsRejected() throws {
        // Only openssl will sign with a CA:FALSE certificate; the trust store must not accept it.
        try FileIO.writeAtomically(folder + "/leaf.key", try pki.leafKey.pkcs8PEM(), mode: 0o600)
        _ = try opensslKey("victim.key")
        try openssl(["req", "-new", "-key", "victim.key", "-subj", "/CN=forged", "-out", "forged.csr"])
        try openssl(["x509", "-req", "-in", "forged.csr", "-CA", "leaf.pem", "-CAkey", "leaf.key", "-set_serial", "7", "-days", "5", "-out", "forged.pem"])
        let forged = try Certificate(pemFile: folder + "/forged.pem")
        XCTAssertTrue(forged.isIssued(by: pki.leaf), "the signature itself is fine")
        let store = TrustStore(roots: [pki.root], intermediates: [pki.intermediate], checkRevocation: false)
        XCTAssertEqual(store.verify(forged, untrusted: [pki.leaf]).reason, "invalid ca certificate")
    }

    func testCRLFromOpenSSLCA() throws {
        // An openssl `ca`-made CRL with a reason code reads back and revokes in the trust store.
        try FileIO.writeAtomically(folder + "/inter.key", try pki.intermediateKey.pkcs8PEM(), mode: 0o600)
        let serial = pki.leaf.serialHex.uppercased()
        let database = "V\t300101000000Z\t\t\(serial)\tunknown\t/O=Acme/OU=customer/CN=alice\n"
        try write(database, folder, "index.txt")
        try write("01\n", folder, "crlnumber")
        try write("""
            [ca]
            default_ca = csp
            [csp]
            database = index.txt
            crlnumber = crlnumber
            default_md = sha256
            default_crl_days = 7
            crl_extensions = crl_ext
            [crl_ext]
            authorityKeyIdentifier = keyid:always
            """, folder, "ca.cnf")
        try openssl(["ca", "-config", "ca.cnf", "-cert", "inter.pem", "-keyfile", "inter.key", "-revoke", "leaf.pem", "-crl_reason", "superseded"])
        try openssl(["ca", "-config", "ca.cnf", "-cert", "inter.pem", "-keyfile", "inter.key", "-gencrl", "-out", "openssl-crl.pem"])
        let crl = try CertificateRevocationList(pemFile: folder + "/openssl-crl.pem")
        XCTAssertEqual(crl.number, 1)
        XCTAssertEqual(crl.issuer, pki.intermediate.subject)
        XCTAssertEqual(crl.reason(forSerial: pki.leaf.serial), .superseded)
        XCTAssertTrue(crl.isSigned(by: pki.intermediate))
        let store = TrustStore(roots: [pki.root], intermediates: [pki.intermediate], crls: [crl, try PKI.crl(pki.root, pki.rootKey)])
        XCTAssertEqual(store.verify(pki.leaf).reason, "certificate revoked (superseded)")
        XCTAssertTrue(store.verify(pki.node).isValid)
    }
}
