import COpenSSL
import CSPBasics
import CSPCrypto
import Foundation
import Synchronization

/// Verifies certificates against fixed roots, intermediates and revocation lists with
/// libcrypto's X509_STORE, and remembers what it verified.
///
/// Immutable by design: a new CRL means a new TrustStore. That is what makes the cache
/// safe; a cached answer can only change with time, and each entry records the time
/// window in which it holds.
///
/// With `checkRevocation` every CA in a chain, the root included, needs a CRL in the
/// store (X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL); a missing one makes the
/// verification fail with "unable to get certificate crl", and an expired one with
/// "crl has expired". That is the strict mode on purpose: an absent list must not read
/// as "nothing is revoked".
public final class TrustStore: @unchecked Sendable {
    // @unchecked: the X509_STORE is filled in init and only read afterwards (libcrypto
    // locks its internals for concurrent verifications); the cache is behind a mutex.
    private let store: OpaquePointer
    private let intermediates: [Certificate]
    private let crls: [CertificateRevocationList]
    private let checkRevocation: Bool
    private let cacheLimit: Int
    private let cache = Mutex(Cache())

    /// A verified certificate and the seconds [lower, upper) in which that answer holds.
    private struct CachedIdentity {
        let identity: VerifiedIdentity
        let window: Range<Int>
    }

    private struct Cache {
        var entries: [SHA256Digest: CachedIdentity] = [:]
        var hits = 0
        var misses = 0
    }

    /// How the `verify(der:)` cache has been used, for tests and metrics.
    public struct CacheStatistics: Equatable, Sendable {
        public var hits: Int
        public var misses: Int
        public var entries: Int

        public init(hits: Int, misses: Int, entries: Int) {
            self.hits = hits
            self.misses = misses
            self.entries = entries
        }
    }

    /// `intermediates` help build chains but are not trust anchors; `cacheLimit` bounds
    /// the `verify(der:)` cache, which is emptied when full.
    public init(roots: [Certificate], intermediates: [Certificate] = [], crls: [CertificateRevocationList] = [],
                checkRevocation: Bool = true, cacheLimit: Int = 100_000) {
        guard let store = X509_STORE_new() else { fatalError("X509_STORE_new: out of memory") }
        // The store takes its own references, so the roots need not be kept here.
        for root in roots { _ = X509_STORE_add_cert(store, root.x509) }
        for crl in crls { _ = X509_STORE_add_crl(store, crl.crl) }
        if checkRevocation {
            _ = X509_STORE_set_flags(store, UInt(X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL))
        }
        ERR_clear_error()
        self.store = store
        self.intermediates = intermediates
        self.crls = crls
        self.checkRevocation = checkRevocation
        self.cacheLimit = max(cacheLimit, 1)
    }

    deinit { X509_STORE_free(store) }

    /// Verifies the chain from `certificate` to a root at `time`, then the identity
    /// extension: a malformed one, or a role csp does not know, is invalid.
    public func verify(_ certificate: Certificate, untrusted: [Certificate] = [], at time: Date = Date()) -> VerificationResult {
        evaluate(certificate, untrusted: untrusted, at: ASN1.seconds(time)).result
    }

    /// The node's hot path: the SHA-256 of the DER finds an earlier answer, which is
    /// reused while `time` is inside its window. Only valid answers are kept.
    public func verify(der: [UInt8], at time: Date = Date()) -> VerificationResult {
        let key = SHA256.hash(der)
        let seconds = ASN1.seconds(time)
        let cached: VerifiedIdentity? = cache.withLock { cache in
            if let entry = cache.entries[key], entry.window.contains(seconds) {
                cache.hits += 1
                return entry.identity
            }
            cache.misses += 1
            return nil
        }
        if let cached { return .valid(cached) }

        let certificate: Certificate
        do { certificate = try Certificate(der: der) } catch { return .invalid(reason: "\(error)") }
        let (result, window) = evaluate(certificate, untrusted: [], at: seconds)
        if case .valid(let identity) = result, let window {
            cache.withLock { cache in
                if cache.entries.count >= cacheLimit { cache.entries.removeAll(keepingCapacity: true) }
                cache.entries[key] = CachedIdentity(identity: identity, window: window)
            }
        }
        return result
    }

    public var cacheStatistics: CacheStatistics {
        cache.withLock { CacheStatistics(hits: $0.hits, misses: $0.misses, entries: $0.entries.count) }
    }

    // MARK: Verification

    private func evaluate(_ certificate: Certificate, untrusted: [Certificate], at seconds: Int) -> (result: VerificationResult, window: Range<Int>?) {
        guard let context = X509_STORE_CTX_new() else { return (.invalid(reason: "out of memory"), nil) }
        defer { X509_STORE_CTX_free(context) }
        guard let stack = csp_sk_X509_new_null() else { return (.invalid(reason: "out of memory"), nil) }
        defer { csp_sk_X509_free(stack) }
        // The stack borrows the X509 pointers; the arrays keep them alive until return.
        return withExtendedLifetime((certificate, untrusted)) {
            for extra in intermediates + untrusted { _ = csp_sk_X509_push(stack, extra.x509) }
            guard X509_STORE_CTX_init(context, store, certificate.x509, stack) == 1 else {
                return (.invalid(reason: "cannot start verification: \(CryptoError.drainReason())"), nil)
            }
            X509_STORE_CTX_set_time(context, 0, time_t(seconds))
            guard X509_verify_cert(context) == 1 else {
                let reason = failureReason(context)
                let failure = VerificationFailure(code: X509_STORE_CTX_get_error(context))
                ERR_clear_error()
                return (.invalid(reason: reason, failure: failure), nil)
            }
            ERR_clear_error()

            let identity: IdentityExtension?
            do { identity = try certificate.identity } catch { return (.invalid(reason: "\(error)"), nil) }
            if let role = identity?.role, CertificateRole(rawValue: role) == nil {
                return (.invalid(reason: "unknown role \(quoted(role))"), nil)
            }
            let verified = VerifiedIdentity(
                subject: certificate.subject, role: identity?.role,
                organization: identity?.organization ?? certificate.subject.organization,
                attributes: identity?.attributes ?? [:], serialHex: certificate.serialHex,
                notAfter: certificate.notAfter, fingerprint: certificate.fingerprint)
            return (.valid(verified), validityWindow(context))
        }
    }

    /// OpenSSL's reason in lower case; a revocation also names its reason code.
    private func failureReason(_ context: OpaquePointer) -> String {
        let code = X509_STORE_CTX_get_error(context)
        guard code != X509_V_OK else { return "verification failed: \(CryptoError.drainReason())" }
        var reason = String(cString: X509_verify_cert_error_string(Int(code))).lowercased()
        // libcrypto forgets which CRL it used once the check returns; the revoked
        // certificate's issuer name and serial find the entry again.
        if code == X509_V_ERR_CERT_REVOKED, let current = X509_STORE_CTX_get_current_cert(context) {
            let serial = ASN1.magnitude(X509_get0_serialNumber(current))
            let issuer = X509_get_issuer_name(current)
            if let revocation = crls.lazy
                .filter({ X509_NAME_cmp(X509_CRL_get_issuer($0.crl), issuer) == 0 })
                .compactMap({ $0.reason(forSerial: serial) }).first {
                reason += " (\(revocation.name))"
            }
        }
        return reason
    }

    /// The seconds in which the verified chain stays valid: every certificate
    /// (notBefore ≤ t < notAfter, as X509_cmp_time decides) and, when revocation is
    /// checked, every CRL issued by a certificate of the chain (thisUpdate ≤ t <
    /// nextUpdate). Conservative: any list that might have been consulted narrows it.
    private func validityWindow(_ context: OpaquePointer) -> Range<Int>? {
        guard let chain = X509_STORE_CTX_get0_chain(context) else { return nil }
        var lower = Int.min
        var upper = Int.max
        var subjects: [OpaquePointer] = []
        for index in 0..<csp_sk_X509_num(chain) {
            guard let x509 = csp_sk_X509_value(chain, index),
                  let notBefore = ASN1.date(X509_get0_notBefore(x509)),
                  let notAfter = ASN1.date(X509_get0_notAfter(x509)) else { return nil }
            lower = max(lower, ASN1.seconds(notBefore))
            upper = min(upper, ASN1.seconds(notAfter))
            if let subject = X509_get_subject_name(x509) { subjects.append(subject) }
        }
        if checkRevocation {
            for list in crls where subjects.contains(where: { X509_NAME_cmp($0, X509_CRL_get_issuer(list.crl)) == 0 }) {
                lower = max(lower, ASN1.seconds(list.thisUpdate))
                if let next = list.nextUpdate { upper = min(upper, ASN1.seconds(next)) }
            }
        }
        return lower < upper ? lower..<upper : nil
    }
}
