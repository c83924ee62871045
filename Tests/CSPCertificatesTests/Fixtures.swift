import CSPBasics
import CSPCertificates
import CSPCrypto
import Foundation
import XCTest

let day: TimeInterval = 86_400
/// A fixed "now" for tests that pass `at:`; whole seconds so comparisons are exact.
let referenceNow = Date(timeIntervalSince1970: TimeInterval(Int(Date().timeIntervalSince1970)))

/// A three-level PKI: root (pathlen 1) → intermediate (pathlen 0) → customer leaf, plus
/// a node leaf with serverAuth/clientAuth.
struct PKI {
    let rootKey: P256PrivateKey
    let intermediateKey: P256PrivateKey
    let leafKey: P256PrivateKey
    let nodeKey: P256PrivateKey
    let root: Certificate
    let intermediate: Certificate
    let leaf: Certificate
    let node: Certificate

    static let leafIdentity = IdentityExtension(role: "customer", organization: "Acme",
                                                attributes: ["tier": "gold", "region": "eu"])

    init(now: Date = referenceNow, leafNotAfter: Date? = nil, leafNotBefore: Date? = nil) throws {
        rootKey = try P256PrivateKey.generate()
        intermediateKey = try P256PrivateKey.generate()
        leafKey = try P256PrivateKey.generate()
        nodeKey = try P256PrivateKey.generate()
        root = try CertificateIssuer.selfSigned(
            CertificateTemplate(subject: DistinguishedName(organization: "Acme", commonName: "Acme Root CA"),
                                isCA: true, pathLength: 1, notBefore: now - 10 * day, notAfter: now + 3650 * day),
            key: rootKey)
        intermediate = try CertificateIssuer.issue(
            CertificateTemplate(subject: DistinguishedName(organization: "Acme", organizationalUnit: "customer", commonName: "Acme Customer CA"),
                                isCA: true, pathLength: 0, notBefore: now - 5 * day, notAfter: now + 1825 * day),
            subjectKey: try intermediateKey.publicKey, issuer: root, issuerKey: rootKey)
        leaf = try CertificateIssuer.issue(
            CertificateTemplate(subject: DistinguishedName(organization: "Acme", organizationalUnit: "customer", commonName: "alice"),
                                identity: PKI.leafIdentity,
                                notBefore: leafNotBefore ?? now - day, notAfter: leafNotAfter ?? now + 365 * day),
            subjectKey: try leafKey.publicKey, issuer: intermediate, issuerKey: intermediateKey)
        node = try CertificateIssuer.issue(
            CertificateTemplate(subject: DistinguishedName(organization: "Acme", organizationalUnit: "node", commonName: "node-1.acme.example"),
                                identity: IdentityExtension(role: "node", organization: "Acme"),
                                notBefore: now - day, notAfter: now + 365 * day, serverAndClientAuth: true),
            subjectKey: try nodeKey.publicKey, issuer: intermediate, issuerKey: intermediateKey)
    }

    /// A CRL from `issuer` (signed by `key`) valid from a day ago for a week.
    static func crl(_ issuer: Certificate, _ key: P256PrivateKey, number: UInt64 = 1, now: Date = referenceNow,
                    revoked: [RevokedCertificate] = []) throws -> CertificateRevocationList {
        try CertificateRevocationList.issue(issuer: issuer, key: key, number: number, thisUpdate: now - day,
                                            nextUpdate: now + 7 * day, revoked: revoked)
    }
}

/// Writes `text` to `folder/name` and returns the path.
@discardableResult
func write(_ text: String, _ folder: String, _ name: String) throws -> String {
    let path = folder + "/" + name
    try FileIO.writeAtomically(path, text: text)
    return path
}

/// The message of the error `body` throws, failing the test when it does not throw.
func errorMessage(_ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) -> String {
    do {
        _ = try body()
        XCTFail("expected an error", file: file, line: line)
        return ""
    } catch {
        return "\(error)"
    }
}

extension VerificationResult {
    var identity: VerifiedIdentity? {
        if case .valid(let identity) = self { return identity }
        return nil
    }

    var reason: String? {
        if case .invalid(let reason, _) = self { return reason }
        return nil
    }
}
