import COpenSSL
import CSPBasics
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What a client presents to a node's TCP listener and whom it trusts (docs/NETWORK.md):
/// its csp-ca certificate and key, and the CA certificates the node's certificate must
/// chain to. The node is identified by its certificate, not a host name (csp
/// certificates name people and nodes, not DNS names), so no host name is checked.
public struct TLSClientIdentity: Sendable, Equatable {
    public var certificate: String
    public var key: String
    public var trusted: String

    public init(certificate: String, key: String, trusted: String) {
        self.certificate = certificate
        self.key = key
        self.trusted = trusted
    }
}

/// HOST:PORT, or [IPv6]:PORT, split; nil when it is not one.
public enum NetworkAddress {
    public static func parse(_ text: String) -> (host: String, port: Int)? {
        var host: Substring, port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(after: close)...]
            guard port.first == ":" else { return nil }
            port = port.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            return nil
        }
        guard !host.isEmpty, let number = Int(port), (0...65535).contains(number) else { return nil }
        return (String(host), number)
    }
}

/// TLS 1.3 over a FrameClient's non-blocking socket with libssl. libssl never blocks
/// here: it says what it waits for, and the FrameClient polls with its deadline. One
/// sender and one receiver may use it at once; their libssl calls are serialised by a
/// lock that is never held while waiting.
final class TLSClientSession: @unchecked Sendable {
    private let context: OpaquePointer
    private let ssl: OpaquePointer
    private let lock = Mutex(())

    /// What one libssl call came to.
    enum Step {
        case done(Int)
        case wait(Int16)
        case closed
        case failed(String)
    }

    init(fd: Int32, identity: TLSClientIdentity) throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw TLSError("cannot create a TLS context") }
        self.context = context
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw TLSError("cannot create a TLS session")
        }
        self.ssl = ssl
        guard csp_SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION) == 1 else { throw TLSError("this libssl does not offer TLS 1.3") }
        guard SSL_use_certificate_file(ssl, identity.certificate, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError("cannot use \(quoted(identity.certificate)) as the TLS certificate: \(TLSError.libsslReason())")
        }
        guard SSL_use_PrivateKey_file(ssl, identity.key, SSL_FILETYPE_PEM) == 1, SSL_check_private_key(ssl) == 1 else {
            throw TLSError("cannot use \(quoted(identity.key)) as the TLS key for \(quoted(identity.certificate)): \(TLSError.libsslReason())")
        }
        guard SSL_CTX_load_verify_locations(context, identity.trusted, nil) == 1 else {
            throw TLSError("cannot read the trusted CA certificates \(quoted(identity.trusted)): \(TLSError.libsslReason())")
        }
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
        // A write retried after WANT_WRITE may come from a re-borrowed (moved) buffer.
        _ = csp_SSL_set_mode(ssl, Int(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        guard SSL_set_fd(ssl, fd) == 1 else { throw TLSError("cannot start TLS: \(TLSError.libsslReason())") }
        SSL_set_connect_state(ssl)
        ERR_clear_error()
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    func handshake() -> Step { step { SSL_do_handshake($0) } }

    func write(_ base: UnsafeRawPointer, _ count: Int) -> Step { step { SSL_write($0, base, Int32(min(count, Int(Int32.max)))) } }

    func read(_ base: UnsafeMutableRawPointer, _ count: Int) -> Step { step { SSL_read($0, base, Int32(min(count, Int(Int32.max)))) } }

    private func step(_ call: (OpaquePointer) -> Int32) -> Step {
        lock.withLock { _ in
            ERR_clear_error()
            let result = call(ssl)
            if result > 0 { return .done(Int(result)) }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ: return .wait(Int16(POLLIN))
            case SSL_ERROR_WANT_WRITE: return .wait(Int16(POLLOUT))
            case SSL_ERROR_ZERO_RETURN: return .closed
            case SSL_ERROR_SYSCALL where ERR_peek_error() == 0: return .closed
            default: return .failed(TLSError.libsslReason())
            }
        }
    }
}

/// A TLS failure worded for the operator.
public struct TLSError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// The oldest queued libssl error as text, and the queue cleared.
    public static func libsslReason() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0, let text = ERR_reason_error_string(code) else { return "unknown TLS error" }
        return String(cString: text)
    }
}
