import CSPBasics
import CSPCertificates
import CSPCrypto
import Foundation
import Synchronization

/// A certificate and the chain that proves it, as enrollment returns them.
public struct Enrollment: Sendable {
    public let certificate: Certificate
    /// The issuing CA's certificate, then its parents up to the root.
    public let chain: [Certificate]
}

/// The certificate authority of one organisation: it registers participants, signs
/// their certificates (the CA key never leaves its home folder), revokes them, issues
/// CRLs, and records every act in an append-only audit log.
///
/// Thread-safe: `csp-ca serve` calls it from several threads. Slow work (scrypt, key
/// checks) runs outside the lock; registry changes run inside one SQLite transaction
/// each, so a failed request leaves the registry as it was.
public final class CertificateAuthority: @unchecked Sendable {
    public let home: CAHome
    public let config: CAConfig
    public let certificate: Certificate
    public let chain: [Certificate]
    private let key: P256PrivateKey
    private let registry: Registry
    private let lock = Lock()
    /// The CA's clock; tests move it to see an expired CA refuse to sign. Behind a
    /// mutex: `csp-ca serve` reads it from several threads.
    public var clock: @Sendable () -> Date {
        get { clockStorage.withLock { $0 } }
        set { clockStorage.withLock { $0 = newValue } }
    }
    private let clockStorage = Mutex<@Sendable () -> Date>({ Date() })

    /// Opens an existing CA home.
    public init(home path: String) throws {
        let home = CAHome(path)
        try home.checkPermissions()
        self.home = home
        config = try CAConfig.load(home.config)
        do {
            key = try P256PrivateKey(pemFile: home.key)
            certificate = try Certificate(pemFile: home.certificate)
            chain = try Certificate.all(pem: try FileIO.read(home.chain, limit: 1 << 20))
        } catch let error as CAFailure {
            throw error
        } catch {
            throw CAFailure(String(describing: error))
        }
        guard try certificate.publicKey == key.publicKey else {
            throw CAFailure("CA key \(quoted(home.key)) does not match CA certificate \(quoted(home.certificate))")
        }
        registry = try Registry(path: home.registry, create: false)
    }

    deinit { registry.close() }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock(body)
    }

    // MARK: Creating a CA

    /// Creates a CA in `path`: a root, or an intermediate signed by `parent`.
    @discardableResult
    public static func initialize(home path: String, organization: String, commonName: String,
                                  validityDays: Int, leafValidityDays: Int, pathLength: Int?,
                                  parent: CertificateAuthority?, actor: String) throws -> CertificateAuthority {
        let home = CAHome(path)
        if home.exists { throw CARefusal("a CA already exists in \(quoted(path))") }
        guard !organization.isEmpty, !commonName.isEmpty else { throw CARefusal("the CA needs an organisation and a name") }
        guard validityDays > 0, leafValidityDays > 0 else { throw CARefusal("validity must be at least one day") }
        do {
            try FileIO.makeDirectory(path, mode: 0o700)
        } catch {
            throw CAFailure(String(describing: error))
        }
        let key = try P256PrivateKey.generate()
        let now = Date()
        let subject = DistinguishedName(organization: organization, organizationalUnit: "ca", commonName: commonName)
        var notAfter = now.addingTimeInterval(Double(validityDays) * 86_400)
        let certificate: Certificate
        let chain: [Certificate]
        if let parent {
            guard parent.certificate.notAfter > now else { throw CARefusal("parent CA certificate expired on \(iso(parent.certificate.notAfter))") }
            let parentLength = parent.certificate.pathLength ?? 0
            guard parentLength >= 1 else {
                throw CARefusal("parent CA's path length (\(parentLength)) allows no intermediate CA below it")
            }
            let length = min(pathLength ?? (parentLength - 1), parentLength - 1)
            notAfter = min(notAfter, parent.certificate.notAfter)
            let template = CertificateTemplate(subject: subject, identity: nil, isCA: true, pathLength: length,
                                               notBefore: now.addingTimeInterval(-60), notAfter: notAfter)
            certificate = try parent.issueIntermediate(template, key: try key.publicKey, actor: actor)
            chain = [certificate] + parent.chain
        } else {
            let template = CertificateTemplate(subject: subject, identity: nil, isCA: true, pathLength: pathLength ?? 1,
                                               notBefore: now.addingTimeInterval(-60), notAfter: notAfter)
            certificate = try CertificateIssuer.selfSigned(template, key: key)
            chain = [certificate]
        }
        do {
            try key.write(to: home.key)
            try FileIO.writeAtomically(home.certificate, text: certificate.pem())
            try FileIO.writeAtomically(home.chain, text: chain.map { $0.pem() }.joined())
            let registry = try Registry(path: home.registry, create: true)
            try registry.log(actor: actor, action: "init", subject: commonName,
                             detail: "serial \(certificate.serialHex)" + (parent.map { ", issued by \($0.config.commonName)" } ?? ", self-signed root"))
            registry.close()
            try CAConfig(organization: organization, commonName: commonName, leafValidityDays: leafValidityDays).save(home.config)
        } catch let error as CAFailure {
            throw error
        } catch {
            throw CAFailure(String(describing: error))
        }
        let authority = try CertificateAuthority(home: path)
        _ = try authority.issueCRL(actor: actor)
        return authority
    }

    /// Signs an intermediate CA's certificate and records it (identity "ca:<name>").
    private func issueIntermediate(_ template: CertificateTemplate, key: P256PublicKey, actor: String) throws -> Certificate {
        try checkUsable()
        return try locked {
            try registry.db.inTransaction(.immediate) {
                let id = "ca:" + template.subject.commonName
                if try registry.identity(id) != nil { throw CARefusal("an intermediate CA named \(quoted(template.subject.commonName)) was already issued") }
                try registry.insertIdentity(RegisteredIdentity(id: id, role: "ca", organization: template.subject.organization ?? "",
                                                               attributes: [:], maxEnrollments: 0, enrollments: 0, failedAttempts: 0,
                                                               state: "active", hasSecret: false, createdAt: Date()), secretHash: nil)
                let issued = try CertificateIssuer.issue(template, subjectKey: key, issuer: certificate, issuerKey: self.key)
                try record(issued, identity: id)
                try registry.log(actor: actor, action: "issue-intermediate", subject: id, detail: "serial \(issued.serialHex)")
                return issued
            }
        }
    }

    /// A CA whose own certificate expired must not sign anything.
    private func checkUsable(at now: Date? = nil) throws {
        if certificate.notAfter <= now ?? clock() {
            throw CARefusal("CA certificate expired on \(Self.iso(certificate.notAfter)); create a new CA")
        }
    }

    // MARK: Registration

    /// Registers an identity and returns its one-time enrollment secret (generated unless given).
    public func register(id: String, role: String, organization: String?, attributes: [String: String],
                         maxEnrollments: Int, secret: String?, resetSecret: Bool = false, actor: String) throws -> String {
        try Self.validate(id: id)
        guard CertificateRole(rawValue: role) != nil else {
            throw CARefusal("unknown role \(quoted(role)); roles are \(CertificateRole.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard maxEnrollments >= 1 else { throw CARefusal("--max-enrollments must be at least 1") }
        for name in attributes.keys where name.isEmpty || name.contains("=") {
            throw CARefusal("attribute names must be non-empty and hold no '='")
        }
        let organization = organization ?? config.organization
        let chosen = secret != nil
        let secret = try secret ?? Self.generateSecret()
        guard secret.count >= 8 else { throw CARefusal("an enrollment secret must be at least 8 characters") }
        let hash = try SecretHash.make(secret: secret, cost: chosen ? SecretHash.chosenSecretCost : SecretHash.randomSecretCost)
        try locked {
            try registry.db.inTransaction(.immediate) {
                if let existing = try registry.identity(id) {
                    guard resetSecret else { throw CARefusal("identity \(quoted(id)) is already registered") }
                    guard existing.state == "active" else { throw CARefusal("identity \(quoted(id)) is revoked") }
                    try registry.resetSecret(id, secretHash: hash.description, maxEnrollments: maxEnrollments)
                    try registry.log(actor: actor, action: "reset-secret", subject: id)
                    return
                }
                guard !resetSecret else { throw CARefusal("unknown identity \(quoted(id))") }
                try registry.insertIdentity(RegisteredIdentity(id: id, role: role, organization: organization, attributes: attributes,
                                                               maxEnrollments: maxEnrollments, enrollments: 0, failedAttempts: 0,
                                                               state: "active", hasSecret: true, createdAt: Date()),
                                            secretHash: hash.description)
                let attributeList = attributes.keys.sorted().map { "\($0)=\(attributes[$0]!)" }.joined(separator: " ")
                try registry.log(actor: actor, action: "register", subject: id,
                                 detail: "role \(role), org \(organization)" + (attributeList.isEmpty ? "" : ", \(attributeList)"))
            }
        }
        return secret
    }

    static func validate(id: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@")
        guard !id.isEmpty, id.count <= 128, id.allSatisfy({ allowed.contains($0) }), !id.hasPrefix("ca:") else {
            throw CARefusal("invalid identity \(quoted(id)): use 1 to 128 letters, digits and - _ . @")
        }
    }

    /// 128 random bits, hex: typed rarely, copied often.
    static func generateSecret() throws -> String { Hex.encode(try SecureRandom.bytes(16)) }

    // MARK: Enrollment

    /// Checks the one-time secret and the CSR's proof of possession, then signs.
    ///
    /// Idempotent for the key: a request whose key the CA already certified for this
    /// identity (certificate neither revoked nor expired, identity active) gets that same
    /// certificate back, and no enrollment is counted. That is how a participant whose
    /// client failed to write the certificate retries with the same secret and key. The
    /// CSR's signature proves possession of the key, and a certificate is public, so
    /// this gives nothing away; while the secret is still on file it must match as well.
    /// Any other key needs an unspent secret.
    public func enroll(id: String, secret: String, csr: CertificateSigningRequest, actor: String) throws -> Enrollment {
        try checkUsable()
        try Self.validate(id: id)
        if let repeated = try repeatedEnrollment(id: id, secret: secret, csr: csr, actor: actor) { return repeated }
        // The slow hash runs outside the lock so enrollments proceed in parallel.
        guard let encoded = try locked({ try registry.secretHash(id) }) else {
            guard let identity = try locked({ try registry.identity(id) }) else { throw CARefusal("unknown identity \(quoted(id))") }
            throw Self.noSecretRefusal(identity, limit: config.maxFailedAttempts)
        }
        guard let hash = SecretHash(encoded: encoded) else { throw CAFailure("registry holds a malformed secret hash for \(quoted(id))") }
        let secretMatches = try hash.matches(secret)
        let publicKey = try Self.checkRequest(csr)
        // A wrong secret is refused only after its failed attempt is committed, so the
        // transaction returns the refusal instead of throwing (which would roll it back).
        let outcome: Result<Enrollment, CARefusal> = try locked {
            try registry.db.inTransaction(.immediate) {
                guard let identity = try registry.identity(id) else { throw CARefusal("unknown identity \(quoted(id))") }
                // Another request may have used or locked the secret while we hashed.
                guard try registry.secretHash(id) == encoded else { throw Self.noSecretRefusal(identity, limit: config.maxFailedAttempts) }
                guard secretMatches else {
                    let attempts = try registry.recordFailedAttempt(id, lockAfter: config.maxFailedAttempts)
                    try registry.log(actor: actor, action: "enroll-refused", subject: id, detail: "wrong secret (attempt \(attempts))")
                    return .failure(CARefusal(attempts >= config.maxFailedAttempts
                        ? "wrong enrollment secret for \(quoted(id)); the secret is now locked after \(attempts) failed attempts"
                        : "wrong enrollment secret for \(quoted(id))"))
                }
                let issued = try issueLeaf(for: identity, key: publicKey)
                try registry.recordEnrollment(id)
                try registry.log(actor: actor, action: "enroll", subject: id, detail: "serial \(issued.serialHex)")
                return .success(Enrollment(certificate: issued, chain: chain))
            }
        }
        return try outcome.get()
    }

    /// The certificate already issued to `id` for the CSR's key, if it is still good and
    /// the secret (when one is still on file) matches; nil sends the request down the
    /// ordinary path, which also counts a wrong secret.
    private func repeatedEnrollment(id: String, secret: String, csr: CertificateSigningRequest, actor: String) throws -> Enrollment? {
        let publicKey = try Self.checkRequest(csr)
        let now = clock()
        let found: (Certificate, String?)? = try locked {
            guard let identity = try registry.identity(id), identity.state == "active" else { return nil }
            for record in try registry.certificates(identity: id).reversed() where record.revokedAt == nil && record.notAfter > now {
                guard let issued = try? Certificate(pem: Array(record.pem.utf8)), (try? issued.publicKey == publicKey) == true else { continue }
                return (issued, try registry.secretHash(id))
            }
            return nil
        }
        guard let (issued, encoded) = found else { return nil }
        if let encoded {
            guard let hash = SecretHash(encoded: encoded), try hash.matches(secret) else { return nil }
        }
        try locked { try registry.log(actor: actor, action: "enroll-repeat", subject: id, detail: "serial \(issued.serialHex) sent again for the same key") }
        return Enrollment(certificate: issued, chain: chain)
    }

    static func noSecretRefusal(_ identity: RegisteredIdentity, limit: Int) -> CARefusal {
        if identity.state == "revoked" { return CARefusal("identity \(quoted(identity.id)) is revoked") }
        if identity.failedAttempts >= limit {
            return CARefusal("enrollment secret for \(quoted(identity.id)) is locked after \(identity.failedAttempts) failed attempts; register a new one with 'csp-ca register \(identity.id) --new-secret'")
        }
        if identity.enrollments >= identity.maxEnrollments {
            return CARefusal("identity \(quoted(identity.id)) has used its \(identity.maxEnrollments) enrollment(s); its secret is spent")
        }
        return CARefusal("identity \(quoted(identity.id)) has no enrollment secret")
    }

    /// What every CSR must satisfy, whoever sends it: a P-256 key, a matching signature
    /// (proof of possession), and no request to become a CA.
    static func checkRequest(_ csr: CertificateSigningRequest) throws -> P256PublicKey {
        let key: P256PublicKey
        do {
            key = try csr.publicKey
        } catch {
            throw CARefusal("certificate request: \(error)")
        }
        guard csr.hasValidProofOfPossession else { throw CARefusal("certificate request signature does not match its key") }
        guard !csr.requestsCA else {
            throw CARefusal("certificate request asks for CA:TRUE; intermediate CAs are made with 'csp-ca init --parent'")
        }
        return key
    }

    /// Signs a CSR made elsewhere (e.g. by `openssl req`) for a registered identity. The
    /// certificate carries the registry's role and organisation, not what the CSR asks.
    public func sign(csr: CertificateSigningRequest, id: String, actor: String) throws -> Enrollment {
        try checkUsable()
        try Self.validate(id: id)
        let publicKey = try Self.checkRequest(csr)
        return try locked {
            try registry.db.inTransaction(.immediate) {
                guard let identity = try registry.identity(id) else { throw CARefusal("unknown identity \(quoted(id))") }
                guard identity.state == "active" else { throw CARefusal("identity \(quoted(id)) is revoked") }
                let issued = try issueLeaf(for: identity, key: publicKey)
                try registry.log(actor: actor, action: "sign", subject: id, detail: "serial \(issued.serialHex)")
                return Enrollment(certificate: issued, chain: chain)
            }
        }
    }

    /// Renews a certificate before it expires. The request is authenticated by the
    /// current certificate: `proof` is its key's signature over `Reenrollment.message`.
    public func reenroll(current: Certificate, csr: CertificateSigningRequest, timestamp: UInt64, proof: [UInt8],
                         actor: String, now: Date = Date()) throws -> Enrollment {
        try checkUsable(at: now)
        guard current.isIssued(by: certificate) else { throw CARefusal("certificate \(current.serialHex) was not issued by this CA") }
        guard current.notAfter > now else { throw CARefusal("certificate \(current.serialHex) expired on \(Self.iso(current.notAfter)); enroll again") }
        let skew = abs(Double(timestamp) / 1000 - now.timeIntervalSince1970)
        guard skew <= Reenrollment.window else { throw CARefusal("reenrollment request is \(Int(skew)) s away from the CA's clock (limit \(Int(Reenrollment.window)) s)") }
        let valid: Bool
        do {
            valid = try current.publicKey.isValidSignature(proof, digest: Reenrollment.digest(csr: csr.der, timestamp: timestamp))
        } catch {
            throw CARefusal("reenrollment proof: \(error)")
        }
        guard valid else { throw CARefusal("reenrollment proof does not verify with the current certificate's key") }
        let publicKey = try Self.checkRequest(csr)
        return try locked {
            try registry.db.inTransaction(.immediate) {
                guard let record = try registry.certificate(serial: current.serialHex) else {
                    throw CARefusal("certificate \(current.serialHex) is not in this CA's registry")
                }
                guard record.revokedAt == nil else { throw CARefusal("certificate \(current.serialHex) is revoked") }
                guard let identity = try registry.identity(record.identity), identity.state == "active" else {
                    throw CARefusal("identity \(quoted(record.identity)) is revoked")
                }
                let issued = try issueLeaf(for: identity, key: publicKey)
                try registry.log(actor: actor, action: "reenroll", subject: identity.id,
                                 detail: "serial \(issued.serialHex) replaces \(current.serialHex)" + (try publicKey == current.publicKey ? "" : ", new key"))
                return Enrollment(certificate: issued, chain: chain)
            }
        }
    }

    /// Issues and records a participant's certificate (inside the caller's transaction).
    private func issueLeaf(for identity: RegisteredIdentity, key: P256PublicKey) throws -> Certificate {
        let now = Date()
        let notAfter = min(now.addingTimeInterval(Double(config.leafValidityDays) * 86_400), certificate.notAfter)
        let template = CertificateTemplate(
            subject: DistinguishedName(organization: identity.organization, organizationalUnit: identity.role, commonName: identity.id),
            identity: IdentityExtension(role: identity.role, organization: identity.organization, attributes: identity.attributes),
            isCA: false, pathLength: nil, notBefore: now.addingTimeInterval(-60), notAfter: notAfter,
            serverAndClientAuth: identity.role == CertificateRole.node.rawValue)
        let issued = try CertificateIssuer.issue(template, subjectKey: key, issuer: certificate, issuerKey: self.key)
        try record(issued, identity: identity.id)
        return issued
    }

    private func record(_ issued: Certificate, identity: String) throws {
        try registry.insertCertificate(IssuedRecord(serial: issued.serialHex, identity: identity, pem: issued.pem(),
                                                    notBefore: issued.notBefore, notAfter: issued.notAfter, issuedAt: Date(),
                                                    revokedAt: nil, reason: nil))
    }

    // MARK: Revocation

    /// Revokes every certificate of an identity and bars it from enrolling again.
    /// Returns the serials revoked now. The CRL in the home is re-issued.
    public func revoke(id: String, reason: RevocationReason, actor: String) throws -> [String] {
        try Self.check(reason)
        let serials: [String] = try locked {
            try registry.db.inTransaction(.immediate) {
                guard let identity = try registry.identity(id) else { throw CARefusal("unknown identity \(quoted(id))") }
                let live = try registry.certificates(identity: id).filter { $0.revokedAt == nil }.map(\.serial)
                guard identity.state == "active" || !live.isEmpty else { throw CARefusal("identity \(quoted(id)) is already revoked") }
                let now = Date()
                for serial in live { try registry.revokeCertificate(serial: serial, at: now, reason: reason.rawValue) }
                try registry.setRevoked(id)
                try registry.log(actor: actor, action: "revoke", subject: id,
                                 detail: "reason \(reason.name)" + (live.isEmpty ? "" : ", serials \(live.joined(separator: " "))"))
                return live
            }
        }
        _ = try issueCRL(actor: actor)
        return serials
    }

    /// Revokes one certificate by serial (hex, either case, leading zeros optional).
    public func revoke(serial: String, reason: RevocationReason, actor: String) throws -> String {
        try Self.check(reason)
        guard let bytes = Hex.decode(serial.count % 2 == 1 ? "0" + serial : serial), !bytes.isEmpty else {
            throw CARefusal("invalid serial \(quoted(serial)): expected hex")
        }
        let normalized = Hex.encode(bytes.drop { $0 == 0 }).uppercased()
        try locked {
            try registry.db.inTransaction(.immediate) {
                guard let record = try registry.certificate(serial: normalized) else { throw CARefusal("no certificate with serial \(normalized)") }
                guard record.revokedAt == nil else { throw CARefusal("certificate \(normalized) is already revoked") }
                try registry.revokeCertificate(serial: normalized, at: Date(), reason: reason.rawValue)
                try registry.log(actor: actor, action: "revoke", subject: record.identity, detail: "serial \(normalized), reason \(reason.name)")
            }
        }
        _ = try issueCRL(actor: actor)
        return normalized
    }

    /// removeFromCRL undoes a hold in a delta CRL; in a full CRL it would poison every later one.
    static func check(_ reason: RevocationReason) throws {
        if reason == .removeFromCRL { throw CARefusal("removeFromCRL is not a revocation reason in a full CRL; use another reason") }
    }

    /// Issues the next CRL (its number always increases) and writes it to the home.
    public func issueCRL(validityDays: Int? = nil, actor: String) throws -> CertificateRevocationList {
        try checkUsable()
        return try locked {
            try registry.db.inTransaction(.immediate) {
                let revoked = try registry.certificates(revoked: true).map { record in
                    RevokedCertificate(serial: Hex.decode(record.serial.count % 2 == 1 ? "0" + record.serial : record.serial) ?? [],
                                       date: record.revokedAt ?? Date(),
                                       reason: RevocationReason(rawValue: record.reason ?? 0) ?? .unspecified)
                }
                let number = try registry.nextCRLNumber()
                let now = Date()
                let next = now.addingTimeInterval(Double(validityDays ?? config.crlValidityDays) * 86_400)
                let crl = try CertificateRevocationList.issue(issuer: certificate, key: key, number: number,
                                                              thisUpdate: now.addingTimeInterval(-60), nextUpdate: min(next, certificate.notAfter),
                                                              revoked: revoked)
                try FileIO.writeAtomically(home.crl, text: crl.pem())
                try registry.log(actor: actor, action: "crl", subject: config.commonName, detail: "number \(number), \(revoked.count) revoked")
                return crl
            }
        }
    }

    // MARK: Reading

    public func identity(_ id: String) throws -> RegisteredIdentity? { try locked { try registry.identity(id) } }
    public func identities() throws -> [RegisteredIdentity] { try locked { try registry.identities() } }
    public func certificates(of id: String) throws -> [IssuedRecord] { try locked { try registry.certificates(identity: id) } }
    public func certificates(revoked: Bool? = nil, expiringBefore: Date? = nil) throws -> [IssuedRecord] {
        try locked { try registry.certificates(revoked: revoked, expiringBefore: expiringBefore) }
    }
    public func auditLog() throws -> [AuditEntry] { try locked { try registry.auditLog() } }

    /// The newest CRL written to the home.
    public func currentCRL() throws -> CertificateRevocationList {
        try CertificateRevocationList(pemFile: home.crl)
    }

    static func iso(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
