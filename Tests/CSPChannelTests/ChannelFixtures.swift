import CSPBasics
import CSPCertificates
import CSPChannel
import CSPContracts
import CSPCrypto
import CSPFormat
import Foundation
import XCTest

let day: TimeInterval = 86_400
/// A fixed "now" in whole seconds, so validity comparisons are exact.
let referenceNow = Date(timeIntervalSince1970: TimeInterval(Int(Date().timeIntervalSince1970)))
let referenceMilliseconds = UInt64(referenceNow.timeIntervalSince1970) * 1000

/// A participant: certificate and key.
struct Identity {
    let certificate: Certificate
    let key: P256PrivateKey

    /// A signed transaction on `channel` with fresh random nonce.
    func transaction(_ contract: String, _ function: String, _ arguments: [String: String] = [:],
                     channel: String = "consortium", timestamp: UInt64 = referenceMilliseconds) throws -> Transaction {
        let body = try TransactionBody(channel: channel, timestamp: timestamp, nonce: try SecureRandom.bytes(16),
                                       creator: certificate.der, contract: contract, function: function,
                                       arguments: arguments.map { TransactionArgument(name: $0.key, text: $0.value) })
        return try Transaction(signing: body, with: key)
    }
}

/// A member organisation's CA as csp-ca would set it up: a root, optionally an
/// issuing intermediate below it, and a CRL for each.
final class TestOrganization {
    let name: String
    let rootKey: P256PrivateKey
    let root: Certificate
    let issuerKey: P256PrivateKey
    /// The CA that signs members: the intermediate, or the root when there is none.
    let issuer: Certificate
    let hasIntermediate: Bool
    var rootCRL: CertificateRevocationList
    var issuerCRL: CertificateRevocationList

    init(_ name: String, intermediate: Bool = true) throws {
        self.name = name
        hasIntermediate = intermediate
        rootKey = try P256PrivateKey.generate()
        root = try CertificateIssuer.selfSigned(
            CertificateTemplate(subject: DistinguishedName(organization: name, organizationalUnit: "ca", commonName: "\(name) Root CA"),
                                isCA: true, pathLength: 1, notBefore: referenceNow - 30 * day, notAfter: referenceNow + 3650 * day),
            key: rootKey)
        rootCRL = try CertificateRevocationList.issue(issuer: root, key: rootKey, number: 1, thisUpdate: referenceNow - day,
                                                      nextUpdate: referenceNow + 7 * day, revoked: [])
        if intermediate {
            issuerKey = try P256PrivateKey.generate()
            issuer = try CertificateIssuer.issue(
                CertificateTemplate(subject: DistinguishedName(organization: name, organizationalUnit: "ca", commonName: "\(name) Issuing CA"),
                                    isCA: true, pathLength: 0, notBefore: referenceNow - 20 * day, notAfter: referenceNow + 1825 * day),
                subjectKey: try issuerKey.publicKey, issuer: root, issuerKey: rootKey)
            issuerCRL = try CertificateRevocationList.issue(issuer: issuer, key: issuerKey, number: 1, thisUpdate: referenceNow - day,
                                                            nextUpdate: referenceNow + 7 * day, revoked: [])
        } else {
            issuerKey = rootKey
            issuer = root
            issuerCRL = rootCRL
        }
    }

    /// A member certificate. `claiming` puts another organisation in the identity
    /// extension (what a rogue CA would try).
    func member(_ commonName: String, role: String, claiming: String? = nil, attributes: [String: String] = [:],
                notBefore: Date = referenceNow - day, notAfter: Date = referenceNow + 365 * day) throws -> Identity {
        let key = try P256PrivateKey.generate()
        let organization = claiming ?? name
        let certificate = try CertificateIssuer.issue(
            CertificateTemplate(subject: DistinguishedName(organization: organization, organizationalUnit: role, commonName: commonName),
                                identity: IdentityExtension(role: role, organization: organization, attributes: attributes),
                                notBefore: notBefore, notAfter: notAfter, serverAndClientAuth: role == "node"),
            subjectKey: try key.publicKey, issuer: issuer, issuerKey: issuerKey)
        return Identity(certificate: certificate, key: key)
    }

    /// A new CRL from the issuing CA.
    func issuerCRL(number: UInt64, revoking: [Certificate]) throws -> CertificateRevocationList {
        try CertificateRevocationList.issue(issuer: issuer, key: issuerKey, number: number, thisUpdate: referenceNow - day,
                                            nextUpdate: referenceNow + 7 * day,
                                            revoked: revoking.map { RevokedCertificate(serial: $0.serial, date: referenceNow - day, reason: .keyCompromise) })
    }

    /// As a channel member: the chain file and the CRLs, the way csp-ca writes them.
    var organization: Organization {
        hasIntermediate
            ? Organization(name: name, certificates: [issuer.pem() + root.pem()], crls: [issuerCRL.pem(), rootCRL.pem()])
            : Organization(name: name, certificates: [root.pem()], crls: [rootCRL.pem()])
    }
}

/// A channel "consortium" between Acme (root + issuing CA, runs the orderer, holds the
/// admin) and Beta (a root only).
final class TestChannel {
    let acme: TestOrganization
    let beta: TestOrganization
    let orderer: Identity
    let admin: Identity
    let alice: Identity   // Acme customer
    let bob: Identity     // Beta enterprise
    var config: ChannelConfig

    static let policy = AccessPolicy(
        invoke: ["kv.*": ["customer", "enterprise", "admin"], "kv.delete": ["enterprise", "admin"]],
        read: ["*": ["enterprise", "admin", "regulator"], "state": ["customer", "enterprise", "admin"]])

    init() throws {
        acme = try TestOrganization("Acme")
        beta = try TestOrganization("Beta", intermediate: false)
        orderer = try acme.member("orderer-1", role: "node")
        admin = try acme.member("admin", role: "admin")
        alice = try acme.member("alice", role: "customer", attributes: ["tier": "gold"])
        bob = try beta.member("bob", role: "enterprise")
        config = ChannelConfig(channel: "consortium", organizations: [acme.organization, beta.organization],
                               orderer: orderer.certificate.pem(), admins: ["Acme/admin"],
                               blockCutting: BlockCutting(maxTransactions: 100), policy: Self.policy,
                               timestampWindowSeconds: 120)
    }

    func rules() throws -> ChannelRules { try ChannelRules(config: config) }
}

/// World state in a dictionary.
final class MemoryState: StateReader {
    var values: [[UInt8]: [UInt8]] = [:]
    var reads = 0

    init(_ values: [String: String] = [:]) {
        for (key, value) in values { self.values[Array(key.utf8)] = Array(value.utf8) }
    }

    func value(for key: [UInt8]) throws -> [UInt8]? {
        reads += 1
        return values[key]
    }

    /// Applies a block's effects as the node would after commit.
    func commit(_ execution: BlockExecution) {
        for (validation, effects) in zip(execution.validations, execution.effects) where validation.code == .valid {
            for write in effects.writes { values[write.key] = write.value }
        }
    }
}

/// A state whose storage fails.
struct FailingState: StateReader {
    struct Broken: Error, CustomStringConvertible { var description: String { "disk on fire" } }
    func value(for key: [UInt8]) throws -> [UInt8]? { throw Broken() }
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

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// PEM indented for a YAML block scalar.
func indented(_ text: String, by spaces: Int) -> String {
    let pad = String(repeating: " ", count: spaces)
    return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
}
