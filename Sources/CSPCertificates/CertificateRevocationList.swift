import COpenSSL
import CSPBasics
import CSPCrypto
import Foundation

/// A version 2 certificate revocation list, signed ecdsa-with-SHA256, with a CRL number,
/// the issuer's key identifier and a reason code on each entry but unspecified ones.
public final class CertificateRevocationList: @unchecked Sendable {
    // @unchecked: the X509_CRL is never mutated after parsing; libcrypto locks its own
    // caches, so the trust store may check it from many threads.
    package let crl: OpaquePointer
    public let der: [UInt8]
    public let issuer: DistinguishedName
    public let number: UInt64?
    public let thisUpdate: Date
    public let nextUpdate: Date?
    /// In the order of the list (sorted by serial for lists csp issues).
    public let revoked: [RevokedCertificate]
    private let reasons: [[UInt8]: RevocationReason]

    public static func issue(issuer: Certificate, key: P256PrivateKey, number: UInt64, thisUpdate: Date, nextUpdate: Date,
                             revoked: [RevokedCertificate]) throws -> CertificateRevocationList {
        try CertificateIssuer.checkCanSign(issuer, key: key, usage: UInt32(KU_CRL_SIGN), what: "revocation lists")
        guard ASN1.seconds(thisUpdate) < ASN1.seconds(nextUpdate) else {
            throw CertificateError("thisUpdate \(iso8601(thisUpdate)) is not before nextUpdate \(iso8601(nextUpdate))")
        }
        var seen = Set<[UInt8]>()
        for entry in revoked {
            let serial = Array(entry.serial.drop(while: { $0 == 0 }))
            guard !serial.isEmpty else { throw CertificateError("serial number must not be zero") }
            guard seen.insert(serial).inserted else {
                throw CertificateError("serial \(Hex.encode(serial)) is listed twice")
            }
            // OpenSSL reads removeFromCRL as "no longer revoked": it belongs in delta CRLs only.
            guard entry.reason != .removeFromCRL else {
                throw CertificateError("reason removeFromCRL is only valid in a delta CRL")
            }
        }

        guard let crl = X509_CRL_new() else { throw CertificateError.openssl("X509_CRL_new") }
        defer { X509_CRL_free(crl) }
        guard X509_CRL_set_version(crl, Int(X509_CRL_VERSION_2)) == 1,
              X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer.x509)) == 1 else {
            throw CertificateError.openssl("building the revocation list")
        }
        let last = try ASN1.time(thisUpdate)
        defer { ASN1_TIME_free(last) }
        let next = try ASN1.time(nextUpdate)
        defer { ASN1_TIME_free(next) }
        guard X509_CRL_set1_lastUpdate(crl, last) == 1, X509_CRL_set1_nextUpdate(crl, next) == 1 else {
            throw CertificateError.openssl("setting the update times")
        }
        for entry in revoked { try add(entry, to: crl) }
        guard X509_CRL_sort(crl) == 1 else { throw CertificateError.openssl("X509_CRL_sort") }

        guard let crlNumber = ASN1_INTEGER_new() else { throw CertificateError.openssl("ASN1_INTEGER_new") }
        defer { ASN1_INTEGER_free(crlNumber) }
        guard ASN1_INTEGER_set_uint64(crlNumber, number) == 1,
              X509_CRL_add1_ext_i2d(crl, NID_crl_number, crlNumber, 0, UInt(X509V3_ADD_DEFAULT)) == 1 else {
            throw CertificateError.openssl("adding the CRL number")
        }
        let identifier = try CertificateIssuer.authorityKeyIdentifier(try CertificateIssuer.keyIdentifier(of: issuer))
        defer { AUTHORITY_KEYID_free(identifier) }
        guard X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, identifier, 0, UInt(X509V3_ADD_DEFAULT)) == 1 else {
            throw CertificateError.openssl("adding the authority key identifier")
        }
        guard X509_CRL_sign(crl, key.key, EVP_sha256()) > 0 else { throw CertificateError.openssl("signing the revocation list") }
        return try CertificateRevocationList(der: try StrictDER.encode("revocation list") { i2d_X509_CRL(crl, $0) })
    }

    private static func add(_ entry: RevokedCertificate, to crl: OpaquePointer) throws {
        guard let revoked = X509_REVOKED_new() else { throw CertificateError.openssl("X509_REVOKED_new") }
        var owned = true
        defer { if owned { X509_REVOKED_free(revoked) } }
        let serial = try ASN1.integer(magnitude: entry.serial)
        defer { ASN1_INTEGER_free(serial) }
        let date = try ASN1.time(entry.date)
        defer { ASN1_TIME_free(date) }
        guard X509_REVOKED_set_serialNumber(revoked, serial) == 1, X509_REVOKED_set_revocationDate(revoked, date) == 1 else {
            throw CertificateError.openssl("building a revocation entry")
        }
        // RFC 5280 5.3.1: omit the reason code rather than write unspecified.
        if entry.reason != .unspecified {
            guard let code = ASN1_ENUMERATED_new() else { throw CertificateError.openssl("ASN1_ENUMERATED_new") }
            defer { ASN1_ENUMERATED_free(code) }
            guard ASN1_ENUMERATED_set(code, entry.reason.rawValue) == 1,
                  X509_REVOKED_add1_ext_i2d(revoked, NID_crl_reason, code, 0, UInt(X509V3_ADD_DEFAULT)) == 1 else {
                throw CertificateError.openssl("adding a reason code")
            }
        }
        guard X509_CRL_add0_revoked(crl, revoked) == 1 else { throw CertificateError.openssl("X509_CRL_add0_revoked") }
        owned = false
    }

    public convenience init(der: [UInt8]) throws {
        try self.init(der: der, subject: "revocation list")
    }

    init(der: [UInt8], subject name: String) throws {
        let crl: OpaquePointer
        switch StrictDER.decode(der, "X.509 CRL", { d2i_X509_CRL(nil, $0, $1) }, free: { X509_CRL_free($0) }) {
        case .success(let object): crl = object
        case .failure(let failure): throw CertificateError.malformed(name, failure.reason)
        }
        do {
            guard let issuer = DistinguishedName(x509Name: X509_CRL_get_issuer(crl)) else {
                throw CertificateError.malformed(name, "issuer is not decodable text")
            }
            guard let thisUpdate = ASN1.date(X509_CRL_get0_lastUpdate(crl)) else {
                throw CertificateError.malformed(name, "invalid thisUpdate")
            }
            var nextUpdate: Date?
            if let next = X509_CRL_get0_nextUpdate(crl) {
                guard let date = ASN1.date(next) else { throw CertificateError.malformed(name, "invalid nextUpdate") }
                nextUpdate = date
            }
            let revoked = try Self.readEntries(crl, name)
            self.issuer = issuer
            self.thisUpdate = thisUpdate
            self.nextUpdate = nextUpdate
            self.revoked = revoked
            self.reasons = Dictionary(revoked.map { ($0.serial, $0.reason) }, uniquingKeysWith: { first, _ in first })
            self.number = Self.readNumber(crl)
        } catch {
            X509_CRL_free(crl)
            throw error
        }
        self.crl = crl
        self.der = der
        ERR_clear_error()
    }

    deinit { X509_CRL_free(crl) }

    public convenience init(pem: [UInt8]) throws {
        try self.init(pem: pem, subject: "revocation list")
    }

    convenience init(pem: [UInt8], subject name: String) throws {
        let der: [UInt8]
        do { der = try PEM.first(pem, labels: ["X509 CRL"]) } catch {
            throw CertificateError.malformed(name, error.reason)
        }
        try self.init(der: der, subject: name)
    }

    /// Reads a PEM file; errors name it. CRLs may be large, so the limit is 64 MiB.
    public convenience init(pemFile path: String) throws {
        try self.init(pem: try FileIO.read(path, limit: 64 << 20), subject: "revocation list \(quoted(path))")
    }

    public func pem() -> String { PEM.encode("X509 CRL", der) }

    /// The reason `serial` is revoked, or nil when the list does not name it.
    public func reason(forSerial serial: [UInt8]) -> RevocationReason? {
        reasons[Array(serial.drop(while: { $0 == 0 }))]
    }

    /// Whether `issuer`'s key made this list's signature (signature only, not names).
    public func isSigned(by issuer: Certificate) -> Bool {
        guard let key = X509_get0_pubkey(issuer.x509) else {
            ERR_clear_error()
            return false
        }
        let verified = X509_CRL_verify(crl, key) == 1
        ERR_clear_error()
        return verified
    }

    private static func readNumber(_ crl: OpaquePointer) -> UInt64? {
        var critical: Int32 = 0
        guard let raw = X509_CRL_get_ext_d2i(crl, NID_crl_number, &critical, nil) else {
            ERR_clear_error()
            return nil
        }
        let integer = raw.assumingMemoryBound(to: ASN1_INTEGER.self)
        defer { ASN1_INTEGER_free(integer) }
        var value: UInt64 = 0
        guard ASN1_INTEGER_get_uint64(&value, integer) == 1 else {
            ERR_clear_error()
            return nil
        }
        return value
    }

    private static func readEntries(_ crl: OpaquePointer, _ name: String) throws -> [RevokedCertificate] {
        guard let stack = X509_CRL_get_REVOKED(crl) else { return [] }
        var entries: [RevokedCertificate] = []
        for index in 0..<csp_sk_X509_REVOKED_num(stack) {
            guard let entry = csp_sk_X509_REVOKED_value(stack, index) else { continue }
            let serial = ASN1.magnitude(X509_REVOKED_get0_serialNumber(entry))
            guard let date = ASN1.date(X509_REVOKED_get0_revocationDate(entry)) else {
                throw CertificateError.malformed(name, "invalid revocation date for serial \(Hex.encode(serial))")
            }
            var reason = RevocationReason.unspecified
            var critical: Int32 = 0
            if let raw = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &critical, nil) {
                let code = raw.assumingMemoryBound(to: ASN1_ENUMERATED.self)
                defer { ASN1_ENUMERATED_free(code) }
                guard let known = RevocationReason(rawValue: ASN1_ENUMERATED_get(code)) else {
                    throw CertificateError.malformed(name, "unknown reason code \(ASN1_ENUMERATED_get(code)) for serial \(Hex.encode(serial))")
                }
                reason = known
            } else if critical != -1 {
                // -1 means absent; anything else without a value is a damaged extension.
                throw CertificateError.malformed(name, "unreadable reason code for serial \(Hex.encode(serial))")
            }
            entries.append(RevokedCertificate(serial: serial, date: date, reason: reason))
        }
        return entries
    }
}
