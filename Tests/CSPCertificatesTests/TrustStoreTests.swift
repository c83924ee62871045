import CSPBasics
import CSPCertificates
import CSPCrypto
import CSPTestSupport
import Foundation
import Synchronization
import XCTest

final class TrustStoreTests: XCTestCase {
    private var pki: PKI!
    private var rootCRL: CertificateRevocationList!
    private var intermediateCRL: CertificateRevocationList!

    override func setUpWithError() throws {
        pki = try PKI()
        rootCRL = try PKI.crl(pki.root, pki.rootKey)
        intermediateCRL = try PKI.crl(pki.intermediate, pki.intermediateKey)
    }

    /// Root and intermediate CRLs (empty unless given), revocation checked.
    private func store(intermediateCRL: CertificateRevocationList? = nil, rootCRL: CertificateRevocationList? = nil,
                       cacheLimit: Int = 100_000) -> TrustStore {
        TrustStore(roots: [pki.root], intermediates: [pki.intermediate],
                   crls: [rootCRL ?? self.rootCRL, intermediateCRL ?? self.intermediateCRL], cacheLimit: cacheLimit)
    }

    private func leaf(notBefore: Date, notAfter: Date, identity: IdentityExtension? = PKI.leafIdentity) throws -> Certificate {
        try CertificateIssuer.issue(
            CertificateTemplate(subject: DistinguishedName(organization: "Acme", commonName: "bob"), identity: identity,
                                notBefore: notBefore, notAfter: notAfter),
            subjectKey: try pki.leafKey.publicKey, issuer: pki.intermediate, issuerKey: pki.intermediateKey)
    }

    func testValidLeaf() throws {
        let result = store().verify(pki.leaf, at: referenceNow)
        let identity = try XCTUnwrap(result.identity, "\(result)")
        XCTAssertEqual(identity, VerifiedIdentity(
            subject: DistinguishedName(organization: "Acme", organizationalUnit: "customer", commonName: "alice"),
            role: "customer", organization: "Acme", attributes: ["tier": "gold", "region": "eu"],
            serialHex: pki.leaf.serialHex, notAfter: pki.leaf.notAfter, fingerprint: pki.leaf.fingerprint))
        XCTAssertEqual(store().verify(pki.node).identity?.role, "node", "default time is now")
        XCTAssertTrue(store().verify(pki.intermediate).isValid)
        XCTAssertTrue(store().verify(pki.root).isValid)
    }

    func testIntermediatesMayComeWithTheCall() throws {
        let bare = TrustStore(roots: [pki.root], crls: [rootCRL, intermediateCRL])
        XCTAssertEqual(bare.verify(pki.leaf).reason, "unable to get local issuer certificate")
        XCTAssertTrue(bare.verify(pki.leaf, untrusted: [pki.intermediate]).isValid)
    }

    func testIntermediatesAreNotTrustAnchors() throws {
        let noRoot = TrustStore(roots: [], intermediates: [pki.intermediate], checkRevocation: false)
        let reason = try XCTUnwrap(noRoot.verify(pki.leaf).reason)
        XCTAssertTrue(reason.hasPrefix("unable to get"), reason)
    }

    func testUnknownCA() throws {
        let other = try PKI()
        XCTAssertEqual(store().verify(other.leaf, untrusted: [other.intermediate]).reason, "unable to get local issuer certificate")
        XCTAssertEqual(store().verify(other.root).reason, "self-signed certificate")
        // Same names as our intermediate, different key: the signature gives it away.
        let impostor = try CertificateIssuer.selfSigned(
            CertificateTemplate(subject: pki.intermediate.subject, isCA: true, notBefore: referenceNow - day, notAfter: referenceNow + day),
            key: other.intermediateKey)
        let forged = try CertificateIssuer.issue(
            CertificateTemplate(subject: DistinguishedName(commonName: "eve"), notBefore: referenceNow - day, notAfter: referenceNow + day),
            subjectKey: try other.leafKey.publicKey, issuer: impostor, issuerKey: other.intermediateKey)
        let reason = try XCTUnwrap(store().verify(forged).reason)
        XCTAssertTrue(["certificate signature failure", "unable to get local issuer certificate"].contains(reason), reason)
    }

    func testExpired() throws {
        let expired = try leaf(notBefore: referenceNow - 10 * day, notAfter: referenceNow - day)
        XCTAssertEqual(store().verify(expired, at: referenceNow).reason, "certificate has expired")
        XCTAssertEqual(store().verify(expired, at: referenceNow), .invalid(reason: "certificate has expired", failure: .outsideValidity),
                       "the kind comes from libcrypto's code, not its text")
        // notAfter itself is already expired, as X509_cmp_time decides; a second before is not.
        let unchecked = TrustStore(roots: [pki.root], intermediates: [pki.intermediate], checkRevocation: false)
        XCTAssertEqual(unchecked.verify(pki.leaf, at: pki.leaf.notAfter).reason, "certificate has expired")
        XCTAssertTrue(unchecked.verify(pki.leaf, at: pki.leaf.notAfter - 1).isValid)
        XCTAssertEqual(unchecked.verify(pki.leaf, at: referenceNow + 400 * day).reason, "certificate has expired")
    }

    func testNotYetValid() throws {
        let future = try leaf(notBefore: referenceNow + day, notAfter: referenceNow + 2 * day)
        XCTAssertEqual(store().verify(future, at: referenceNow).reason, "certificate is not yet valid")
        let unchecked = TrustStore(roots: [pki.root], intermediates: [pki.intermediate], checkRevocation: false)
        XCTAssertTrue(unchecked.verify(future, at: future.notBefore).isValid)
        XCTAssertEqual(unchecked.verify(future, at: future.notBefore - 1).reason, "certificate is not yet valid")
    }

    func testRevoked() throws {
        let crl = try PKI.crl(pki.intermediate, pki.intermediateKey, number: 2, revoked: [
            RevokedCertificate(serial: pki.leaf.serial, date: referenceNow - 60, reason: .keyCompromise),
        ])
        let store = store(intermediateCRL: crl)
        XCTAssertEqual(store.verify(pki.leaf, at: referenceNow).reason, "certificate revoked (keyCompromise)")
        XCTAssertEqual(store.verify(der: pki.leaf.der, at: referenceNow).reason, "certificate revoked (keyCompromise)")
        XCTAssertTrue(store.verify(pki.node, at: referenceNow).isValid, "only the listed serial")
        // Without revocation checking the list is not consulted.
        let lax = TrustStore(roots: [pki.root], intermediates: [pki.intermediate], crls: [crl], checkRevocation: false)
        XCTAssertTrue(lax.verify(pki.leaf, at: referenceNow).isValid)
    }

    func testRevokedUnspecifiedAndRevokedIntermediate() throws {
        let leafCRL = try PKI.crl(pki.intermediate, pki.intermediateKey, revoked: [RevokedCertificate(serial: pki.leaf.serial, date: referenceNow - 60)])
        XCTAssertEqual(store(intermediateCRL: leafCRL).verify(pki.leaf, at: referenceNow).reason, "certificate revoked (unspecified)")
        let caCRL = try PKI.crl(pki.root, pki.rootKey, revoked: [
            RevokedCertificate(serial: pki.intermediate.serial, date: referenceNow - 60, reason: .caCompromise),
        ])
        let store = store(rootCRL: caCRL)
        XCTAssertEqual(store.verify(pki.node, at: referenceNow).reason, "certificate revoked (CACompromise)")
        XCTAssertEqual(store.verify(pki.intermediate, at: referenceNow).reason, "certificate revoked (CACompromise)")
    }

    func testStrictModeNeedsEveryCRL() throws {
        let none = TrustStore(roots: [pki.root], intermediates: [pki.intermediate], crls: [])
        XCTAssertEqual(none.verify(pki.leaf, at: referenceNow).reason, "unable to get certificate crl")
        let rootOnly = TrustStore(roots: [pki.root], intermediates: [pki.intermediate], crls: [rootCRL])
        XCTAssertEqual(rootOnly.verify(pki.leaf, at: referenceNow).reason, "unable to get certificate crl")
        let intermediateOnly = TrustStore(roots: [pki.root], intermediates: [pki.intermediate], crls: [intermediateCRL])
        XCTAssertEqual(intermediateOnly.verify(pki.leaf, at: referenceNow).reason, "unable to get certificate crl", "the root needs one too")
    }

    func testExpiredCRL() throws {
        // Revocation is checked before validity, so a stale list fails first.
        XCTAssertEqual(store().verify(pki.leaf, at: referenceNow + 8 * day).reason, "crl has expired")
        XCTAssertEqual(store().verify(pki.leaf, at: referenceNow - 2 * day).reason, "crl is not yet valid")
    }

    func testCRLFromAnotherCAIsNotAccepted() throws {
        let other = try PKI()
        // A list from a different CA does not stand in for ours.
        let foreign = TrustStore(roots: [pki.root], intermediates: [pki.intermediate],
                                 crls: [rootCRL, try PKI.crl(other.intermediate, other.intermediateKey)])
        XCTAssertEqual(foreign.verify(pki.leaf, at: referenceNow).reason, "unable to get certificate crl")
        // Nor does one that only borrows our intermediate's name: its signature fails.
        let impostor = try CertificateIssuer.selfSigned(
            CertificateTemplate(subject: pki.intermediate.subject, isCA: true, notBefore: referenceNow - day, notAfter: referenceNow + day),
            key: other.intermediateKey)
        let forgedCRL = try PKI.crl(impostor, other.intermediateKey)
        XCTAssertFalse(forgedCRL.isSigned(by: pki.intermediate))
        let forged = TrustStore(roots: [pki.root], intermediates: [pki.intermediate], crls: [rootCRL, forgedCRL])
        let reason = try XCTUnwrap(forged.verify(pki.leaf, at: referenceNow).reason)
        XCTAssertTrue(["crl signature failure", "unable to get certificate crl"].contains(reason), reason)
    }

    func testUnknownRoleIsInvalid() throws {
        let superuser = try leaf(notBefore: referenceNow - day, notAfter: referenceNow + day,
                                 identity: IdentityExtension(role: "superuser", organization: "Acme"))
        XCTAssertEqual(store().verify(superuser, at: referenceNow).reason, "unknown role 'superuser'")
        for role in CertificateRole.allCases {
            let certificate = try leaf(notBefore: referenceNow - day, notAfter: referenceNow + day,
                                       identity: IdentityExtension(role: role.rawValue, organization: "Acme"))
            XCTAssertEqual(store().verify(certificate, at: referenceNow).identity?.role, role.rawValue)
        }
        let anonymous = try leaf(notBefore: referenceNow - day, notAfter: referenceNow + day, identity: nil)
        let identity = try XCTUnwrap(store().verify(anonymous, at: referenceNow).identity)
        XCTAssertNil(identity.role)
        XCTAssertEqual(identity.organization, "Acme", "falls back to the subject's O")
        XCTAssertEqual(identity.attributes, [:])
    }

    func testMalformedIdentityExtensionIsInvalid() throws {
        // Only openssl will write a broken identity extension for us.
        let folder = try temporaryDirectory(self)
        try FileIO.writeAtomically(folder + "/inter.key", try pki.intermediateKey.pkcs8PEM(), mode: 0o600)
        try write(pki.intermediate.pem(), folder, "inter.pem")
        try FileIO.writeAtomically(folder + "/leaf.key", try pki.leafKey.pkcs8PEM(), mode: 0o600)
        try write("basicConstraints = critical,CA:FALSE\n\(IdentityExtension.oid) = DER:30090201020c000c003000\n", folder, "ext.cnf")
        for arguments in [["req", "-new", "-key", "leaf.key", "-subj", "/CN=broken", "-out", "broken.csr"],
                          ["x509", "-req", "-in", "broken.csr", "-CA", "inter.pem", "-CAkey", "inter.key", "-set_serial", "99",
                           "-days", "3", "-extfile", "ext.cnf", "-out", "broken.pem"]] {
            let result = try runProcess("openssl", arguments, currentDirectory: folder)
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let broken = try Certificate(pemFile: folder + "/broken.pem")
        XCTAssertThrowsError(try broken.identity) { error in
            XCTAssertEqual("\(error)", "malformed identity extension: unsupported version (expected 1)")
        }
        XCTAssertEqual(store().verify(broken).reason, "malformed identity extension: unsupported version (expected 1)")
        XCTAssertEqual(store().verify(der: broken.der).reason, "malformed identity extension: unsupported version (expected 1)")
    }

    // MARK: The cache

    func testCachedResultsAreReturned() throws {
        let store = store()
        let uncached = store.verify(pki.leaf, at: referenceNow)
        XCTAssertEqual(store.cacheStatistics, TrustStore.CacheStatistics(hits: 0, misses: 0, entries: 0), "verify(_:) does not use the cache")
        XCTAssertEqual(store.verify(der: pki.leaf.der, at: referenceNow), uncached)
        XCTAssertEqual(store.cacheStatistics, TrustStore.CacheStatistics(hits: 0, misses: 1, entries: 1))
        for offset in 0..<10 {
            XCTAssertEqual(store.verify(der: pki.leaf.der, at: referenceNow + TimeInterval(offset) * 3600), uncached)
        }
        XCTAssertEqual(store.cacheStatistics, TrustStore.CacheStatistics(hits: 10, misses: 1, entries: 1))
        XCTAssertEqual(store.verify(der: pki.node.der, at: referenceNow).identity?.role, "node")
        XCTAssertEqual(store.cacheStatistics, TrustStore.CacheStatistics(hits: 10, misses: 2, entries: 2))
    }

    func testCacheRespectsTheValidityWindow() throws {
        let unchecked = TrustStore(roots: [pki.root], intermediates: [pki.intermediate], checkRevocation: false)
        XCTAssertTrue(unchecked.verify(der: pki.leaf.der, at: referenceNow).isValid)
        // The last valid second is served from the cache; notAfter is not.
        XCTAssertTrue(unchecked.verify(der: pki.leaf.der, at: pki.leaf.notAfter - 1).isValid)
        XCTAssertEqual(unchecked.cacheStatistics.hits, 1)
        XCTAssertEqual(unchecked.verify(der: pki.leaf.der, at: pki.leaf.notAfter).reason, "certificate has expired")
        XCTAssertEqual(unchecked.verify(der: pki.leaf.der, at: pki.leaf.notBefore - 1).reason, "certificate is not yet valid")
        XCTAssertTrue(unchecked.verify(der: pki.leaf.der, at: pki.leaf.notBefore).isValid)
        XCTAssertEqual(unchecked.cacheStatistics, TrustStore.CacheStatistics(hits: 2, misses: 3, entries: 1))
    }

    func testCacheWindowIncludesTheChainAndTheCRLs() throws {
        // A leaf outliving its CRL: the cached answer ends with the list.
        let store = store()
        XCTAssertTrue(store.verify(der: pki.leaf.der, at: referenceNow).isValid)
        XCTAssertTrue(store.verify(der: pki.leaf.der, at: intermediateCRL.nextUpdate! - 1).isValid)
        XCTAssertEqual(store.verify(der: pki.leaf.der, at: intermediateCRL.nextUpdate!).reason, "crl has expired")
        XCTAssertEqual(store.verify(der: pki.leaf.der, at: intermediateCRL.thisUpdate - 1).reason, "crl is not yet valid")
        XCTAssertEqual(store.cacheStatistics.hits, 1)
        // An intermediate that ends before the leaf bounds the leaf's window too.
        let shortCA = try CertificateIssuer.issue(
            CertificateTemplate(subject: DistinguishedName(commonName: "Short CA"), isCA: true, pathLength: 0,
                                notBefore: referenceNow - day, notAfter: referenceNow + day),
            subjectKey: try pki.intermediateKey.publicKey, issuer: pki.root, issuerKey: pki.rootKey)
        let longLeaf = try CertificateIssuer.issue(
            CertificateTemplate(subject: DistinguishedName(commonName: "long"), notBefore: referenceNow - day, notAfter: referenceNow + day),
            subjectKey: try pki.leafKey.publicKey, issuer: shortCA, issuerKey: pki.intermediateKey)
        let unchecked = TrustStore(roots: [pki.root], intermediates: [shortCA], checkRevocation: false)
        XCTAssertTrue(unchecked.verify(der: longLeaf.der, at: referenceNow).isValid)
        XCTAssertEqual(unchecked.verify(der: longLeaf.der, at: referenceNow + day).reason, "certificate has expired")
    }

    func testFailuresAreNotCached() throws {
        let other = try PKI()
        let store = store()
        for _ in 0..<3 {
            XCTAssertEqual(store.verify(der: other.leaf.der, at: referenceNow).reason, "unable to get local issuer certificate")
        }
        XCTAssertEqual(store.cacheStatistics, TrustStore.CacheStatistics(hits: 0, misses: 3, entries: 0))
        XCTAssertEqual(store.verify(der: Array(pki.leaf.der.dropLast(5)), at: referenceNow).reason.map { $0.hasPrefix("malformed certificate: not DER X.509 (") }, true)
        XCTAssertEqual(store.verify(der: [], at: referenceNow).reason, "malformed certificate: empty input")
        XCTAssertEqual(store.cacheStatistics.entries, 0)
    }

    func testCacheIsBounded() throws {
        let store = store(cacheLimit: 2)
        for certificate in [pki.leaf, pki.node, pki.intermediate, pki.leaf] {
            XCTAssertTrue(store.verify(der: certificate.der, at: referenceNow).isValid)
            XCTAssertLessThanOrEqual(store.cacheStatistics.entries, 2)
        }
        XCTAssertEqual(store.cacheStatistics.misses, 4, "emptied when full, so the leaf was verified again")
    }

    func testConcurrentVerification() throws {
        let revokedCRL = try PKI.crl(pki.intermediate, pki.intermediateKey, revoked: [
            RevokedCertificate(serial: pki.node.serial, date: referenceNow - 60, reason: .superseded),
        ])
        let store = store(intermediateCRL: revokedCRL)
        let other = try PKI()
        let cases: [(der: [UInt8], certificate: Certificate?, expected: VerificationResult)] = [
            (pki.leaf.der, pki.leaf, store.verify(pki.leaf, at: referenceNow)),
            (pki.node.der, pki.node, .invalid(reason: "certificate revoked (superseded)", failure: .revoked)),
            (pki.intermediate.der, pki.intermediate, store.verify(pki.intermediate, at: referenceNow)),
            (other.leaf.der, other.leaf, .invalid(reason: "unable to get local issuer certificate")),
            ([0x30, 0x00], nil, store.verify(der: [0x30, 0x00], at: referenceNow)),
        ]
        XCTAssertTrue(cases[0].expected.isValid)
        XCTAssertTrue(cases[2].expected.isValid)
        XCTAssertEqual(cases[4].expected.reason?.hasPrefix("malformed certificate: "), true)
        let rounds = 200
        let mismatches = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<rounds {
                let item = cases[(worker + round) % cases.count]
                // Every third call takes the uncached path, so both run side by side.
                let result = if round % 3 == 0, let certificate = item.certificate {
                    store.verify(certificate, at: referenceNow)
                } else {
                    store.verify(der: item.der, at: referenceNow)
                }
                if result != item.expected { mismatches.withLock { $0 += 1 } }
            }
        }
        XCTAssertEqual(mismatches.withLock { $0 }, 0)
        let statistics = store.cacheStatistics
        XCTAssertEqual(statistics.entries, 2, "leaf and intermediate")
        XCTAssertGreaterThan(statistics.hits, 350, "about 2/3 × 2/5 of 1600 calls")
    }
}
