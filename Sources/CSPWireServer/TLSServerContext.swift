import COpenSSL
import CSPBasics
import CSPWire

/// The TLS side of a TCP listener (docs/NETWORK.md): TLS 1.3 only, the server's
/// certificate chain and key, and mutual authentication in which the client's certificate
/// is judged by `admit` — the node's channel trust store — instead of libssl's own chain
/// rules, so the roots and CRLs that admit transactions are the ones that admit
/// connections. A client with no certificate, or one `admit` refuses, fails the handshake
/// with an alert before any request is read. No session tickets or cache: every
/// connection presents and has its certificate checked again (a revoked member cannot
/// resume an old session).
public final class TLSServerContext: @unchecked Sendable {
    // @unchecked: the SSL_CTX is configured in init and only read afterwards (libssl
    // locks its own shared state); `admit` and `log` are Sendable.
    let context: OpaquePointer
    /// Nil admits the certificate (DER); otherwise the reason it is refused.
    let admit: @Sendable ([UInt8]) -> String?
    let log: (@Sendable (String) -> Void)?
    /// A connection whose handshake has not completed by then is closed.
    let handshakeTimeout: Double

    public init(certificate: String, chain: String?, key: String, admit: @escaping @Sendable ([UInt8]) -> String?,
                log: (@Sendable (String) -> Void)? = nil, handshakeTimeout: Double = 10) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw TLSError("cannot create a TLS context") }
        self.context = context
        self.admit = admit
        self.log = log
        self.handshakeTimeout = handshakeTimeout
        guard csp_SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION) == 1 else { throw TLSError("this libssl does not offer TLS 1.3") }
        guard SSL_CTX_use_certificate_file(context, certificate, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError("cannot use \(quoted(certificate)) as the TLS certificate: \(TLSError.libsslReason())")
        }
        if let chain {
            for der in try PEMCertificates.read(chain) {
                guard csp_SSL_CTX_add1_chain_cert(context, der.pointer) == 1 else {
                    throw TLSError("cannot use \(quoted(chain)) as the TLS certificate chain: \(TLSError.libsslReason())")
                }
            }
        }
        guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError("cannot use \(quoted(key)) as the TLS key for \(quoted(certificate)): \(TLSError.libsslReason())")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw TLSError("\(quoted(key)) does not match \(quoted(certificate))")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        _ = SSL_CTX_set_num_tickets(context, 0)
        _ = csp_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_OFF))
        // The whole chain check is ours: the client's leaf certificate goes to `admit`.
        SSL_CTX_set_cert_verify_callback(context, { store, argument in
            guard let store, let argument else { return 0 }
            return Unmanaged<TLSServerContext>.fromOpaque(argument).takeUnretainedValue().verify(store)
        }, Unmanaged.passUnretained(self).toOpaque())
        ERR_clear_error()
    }

    deinit { SSL_CTX_free(context) }

    private func verify(_ store: OpaquePointer) -> Int32 {
        guard let certificate = X509_STORE_CTX_get0_cert(store) else {
            X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED)
            return 0
        }
        let length = i2d_X509(certificate, nil)
        guard length > 0 else { return 0 }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var out: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            _ = i2d_X509(certificate, &out)
        }
        if let refusal = admit(der) {
            log?("refused a TLS client: \(refusal)")
            X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED)
            return 0
        }
        return 1
    }
}

/// Certificates read from a PEM file, owned until released.
enum PEMCertificates {
    final class X509Reference {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
        deinit { X509_free(pointer) }
    }

    static func read(_ path: String) throws -> [X509Reference] {
        guard let file = BIO_new_file(path, "r") else { throw TLSError("cannot read \(quoted(path)): \(TLSError.libsslReason())") }
        defer { BIO_free(file) }
        var certificates: [X509Reference] = []
        while let certificate = PEM_read_bio_X509(file, nil, nil, nil) { certificates.append(X509Reference(certificate)) }
        // The loop ends at the end of the file, which libcrypto queues as an error.
        ERR_clear_error()
        guard !certificates.isEmpty else { throw TLSError("\(quoted(path)) holds no PEM certificate") }
        return certificates
    }
}
