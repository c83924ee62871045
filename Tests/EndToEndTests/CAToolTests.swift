import CSPTestSupport
import Foundation
import XCTest

/// csp-ca through the real binary, checked with the real openssl command.
final class CAToolTests: XCTestCase {
    var ca: String { productsDirectory + "/csp-ca" }
    var dir = ""

    override func setUpWithError() throws {
        dir = try temporaryDirectory(self)
    }

    @discardableResult
    func csp(_ arguments: [String], input: Data? = nil, expect status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        let result = try runProcess(ca, arguments, input: input)
        XCTAssertEqual(result.status, status, "csp-ca \(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        return result
    }

    func openssl(_ arguments: [String]) throws -> ProcessResult { try runProcess("openssl", arguments) }

    func mode(_ path: String) throws -> Int {
        ((try FileManager.default.attributesOfItem(atPath: path))[.posixPermissions] as! NSNumber).intValue
    }

    /// init, register, enroll: the files, their modes, and openssl's view of them.
    func makeRootWithAlice() throws -> (home: String, alice: String, secret: String) {
        let home = dir + "/ca"
        try csp(["init", "--home", home, "--org", "Example Enterprise", "--name", "Example Root CA"])
        XCTAssertEqual(try mode(home), 0o700)
        XCTAssertEqual(try mode(home + "/ca-key.pem"), 0o600)
        let secret = try csp(["register", "alice", "--home", home, "--role", "customer", "--org", "Example Enterprise",
                              "--attr", "region=north", "--attr", "tier=gold"]).stdout.trimmingCharacters(in: .newlines)
        XCTAssertEqual(secret.count, 32, "a 128-bit hex secret")
        let alice = dir + "/alice"
        try csp(["enroll", "alice", "--secret", secret, "--ca", home, "--out", alice])
        return (home, alice, secret)
    }

    func testInitRegisterEnrollAndOpensslAgrees() throws {
        let (home, alice, secret) = try makeRootWithAlice()
        XCTAssertEqual(try mode(alice), 0o700)
        XCTAssertEqual(try mode(alice + "/key.pem"), 0o600)
        let verify = try openssl(["verify", "-CAfile", alice + "/ca-chain.pem", alice + "/cert.pem"])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        let text = try openssl(["x509", "-in", alice + "/cert.pem", "-noout", "-text"]).stdout
        XCTAssertTrue(text.contains("O = Example Enterprise, OU = customer, CN = alice"), text)
        XCTAssertTrue(text.contains("CA:FALSE"))
        XCTAssertTrue(text.contains("Digital Signature"))
        XCTAssertTrue(text.contains("2.25.146732945692707920865366127790690705180"), "the identity extension is present")
        let root = try openssl(["x509", "-in", home + "/ca-cert.pem", "-noout", "-text"]).stdout
        XCTAssertTrue(root.contains("CA:TRUE, pathlen:1"), root)
        XCTAssertTrue(root.contains("Certificate Sign, CRL Sign"), root)
        XCTAssertTrue(root.contains("Subject Key Identifier"))
        // The key matches the certificate.
        XCTAssertEqual(try openssl(["pkey", "-in", alice + "/key.pem", "-pubout"]).stdout,
                       try openssl(["x509", "-in", alice + "/cert.pem", "-noout", "-pubkey"]).stdout)
        // csp-ca verify reads role and attributes back.
        let ours = try csp(["verify", alice + "/cert.pem", "--home", home, "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(ours.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["role"] as? String, "customer")
        XCTAssertEqual(json["organization"] as? String, "Example Enterprise")
        XCTAssertEqual(json["attributes"] as? [String: String], ["region": "north", "tier": "gold"])
        try csp(["verify", alice + "/cert.pem", "--home", home, "--role", "regulator"], expect: 1)
        // The secret is spent, and it never appears in the log.
        let reused = try csp(["enroll", "alice", "--secret", secret, "--ca", home, "--out", dir + "/again"], expect: 1)
        XCTAssertEqual(reused.stderr, "error: identity 'alice' has used its 1 enrollment(s); its secret is spent\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/again/cert.pem"))
        let log = try csp(["log", "--home", home]).stdout
        XCTAssertFalse(log.contains(secret))
        XCTAssertTrue(log.contains("register  alice"), log)
        XCTAssertTrue(log.contains("enroll  alice"), log)
        let registry = try Data(contentsOf: URL(fileURLWithPath: home + "/registry.db"))
        XCTAssertNil(registry.range(of: Data(secret.utf8)), "the registry keeps only a hash of the secret")
    }

    func testWrongSecretsLockTheIdentityAndUnknownIDsAreRefused() throws {
        let home = dir + "/ca"
        try csp(["init", "--home", home, "--org", "Acme"])
        let secret = try csp(["register", "bob", "--home", home, "--role", "enterprise"]).stdout.trimmingCharacters(in: .newlines)
        for attempt in 1...4 {
            let wrong = try csp(["enroll", "bob", "--secret", "not-the-secret", "--ca", home, "--out", dir + "/bob"], expect: 1)
            XCTAssertEqual(wrong.stderr, "error: wrong enrollment secret for 'bob'\n", "attempt \(attempt)")
        }
        let fifth = try csp(["enroll", "bob", "--secret", "not-the-secret", "--ca", home, "--out", dir + "/bob"], expect: 1)
        XCTAssertEqual(fifth.stderr, "error: wrong enrollment secret for 'bob'; the secret is now locked after 5 failed attempts\n")
        let locked = try csp(["enroll", "bob", "--secret", secret, "--ca", home, "--out", dir + "/bob"], expect: 1)
        XCTAssertTrue(locked.stderr.contains("is locked after 5 failed attempts"), locked.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/bob/cert.pem"), "nothing was issued")
        // A new secret unlocks it.
        let fresh = try csp(["register", "bob", "--home", home, "--new-secret"]).stdout.trimmingCharacters(in: .newlines)
        try csp(["enroll", "bob", "--secret", fresh, "--ca", home, "--out", dir + "/bob"])

        let unknown = try csp(["enroll", "nobody", "--secret", "whatever1", "--ca", home, "--out", dir + "/x"], expect: 1)
        XCTAssertEqual(unknown.stderr, "error: unknown identity 'nobody'\n")
        let duplicate = try csp(["register", "bob", "--home", home, "--role", "enterprise"], expect: 1)
        XCTAssertEqual(duplicate.stderr, "error: identity 'bob' is already registered\n")
        let badRole = try csp(["register", "carol", "--home", home, "--role", "wizard"], expect: 64)
        XCTAssertTrue(badRole.stderr.hasPrefix("error: unknown role 'wizard'; roles are customer, enterprise"), badRole.stderr)
        try csp(["show", "nobody", "--home", home], expect: 1)
        let show = try csp(["show", "bob", "--home", home]).stdout
        XCTAssertTrue(show.contains("role enterprise"), show)
    }

    func testIntermediateChainVerifiesWithOpenssl() throws {
        let root = dir + "/root", issuing = dir + "/issuing"
        try csp(["init", "--home", root, "--org", "Acme", "--name", "Acme Root"])
        try csp(["init", "--home", issuing, "--org", "Acme", "--name", "Acme Service Desk CA", "--parent", root])
        let secret = try csp(["register", "dora", "--home", issuing, "--role", "department"]).stdout.trimmingCharacters(in: .newlines)
        try csp(["enroll", "dora", "--secret", secret, "--ca", issuing, "--out", dir + "/dora"])
        let verify = try openssl(["verify", "-CAfile", root + "/ca-cert.pem", "-untrusted", issuing + "/ca-cert.pem", dir + "/dora/cert.pem"])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        let chain = try String(contentsOfFile: dir + "/dora/ca-chain.pem", encoding: .utf8)
        XCTAssertEqual(chain.components(separatedBy: "BEGIN CERTIFICATE").count - 1, 2, "issuing CA, then root")
        XCTAssertTrue(try openssl(["x509", "-in", issuing + "/ca-cert.pem", "-noout", "-text"]).stdout.contains("CA:TRUE, pathlen:0"))
        // A CA below a pathlen:0 CA is refused.
        let deeper = try csp(["init", "--home", dir + "/deeper", "--org", "Acme", "--parent", issuing], expect: 1)
        XCTAssertTrue(deeper.stderr.contains("path length (0) allows no intermediate CA"), deeper.stderr)
        XCTAssertTrue(try csp(["log", "--home", root]).stdout.contains("issue-intermediate  ca:Acme Service Desk CA"))
        // Revocation needs every CA's CRL: the intermediate's home holds only its own.
        let partial = try csp(["verify", dir + "/dora/cert.pem", "--home", issuing], expect: 2)
        XCTAssertEqual(partial.stderr, "error: '\(issuing)' is an intermediate CA: give its parents' CRLs with --crl, or use --no-crl-check\n")
        XCTAssertTrue(try csp(["verify", dir + "/dora/cert.pem", "--home", issuing, "--crl", root + "/crl.pem"]).stdout.hasPrefix("valid: dora, role department"))
        try csp(["revoke", "ca:Acme Service Desk CA", "--home", root, "--reason", "CACompromise"])
        let revokedCA = try csp(["verify", dir + "/dora/cert.pem", "--home", issuing, "--crl", root + "/crl.pem"], expect: 1)
        XCTAssertTrue(revokedCA.stderr.contains("certificate revoked (CACompromise)"), revokedCA.stderr)
    }

    /// The same data has the same field name: `revoked` is the list of serials, in the
    /// same hex, in what `revoke` just revoked and in everything the CRL lists.
    func testRevokeAndCRLSayRevokedAlikeInJSON() throws {
        let (home, alice, _) = try makeRootWithAlice()
        func object(_ result: ProcessResult) throws -> [String: Any] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        }
        let fresh = try object(try csp(["crl", "--home", home, "--format", "json"]))
        XCTAssertEqual(fresh["revoked"] as? [String], [], "nothing revoked yet: an empty list, not a count")
        let serial = try openssl(["x509", "-in", alice + "/cert.pem", "-noout", "-serial"]).stdout
            .replacingOccurrences(of: "serial=", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
        let revoked = try object(try csp(["revoke", "alice", "--home", home, "--reason", "keyCompromise", "--format", "json"]))
        XCTAssertEqual(revoked["revoked"] as? [String], [serial])
        let crl = try object(try csp(["crl", "--home", home, "--format", "json"]))
        XCTAssertEqual(crl["revoked"] as? [String], [serial])
        XCTAssertEqual(crl["crl_number"] as? Int, (revoked["crl_number"] as? Int).map { $0 + 1 })
        XCTAssertTrue((crl["crl"] as? String)?.hasPrefix("-----BEGIN X509 CRL-----") ?? false)
    }

    func testRevokeCRLAndOpensslRejects() throws {
        let (home, alice, _) = try makeRootWithAlice()
        let serial = try openssl(["x509", "-in", alice + "/cert.pem", "-noout", "-serial"]).stdout
            .replacingOccurrences(of: "serial=", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
        try csp(["revoke", "alice", "--home", home, "--reason", "keyCompromise"])
        let crl = home + "/crl.pem"
        let rejected = try openssl(["verify", "-crl_check", "-CRLfile", crl, "-CAfile", home + "/ca-cert.pem", alice + "/cert.pem"])
        XCTAssertNotEqual(rejected.status, 0)
        XCTAssertTrue((rejected.stdout + rejected.stderr).contains("certificate revoked"), rejected.stdout + rejected.stderr)
        let text = try openssl(["crl", "-in", crl, "-noout", "-text"]).stdout
        XCTAssertTrue(text.contains("Serial Number: \(serial)"), text)
        XCTAssertTrue(text.contains("Key Compromise"), text)
        XCTAssertTrue(text.contains("X509v3 CRL Number"), text)
        // CRL numbers increase.
        let first = try openssl(["crl", "-in", crl, "-noout", "-crlnumber"]).stdout
        try csp(["crl", "--home", home, "--out", dir + "/crl2.pem"])
        let second = try openssl(["crl", "-in", dir + "/crl2.pem", "-noout", "-crlnumber"]).stdout
        func number(_ line: String) -> Int {
            Int(line.split(separator: "=")[1].trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "0x", with: ""), radix: 16) ?? -1
        }
        XCTAssertGreaterThan(number(first), 0, first)
        XCTAssertLessThan(number(first), number(second))
        // Our own verify says no, with the reason; a revoked identity cannot renew or re-register.
        let ours = try csp(["verify", alice + "/cert.pem", "--home", home], expect: 1)
        XCTAssertTrue(ours.stderr.contains("certificate revoked (keyCompromise)"), ours.stderr)
        let renew = try csp(["reenroll", "--home", alice, "--ca", home], expect: 1)
        XCTAssertTrue(renew.stderr.contains("is revoked"), renew.stderr)
        try csp(["register", "alice", "--home", home, "--new-secret"], expect: 1)
        XCTAssertTrue(try csp(["list", "--revoked", "--home", home]).stdout.contains(serial))
    }

    func testSignOpensslRequestsAndRefuseBadOnes() throws {
        let home = dir + "/ca"
        try csp(["init", "--home", home, "--org", "Acme"])
        try csp(["register", "erin", "--home", home, "--role", "regulator"])
        XCTAssertEqual(try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", dir + "/k.pem"]).status, 0)
        XCTAssertEqual(try openssl(["req", "-new", "-key", dir + "/k.pem", "-subj", "/CN=whatever/O=Other Org", "-out", dir + "/req.pem"]).status, 0)
        try csp(["sign", "--home", home, "--csr", dir + "/req.pem", "--id", "erin", "--out", dir + "/erin.pem"])
        let verify = try openssl(["verify", "-CAfile", home + "/ca-chain.pem", dir + "/erin.pem"])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        let subject = try openssl(["x509", "-in", dir + "/erin.pem", "-noout", "-subject"]).stdout
        XCTAssertEqual(subject, "subject=O = Acme, OU = regulator, CN = erin\n", "the registry decides the subject, not the CSR")

        XCTAssertEqual(try openssl(["req", "-new", "-key", dir + "/k.pem", "-subj", "/CN=erin", "-addext", "basicConstraints=critical,CA:TRUE", "-out", dir + "/ca-req.pem"]).status, 0)
        let asksCA = try csp(["sign", "--home", home, "--csr", dir + "/ca-req.pem", "--id", "erin"], expect: 1)
        XCTAssertEqual(asksCA.stderr, "error: certificate request asks for CA:TRUE; intermediate CAs are made with 'csp-ca init --parent'\n")

        try Data("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n".utf8).write(to: URL(fileURLWithPath: dir + "/junk.pem"))
        let junk = try csp(["sign", "--home", home, "--csr", dir + "/junk.pem", "--id", "erin"], expect: 2)
        XCTAssertTrue(junk.stderr.hasPrefix("error: '\(dir)/junk.pem': malformed certificate request"), junk.stderr)
        XCTAssertEqual(junk.stderr.split(separator: "\n").count, 1)
        let pem = try String(contentsOfFile: dir + "/req.pem", encoding: .utf8)
        try Data(pem.prefix(pem.count / 2).utf8).write(to: URL(fileURLWithPath: dir + "/truncated.pem"))
        try csp(["sign", "--home", home, "--csr", dir + "/truncated.pem", "--id", "erin"], expect: 2)
        let unknown = try csp(["sign", "--home", home, "--csr", dir + "/req.pem", "--id", "zed"], expect: 1)
        XCTAssertEqual(unknown.stderr, "error: unknown identity 'zed'\n")
        // Only the one good certificate was recorded.
        let certificates = try csp(["show", "erin", "--home", home, "--format", "json"]).stdout
        let json = try JSONSerialization.jsonObject(with: Data(certificates.utf8)) as! [String: Any]
        XCTAssertEqual((json["certificates"] as? [Any])?.count, 1)
    }

    func testReenrollSameKeyAndNewKey() throws {
        let (home, alice, _) = try makeRootWithAlice()
        let firstKey = try String(contentsOfFile: alice + "/key.pem", encoding: .utf8)
        let firstCert = try String(contentsOfFile: alice + "/cert.pem", encoding: .utf8)
        try csp(["reenroll", "--home", alice, "--ca", home])
        XCTAssertEqual(try String(contentsOfFile: alice + "/key.pem", encoding: .utf8), firstKey)
        XCTAssertNotEqual(try String(contentsOfFile: alice + "/cert.pem", encoding: .utf8), firstCert)
        try csp(["reenroll", "--home", alice, "--ca", home, "--new-key"])
        XCTAssertNotEqual(try String(contentsOfFile: alice + "/key.pem", encoding: .utf8), firstKey)
        XCTAssertEqual(try openssl(["verify", "-CAfile", alice + "/ca-chain.pem", alice + "/cert.pem"]).status, 0)
        XCTAssertEqual(try openssl(["pkey", "-in", alice + "/key.pem", "-pubout"]).stdout,
                       try openssl(["x509", "-in", alice + "/cert.pem", "-noout", "-pubkey"]).stdout)
        XCTAssertTrue(try csp(["log", "--home", home]).stdout.contains("new key"))
        // A certificate from another CA cannot renew here.
        try csp(["init", "--home", dir + "/other", "--org", "Other"])
        let foreign = try csp(["reenroll", "--home", alice, "--ca", dir + "/other"], expect: 1)
        XCTAssertTrue(foreign.stderr.contains("was not issued by this CA"), foreign.stderr)
    }

    func testListExpiringExitsOneForCron() throws {
        let (home, _, _) = try makeRootWithAlice()
        let soon = try csp(["list", "--home", home, "--expiring", "400d"], expect: 1)
        XCTAssertTrue(soon.stdout.contains("alice"), soon.stdout)
        let none = try csp(["list", "--home", home, "--expiring", "30d"])
        XCTAssertEqual(none.stdout, "")
        XCTAssertTrue(try csp(["list", "--home", home]).stdout.hasPrefix("alice  customer  Example Enterprise  active  1/1"))
    }

    func testHomePermissionsAreEnforced() throws {
        let home = dir + "/ca"
        try csp(["init", "--home", home, "--org", "Acme"])
        chmod(home, 0o755)
        let open = try csp(["list", "--home", home], expect: 2)
        XCTAssertEqual(open.stderr, "error: CA home '\(home)' has mode 755; it must be 0700 (chmod 700 '\(home)')\n")
        chmod(home, 0o700)
        chmod(home + "/ca-key.pem", 0o644)
        let key = try csp(["register", "x1", "--home", home, "--role", "customer"], expect: 2)
        XCTAssertTrue(key.stderr.contains("must be 0600"), key.stderr)
        let missing = try csp(["list", "--home", dir + "/nothing-here"], expect: 2)
        XCTAssertTrue(missing.stderr.hasPrefix("error: no CA in '\(dir)/nothing-here'"), missing.stderr)
        let twice = try csp(["init", "--home", home, "--org", "Acme"], expect: 1)
        XCTAssertEqual(twice.stderr, "error: a CA already exists in '\(home)'\n")
    }
}
