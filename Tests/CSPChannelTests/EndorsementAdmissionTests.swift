import CSPCertificates
import CSPChannel
import CSPContracts
import CSPCrypto
import CSPFormat
import Foundation
import XCTest

/// Endorsers are admitted as creators are, with the creator's codes and reasons that
/// name the endorsement; the executor checks their accounts and hands them to the call.
final class EndorsementAdmissionTests: XCTestCase {
    private var channel: TestChannel!
    private var rules: ChannelRules!

    override func setUpWithError() throws {
        channel = try TestChannel()
        channel.config.policy.invoke["account.*"] = ["customer", "enterprise", "admin"]
        rules = try channel.rules()
    }

    private func put(endorsedBy endorsers: [Identity]) throws -> Transaction {
        var transaction = try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"])
        for endorser in endorsers { transaction = try transaction.endorsed(certificate: endorser.certificate.der, key: endorser.key) }
        return transaction
    }

    func testEndorsersAreAdmittedAndNamed() throws {
        let admission = rules.admit(try put(endorsedBy: [channel.bob]), now: referenceNow)
        XCTAssertEqual(admission, .admitted(Creator(organization: "Acme", id: "alice", role: "customer", attributes: ["tier": "gold"]),
                                            endorsers: [Creator(organization: "Beta", id: "bob", role: "enterprise")]))
        XCTAssertEqual(admission.endorsers.map(\.account), ["Beta/bob"])
        XCTAssertEqual(rules.admitSigned(try put(endorsedBy: [channel.bob]), now: referenceNow), admission)
    }

    func testBadEndorsementsGetTheCreatorsCodes() throws {
        // A signature by the wrong key: the certificate is bob's, the key is not.
        let genuine = try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"])
        let forged = try genuine.endorsed(certificate: channel.bob.certificate.der, key: channel.admin.key)
        let refusal = rules.admit(forged, now: referenceNow)
        XCTAssertEqual(refusal.validation, Validation(code: .badSignature, reason: "endorser 1 ('Beta/bob'): signature does not verify with its key over the transaction id"))
        XCTAssertEqual(refusal.creator?.account, "Acme/alice", "the creator is proven even though an endorsement is not")
        // Signature checks are what SignatureCheck covers: admitSigned trusts them.
        XCTAssertEqual(SignatureCheck.verify([genuine, forged, try put(endorsedBy: [channel.bob])]), [true, false, true])

        let gamma = try TestOrganization("Gamma")
        let stranger = try gamma.member("eve", role: "enterprise")
        XCTAssertEqual(rules.admit(try put(endorsedBy: [channel.bob, stranger]), now: referenceNow).validation,
                       Validation(code: .unknownCreator, reason: "endorser 2's organization 'Gamma' is not a member of channel 'consortium'"))

        var config = channel.config
        config.organizations[1].crls[0] = try channel.beta.issuerCRL(number: 2, revoking: [channel.bob.certificate]).pem()
        let revoking = try ChannelRules(config: config)
        XCTAssertEqual(revoking.admit(try put(endorsedBy: [channel.bob]), now: referenceNow).validation,
                       Validation(code: .revokedCreator, reason: "endorser 1 certificate serial \(channel.bob.certificate.serialHex) is revoked by 'O=Beta, OU=ca, CN=Beta Root CA' (keyCompromise)"))
        XCTAssertEqual(revoking.admitSigned(try put(endorsedBy: [channel.bob]), now: referenceNow).validation.code, .revokedCreator)

        let expired = try channel.beta.member("old", role: "enterprise", notBefore: referenceNow - 30 * day, notAfter: referenceNow - day)
        XCTAssertEqual(rules.admit(try put(endorsedBy: [expired]), now: referenceNow).validation,
                       Validation(code: .expiredCreator, reason: "endorser 1 certificate: certificate has expired"))

        // A second certificate of the creator's own account is one signer, not two.
        let alsoAlice = try channel.acme.member("alice", role: "customer")
        XCTAssertEqual(rules.admit(try put(endorsedBy: [alsoAlice]), now: referenceNow).validation,
                       Validation(code: .malformed, reason: "endorser 1 is 'Acme/alice', the creator's account: one signature per account"))
    }

    func testExecutorRefusesDeregisteredEndorsersAndEndorsedBuiltins() throws {
        let state = MemoryState()
        func run(_ transactions: [Transaction]) throws -> BlockExecution {
            let result = try Executor(rules: rules).execute(transactions, admitted: transactions.map { rules.admit($0, now: referenceNow) },
                                                            block: testBlock, state: state) { _ in false }
            state.commit(result)
            return result
        }
        // kv takes no co-signatures.
        let endorsedPut = try run([try put(endorsedBy: [channel.bob])])
        XCTAssertEqual(endorsedPut.validations, [Validation(code: .contractFailed, reason: "kv.put: unexpected endorser 'Beta/bob': built-in contracts take no co-signatures")])
        // bob registers, then deregisters: his endorsement is refused as his own call would be.
        let result = try run([try channel.bob.transaction("account", "register", ["displayName": "Bob"]),
                              try channel.bob.transaction("account", "deregister"), try put(endorsedBy: [channel.bob])])
        XCTAssertEqual(result.validations.map(\.code), [.valid, .valid, .deregisteredAccount])
        XCTAssertEqual(result.validations[2].reason, "endorser 1: account 'Beta/bob' is deregistered")
        XCTAssertEqual(try Executor.deregistration(of: Creator(organization: "Acme", id: "alice", role: "customer"),
                                                   endorsers: [Creator(organization: "Beta", id: "bob", role: "enterprise")], in: state)?.code,
                       .deregisteredAccount)
    }
}
