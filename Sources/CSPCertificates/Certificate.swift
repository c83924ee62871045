import COpenSSL
import CSPBasics
import CSPCrypto
import Foundation

/// An X.509 certificate. The fields csp reads are decoded once at init, so the object
/// is immutable and its getters are plain reads.
public final class Certificate: @unchecked Sendable, Equatable, Hashable, CustomStringConvertible {
    // @unchecked: the X509 is never mutated after parsing; libcrypto guards its own
    // lazily computed caches (extension flags) with a lock, so concurrent use is safe.
    package let x509: OpaquePointer
    public let der: [UInt8]
    public let subject: DistinguishedName
    public let issuer: DistinguishedName
    /// Big-endian magnitude, minimal (no leading zero bytes).
    public let serial: [UInt8]
    public let notBefore: Date
    public let notAfter: Date
    /// basicConstraints CA:TRUE.
    public let isCA: Bool
    /// basicConstraints pathlen of a CA; nil when unconstrained or not a CA.
    public let pathLength: Int?
    public let subjectKeyIdentifier: [UInt8]?
    public let authorityKeyIdentifier: [UInt8]?
    /// SHA-256 of the DER: the certificate's identity in caches and logs.
    public let fingerprint: SHA256Digest
    private let identityResult: Result<IdentityExtension?, CertificateError>

    public convenience init(der: [UInt8]) throws {
        try self.init(der: der, subject: "certificate")
    }

    /// `subject` names the source in errors, e.g. "certificate '/x/cert.pem'".
    init(der: [UInt8], subject name: String) throws {
        let parsed = StrictDER.decode(der, "X.509", { d2i_X509(nil, $0, $1) }, free: { X509_free($0) })
        let x509: OpaquePointer
        switch parsed {
        case .success(let object): x509 = object
        case .failure(let failure): throw CertificateError.malformed(name, failure.reason)
        }
        guard let subject = DistinguishedName(x509Name: X509_get_subject_name(x509)),
              let issuer = DistinguishedName(x509Name: X509_get_issuer_name(x509)) else {
            X509_free(x509)
            throw CertificateError.malformed(name, "subject or issuer is not decodable text")
        }
        guard let notBefore = ASN1.date(X509_get0_notBefore(x509)), let notAfter = ASN1.date(X509_get0_notAfter(x509)) else {
            X509_free(x509)
            throw CertificateError.malformed(name, "invalid validity dates")
        }
        self.x509 = x509
        self.der = der
        self.subject = subject
        self.issuer = issuer
        self.serial = ASN1.magnitude(X509_get0_serialNumber(x509))
        self.notBefore = notBefore
        self.notAfter = notAfter
        let constraints = Self.basicConstraints(x509)
        self.isCA = constraints.isCA
        self.pathLength = constraints.pathLength
        self.subjectKeyIdentifier = X509_get0_subject_key_id(x509).map { ASN1.bytes($0) }
        self.authorityKeyIdentifier = X509_get0_authority_key_id(x509).map { ASN1.bytes($0) }
        self.fingerprint = SHA256.hash(der)
        self.identityResult = Self.readIdentity(x509)
        ERR_clear_error()
    }

    deinit { X509_free(x509) }

    /// The first CERTIFICATE block of a PEM text.
    public convenience init(pem: [UInt8]) throws {
        try self.init(pem: pem, subject: "certificate")
    }

    convenience init(pem: [UInt8], subject name: String) throws {
        let der: [UInt8]
        do { der = try PEM.first(pem, labels: Certificate.pemLabels) } catch {
            throw CertificateError.malformed(name, error.reason)
        }
        try self.init(der: der, subject: name)
    }

    /// Reads a PEM file (`-` is standard input); errors name the file.
    public convenience init(pemFile path: String) throws {
        try self.init(pem: try FileIO.read(path, limit: Certificate.fileLimit), subject: "certificate \(quoted(path))")
    }

    /// Every CERTIFICATE block, in order: a chain file. Throws if there is none.
    public static func all(pem: [UInt8]) throws -> [Certificate] {
        try all(pem: pem, subject: "certificate")
    }

    public static func all(pemFile path: String) throws -> [Certificate] {
        try all(pem: try FileIO.read(path, limit: fileLimit), subject: "certificate \(quoted(path))")
    }

    static func all(pem: [UInt8], subject name: String) throws -> [Certificate] {
        let blocks: [PEM.Block]
        do { blocks = try PEM.blocks(pem) } catch { throw CertificateError.malformed(name, error.reason) }
        let certificates = try blocks.filter { pemLabels.contains($0.label) }.map { try Certificate(der: $0.der, subject: name) }
        guard !certificates.isEmpty else {
            throw CertificateError.malformed(name, "no CERTIFICATE block found in PEM input")
        }
        return certificates
    }

    /// "X509 CERTIFICATE" is the label of old OpenSSL versions; both mean the same DER.
    static let pemLabels = ["CERTIFICATE", "X509 CERTIFICATE"]
    static let fileLimit = 1 << 20

    public func pem() -> String { PEM.encode("CERTIFICATE", der) }

    /// Upper-case hex, as `openssl x509 -serial` and `openssl crl -text` print it.
    public var serialHex: String { Self.serialHex(serial) }

    /// A serial as csp prints it everywhere (registry, revoke, CRL entries): upper-case hex.
    public static func serialHex(_ serial: [UInt8]) -> String { serial.isEmpty ? "00" : Hex.encode(serial).uppercased() }

    /// csp's identity extension; nil when absent, throws when present but malformed.
    public var identity: IdentityExtension? {
        get throws { try identityResult.get() }
    }

    public var publicKey: P256PublicKey {
        get throws {
            let spki = try StrictDER.encode("certificate public key") { i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509), $0) }
            // The key libcrypto decoded with the certificate (a new reference): decoding the
            // DER again would set up a provider decoder. A key it could not decode is read
            // again for the same error as before.
            guard let key = X509_get_pubkey(x509) else {
                ERR_clear_error()
                return try P256PublicKey(der: spki, subject: "certificate public key")
            }
            do { try requireP256(key, subject: "certificate public key") } catch {
                EVP_PKEY_free(key)
                throw error
            }
            return P256PublicKey(owning: key, der: spki)
        }
    }

    /// Whether `issuer`'s key made this certificate's signature. Only the signature:
    /// names, validity and constraints are the trust store's business.
    public func isIssued(by issuer: Certificate) -> Bool {
        guard let key = X509_get0_pubkey(issuer.x509) else {
            ERR_clear_error()
            return false
        }
        let verified = X509_verify(x509, key) == 1
        ERR_clear_error()
        return verified
    }

    /// Whether the certificate is self-signed: issuer name equals subject and its own key
    /// verifies its signature.
    public var isSelfSigned: Bool {
        X509_NAME_cmp(X509_get_subject_name(x509), X509_get_issuer_name(x509)) == 0 && isIssued(by: self)
    }

    public var description: String { "\(subject) (serial \(serialHex))" }

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool { lhs.der == rhs.der }

    public func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }

    // MARK: Reading extensions

    private static func basicConstraints(_ x509: OpaquePointer) -> (isCA: Bool, pathLength: Int?) {
        var critical: Int32 = 0
        guard let raw = X509_get_ext_d2i(x509, NID_basic_constraints, &critical, nil) else {
            ERR_clear_error()
            return (false, nil)
        }
        let constraints = raw.assumingMemoryBound(to: BASIC_CONSTRAINTS.self)
        defer { BASIC_CONSTRAINTS_free(constraints) }
        let isCA = constraints.pointee.ca != 0
        guard isCA, let length = constraints.pointee.pathlen else { return (isCA, nil) }
        let value = ASN1_INTEGER_get(length)
        return (true, value >= 0 ? value : nil)
    }

    private static func readIdentity(_ x509: OpaquePointer) -> Result<IdentityExtension?, CertificateError> {
        let index = X509_get_ext_by_OBJ(x509, ASN1.identityObject, -1)
        guard index >= 0 else { return .success(nil) }
        guard X509_get_ext_by_OBJ(x509, ASN1.identityObject, index) < 0 else {
            return .failure(CertificateError.malformed("identity extension", "it appears more than once"))
        }
        guard let `extension` = X509_get_ext(x509, index), let data = X509_EXTENSION_get_data(`extension`) else {
            return .failure(CertificateError.malformed("identity extension", "no value"))
        }
        do {
            return .success(try IdentityExtension(der: ASN1.bytes(data)))
        } catch let error as CertificateError {
            return .failure(error)
        } catch {
            return .failure(CertificateError.malformed("identity extension", "\(error)"))
        }
    }
}
