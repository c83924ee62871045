@testable import CSPAuthority
import CSPCertificates
import CSPCrypto
import CSPSQLite
import CSPTestSupport
import Foundation
import XCTest

final class AuthorityTests: XCTestCase {
    var home = ""
    var ca: CertificateAuthority!

    override func setUpWithError() throws {
        home = try temporaryDirectory(self) + "/ca"
        ca = try CertificateAuthority.initialize(home: home, organization: "Acme", commonName: "Acme CA", validityDays: 3650,
                                                 leafValidityDays: 365, pathLength: nil, parent: nil, actor: "test")
    }

    func request(for id: String) throws -> (P256PrivateKey, CertificateSigningRequest) {
        let key = try P256PrivateKey.generate()
        return (key, try CertificateSigningRequest.create(key: key, subject: DistinguishedName(organization: nil, organizationalUnit: nil, commonName: id)))
    }

    func testConcurrentEnrollmentsSpendASecretOnce() throws {
        let secret = try ca.register(id: "alice", role: "customer", organization: nil, attributes: [:], maxEnrollments: 1, secret: nil, actor: "test")
        let requests = try (0..<6).map { _ in try request(for: "alice").1 }
        let successes = Counter()
        let ca: CertificateAuthority = self.ca
        DispatchQueue.concurrentPerform(iterations: requests.count) { i in
            if (try? ca.enroll(id: "alice", secret: secret, csr: requests[i], actor: "test")) != nil { successes.add() }
        }
        XCTAssertEqual(successes.value, 1)
        XCTAssertEqual(try ca.certificates(of: "alice").count, 1)
        XCTAssertEqual(try ca.identity("alice")?.enrollments, 1)
    }

    func testFailedAttemptsAreCommittedAndNothingIsIssued() throws {
        _ = try ca.register(id: "bob", role: "enterprise", organization: nil, attributes: [:], maxEnrollments: 2, secret: "correct horse", actor: "test")
        XCTAssertThrowsError(try ca.enroll(id: "bob", secret: "wrong horse", csr: try request(for: "bob").1, actor: "test")) { error in
            XCTAssertEqual((error as? CARefusal)?.message, "wrong enrollment secret for 'bob'")
        }
        XCTAssertEqual(try ca.identity("bob")?.failedAttempts, 1)
        XCTAssertEqual(try ca.certificates(of: "bob").count, 0)
        let issued = try ca.enroll(id: "bob", secret: "correct horse", csr: try request(for: "bob").1, actor: "test")
        XCTAssertEqual(issued.certificate.subject, DistinguishedName(organization: "Acme", organizationalUnit: "enterprise", commonName: "bob"))
        XCTAssertEqual(try ca.identity("bob")?.failedAttempts, 0, "a success resets the count")
        XCTAssertTrue(try ca.identity("bob")!.hasSecret, "one of two enrollments left")
    }

    func testAuditLogIsAppendOnlyInTheDatabase() throws {
        _ = try ca.register(id: "carol", role: "regulator", organization: nil, attributes: [:], maxEnrollments: 1, secret: nil, actor: "test")
        let db = try SQLiteDatabase(path: home + "/registry.db")
        defer { db.close() }
        XCTAssertThrowsError(try db.execute("UPDATE audit_log SET actor = 'mallory'")) { error in
            XCTAssertTrue(String(describing: error).contains("the audit log is append-only"), "\(error)")
        }
        XCTAssertThrowsError(try db.execute("DELETE FROM audit_log"))
        XCTAssertEqual(try ca.auditLog().map(\.action), ["init", "crl", "register"])
    }

    func testExpiredCARefusesToSign() throws {
        let secret = try ca.register(id: "dave", role: "customer", organization: nil, attributes: [:], maxEnrollments: 1, secret: nil, actor: "test")
        ca.clock = { Date().addingTimeInterval(11 * 365 * 86_400) }
        XCTAssertThrowsError(try ca.enroll(id: "dave", secret: secret, csr: try request(for: "dave").1, actor: "test")) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("CA certificate expired on "), "\(error)")
        }
        XCTAssertEqual(try ca.identity("dave")?.enrollments, 0)
    }

    func testReenrollNeedsAFreshProofByTheCurrentKey() throws {
        let secret = try ca.register(id: "erin", role: "customer", organization: nil, attributes: [:], maxEnrollments: 1, secret: nil, actor: "test")
        let (key, csr) = try request(for: "erin")
        let current = try ca.enroll(id: "erin", secret: secret, csr: csr, actor: "test").certificate
        let (_, next) = try request(for: "erin")
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let proof = try key.signature(forDigest: Reenrollment.digest(csr: next.der, timestamp: now))
        let renewed = try ca.reenroll(current: current, csr: next, timestamp: now, proof: proof, actor: "test")
        XCTAssertNotEqual(renewed.certificate.serial, current.serial)
        // Stale timestamp, a proof by another key, a proof for another CSR: all refused.
        let stale = now - 600_000
        XCTAssertThrowsError(try ca.reenroll(current: current, csr: next, timestamp: stale,
                                             proof: try key.signature(forDigest: Reenrollment.digest(csr: next.der, timestamp: stale)), actor: "test"))
        let stranger = try P256PrivateKey.generate()
        XCTAssertThrowsError(try ca.reenroll(current: current, csr: next, timestamp: now,
                                             proof: try stranger.signature(forDigest: Reenrollment.digest(csr: next.der, timestamp: now)), actor: "test")) { error in
            XCTAssertEqual((error as? CARefusal)?.message, "reenrollment proof does not verify with the current certificate's key")
        }
        XCTAssertThrowsError(try ca.reenroll(current: current, csr: try request(for: "erin").1, timestamp: now, proof: proof, actor: "test"))
    }

    func testCRLNumbersIncreaseAndListRevocations() throws {
        let secret = try ca.register(id: "fay", role: "customer", organization: nil, attributes: [:], maxEnrollments: 1, secret: nil, actor: "test")
        let issued = try ca.enroll(id: "fay", secret: secret, csr: try request(for: "fay").1, actor: "test").certificate
        let before = try ca.currentCRL().number ?? 0
        XCTAssertEqual(try ca.revoke(id: "fay", reason: .affiliationChanged, actor: "test"), [issued.serialHex])
        let crl = try ca.currentCRL()
        XCTAssertGreaterThan(crl.number ?? 0, before)
        XCTAssertEqual(crl.reason(forSerial: issued.serial), .affiliationChanged)
        XCTAssertTrue(crl.isSigned(by: ca.certificate))
        XCTAssertThrowsError(try ca.revoke(id: "fay", reason: .unspecified, actor: "test")) { error in
            XCTAssertEqual((error as? CARefusal)?.message, "identity 'fay' is already revoked")
        }
        XCTAssertThrowsError(try ca.revoke(serial: "00ABCDEF", reason: .unspecified, actor: "test")) { error in
            XCTAssertEqual((error as? CARefusal)?.message, "no certificate with serial ABCDEF")
        }
    }

    func testRequestWhoseSignatureDoesNotMatchItsKeyIsRefused() throws {
        _ = try ca.register(id: "gus", role: "customer", organization: nil, attributes: [:], maxEnrollments: 1, secret: nil, actor: "test")
        var der = try request(for: "gus").1.der
        der[der.count - 3] ^= 0x01  // inside the signature's s value
        let tampered = try CertificateSigningRequest(der: der)
        XCTAssertThrowsError(try ca.sign(csr: tampered, id: "gus", actor: "test")) { error in
            XCTAssertEqual((error as? CARefusal)?.message, "certificate request signature does not match its key")
        }
        XCTAssertEqual(try ca.certificates(of: "gus").count, 0)
        XCTAssertEqual(try ca.auditLog().map(\.action), ["init", "crl", "register"], "a refused request changes nothing")
    }

    func testSecretHashParametersTravelWithTheHash() throws {
        let hash = try SecretHash.make(secret: "s3cret-value", cost: SecretHash.randomSecretCost)
        let parsed = try XCTUnwrap(SecretHash(encoded: hash.description))
        XCTAssertTrue(try parsed.matches("s3cret-value"))
        XCTAssertFalse(try parsed.matches("s3cret-valuE"))
        XCTAssertNil(SecretHash(encoded: "scrypt$3$8$1$00$00"), "N must be a power of two")
        XCTAssertNil(SecretHash(encoded: "plain$text"))
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
