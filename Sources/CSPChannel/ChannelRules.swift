import CSPBasics
import CSPCertificates
import CSPContracts
import CSPCrypto
import CSPFormat
import Foundation
import Synchronization

/// The admission rules of one configuration: who may submit what, and whether a
/// transaction is well formed, signed and in time. Immutable; after a configuration
/// transaction the node builds a new one from `BlockExecution.newConfig` before it
/// admits the next block's transactions.
///
/// `admit` is safe to call from many threads at once. Its expensive parts are cached
/// per certificate (parsing, the public key and its verification contexts, the issuing
/// CA, revocation), so a known creator costs one ECDSA verification and two hashes.
public final class ChannelRules: @unchecked Sendable {
    // @unchecked: everything but the cache is set in init and only read; the cache is
    // behind a mutex and its values are immutable.
    public let config: ChannelConfig
    /// The orderer's certificate: blocks are signed with its key.
    public let orderer: Certificate
    /// The orderer certificate's key, parsed once: every block header is checked with it.
    public let ordererKey: P256PublicKey
    /// The organisation the orderer belongs to (it cannot be removed).
    public let ordererOrganization: String
    let authorities: [String: OrganizationAuthority]
    private let admins: Set<String>
    /// Per CA certificate, the newest CRL (highest number) any member supplied: a
    /// shared root listed by two organisations is revoked by whichever list is newer.
    private let newestCRL: [SHA256Digest: CertificateRevocationList]
    private let cache = Mutex<[SHA256Digest: Identification]>([:])
    private let cacheLimit: Int

    /// Validates `config` and parses its certificates once.
    public init(config: ChannelConfig, cacheLimit: Int = 100_000) throws {
        let checked = try config.checked()
        self.config = config
        self.orderer = checked.orderer
        self.ordererKey = try checked.orderer.publicKey
        self.ordererOrganization = checked.ordererIdentity.organization
        self.authorities = Dictionary(uniqueKeysWithValues: checked.authorities.map { ($0.name, $0) })
        self.admins = Set(config.admins)
        var newest: [SHA256Digest: CertificateRevocationList] = [:]
        for authority in checked.authorities {
            for (index, certificate) in authority.certificates.enumerated() {
                let list = authority.crl(of: index)
                if let known = newest[certificate.fingerprint], (known.number ?? 0) >= (list.number ?? 0) { continue }
                newest[certificate.fingerprint] = list
            }
        }
        self.newestCRL = newest
        self.cacheLimit = max(cacheLimit, 1)
    }

    // MARK: Admission

    /// Stateless checks of one transaction at `now`, in this order: well formed (the
    /// channel), creator known (chains to a CA of the organisation it names, not
    /// revoked, within validity), signature (low-S, docs/FORMAT.md), each endorser in
    /// turn as the creator (known, then its signature), timestamp within the window,
    /// contract and function exist, policy, a well-formed once key. The first failure
    /// decides the code.
    ///
    /// When validating a block, pass the block header's timestamp as `now`, so every
    /// node reaches the same answer; when checking a submission, the local clock (an
    /// early answer only: the verdict is `admitSigned` at the block's timestamp).
    /// The creator is returned once the signature proves it, even if a later check fails.
    public func admit(_ transaction: Transaction, now: Date) -> Admission {
        admit(transaction, now: now, checkSignature: true)
    }

    /// `admit` for a transaction whose signature this process has already verified (by
    /// `admit` under any configuration: whether a signature verifies depends only on the
    /// bytes and the key in the creator's certificate, never on the rules or the time).
    /// Every other check runs again under these rules at `now`. This is what the orderer
    /// runs when it cuts a block: the block's own rules and timestamp decide, at the cost
    /// of hashes and cache look-ups instead of a second ECDSA verification.
    public func admitSigned(_ transaction: Transaction, now: Date) -> Admission {
        admit(transaction, now: now, checkSignature: false)
    }

    private func admit(_ transaction: Transaction, now: Date, checkSignature: Bool) -> Admission {
        let body = transaction.body
        guard body.channel == config.channel else {
            return .refused(.refused(.malformed, "transaction is for channel \(quoted(body.channel)), not \(quoted(config.channel))"))
        }
        let creator: Creator
        let key: P256PublicKey
        switch identify(body.creator, now: now) {
        case .failure(let refusal): return .refused(refusal)
        case .success(let identified): (creator, key) = identified
        }
        if checkSignature {
            do {
                guard try key.isValidLowSSignature(transaction.signature, digest: transaction.id) else {
                    return .refused(.refused(.badSignature, "signature does not verify with the creator's key"))
                }
            } catch {
                return .refused(.refused(.badSignature, "\(error)"))
            }
        }
        let endorsers: [Creator]
        switch admitEndorsements(transaction, creator: creator, now: now, checkSignature: checkSignature) {
        case .failure(let refusal): return .refused(refusal, creator: creator)
        case .success(let admitted): endorsers = admitted
        }
        if let refusal = checkTimestamp(body.timestamp, now: now) { return .refused(refusal, creator: creator) }
        if let refusal = checkCall(creator, contract: body.contract, function: body.function) { return .refused(refusal, creator: creator) }
        if let key = body.onceKey, let problem = OnceKeys.problem(key) { return .refused(.refused(.malformed, problem), creator: creator) }
        return .admitted(creator, endorsers: endorsers)
    }

    /// Every endorser is admitted as a creator would be (chain, revocation, validity at
    /// `now`, low-S signature over the id), with the creator's codes and a reason that
    /// names the endorsement; two signatures for one account are malformed. The policy
    /// is the creator's alone: an endorser calls nothing, the contract decides what its
    /// signature means.
    private func admitEndorsements(_ transaction: Transaction, creator: Creator, now: Date, checkSignature: Bool) -> Result<[Creator], Validation> {
        guard !transaction.endorsements.isEmpty else { return .success([]) }
        var endorsers: [Creator] = []
        var accounts: Set<String> = [creator.account]
        for (index, endorsement) in transaction.endorsements.enumerated() {
            let subject = "endorser \(index + 1)"
            let endorser: Creator
            let key: P256PublicKey
            switch identify(endorsement.certificate, now: now) {
            case .failure(let refusal): return .failure(Self.renamed(refusal, subject: subject))
            case .success(let identified): (endorser, key) = identified
            }
            if checkSignature {
                let valid = (try? key.isValidLowSSignature(endorsement.signature, digest: transaction.id)) ?? false
                guard valid else {
                    return .failure(.refused(.badSignature, "\(subject) (\(quoted(endorser.account))): signature does not verify with its key over the transaction id"))
                }
            }
            guard accounts.insert(endorser.account).inserted else {
                let whose = endorser.account == creator.account ? "the creator's" : "an earlier endorser's"
                return .failure(.refused(.malformed, "\(subject) is \(quoted(endorser.account)), \(whose) account: one signature per account"))
            }
            endorsers.append(endorser)
        }
        return .success(endorsers)
    }

    /// A creator refusal retold for an endorser: the reasons `identify` gives all start
    /// with "creator".
    private static func renamed(_ refusal: Validation, subject: String) -> Validation {
        guard refusal.reason.hasPrefix("creator") else { return .refused(refusal.code, "\(subject): \(refusal.reason)") }
        return .refused(refusal.code, subject + refusal.reason.dropFirst("creator".count))
    }

    /// For queries: the certificate identifies a current member, and the policy lets
    /// its role read `kind` (one of `AccessPolicy.readKinds`).
    public func mayRead(certificate der: [UInt8], _ kind: String, now: Date) -> Result<Creator, Validation> {
        guard AccessPolicy.readKinds.contains(kind) else {
            return .failure(.refused(.malformed, "unknown read kind \(quoted(kind)) (kinds: \(AccessPolicy.readKinds.joined(separator: ", ")))"))
        }
        switch identify(der, now: now) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let (creator, _)):
            guard config.policy.mayRead(role: creator.role, kind) else {
                return .failure(.refused(.policyDenied, "role \(quoted(creator.role)) may not read \(kind)"))
            }
            return .success(creator)
        }
    }

    /// Who a certificate speaks for at `now`, or why it speaks for no one: the creator
    /// checks of `admit` without a transaction (for authenticating a subscription).
    public func creator(certificate der: [UInt8], now: Date) -> Result<Creator, Validation> {
        identify(der, now: now).map(\.0)
    }

    // MARK: Creators

    /// What a certificate is, independent of the time: cached per DER hash.
    private enum Identification: Sendable {
        case member(Member)
        case refused(Validation)
    }

    private struct Member: Sendable {
        let authority: OrganizationAuthority
        let key: P256PublicKey
        /// Why it is revoked; a new CRL means new rules, so this never goes stale.
        let revocation: String?
    }

    private func identify(_ der: [UInt8], now: Date) -> Result<(Creator, P256PublicKey), Validation> {
        let fingerprint = SHA256.hash(der)
        let identification: Identification
        if let cached = cache.withLock({ $0[fingerprint] }) {
            identification = cached
        } else {
            identification = classify(der)
            cache.withLock { cache in
                if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
                cache[fingerprint] = identification
            }
        }
        let member: Member
        switch identification {
        case .refused(let refusal): return .failure(refusal)
        case .member(let known): member = known
        }
        if let revocation = member.revocation { return .failure(.refused(.revokedCreator, "creator \(revocation)")) }
        // The time-dependent part (validity of the certificate and its CAs, and all of
        // libcrypto's chain rules) is the organisation's trust store, which caches it.
        switch member.authority.store.verify(der: der, at: now) {
        case .valid(let identity):
            let creator = Creator(organization: member.authority.name, id: identity.subject.commonName,
                                  role: identity.role ?? "", attributes: identity.attributes)
            return .success((creator, member.key))
        case .invalid(let reason, let failure):
            return .failure(.refused(failure == .outsideValidity ? .expiredCreator : .unknownCreator, "creator certificate: \(reason)"))
        }
    }

    private func classify(_ der: [UInt8]) -> Identification {
        let certificate: Certificate
        do { certificate = try Certificate(der: der) } catch {
            return .refused(.refused(.malformed, "creator: \(error)"))
        }
        let identity: IdentityExtension?
        do { identity = try certificate.identity } catch {
            return .refused(.refused(.unknownCreator, "creator certificate: \(error)"))
        }
        guard let identity else {
            return .refused(.refused(.unknownCreator, "creator certificate \(quoted(certificate.subject.description)) has no csp identity extension"))
        }
        guard CertificateRole(rawValue: identity.role) != nil else {
            return .refused(.refused(.unknownCreator, "creator certificate has unknown role \(quoted(identity.role))"))
        }
        guard let authority = authorities[identity.organization] else {
            return .refused(.refused(.unknownCreator, "creator's organization \(quoted(identity.organization)) is not a member of channel \(quoted(config.channel))"))
        }
        guard !certificate.isCA else {
            return .refused(.refused(.unknownCreator, "creator certificate \(quoted(certificate.subject.description)) is a CA certificate"))
        }
        // The organisation check: only a CA the named organisation lists may have
        // issued it, so one member's CA cannot mint identities of another.
        guard let issuer = authority.issuer(of: certificate) else {
            return .refused(.refused(.unknownCreator, "creator certificate is not issued by a CA of organization \(quoted(identity.organization))"))
        }
        let key: P256PublicKey
        do { key = try certificate.publicKey } catch {
            return .refused(.refused(.malformed, "creator certificate: \(error)"))
        }
        let revocation = authority.revocation(of: certificate, issuer: issuer) { newestCRL[$0.fingerprint]! }
        return .member(Member(authority: authority, key: key, revocation: revocation))
    }

    // MARK: Time and permission

    private func checkTimestamp(_ timestamp: UInt64, now: Date) -> Validation? {
        let clock = UInt64(max(0, (now.timeIntervalSince1970 * 1000).rounded(.down)))
        let window = UInt64(config.timestampWindowSeconds) * 1000
        let distance = timestamp >= clock ? timestamp - clock : clock - timestamp
        guard distance > window else { return nil }
        let side = timestamp >= clock ? "ahead of" : "behind"
        return .refused(.timestampOutOfWindow,
                        "timestamp is \(distance) ms \(side) the orderer's clock (window ±\(config.timestampWindowSeconds) s)")
    }

    /// Existence first (a typo is "unknown", not "denied"), then who may call it.
    /// A configuration call needs both: the creator's account is listed in `admins`, and
    /// `AccessPolicy.mayInvokeConfig` grants its role the function (docs/CHANNELS.md,
    /// "Who may change the configuration").
    ///
    /// Only a built-in contract's functions are known here: any other name may be a
    /// deployed definition, which lives in the state admission does not read, so the
    /// call goes on to execution (unknown-contract there when no definition answers).
    /// The policy applies to it all the same.
    private func checkCall(_ creator: Creator, contract: String, function: String) -> Validation? {
        if contract == ConfigContract.name && function == ConfigContract.genesisFunction {
            return .refused(.policyDenied, "config.genesis is valid only in block 0")
        }
        if let functions = BuiltinContracts.functions[contract], !functions.contains(function) {
            return .refused(.unknownContract, "contract \(quoted(contract)) has no function \(quoted(function))")
        }
        if contract == ConfigContract.name {
            guard admins.contains(creator.account) else {
                return .refused(.policyDenied, "\(quoted(creator.account)) is not an admin of channel \(quoted(config.channel))")
            }
            guard config.policy.mayInvokeConfig(role: creator.role, function: function) else {
                return .refused(.policyDenied, "role \(quoted(creator.role)) may not call \(contract).\(function)")
            }
            return nil
        }
        let mayCall = config.policy.mayInvoke(role: creator.role, contract: contract, function: function)
        guard mayCall else { return .refused(.policyDenied, "role \(quoted(creator.role)) may not call \(contract).\(function)") }
        return nil
    }
}
