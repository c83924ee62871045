import COpenSSL

/// Memory-BIO plumbing shared by the PEM and DER readers and writers.
package enum MemoryBIO {
    /// Runs `body` with a read-only BIO over `bytes`.
    package static func reading<T>(_ bytes: [UInt8], _ body: (OpaquePointer) throws -> T) throws -> T {
        try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw CryptoError.openssl("BIO_new_mem_buf")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Runs `body` with a growable BIO and returns what it wrote.
    package static func writing(_ operation: String, _ body: (OpaquePointer) -> Int32) throws -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.openssl("BIO_new") }
        defer { BIO_free(bio) }
        guard body(bio) == 1 else { throw CryptoError.openssl(operation) }
        var data: UnsafeMutablePointer<CChar>?
        let length = csp_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { throw CryptoError.openssl(operation) }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }
}

/// A password callback that refuses: libcrypto would otherwise prompt on the terminal
/// for an encrypted key, and csp tools are never interactive unless asked.
package let refusePassword: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = { _, _, _, _ in 0 }

/// Checks that a key is EC on P-256; `subject` names it in the error.
package func requireP256(_ key: OpaquePointer, subject: String) throws {
    let baseID = EVP_PKEY_get_base_id(key)
    guard baseID == EVP_PKEY_EC else {
        let name = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "an unknown key type"
        throw CryptoError.wrongKeyType(subject: subject, found: "a key of type \(name)")
    }
    var buffer = [CChar](repeating: 0, count: 64)
    var length = 0
    guard EVP_PKEY_get_group_name(key, &buffer, buffer.count, &length) == 1 else {
        throw CryptoError.wrongKeyType(subject: subject, found: "an EC key without a named curve")
    }
    let curve = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard curve == "prime256v1" || curve == "P-256" else {
        throw CryptoError.wrongKeyType(subject: subject, found: "an EC key on curve \(curve)")
    }
}
