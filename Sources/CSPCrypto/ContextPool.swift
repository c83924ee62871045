import COpenSSL
import Synchronization

/// Keeps initialised EVP_PKEY_CTX objects for one key. Creating a context costs as much
/// as a verification on OpenSSL 3, so contexts are reused; the pool hands each thread
/// its own, which lets signature checks run on every core at once.
final class ContextPool: @unchecked Sendable {
    // @unchecked: the key is immutable and only read; the idle list is behind a mutex.
    private let key: OpaquePointer
    private let initialise: @Sendable (OpaquePointer) -> Int32
    private let idle = Mutex<[Context]>([])

    /// A context parked in the pool; only one thread holds it at a time.
    private struct Context: @unchecked Sendable { let pointer: OpaquePointer }

    init(key: OpaquePointer, initialise: @escaping @Sendable (OpaquePointer) -> Int32) {
        self.key = key
        self.initialise = initialise
    }

    deinit {
        idle.withLock { contexts in contexts.forEach { EVP_PKEY_CTX_free($0.pointer) } }
    }

    func withContext<T>(_ operation: String, _ body: (OpaquePointer) throws -> T) throws -> T {
        let context: OpaquePointer
        if let reused = idle.withLock({ $0.popLast() }) {
            context = reused.pointer
        } else {
            guard let fresh = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
                throw CryptoError.openssl(operation)
            }
            guard initialise(fresh) == 1 else {
                EVP_PKEY_CTX_free(fresh)
                throw CryptoError.openssl(operation)
            }
            context = fresh
        }
        let parked = Context(pointer: context)
        defer { idle.withLock { $0.append(parked) } }
        return try body(context)
    }
}
