import COpenSSL
import CSPBasics
import CSPCrypto
import Foundation

/// Makes certificates: version 3, ecdsa-with-SHA256, the extensions csp's policy reads.
/// Refuses what would produce a certificate that cannot verify.
public enum CertificateIssuer {
    public static func selfSigned(_ template: CertificateTemplate, key: P256PrivateKey) throws -> Certificate {
        try template.validate()
        return try build(template, subjectKey: key.key, issuer: nil, signingKey: key)
    }

    public static func issue(_ template: CertificateTemplate, subjectKey: P256PublicKey, issuer: Certificate,
                             issuerKey: P256PrivateKey) throws -> Certificate {
        try template.validate()
        try checkCanSign(issuer, key: issuerKey, usage: UInt32(KU_KEY_CERT_SIGN), what: "certificates")
        guard ASN1.seconds(template.notAfter) <= ASN1.seconds(issuer.notAfter) else {
            throw CertificateError("notAfter \(iso8601(template.notAfter)) is after the issuer's notAfter \(iso8601(issuer.notAfter))")
        }
        if template.isCA, let limit = issuer.pathLength {
            guard limit > 0 else {
                throw CertificateError("issuer \(quoted(issuer.subject.description)) has path length 0 and may not issue CA certificates")
            }
            if let pathLength = template.pathLength, pathLength >= limit {
                throw CertificateError("path length \(pathLength) exceeds what issuer \(quoted(issuer.subject.description)) allows (at most \(limit - 1))")
            }
        }
        return try build(template, subjectKey: subjectKey.key, issuer: issuer, signingKey: issuerKey)
    }

    /// 16 random bytes, top bit clear (positive) and a non-zero first byte (the DER
    /// is always 16 bytes): about 127 bits of entropy, well over the CA/B Forum's 64.
    public static func randomSerial() throws -> [UInt8] {
        while true {
            var serial = try SecureRandom.bytes(16)
            serial[0] &= 0x7f
            if serial[0] != 0 { return serial }
        }
    }

    /// Shared by certificate and CRL issuance: `issuer` is a CA allowed `usage`, and
    /// `key` is its private key.
    static func checkCanSign(_ issuer: Certificate, key: P256PrivateKey, usage: UInt32, what: String) throws {
        guard issuer.isCA else { throw CertificateError("issuer certificate is not a CA") }
        // X509_get_key_usage is all ones when the extension is absent: no restriction.
        guard X509_get_key_usage(issuer.x509) & usage != 0 else {
            throw CertificateError("issuer certificate's key usage does not allow signing \(what)")
        }
        let matches = X509_check_private_key(issuer.x509, key.key) == 1
        ERR_clear_error()
        guard matches else { throw CertificateError("issuer key does not match the issuer certificate") }
    }

    /// The key identifier naming `issuer` in an AKI: its SKI, or (for an issuer without
    /// one) the SHA-1 of its public key, RFC 5280's method 1.
    static func keyIdentifier(of issuer: Certificate) throws -> [UInt8] {
        if let identifier = issuer.subjectKeyIdentifier { return identifier }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_pubkey_digest(issuer.x509, EVP_sha1(), &digest, &length) == 1 else {
            throw CertificateError.openssl("hashing the issuer's public key")
        }
        return Array(digest.prefix(Int(length)))
    }

    /// An AuthorityKeyIdentifier holding only a key id; the caller frees it.
    static func authorityKeyIdentifier(_ keyID: [UInt8]) throws -> UnsafeMutablePointer<AUTHORITY_KEYID> {
        guard let identifier = AUTHORITY_KEYID_new() else { throw CertificateError.openssl("AUTHORITY_KEYID_new") }
        do {
            identifier.pointee.keyid = try ASN1.octetString(keyID)
        } catch {
            AUTHORITY_KEYID_free(identifier)
            throw error
        }
        return identifier
    }

    private static func build(_ template: CertificateTemplate, subjectKey: OpaquePointer, issuer: Certificate?,
                              signingKey: P256PrivateKey) throws -> Certificate {
        guard let x509 = X509_new() else { throw CertificateError.openssl("X509_new") }
        defer { X509_free(x509) }
        guard X509_set_version(x509, Int(X509_VERSION_3)) == 1 else { throw CertificateError.openssl("X509_set_version") }

        let serial = try ASN1.integer(magnitude: try template.serial ?? randomSerial())
        defer { ASN1_INTEGER_free(serial) }
        guard X509_set_serialNumber(x509, serial) == 1 else { throw CertificateError.openssl("setting the serial number") }

        let name = try template.subject.makeX509Name()
        defer { X509_NAME_free(name) }
        guard X509_set_subject_name(x509, name) == 1,
              X509_set_issuer_name(x509, issuer.map { X509_get_subject_name($0.x509) } ?? name) == 1 else {
            throw CertificateError.openssl("setting the names")
        }

        let notBefore = try ASN1.time(template.notBefore)
        defer { ASN1_TIME_free(notBefore) }
        let notAfter = try ASN1.time(template.notAfter)
        defer { ASN1_TIME_free(notAfter) }
        guard X509_set1_notBefore(x509, notBefore) == 1, X509_set1_notAfter(x509, notAfter) == 1 else {
            throw CertificateError.openssl("setting the validity")
        }
        guard X509_set_pubkey(x509, subjectKey) == 1 else { throw CertificateError.openssl("setting the public key") }

        // The context lets "hash" compute the SKI from the public key just set.
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer?.x509 ?? x509, x509, nil, nil, 0)
        if template.isCA {
            let pathLength = template.pathLength.map { ",pathlen:\($0)" } ?? ""
            try add(x509, &context, NID_basic_constraints, "critical,CA:TRUE" + pathLength)
            try add(x509, &context, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign")
        } else {
            try add(x509, &context, NID_basic_constraints, "critical,CA:FALSE")
            try add(x509, &context, NID_key_usage, "critical,digitalSignature")
        }
        if template.serverAndClientAuth {
            try add(x509, &context, NID_ext_key_usage, "serverAuth,clientAuth")
        }
        try add(x509, &context, NID_subject_key_identifier, "hash")
        // RFC 5280 4.2.1.1: every certificate but a self-signed one names its issuer's key.
        if let issuer {
            let identifier = try authorityKeyIdentifier(try keyIdentifier(of: issuer))
            defer { AUTHORITY_KEYID_free(identifier) }
            guard X509_add1_ext_i2d(x509, NID_authority_key_identifier, identifier, 0, UInt(X509V3_ADD_DEFAULT)) == 1 else {
                throw CertificateError.openssl("adding the authority key identifier")
            }
        }
        if let identity = template.identity {
            let value = try ASN1.octetString(identity.derEncoded())
            defer { ASN1_OCTET_STRING_free(value) }
            guard let `extension` = X509_EXTENSION_create_by_OBJ(nil, ASN1.identityObject, 0, value) else {
                throw CertificateError.openssl("creating the identity extension")
            }
            defer { X509_EXTENSION_free(`extension`) }
            guard X509_add_ext(x509, `extension`, -1) == 1 else { throw CertificateError.openssl("adding the identity extension") }
        }

        guard X509_sign(x509, signingKey.key, EVP_sha256()) > 0 else { throw CertificateError.openssl("signing the certificate") }
        let der = try StrictDER.encode("certificate") { i2d_X509(x509, $0) }
        return try Certificate(der: der)
    }

    private static func add(_ x509: OpaquePointer, _ context: inout X509V3_CTX, _ nid: Int32, _ value: String) throws {
        guard let `extension` = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
            throw CertificateError.openssl("creating extension \(String(cString: OBJ_nid2sn(nid)))")
        }
        defer { X509_EXTENSION_free(`extension`) }
        guard X509_add_ext(x509, `extension`, -1) == 1 else {
            throw CertificateError.openssl("adding extension \(String(cString: OBJ_nid2sn(nid)))")
        }
    }
}
