import COpenSSL
import CSPBasics
import CSPCrypto

/// A PKCS#10 certificate signing request: a subject and a public key, signed with the
/// matching private key to prove the requester holds it.
public final class CertificateSigningRequest: @unchecked Sendable {
    // @unchecked: the X509_REQ is never mutated after parsing.
    private let request: OpaquePointer
    public let der: [UInt8]
    public let subject: DistinguishedName

    /// A request signed with `key`; `requestCA` adds an extension request for
    /// basicConstraints CA:TRUE (a subordinate CA asking to be certified).
    public static func create(key: P256PrivateKey, subject: DistinguishedName, requestCA: Bool = false) throws -> CertificateSigningRequest {
        guard let request = X509_REQ_new() else { throw CertificateError.openssl("X509_REQ_new") }
        defer { X509_REQ_free(request) }
        let name = try subject.makeX509Name()
        defer { X509_NAME_free(name) }
        guard X509_REQ_set_version(request, 0) == 1,
              X509_REQ_set_subject_name(request, name) == 1,
              X509_REQ_set_pubkey(request, key.key) == 1 else {
            throw CertificateError.openssl("building the certificate request")
        }
        if requestCA {
            var context = X509V3_CTX()
            X509V3_set_ctx(&context, nil, nil, request, nil, 0)
            guard let constraints = X509V3_EXT_conf_nid(nil, &context, NID_basic_constraints, "critical,CA:TRUE") else {
                throw CertificateError.openssl("creating the basicConstraints request")
            }
            guard let extensions = csp_sk_X509_EXTENSION_new_null() else {
                X509_EXTENSION_free(constraints)
                throw CertificateError.openssl("OPENSSL_sk_new_null")
            }
            defer { csp_sk_X509_EXTENSION_pop_free(extensions) }
            guard csp_sk_X509_EXTENSION_push(extensions, constraints) > 0 else {
                X509_EXTENSION_free(constraints)
                throw CertificateError.openssl("OPENSSL_sk_push")
            }
            guard X509_REQ_add_extensions(request, extensions) == 1 else {
                throw CertificateError.openssl("adding the extension request")
            }
        }
        guard X509_REQ_sign(request, key.key, EVP_sha256()) > 0 else {
            throw CertificateError.openssl("signing the certificate request")
        }
        return try CertificateSigningRequest(der: try StrictDER.encode("certificate request") { i2d_X509_REQ(request, $0) })
    }

    public convenience init(der: [UInt8]) throws {
        try self.init(der: der, subject: "certificate request")
    }

    init(der: [UInt8], subject name: String) throws {
        switch StrictDER.decode(der, "PKCS#10", { d2i_X509_REQ(nil, $0, $1) }, free: { X509_REQ_free($0) }) {
        case .success(let object): request = object
        case .failure(let failure): throw CertificateError.malformed(name, failure.reason)
        }
        guard let subject = DistinguishedName(x509Name: X509_REQ_get_subject_name(request)) else {
            X509_REQ_free(request)
            throw CertificateError.malformed(name, "subject is not decodable text")
        }
        self.der = der
        self.subject = subject
    }

    deinit { X509_REQ_free(request) }

    /// The first "CERTIFICATE REQUEST" block ("NEW CERTIFICATE REQUEST" from old tools).
    public convenience init(pem: [UInt8]) throws {
        try self.init(pem: pem, subject: "certificate request")
    }

    convenience init(pem: [UInt8], subject name: String) throws {
        let der: [UInt8]
        do { der = try PEM.first(pem, labels: ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"]) } catch {
            throw CertificateError.malformed(name, error.reason)
        }
        try self.init(der: der, subject: name)
    }

    public convenience init(pemFile path: String) throws {
        try self.init(pem: try FileIO.read(path, limit: 1 << 20), subject: "certificate request \(quoted(path))")
    }

    public func pem() -> String { PEM.encode("CERTIFICATE REQUEST", der) }

    /// Throws CryptoError.wrongKeyType for anything but an EC P-256 key (RSA…).
    public var publicKey: P256PublicKey {
        get throws {
            guard let key = X509_REQ_get0_pubkey(request) else {
                throw CertificateError.malformed("certificate request", "unreadable public key (\(CryptoError.drainReason()))")
            }
            let spki = try StrictDER.encode("certificate request public key") { i2d_PUBKEY(key, $0) }
            return try P256PublicKey(der: spki, subject: "certificate request public key")
        }
    }

    /// Whether the request is signed by the key it contains: the requester holds the
    /// private key. A CA must not certify a request without it.
    public var hasValidProofOfPossession: Bool {
        guard let key = X509_REQ_get0_pubkey(request) else {
            ERR_clear_error()
            return false
        }
        let valid = X509_REQ_verify(request, key) == 1
        ERR_clear_error()
        return valid
    }

    /// Throws "certificate request signature does not match its key" unless
    /// `hasValidProofOfPossession`.
    public func checkProofOfPossession() throws {
        guard hasValidProofOfPossession else {
            throw CertificateError("certificate request signature does not match its key")
        }
    }

    /// Whether the extension request asks for basicConstraints CA:TRUE. The issuer
    /// decides; this only reports what was asked.
    public var requestsCA: Bool {
        guard let extensions = X509_REQ_get_extensions(request) else {
            ERR_clear_error()
            return false
        }
        defer { csp_sk_X509_EXTENSION_pop_free(extensions) }
        var critical: Int32 = 0
        guard let raw = X509V3_get_d2i(extensions, NID_basic_constraints, &critical, nil) else {
            ERR_clear_error()
            return false
        }
        let constraints = raw.assumingMemoryBound(to: BASIC_CONSTRAINTS.self)
        defer { BASIC_CONSTRAINTS_free(constraints) }
        return constraints.pointee.ca != 0
    }
}
