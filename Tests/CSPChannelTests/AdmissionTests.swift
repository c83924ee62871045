import CSPCertificates
import CSPChannel
import CSPContracts
import CSPCrypto
import CSPFormat
import Foundation
import XCTest

final class AdmissionTests: XCTestCase {
    private var channel: TestChannel!
    private var rules: ChannelRules!

    override func setUpWithError() throws {
        channel = try TestChannel()
        rules = try channel.rules()
    }

    private func admit(_ transaction: Transaction, now: Date = referenceNow) -> (Validation, Creator?) {
        let admission = rules.admit(transaction, now: now)
        return (admission.validation, admission.creator)
    }

    func testValidTransaction() throws {
        let (validation, creator) = admit(try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"]))
        XCTAssertEqual(validation, .valid)
        XCTAssertEqual(creator, Creator(organization: "Acme", id: "alice", role: "customer", attributes: ["tier": "gold"]))
        XCTAssertEqual(creator?.account, "Acme/alice")
        // A member of the root-only organisation too.
        let (other, bob) = admit(try channel.bob.transaction("kv", "delete", ["key": "k"]))
        XCTAssertEqual(other, .valid)
        XCTAssertEqual(bob?.account, "Beta/bob")
    }

    func testWrongChannelIsMalformed() throws {
        let (validation, creator) = admit(try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"], channel: "private"))
        XCTAssertEqual(validation, Validation(code: .malformed, reason: "transaction is for channel 'private', not 'consortium'"))
        XCTAssertNil(creator)
    }

    func testBadSignature() throws {
        let genuine = try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"])
        // Signed by another key: a valid signature, of the wrong signer.
        let forged = try Transaction(signing: genuine.body, with: channel.bob.key)
        XCTAssertEqual(admit(forged).0, Validation(code: .badSignature, reason: "signature does not verify with the creator's key"))
        XCTAssertNil(admit(forged).1, "an unproven claim names no creator")
        // Not DER at all.
        let garbage = Transaction(body: genuine.body, signature: [0x30, 0x02, 0x01])
        let (validation, _) = admit(garbage)
        XCTAssertEqual(validation.code, .badSignature)
        XCTAssertTrue(validation.reason.hasPrefix("malformed signature"), validation.reason)
    }

    func testCreatorFromUnknownCA() throws {
        let gamma = try TestOrganization("Gamma")
        let eve = try gamma.member("eve", role: "customer")
        XCTAssertEqual(admit(try eve.transaction("kv", "put", ["key": "k", "value": "v"])).0,
                       Validation(code: .unknownCreator, reason: "creator's organization 'Gamma' is not a member of channel 'consortium'"))
        // Claiming a member organisation does not help a stranger's CA.
        let mallory = try gamma.member("mallory", role: "customer", claiming: "Acme")
        XCTAssertEqual(admit(try mallory.transaction("kv", "put", ["key": "k", "value": "v"])).0,
                       Validation(code: .unknownCreator, reason: "creator certificate is not issued by a CA of organization 'Acme'"))
    }

    func testOrganizationMismatch() throws {
        // Acme's CA issues a certificate that claims to be Beta's: Beta's CA did not
        // issue it, so it does not speak for Beta.
        let rogue = try channel.acme.member("bob", role: "enterprise", claiming: "Beta")
        let (validation, creator) = admit(try rogue.transaction("kv", "put", ["key": "k", "value": "v"]))
        XCTAssertEqual(validation, Validation(code: .unknownCreator, reason: "creator certificate is not issued by a CA of organization 'Beta'"))
        XCTAssertNil(creator)
    }

    func testCertificateWithoutIdentity() throws {
        let key = try P256PrivateKey.generate()
        let plain = try CertificateIssuer.issue(
            CertificateTemplate(subject: DistinguishedName(organization: "Acme", commonName: "carol"), notBefore: referenceNow - day, notAfter: referenceNow + day),
            subjectKey: try key.publicKey, issuer: channel.acme.issuer, issuerKey: channel.acme.issuerKey)
        let transaction = try Identity(certificate: plain, key: key).transaction("kv", "put", ["key": "k", "value": "v"])
        XCTAssertEqual(admit(transaction).0, Validation(code: .unknownCreator, reason: "creator certificate 'O=Acme, CN=carol' has no csp identity extension"))
        // Not a certificate at all.
        let body = try TransactionBody(channel: "consortium", timestamp: referenceMilliseconds, nonce: [1], creator: [1, 2, 3],
                                       contract: "kv", function: "put", arguments: [])
        let (validation, _) = admit(try Transaction(signing: body, with: key))
        XCTAssertEqual(validation.code, .malformed)
        XCTAssertTrue(validation.reason.hasPrefix("creator: malformed certificate"), validation.reason)
    }

    func testRevokedCreator() throws {
        let acme = channel.acme
        var config = channel.config
        config.organizations[0].crls[0] = try acme.issuerCRL(number: 2, revoking: [channel.alice.certificate]).pem()
        let revoking = try ChannelRules(config: config)
        let (validation, creator) = tuple(revoking, try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"]), now: referenceNow)
        XCTAssertEqual(validation, Validation(code: .revokedCreator,
                                              reason: "creator certificate serial \(channel.alice.certificate.serialHex) is revoked by 'O=Acme, OU=ca, CN=Acme Issuing CA' (keyCompromise)"))
        XCTAssertNil(creator)
        // Others of the same CA are unaffected.
        XCTAssertEqual(tuple(revoking, try channel.admin.transaction("kv", "put", ["key": "k", "value": "v"]), now: referenceNow).0, .valid)
    }

    func testRevokedIssuingCARevokesItsMembers() throws {
        let acme = channel.acme
        var config = channel.config
        let rootCRL = try CertificateRevocationList.issue(issuer: acme.root, key: acme.rootKey, number: 2, thisUpdate: referenceNow - day,
                                                          nextUpdate: referenceNow + 7 * day,
                                                          revoked: [RevokedCertificate(serial: acme.issuer.serial, date: referenceNow - day, reason: .caCompromise)])
        config.organizations[0].crls[1] = rootCRL.pem()
        let revoking = try ChannelRules(config: config)
        XCTAssertEqual(tuple(revoking, try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"]), now: referenceNow).0,
                       Validation(code: .revokedCreator, reason: "creator issuing CA 'O=Acme, OU=ca, CN=Acme Issuing CA' is revoked by 'O=Acme, OU=ca, CN=Acme Root CA' (CACompromise)"))
    }

    func testExpiredCRLStaysInForce() throws {
        // The configured lists are the channel's record until set-crl replaces them:
        // long after nextUpdate, members are still admitted, and revoked ones still not.
        let later = referenceNow + 60 * day
        let transaction = try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"], timestamp: UInt64(later.timeIntervalSince1970) * 1000)
        XCTAssertEqual(tuple(rules, transaction, now: later).0, .valid)
    }

    func testExpiredCreator() throws {
        let expired = try channel.acme.member("old", role: "customer", notBefore: referenceNow - 30 * day, notAfter: referenceNow - day)
        XCTAssertEqual(admit(try expired.transaction("kv", "put", ["key": "k", "value": "v"])).0,
                       Validation(code: .expiredCreator, reason: "creator certificate: certificate has expired"))
        // `now` after notAfter of a certificate that was fine before.
        let late = referenceNow + 400 * day
        let transaction = try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"], timestamp: UInt64(late.timeIntervalSince1970) * 1000)
        XCTAssertEqual(tuple(rules, transaction, now: late).0, Validation(code: .expiredCreator, reason: "creator certificate: certificate has expired"))
        XCTAssertEqual(tuple(rules, transaction, now: late - 399 * day).0.code, .timestampOutOfWindow, "the cached answer does not outlive its window")
        let early = try channel.acme.member("early", role: "customer", notBefore: referenceNow + day, notAfter: referenceNow + 9 * day)
        XCTAssertEqual(admit(try early.transaction("kv", "put", ["key": "k", "value": "v"])).0,
                       Validation(code: .expiredCreator, reason: "creator certificate: certificate is not yet valid"))
    }

    func testTimestampWindow() throws {
        let window: UInt64 = 120_000
        func code(_ timestamp: UInt64) throws -> Validation {
            admit(try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"], timestamp: timestamp)).0
        }
        XCTAssertEqual(try code(referenceMilliseconds + window), .valid, "the window's edge is inside")
        XCTAssertEqual(try code(referenceMilliseconds - window), .valid)
        XCTAssertEqual(try code(referenceMilliseconds + window + 1),
                       Validation(code: .timestampOutOfWindow, reason: "timestamp is 120001 ms ahead of the orderer's clock (window ±120 s)"))
        XCTAssertEqual(try code(referenceMilliseconds - 3_600_000),
                       Validation(code: .timestampOutOfWindow, reason: "timestamp is 3600000 ms behind the orderer's clock (window ±120 s)"))
        XCTAssertEqual(try code(UInt64.max).code, .timestampOutOfWindow)
        XCTAssertEqual(try code(0).code, .timestampOutOfWindow)
    }

    func testRoleDenied() throws {
        let (validation, creator) = admit(try channel.alice.transaction("kv", "delete", ["key": "k"]))
        XCTAssertEqual(validation, Validation(code: .policyDenied, reason: "role 'customer' may not call kv.delete"))
        XCTAssertEqual(creator?.account, "Acme/alice", "the signature proved who was denied")
        let regulator = try channel.beta.member("reg", role: "regulator")
        XCTAssertEqual(admit(try regulator.transaction("kv", "put", ["key": "k", "value": "v"])).0,
                       Validation(code: .policyDenied, reason: "role 'regulator' may not call kv.put"))
    }

    func testUnknownContractOrFunction() throws {
        // Any other name may be a deployed definition, which only execution can look
        // up: admission applies the policy to it.
        XCTAssertEqual(admit(try channel.alice.transaction("kvx", "put")).0,
                       Validation(code: .policyDenied, reason: "role 'customer' may not call kvx.put"))
        channel.config.policy.invoke["*"] = ["customer"]
        rules = try channel.rules()
        XCTAssertEqual(admit(try channel.alice.transaction("kvx", "put")).0, .valid)
        XCTAssertEqual(admit(try channel.alice.transaction("account", "rename")).0,
                       Validation(code: .unknownContract, reason: "contract 'account' has no function 'rename'"))
        XCTAssertEqual(admit(try channel.alice.transaction("contract", "delete")).0,
                       Validation(code: .unknownContract, reason: "contract 'contract' has no function 'delete'"))
        XCTAssertEqual(admit(try channel.alice.transaction("kv", "get", ["key": "k"])).0,
                       Validation(code: .unknownContract, reason: "contract 'kv' has no function 'get'"))
    }

    func testConfigurationNeedsAnAdmin() throws {
        let call = ["maxTransactions": "10"]
        XCTAssertEqual(admit(try channel.admin.transaction("config", "set-cutting", call)).0, .valid)
        // Listed but not of role admin: only where the policy grants the role.
        let staff = try channel.beta.member("lead", role: "enterprise")
        channel.config.admins.append("Beta/lead")
        rules = try channel.rules()
        XCTAssertEqual(admit(try staff.transaction("config", "set-cutting", call)).0,
                       Validation(code: .policyDenied, reason: "role 'enterprise' may not call config.set-cutting"))
        channel.config.policy.invoke["config.set-cutting"] = ["enterprise"]
        rules = try channel.rules()
        XCTAssertEqual(admit(try staff.transaction("config", "set-cutting", call)).0, .valid)
        // Role admin but not listed; or listed nowhere at all.
        let otherAdmin = try channel.beta.member("root", role: "admin")
        XCTAssertEqual(admit(try otherAdmin.transaction("config", "set-cutting", call)).0,
                       Validation(code: .policyDenied, reason: "'Beta/root' is not an admin of channel 'consortium'"))
        XCTAssertEqual(admit(try channel.bob.transaction("config", "add-org", ["name": "X"])).0,
                       Validation(code: .policyDenied, reason: "'Beta/bob' is not an admin of channel 'consortium'"))
        XCTAssertEqual(admit(try channel.admin.transaction("config", "genesis", ["config": "{}"])).0,
                       Validation(code: .policyDenied, reason: "config.genesis is valid only in block 0"))
        XCTAssertEqual(admit(try channel.admin.transaction("config", "set-everything")).0,
                       Validation(code: .unknownContract, reason: "contract 'config' has no function 'set-everything'"))
    }

    func testMayRead() throws {
        XCTAssertEqual(try rules.mayRead(certificate: channel.alice.certificate.der, "state", now: referenceNow).get().account, "Acme/alice")
        XCTAssertEqual(rules.mayRead(certificate: channel.alice.certificate.der, "block", now: referenceNow),
                       .failure(Validation(code: .policyDenied, reason: "role 'customer' may not read block")))
        XCTAssertEqual(try rules.mayRead(certificate: channel.bob.certificate.der, "block", now: referenceNow).get().account, "Beta/bob")
        XCTAssertEqual(rules.mayRead(certificate: channel.alice.certificate.der, "blocks", now: referenceNow),
                       .failure(Validation(code: .malformed, reason: "unknown read kind 'blocks' (kinds: state, history, transaction, block, account, events)")))
        XCTAssertEqual(rules.mayRead(certificate: channel.alice.certificate.der, "state", now: referenceNow + 400 * day),
                       .failure(Validation(code: .expiredCreator, reason: "creator certificate: certificate has expired")))
        let stranger = try TestOrganization("Gamma").member("eve", role: "regulator")
        XCTAssertEqual(rules.mayRead(certificate: stranger.certificate.der, "state", now: referenceNow).map(\.account),
                       .failure(Validation(code: .unknownCreator, reason: "creator's organization 'Gamma' is not a member of channel 'consortium'")))
        XCTAssertEqual(try rules.creator(certificate: channel.orderer.certificate.der, now: referenceNow).get().role, "node")
    }

    /// Many threads admitting at once get the same answers as one thread.
    func testConcurrentAdmission() throws {
        var transactions: [Transaction] = []
        for index in 0..<200 {
            let who = [channel.alice, channel.bob, channel.admin][index % 3]
            var transaction = try who.transaction("kv", index % 7 == 0 ? "delete" : "put", ["key": "k\(index)", "value": "v"])
            if index % 11 == 0 { transaction = try Transaction(signing: transaction.body, with: channel.bob.key) }
            transactions.append(transaction)
        }
        let fresh = try channel.rules()
        let expected = transactions.map { tuple(fresh, $0, now: referenceNow).0 }
        XCTAssertTrue(expected.contains(.valid))
        XCTAssertTrue(expected.contains { $0.code == .badSignature })
        XCTAssertTrue(expected.contains { $0.code == .policyDenied })

        let shared = try channel.rules()
        let rounds = 8
        let results = UnsafeMutableBufferPointer<Validation>.allocate(capacity: rounds * transactions.count)
        defer { results.deallocate() }
        _ = results.initialize(from: repeatElement(Validation.valid, count: results.count))
        nonisolated(unsafe) let output = results
        let input = transactions
        DispatchQueue.concurrentPerform(iterations: rounds) { round in
            // Each round walks the list from a different place, so threads race on the
            // same certificates' cache entries.
            for step in 0..<input.count {
                let index = (step + round * 37) % input.count
                output[round * input.count + index] = tuple(shared, input[index], now: referenceNow).0
            }
        }
        for round in 0..<rounds {
            XCTAssertEqual(Array(results[(round * transactions.count)..<((round + 1) * transactions.count)]), expected, "round \(round)")
        }
    }
}

/// `ChannelRules.admit` as the (validation, creator) pair these tests compare.
private func tuple(_ rules: ChannelRules, _ transaction: Transaction, now: Date) -> (Validation, Creator?) {
    let admission = rules.admit(transaction, now: now)
    return (admission.validation, admission.creator)
}
