import COpenSSL
import CSPCrypto
import Foundation

/// Conversions between libcrypto's ASN.1 values and Swift values, shared by the
/// certificate, request and revocation-list types.
enum ASN1 {
    /// Whole seconds since 1970: certificate times have no fractions, so every date
    /// is truncated the same way before it is written or compared.
    static func seconds(_ date: Date) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down))
    }

    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else {
            ERR_clear_error()
            return nil
        }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    /// UTCTime for 1950–2049 and GeneralizedTime otherwise, as RFC 5280 requires.
    static func time(_ date: Date) throws -> UnsafeMutablePointer<ASN1_TIME> {
        guard let time = ASN1_TIME_set(nil, time_t(seconds(date))) else {
            throw CertificateError.openssl("encoding the time \(iso8601(date))")
        }
        return time
    }

    /// The big-endian magnitude of an INTEGER, minimal (no leading zero bytes).
    static func magnitude(_ integer: UnsafePointer<ASN1_INTEGER>?) -> [UInt8] {
        guard let integer, let number = ASN1_INTEGER_to_BN(integer, nil) else {
            ERR_clear_error()
            return []
        }
        defer { BN_free(number) }
        var out = [UInt8](repeating: 0, count: Int((BN_num_bits(number) + 7) / 8))
        _ = out.withUnsafeMutableBufferPointer { BN_bn2bin(number, $0.baseAddress) }
        return out
    }

    /// A positive INTEGER from a big-endian magnitude.
    static func integer(magnitude: [UInt8]) throws -> UnsafeMutablePointer<ASN1_INTEGER> {
        guard let number = magnitude.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else {
            throw CertificateError.openssl("BN_bin2bn")
        }
        defer { BN_free(number) }
        guard let integer = BN_to_ASN1_INTEGER(number, nil) else { throw CertificateError.openssl("BN_to_ASN1_INTEGER") }
        return integer
    }

    static func bytes(_ string: UnsafePointer<ASN1_STRING>?) -> [UInt8] {
        guard let string, let data = ASN1_STRING_get0_data(string) else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(string))))
    }

    /// An OCTET STRING holding `bytes`; the caller frees it.
    static func octetString(_ bytes: [UInt8]) throws -> UnsafeMutablePointer<ASN1_OCTET_STRING> {
        guard let string = ASN1_OCTET_STRING_new() else { throw CertificateError.openssl("ASN1_OCTET_STRING_new") }
        guard bytes.withUnsafeBufferPointer({ ASN1_OCTET_STRING_set(string, $0.baseAddress, Int32($0.count)) }) == 1 else {
            ASN1_OCTET_STRING_free(string)
            throw CertificateError.openssl("ASN1_OCTET_STRING_set")
        }
        return string
    }

    /// csp's identity OID, parsed once; libcrypto only reads it afterwards.
    nonisolated(unsafe) static let identityObject: OpaquePointer = {
        guard let object = OBJ_txt2obj(IdentityExtension.oid, 1) else {
            fatalError("libcrypto cannot parse the identity OID: \(CryptoError.drainReason())")
        }
        return object
    }()
}

/// Strict DER decoding: libcrypto's d2i functions stop at the end of the first value,
/// so trailing bytes are checked here; one input has one meaning.
enum StrictDER {
    typealias Decoder = (UnsafeMutablePointer<UnsafePointer<UInt8>?>, Int) -> OpaquePointer?

    /// The parsed object, or the reason it is not one; the error queue is left empty.
    static func decode(_ der: [UInt8], _ what: String, _ decoder: Decoder, free: (OpaquePointer) -> Void) -> Result<OpaquePointer, DER.Failure> {
        guard !der.isEmpty else { return .failure(DER.Failure("empty input")) }
        return der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let object = decoder(&cursor, buffer.count) else {
                return .failure(DER.Failure("not DER \(what) (\(CryptoError.drainReason()))"))
            }
            let consumed = cursor.map { $0 - buffer.baseAddress! } ?? 0
            guard consumed == buffer.count else {
                free(object)
                ERR_clear_error()
                let extra = buffer.count - consumed
                return .failure(DER.Failure("\(extra) trailing byte\(extra == 1 ? "" : "s") after the DER \(what)"))
            }
            return .success(object)
        }
    }

    /// The DER of an object through its i2d function.
    static func encode(_ what: String, _ encoder: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) throws -> [UInt8] {
        let length = encoder(nil)
        guard length > 0 else { throw CertificateError.openssl("encoding the \(what)") }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return encoder(&cursor)
        }
        guard written == length else { throw CertificateError.openssl("encoding the \(what)") }
        return out
    }
}

/// PEM armour. Reading goes through libcrypto's PEM_read_bio (its base64 and line
/// handling are what `openssl` accepts); writing is plain base64 in 64-column lines.
enum PEM {
    struct Block {
        let label: String
        let der: [UInt8]
    }

    /// Every PEM block in `bytes`, in order; text around the blocks is ignored, as
    /// openssl does. Throws when a block is damaged.
    static func blocks(_ bytes: [UInt8]) throws(DER.Failure) -> [Block] {
        guard !bytes.isEmpty else { return [] }
        let result: Result<[Block], DER.Failure> = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(clamping: raw.count)) else {
                return .failure(DER.Failure("BIO_new_mem_buf failed: \(CryptoError.drainReason())"))
            }
            defer { BIO_free(bio) }
            var blocks: [Block] = []
            let begin = Array("-----BEGIN ".utf8)
            while true {
                // No "-----BEGIN " left: PEM_read_bio could only fail with "no start line",
                // and its first error makes libcrypto load every error string (3 % of a
                // one-proof csp-audit process). The answer is the same without the call.
                let unread = raw[(raw.count - Int(BIO_ctrl_pending(bio)))...]
                guard unread.firstRange(of: begin) != nil else { return .success(blocks) }
                var name: UnsafeMutablePointer<CChar>?
                var header: UnsafeMutablePointer<CChar>?
                var data: UnsafeMutablePointer<UInt8>?
                var length = 0
                guard PEM_read_bio(bio, &name, &header, &data, &length) == 1 else {
                    let code = ERR_peek_last_error()
                    if ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE {
                        ERR_clear_error()
                        return .success(blocks)
                    }
                    return .failure(DER.Failure("cannot decode PEM (\(CryptoError.drainReason()))"))
                }
                defer {
                    csp_OPENSSL_free(name)
                    csp_OPENSSL_free(header)
                    csp_OPENSSL_free(data)
                }
                let label = name.map { String(cString: $0) } ?? ""
                let der = data.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
                blocks.append(Block(label: label, der: der))
            }
        }
        return try result.get()
    }

    /// The first block whose label is one of `labels`.
    static func first(_ bytes: [UInt8], labels: [String]) throws(DER.Failure) -> [UInt8] {
        guard let block = try blocks(bytes).first(where: { labels.contains($0.label) }) else {
            throw DER.Failure("no \(labels[0]) block found in PEM input")
        }
        return block.der
    }

    static func encode(_ label: String, _ der: [UInt8]) -> String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(body)\n-----END \(label)-----\n"
    }
}

extension DistinguishedName {
    /// Reads O, OU and CN (the first of each) from an X509_NAME; nil when a value is
    /// not decodable text.
    init?(x509Name name: OpaquePointer?) {
        guard let name else { return nil }
        func value(_ nid: Int32) -> String?? {
            let index = X509_NAME_get_index_by_NID(name, nid, -1)
            guard index >= 0 else { return .some(nil) }
            guard let entry = X509_NAME_get_entry(name, index), let data = X509_NAME_ENTRY_get_data(entry) else { return nil }
            var utf8: UnsafeMutablePointer<UInt8>?
            let length = ASN1_STRING_to_UTF8(&utf8, data)
            guard length >= 0, let utf8 else {
                ERR_clear_error()
                return nil
            }
            defer { csp_OPENSSL_free(utf8) }
            return String(validating: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
        }
        guard let organization = value(NID_organizationName),
              let unit = value(NID_organizationalUnitName),
              let commonName = value(NID_commonName) else { return nil }
        self.init(organization: organization, organizationalUnit: unit, commonName: commonName ?? "")
    }

    /// A new X509_NAME (O, OU, CN as UTF8String); the caller frees it.
    func makeX509Name() throws -> OpaquePointer {
        try validate()
        guard let name = X509_NAME_new() else { throw CertificateError.openssl("X509_NAME_new") }
        let nids = ["organization": NID_organizationName, "organizational unit": NID_organizationalUnitName,
                    "common name": NID_commonName]
        for (label, value) in components {
            let bytes = Array(value.utf8)
            // An explicit UTF8String (RFC 5280's choice) rather than MBSTRING_UTF8, whose
            // result depends on a process-wide string mask; validate() checked the bounds.
            guard X509_NAME_add_entry_by_NID(name, nids[label]!, V_ASN1_UTF8STRING, bytes, Int32(bytes.count), -1, 0) == 1 else {
                X509_NAME_free(name)
                throw CertificateError("invalid subject \(label): \(CryptoError.drainReason())")
            }
        }
        return name
    }
}

/// "2026-01-31T12:00:00Z", the form dates take in messages.
func iso8601(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
}
